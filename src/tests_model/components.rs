//! Tests of the billed services of the cost model, with scenarios read by the loader
//! and the bundled prices.
use super::*;
use crate::scenario::*;
use crate::sources::prices::*;
use approx::assert_relative_eq;
use redshift_cost_core::model::{costs::*, estimate::*, figures::*, notes::*, workload::*};
use std::path::Path;

fn scenario(body: &str) -> Scenario {
    let text = format!("name = \"s\"\nregion = \"us-east-1\"\n{body}");
    match parse_scenario(&text, Path::new("s.toml"), &[], &[]) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{e}"),
    }
}

fn prices(s: &Scenario) -> RegionPrices {
    apply_overrides(bundled().region(&s.region).unwrap(), &s.prices)
}

fn run(body: &str) -> ScenarioEstimate {
    let s = scenario(body);
    estimate(&s, &prices(&s)).unwrap_or_else(|e| panic!("{e}"))
}

fn line<'a>(e: &'a ScenarioEstimate, component: &str) -> &'a CostLine {
    e.lines
        .iter()
        .find(|l| l.component == component)
        .unwrap_or_else(|| panic!("no line {component}: {:#?}", e.lines))
}

#[test]
fn a_money_figure_that_is_not_a_number_is_an_error_and_fails_any_budget() {
    let mut e = run("[serverless]\nbase_rpu = 8\n[storage]\nmanaged_gb = 100\n");
    assert!(redshift_cost_core::model::estimate::check_finite(&e).is_ok());
    e.lines[0].cost = redshift_cost_core::units::Money::from_usd(f64::NAN);
    let err = redshift_cost_core::model::estimate::check_finite(&e)
        .unwrap_err()
        .to_string();
    assert!(err.contains("came out as NaN USD"), "{err}");
    assert!(err.contains(&e.lines[0].component), "{err}");
    e.lines[0].cost = redshift_cost_core::units::Money::from_usd(-1.0);
    assert!(redshift_cost_core::model::estimate::check_finite(&e).is_err());
    // Should one reach a report anyway, a non-finite total never passes a budget.
    e.lines[0].cost = redshift_cost_core::units::Money::from_usd(f64::NAN);
    let report = crate::report::Report::new(std::slice::from_ref(&e), Some(1.0));
    assert_eq!(report.budget_breaches.len(), 1);
}

#[test]
fn reservation_of_always_on_replication() {
    // Continuous replication at 8 RPU for 730 h: 5,840 RPU-hours, all covered by an
    // 8-RPU reservation at 0.30 = 1,752 USD; nothing above it.
    let e = run(
        "[serverless]\nbase_rpu = 8\nreserved_rpu = 8\n[zero_etl]\nsource = \"aurora-mysql\"\n",
    );
    let r = line(&e, "serverless reservation: 8 RPU (1 yr no upfront)");
    assert_relative_eq!(r.cost.usd(), 1752.0, epsilon = 1e-6);
    let above = line(&e, "compute above the reservation (on demand)");
    assert_relative_eq!(above.quantity, 0.0, epsilon = 1e-6);
    assert_relative_eq!(e.total().usd(), 1752.0, epsilon = 1e-6);
    let f = e.reservation.as_ref().unwrap();
    assert_eq!(f.suggested_reserved_rpu, 8.0);
    assert_relative_eq!(f.on_demand_compute_usd, 2190.0, epsilon = 1e-6);
    // 16 reserved: 16 × 730 × 0.30 = 3,504, more than on demand.
    let e = run("[serverless]\nbase_rpu = 8\nreserved_rpu = 16\nreservation = \"3yr-no-upfront\"\n[zero_etl]\nsource = \"aurora-mysql\"\n");
    assert_relative_eq!(e.total().usd(), 16.0 * 730.0 * 0.375 * 0.55, epsilon = 1e-6);
    assert_eq!(e.reservation.as_ref().unwrap().suggested_reserved_rpu, 8.0);
}

#[test]
fn a_reservation_is_billed_when_nothing_runs() {
    let e =
        run("[serverless]\nbase_rpu = 8\nreserved_rpu = 8\nreservation = \"1yr-all-upfront\"\n");
    // 8 × 730 × 0.375 × 0.76 = 1,664.40.
    assert_relative_eq!(e.total().usd(), 1664.4, epsilon = 1e-6);
    assert_eq!(e.reservation.as_ref().unwrap().suggested_reserved_rpu, 0.0);
}

#[test]
fn provisioned_storage_rules() {
    // RA3: RMS billed; DC2: none (on the nodes), and backups free up to the SSDs.
    let ra3 = run("[provisioned]\nnode_type = \"ra3.xlplus\"\nnodes = 2\n[storage]\nmanaged_gb = 1000\nsnapshot_gb = 100\n");
    assert_relative_eq!(
        line(&ra3, "managed storage").cost.usd(),
        24.0,
        epsilon = 1e-9
    );
    assert_relative_eq!(
        line(&ra3, "snapshot storage").cost.usd(),
        2.3,
        epsilon = 1e-9
    );
    let dc2 = run("[provisioned]\nnode_type = \"dc2.large\"\nnodes = 4\n[storage]\nmanaged_gb = 400\nsnapshot_gb = 100\n");
    assert!(dc2
        .lines
        .iter()
        .all(|l| l.kind != ComponentKind::ManagedStorage));
    assert!(dc2
        .lines
        .iter()
        .all(|l| l.kind != ComponentKind::SnapshotStorage));
    assert_relative_eq!(dc2.total().usd(), 730.0, epsilon = 1e-9);
    // Automated snapshots (400 + 7 × 50 = 750) + 100 manual = 850 GB; 640 free.
    let dc2 = run("[provisioned]\nnode_type = \"dc2.large\"\nnodes = 4\n[storage]\nmanaged_gb = 400\nsnapshot_gb = 100\n[snapshots]\nautomated_retention_days = 7\ndaily_change_gb = 50\n");
    assert_relative_eq!(
        line(&dc2, "snapshot storage").quantity,
        210.0,
        epsilon = 1e-9
    );
}

#[test]
fn spectrum_per_deployment() {
    let body = "[spectrum]\nqueries_per_day = 100\ntb_per_day = 2\nscan_gb_per_second = 2\n";
    // Provisioned: per TB (see scans.rs for the arithmetic); Athena beside it.
    let p = run(&format!(
        "period = \"30d\"\n[provisioned]\nnode_type = \"ra3.xlplus\"\nnodes = 2\n{body}"
    ));
    let spectrum = line(&p, "spectrum: S3 data scanned");
    assert_relative_eq!(
        spectrum.cost.usd(),
        3000.0 * 20_972.0 / 1_048_576.0 * 5.0,
        epsilon = 5e-7
    );
    assert_eq!(p.comparisons.len(), 1);
    assert_relative_eq!(p.comparisons[0].cost.usd(), spectrum.cost.usd());
    // Serverless: 100 scans of 20.48 GB at 2 GB/s = 10.24 s each at base 8 RPU, one
    // a day every 14.4 minutes: each pays the 60-second minimum.
    let s = run(&format!(
        "period = \"30d\"\n[serverless]\nbase_rpu = 8\n{body}"
    ));
    let c = line(&s, "compute: spectrum scans");
    assert_eq!(c.kind, ComponentKind::SpectrumCompute);
    assert_relative_eq!(c.quantity, 3000.0 * 60.0 * 8.0 / 3600.0, epsilon = 1e-6);
    assert!(s
        .lines
        .iter()
        .all(|l| l.kind != ComponentKind::SpectrumScan));
    assert!(s.notes.iter().any(
        |n| matches!(n, Note::SpectrumOnServerless { class, .. } if *class == SPECTRUM_CLASS)
    ));
}

#[test]
fn missing_prices_name_the_key() {
    let s = scenario(
        "[serverless]\nbase_rpu = 8\n[ml]\nrows = 10\ncolumns = 2\ntrainings_per_month = 1\n",
    );
    let mut s = s;
    s.region = "ap-northeast-1".into();
    let e = estimate(&s, &prices(&s)).unwrap_err().to_string();
    assert!(e.contains("ml_million_cells"), "{e}");
    let s = scenario("[serverless]\nbase_rpu = 8\n[[pipeline]]\nname = \"p\"\ntype = \"sagemaker-processing\"\nruns_per_month = 1\nunload_duration = 60\nprocessing_instance = \"ml.p4d.24xlarge\"\nprocessing_hours = 1\n");
    let e = estimate(&s, &prices(&s)).unwrap_err().to_string();
    assert!(
        e.contains("[prices.sagemaker_instance_hour] \"ml.p4d.24xlarge\""),
        "{e}"
    );
    // An override fills the gap.
    let s = scenario("[serverless]\nbase_rpu = 8\n[[pipeline]]\nname = \"p\"\ntype = \"sagemaker-processing\"\nruns_per_month = 1\nunload_duration = 60\nprocessing_instance = \"ml.p4d.24xlarge\"\nprocessing_hours = 1\n[prices.sagemaker_instance_hour]\n\"ml.p4d.24xlarge\" = 30\n");
    let e = run_scenario(&s);
    // 1 run × 1 instance × 1 h × 30 USD.
    assert!(e
        .lines
        .iter()
        .any(|l| (l.cost.usd() - 30.0).abs() < 1e-9 && l.price_source().to_string() == "override"));
}

fn run_scenario(s: &Scenario) -> ScenarioEstimate {
    estimate(s, &prices(s)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn both_deployments_compare_and_provisioned_work_runs_on_the_cluster() {
    let s = scenario("[serverless]\nbase_rpu = 8\n[provisioned]\nnode_type = \"ra3.xlplus\"\nnodes = 2\n[[workload]]\nname = \"q\"\nper_day = 24\nduration = \"30m\"\n");
    let e = run_scenario(&s);
    assert_eq!(e.deployment, Some(Deployment::Serverless));
    let c = e.comparison.as_ref().unwrap();
    assert_relative_eq!(c.provisioned.total_usd, 2.0 * 1.086 * 730.0, epsilon = 1e-9);
    // Half of every hour busy: 12 h a day.
    let p = estimate_in(
        &s,
        &bundled_sheet(&prices(&s)),
        Some(Deployment::Provisioned),
    )
    .unwrap();
    let f = p.provisioned.as_ref().unwrap();
    let busy = f.workload_busy_hours_per_day.unwrap();
    assert!((busy - 12.0).abs() < 0.05, "{busy}");
    assert!(p
        .lines
        .iter()
        .all(|l| l.kind == ComponentKind::ProvisionedCompute));
}

#[test]
fn data_sharing_and_snapshot_copies() {
    let e = run("period = \"30d\"\n[serverless]\nbase_rpu = 8\n[data_sharing]\nqueries_per_day = 1000\ntb_per_day = 0.0019073486328125\n[storage]\nsnapshot_gb = 100\n[snapshots]\ncopy_region = \"eu-west-1\"\ndaily_change_gb = 10\n");
    // 1,000 queries a day of 2 MB, billed 10 MB: 30,000 × 10 MB = 292.97 GB × 0.02.
    let ds = line(&e, "cross-region data sharing");
    assert_relative_eq!(ds.cost.usd(), 300_000.0 / 1024.0 * 0.02, epsilon = 1e-9);
    // Copy: 10 GB a day × 30 days transferred; 100 GB of user snapshots kept there.
    assert_relative_eq!(
        line(&e, "snapshot copy transfer to eu-west-1").cost.usd(),
        6.0,
        epsilon = 1e-9
    );
    assert_relative_eq!(
        line(&e, "snapshot copy storage (eu-west-1)").cost.usd(),
        2.3,
        epsilon = 1e-9
    );
}

#[test]
fn a_pr_comment_of_many_scenarios_fits_githubs_limit_and_names_what_it_left_out() {
    use crate::report::site::{Site, COMMENT_LIMIT};
    let one = run("[serverless]\nbase_rpu = 8\n[storage]\nmanaged_gb = 100\n");
    let many: Vec<ScenarioEstimate> = (0..400)
        .map(|i| {
            let mut e = one.clone();
            e.name = format!("scenario {i:03} with a name long enough to matter");
            e
        })
        .collect();
    let report = crate::report::Report::new(&many, Some(1.0));
    let site = Site {
        report: &report,
        price_note: "prices: bundled",
        charts: Vec::new(),
        baseline: None,
    };
    let comment = site.comment();
    assert!(comment.chars().count() < COMMENT_LIMIT, "{}", comment.len());
    let shown = comment.matches("<details>").count();
    assert!(shown > 10 && shown < 400, "{shown}");
    assert!(
        comment.contains(&format!(
            "{} more scenarios did not fit in a comment",
            400 - shown
        )),
        "{}",
        &comment[comment.len() - 300..]
    );
    // Every scenario is in the summary table, over budget, with the grand total.
    assert_eq!(comment.matches("**over budget**").count(), 400);
    let total = (one.total().usd() * 400.0 * 100.0).round() / 100.0;
    assert!(comment.contains(&format!(
        "**All 400 scenarios** | **{}**",
        crate::report::format::usd(total)
    )));
    // A few scenarios fit whole.
    let few = crate::report::Report::new(&many[..3], None);
    let c = Site {
        report: &few,
        ..site
    }
    .comment();
    assert_eq!(c.matches("<details>").count(), 3);
    assert!(!c.contains("did not fit"));
}
