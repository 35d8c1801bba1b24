//! The services around the warehouse: `[provisioned]`, reservations, `[spectrum]`,
//! `[data_sharing]`, `[snapshots]`, `[ml]`, `[[pipeline]]` and their `[prices]` keys.

use super::*;
use std::path::Path;

const HEAD: &str = "name = \"t\"\nregion = \"us-east-1\"\n";
const SERVERLESS: &str = "[serverless]\nbase_rpu = 8\n";
const CLUSTER: &str = "[provisioned]\nnode_type = \"ra3.xlplus\"\nnodes = 2\n";

fn regions() -> Vec<(String, String)> {
    [
        ("us-east-1", "US East (N. Virginia)"),
        ("us-west-2", "US West (Oregon)"),
        ("eu-west-1", "Europe (Ireland)"),
    ]
    .iter()
    .map(|(c, l)| (c.to_string(), l.to_string()))
    .collect()
}

fn parse(text: &str, set_args: &[&str]) -> Result<Loaded, ScenarioError> {
    let sets: Vec<SetArg> = set_args.iter().map(|a| parse_set_arg(a).unwrap()).collect();
    parse_scenario(text, Path::new("sc/x.toml"), &sets, &regions())
}

fn loaded(body: &str) -> Loaded {
    match parse(&format!("{HEAD}{body}"), &[]) {
        Ok(l) => l,
        Err(e) => panic!("expected Ok, got:\n{e}"),
    }
}

fn ok(body: &str) -> Scenario {
    loaded(body).scenario
}

fn err(body: &str) -> String {
    match parse(&format!("{HEAD}{body}"), &[]) {
        Ok(l) => panic!("expected an error, got {:#?}", l.scenario),
        Err(e) => e.to_string(),
    }
}

/// Asserts the error contains `message` and points at `sc/x.toml:{at}`.
#[track_caller]
fn assert_err(body: &str, message: &str, at: &str) {
    let e = err(body);
    assert!(e.contains(message), "missing {message:?} in:\n{e}");
    let at = format!("--> sc/x.toml:{at}\n");
    assert!(e.contains(&at), "missing {at:?} in:\n{e}");
}

// ---------------------------------------------------------------- [provisioned]

#[test]
fn provisioned_defaults_and_values() {
    let p = ok(CLUSTER).provisioned.unwrap();
    assert_eq!(
        p,
        Provisioned {
            node_type: NodeType::Ra3Xlplus,
            nodes: 2,
            hours_per_day: 24.0,
            days_per_week: 7,
            reservation: None,
            concurrency_scaling_per_day: 0.0,
        }
    );
    assert!(p.always_on());
    let p = ok("[provisioned]\nnode_type = \"dc2.large\"\nnodes = 4\nhours_per_day = 10\ndays_per_week = 5\nreservation = \"3yr-partial-upfront\"\nconcurrency_scaling_per_day = \"90m\"\n")
        .provisioned
        .unwrap();
    assert_eq!(p.node_type, NodeType::Dc2Large);
    assert_eq!(p.reservation, Some(ReservedTerm::ThreeYearPartialUpfront));
    assert_eq!(p.concurrency_scaling_per_day, 5400.0);
    assert!(!p.always_on());
}

#[test]
fn provisioned_errors_are_located_with_suggestions() {
    // Lines: 1 name, 2 region, 3 [provisioned], 4 node_type, 5 nodes, 6 ...
    let e = err("[provisioned]\nnode_type = \"ra3.4xlarg\"\nnodes = 2\n");
    assert!(e.contains("unknown node_type \"ra3.4xlarg\""), "{e}");
    assert!(e.contains("did you mean `ra3.4xlarge`?"), "{e}");
    assert!(e.contains("sc/x.toml:4:13"), "{e}");
    let e = err("[provisioned]\nnode_typ = \"ra3.xlplus\"\nnodes = 2\n");
    assert!(e.contains("unknown key `node_typ` in [provisioned]"), "{e}");
    assert!(e.contains("did you mean `node_type`?"), "{e}");
    // Said once, not again as a missing key.
    assert!(!e.contains("missing required key `node_type`"), "{e}");
    assert_err(
        "[provisioned]\nnode_type = \"ra3.xlplus\"\nnodes = 2.5\n",
        "nodes must be a whole number from 1 to 1024; found 2.5",
        "5:9",
    );
    assert_err(
        "[provisioned]\nnode_type = \"ra3.xlplus\"\nnodes = 2\nhours_per_day = 25\n",
        "hours_per_day must be > 0 and at most 24; found 25",
        "6:17",
    );
    let e = err(
        "[provisioned]\nnode_type = \"ra3.xlplus\"\nnodes = 2\nreservation = \"1yr-partial\"\n",
    );
    assert!(e.contains("did you mean `1yr-partial-upfront`?"), "{e}");
    assert_err(
        "[provisioned]\nnode_type = \"ra3.xlplus\"\n",
        "missing required key `nodes` in [provisioned]",
        "3:1",
    );
    assert_err(
        "[provisioned]\nnode_type = \"ra3.xlplus\"\nnodes = 2\nconcurrency_scaling_per_day = \"25h\"\n",
        "concurrency_scaling_per_day must be at most a day",
        "6:31",
    );
}

#[test]
fn capacity_checks() {
    // 4 × dc2.large = 640 GB of SSD.
    let e =
        err("[provisioned]\nnode_type = \"dc2.large\"\nnodes = 4\n[storage]\nmanaged_gb = 1000\n");
    assert!(
        e.contains("[storage] managed_gb = 1000 does not fit 4 × dc2.large: its local SSD storage is 640 GB"),
        "{e}"
    );
    assert!(e.contains("use at least 7 nodes of dc2.large"), "{e}");
    assert!(e.contains("sc/x.toml:5:9"), "{e}");
    // Over 80 % of the SSDs is a warning.
    let l = loaded(
        "[provisioned]\nnode_type = \"dc2.large\"\nnodes = 4\n[storage]\nmanaged_gb = 600\n",
    );
    assert!(
        l.warnings.iter().any(|w| w.contains("fills 94 %")),
        "{:?}",
        l.warnings
    );
    // RA3: the managed-storage quota (a single ra3.xlplus node gets 4 TB).
    let e =
        err("[provisioned]\nnode_type = \"ra3.xlplus\"\nnodes = 1\n[storage]\nmanaged_gb = 5000\n");
    assert!(e.contains("managed storage quota is 4096 GB"), "{e}");
    ok("[provisioned]\nnode_type = \"ra3.xlplus\"\nnodes = 2\n[storage]\nmanaged_gb = 5000\n");
    // Outside AWS's node range: a warning.
    let l = loaded("[provisioned]\nnode_type = \"ra3.16xlarge\"\nnodes = 1\n");
    assert!(
        l.warnings
            .iter()
            .any(|w| w.contains("AWS lists 2 to 128 nodes")),
        "{:?}",
        l.warnings
    );
}

#[test]
fn workloads_and_zero_etl_run_on_a_cluster() {
    let s = ok(&format!(
        "{CLUSTER}[[workload]]\nname = \"w\"\nper_day = 10\nduration = 60\n[zero_etl]\nsource = \"aurora-mysql\"\n"
    ));
    assert_eq!(s.workloads.len(), 1);
    assert!(s.serverless.is_none());
    // Zero-ETL needs RA3 (or Serverless).
    let e = err("[provisioned]\nnode_type = \"dc2.large\"\nnodes = 2\n[zero_etl]\nsource = \"aurora-mysql\"\n");
    assert!(
        e.contains("[zero_etl] needs an RA3 cluster or Serverless"),
        "{e}"
    );
    // Reserved and paused: a warning.
    let l = loaded("[provisioned]\nnode_type = \"ra3.xlplus\"\nnodes = 2\nhours_per_day = 8\nreservation = \"1yr-no-upfront\"\n");
    assert!(
        l.warnings
            .iter()
            .any(|w| w.contains("pausing the cluster saves nothing")),
        "{:?}",
        l.warnings
    );
}

// ---------------------------------------------------------------- reservations

#[test]
fn serverless_reservations() {
    let s = ok("[serverless]\nbase_rpu = 8\nreserved_rpu = 16\n");
    assert_eq!(
        s.serverless_reservation,
        Some(ServerlessReservation {
            rpu: 16.0,
            term: ReservedTerm::OneYearNoUpfront
        })
    );
    let s = ok("[serverless]\nbase_rpu = 8\nreserved_rpu = 8\nreservation = \"3yr-all-upfront\"\n");
    assert_eq!(
        s.serverless_reservation.unwrap().term,
        ReservedTerm::ThreeYearAllUpfront
    );
    // No partial-upfront Serverless reservations.
    let e = err(
        "[serverless]\nbase_rpu = 8\nreserved_rpu = 8\nreservation = \"1yr-partial-upfront\"\n",
    );
    assert!(
        e.contains("unknown reservation \"1yr-partial-upfront\""),
        "{e}"
    );
    assert!(e.contains("`1yr-no-upfront`"), "{e}");
    assert_err(
        "[serverless]\nbase_rpu = 8\nreservation = \"1yr-no-upfront\"\n",
        "reservation needs `reserved_rpu` in [serverless]",
        "5:15",
    );
    let e = err("[serverless]\nbase_rpu = 8\nreserved_rpus = 8\n");
    assert!(e.contains("did you mean `reserved_rpu`?"), "{e}");
    let l = loaded("[serverless]\nbase_rpu = 8\nmax_rpu = 16\nreserved_rpu = 32\n");
    assert!(
        l.warnings.iter().any(|w| w.contains("above max_rpu")),
        "{:?}",
        l.warnings
    );
}

// ---------------------------------------------------------------- scans

#[test]
fn spectrum_and_data_sharing() {
    let s = ok(&format!(
        "{CLUSTER}[spectrum]\nqueries_per_day = 100\ntb_per_day = 2\n"
    ));
    assert_eq!(
        s.spectrum,
        Some(Spectrum {
            queries_per_day: 100.0,
            tb_per_day: 2.0,
            scan_gb_per_second: None,
            rpu: None
        })
    );
    // On Serverless the scan rate is needed: scans are RPU time.
    let e = err(&format!(
        "{SERVERLESS}[spectrum]\nqueries_per_day = 100\ntb_per_day = 2\n"
    ));
    assert!(
        e.contains("[spectrum] on Serverless needs `scan_gb_per_second`"),
        "{e}"
    );
    assert!(e.contains("billed as RPU time"), "{e}");
    assert_err(
        &format!("{CLUSTER}[spectrum]\nqueries_per_day = 0\ntb_per_day = 2\n"),
        "tb_per_day needs queries_per_day > 0",
        "8:14",
    );
    let e = err(&format!(
        "{CLUSTER}[spectrum]\nqueries_per_day = 1\ntb_per_dya = 2\n"
    ));
    assert!(e.contains("did you mean `tb_per_day`?"), "{e}");
    assert_err(
        "[spectrum]\nqueries_per_day = 1\ntb_per_day = 1\n",
        "[spectrum] needs a [serverless] or [provisioned] section",
        "3:1",
    );
    let s = ok(&format!(
        "{SERVERLESS}[data_sharing]\nqueries_per_day = 10\ntb_per_day = 0.1\nproducer_region = \"eu-west-1\"\n"
    ));
    assert_eq!(
        s.data_sharing.unwrap().producer_region.as_deref(),
        Some("eu-west-1")
    );
    let e = err(&format!(
        "{SERVERLESS}[data_sharing]\nqueries_per_day = 10\ntb_per_day = 0.1\nproducer_region = \"eu-west-11\"\n"
    ));
    assert!(e.contains("unknown region \"eu-west-11\""), "{e}");
    assert!(e.contains("eu-west-1"), "{e}");
}

// ---------------------------------------------------------------- snapshots

#[test]
fn snapshots() {
    let s = ok(&format!(
        "{CLUSTER}[snapshots]\nautomated_retention_days = 7\ndaily_change_gb = 50\ncopy_region = \"us-west-2\"\n"
    ));
    assert_eq!(
        s.snapshots,
        Some(Snapshots {
            automated_retention_days: Some(7),
            daily_change_gb: 50.0,
            copy_region: Some("us-west-2".into()),
            copy_retention_days: None
        })
    );
    assert_err(
        &format!("{CLUSTER}[snapshots]\nautomated_retention_days = 36\n"),
        "automated_retention_days must be a whole number from 1 to 35; found 36",
        "7:28",
    );
    let e = err(&format!(
        "{SERVERLESS}[snapshots]\nautomated_retention_days = 7\n"
    ));
    assert!(
        e.contains("automated_retention_days applies to provisioned clusters"),
        "{e}"
    );
    assert!(e.contains("recovery points for 24 hours, free"), "{e}");
    let e = err(&format!(
        "{CLUSTER}[snapshots]\ncopy_regoin = \"us-west-2\"\n"
    ));
    assert!(e.contains("did you mean `copy_region`?"), "{e}");
}

// ---------------------------------------------------------------- [ml]

#[test]
fn ml() {
    let s = ok(&format!(
        "{SERVERLESS}[ml]\nrows = 5000000\ncolumns = 20\ntrainings_per_month = 4\n"
    ));
    assert_eq!(
        s.ml,
        Some(Ml {
            rows: 5_000_000.0,
            columns: 20.0,
            max_cells: 1_000_000.0,
            trainings_per_month: 4.0,
            staging_gb: 0.0
        })
    );
    assert_err(
        &format!("{SERVERLESS}[ml]\ncolumns = 20\ntrainings_per_month = 4\n"),
        "missing required key `rows` in [ml]",
        "5:1",
    );
    let e = err(&format!(
        "{SERVERLESS}[ml]\nrows = 1\ncolumns = 1\ntrainings_per_month = 1\nmax_cell = 5\n"
    ));
    assert!(e.contains("did you mean `max_cells`?"), "{e}");
}

// ---------------------------------------------------------------- [[pipeline]]

const LAMBDA: &str = "[[pipeline]]\nname = \"orders\"\ntype = \"lambda-extract\"\nrows = 1000000\ntable_gb = 1\nsyncs_per_month = 30\ninvocation_duration = \"2s\"\n";

#[test]
fn lambda_extract() {
    let s = ok(&format!("{SERVERLESS}{LAMBDA}"));
    let p = &s.pipelines[0];
    assert_eq!(p.name, "orders");
    let PipelineKind::LambdaExtract(l) = &p.kind else {
        panic!("{p:?}")
    };
    assert_eq!(l.memory_mb, 128.0);
    assert_eq!(l.page_query_duration, 2.0, "defaults to the invocation");
    assert_eq!(l.arch, LambdaArch::X86);
    // A page over 6 MB: a warning (1 GB / 1e6 rows ≈ 1,074 bytes a row).
    let l = loaded(&format!("{SERVERLESS}{LAMBDA}page_rows = 10000\n"));
    assert!(
        l.warnings
            .iter()
            .any(|w| w.contains("above Lambda's 6 MB response limit")
                && w.contains("at most 5859 rows fit")),
        "{:?}",
        l.warnings
    );
    // A single row over 6 MB: an error.
    let e = err(&format!(
        "{SERVERLESS}[[pipeline]]\nname = \"o\"\ntype = \"lambda-extract\"\nrows = 10\ntable_gb = 1\nsyncs_per_month = 1\ninvocation_duration = 1\n"
    ));
    assert!(e.contains("more than Lambda's 6 MB response limit"), "{e}");
    let e = err(&format!("{SERVERLESS}{LAMBDA}invocation_duraton = 1\n"));
    assert!(
        e.contains("unknown key `invocation_duraton` in pipeline `orders`"),
        "{e}"
    );
    assert!(e.contains("did you mean `invocation_duration`?"), "{e}");
    let e = err(&format!(
        "{SERVERLESS}[[pipeline]]\nname = \"o\"\ntype = \"lambda-extract\"\nrows = 10\ntable_gb = 0\nsyncs_per_month = 1\ninvocation_duration = \"16m\"\n"
    ));
    assert!(e.contains("at most Lambda's 15-minute timeout"), "{e}");
    let e = err(&format!(
        "{SERVERLESS}{LAMBDA}page_query_duration = \"3s\"\n"
    ));
    assert!(
        e.contains("cannot be longer than invocation_duration"),
        "{e}"
    );
    let e = err(&format!("{SERVERLESS}{LAMBDA}memory_mb = 64\n"));
    assert!(
        e.contains("memory_mb must be a whole number from 128 to 10240"),
        "{e}"
    );
}

#[test]
fn pipeline_types_names_and_sets() {
    let e = err(&format!(
        "{SERVERLESS}[[pipeline]]\nname = \"x\"\ntype = \"lambda-extrac\"\n"
    ));
    assert!(e.contains("did you mean `lambda-extract`?"), "{e}");
    let e = err(&format!("{SERVERLESS}{LAMBDA}{LAMBDA}"));
    assert!(e.contains("duplicate pipeline name \"orders\""), "{e}");
    let s = ok(&format!(
        "{SERVERLESS}[[pipeline]]\nname = \"poll\"\ntype = \"data-api\"\nper_day = 2880\nduration = \"2s\"\n"
    ));
    let PipelineKind::DataApi(a) = &s.pipelines[0].kind else {
        panic!()
    };
    assert_eq!(a.per_day, 2880.0);
    // A data-api pipeline takes the workload keys, not the Lambda ones.
    let e = err(&format!(
        "{SERVERLESS}[[pipeline]]\nname = \"poll\"\ntype = \"data-api\"\nper_day = 1\nduration = 1\nrows = 5\n"
    ));
    assert!(e.contains("unknown key `rows` in pipeline `poll`"), "{e}");
    // --set reaches pipelines by name.
    let l = parse(
        &format!("{HEAD}{SERVERLESS}{LAMBDA}"),
        &["pipeline.orders.syncs_per_month=60"],
    )
    .unwrap();
    let PipelineKind::LambdaExtract(x) = &l.scenario.pipelines[0].kind else {
        panic!()
    };
    assert_eq!(x.syncs_per_month, 60.0);
    assert_err(
        "[[pipeline]]\nname = \"poll\"\ntype = \"data-api\"\nper_day = 1\nduration = 1\n",
        "[[pipeline]] needs a [serverless] or [provisioned] section",
        "3:1",
    );
}

#[test]
fn sagemaker_processing() {
    let s = ok(&format!(
        "{SERVERLESS}[[pipeline]]\nname = \"f\"\ntype = \"sagemaker-processing\"\nruns_per_month = 30\nunload_gb = 50\nunload_duration = \"10m\"\nprocessing_instance = \"ml.m5.xlarge\"\nprocessing_instances = 2\nprocessing_hours = 0.5\ntraining_instance = \"ml.m5.2xlarge\"\ntraining_hours = 1\n"
    ));
    let PipelineKind::SagemakerProcessing(p) = &s.pipelines[0].kind else {
        panic!()
    };
    assert_eq!(p.processing.count, 2);
    assert_eq!(p.training.as_ref().unwrap().instance_type, "ml.m5.2xlarge");
    assert_eq!(p.keep_runs, 1.0);
    let e = err(&format!(
        "{SERVERLESS}[[pipeline]]\nname = \"f\"\ntype = \"sagemaker-processing\"\nruns_per_month = 1\nunload_duration = 60\nprocessing_instance = \"m5.xlarge\"\nprocessing_hours = 1\n"
    ));
    assert!(e.contains("is not a SageMaker instance type"), "{e}");
    let e = err(&format!(
        "{SERVERLESS}[[pipeline]]\nname = \"f\"\ntype = \"sagemaker-processing\"\nruns_per_month = 1\nunload_duration = 60\nprocessing_instance = \"ml.m5.xlarge\"\nprocessing_hours = 1\ntraining_hours = 1\n"
    ));
    assert!(
        e.contains("`training_hours` needs `training_instance`"),
        "{e}"
    );
}

// ---------------------------------------------------------------- [prices]

#[test]
fn service_price_overrides() {
    let s = ok(&format!(
        "{SERVERLESS}[prices]\nnode_hour = 3\nathena_tb = 5\nml_million_cells = 10\n[prices.sagemaker_instance_hour]\n\"ml.g5.xlarge\" = 1.4\n"
    ));
    let o = &s.prices.services;
    assert_eq!(o.node_hour, Some(3.0));
    assert_eq!(o.athena_tb, Some(5.0));
    assert_eq!(o.ml_million_cells, Some(10.0));
    assert_eq!(o.sagemaker_instance_hour["ml.g5.xlarge"], 1.4);
    let e = err(&format!("{SERVERLESS}[prices]\nlambda_gb_secnd = 1\n"));
    assert!(e.contains("did you mean `lambda_gb_second`?"), "{e}");
    let e = err(&format!(
        "{SERVERLESS}[prices.sagemaker_instance_hour]\n\"g5.xlarge\" = 1\n"
    ));
    assert!(e.contains("is not a SageMaker instance type"), "{e}");
}
