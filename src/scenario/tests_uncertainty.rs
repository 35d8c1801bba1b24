//! Ranges (`{ p5, p95 }`), the scenario's `seed` and `[growth]`: what they decode to, and
//! every error with its line:column.

use super::*;
use approx::assert_relative_eq;
use redshift_cost_core::forecast::StorageGrowth;
use redshift_cost_core::uncertainty::{draw, Sets};
use std::path::Path;

const BASE: &str = "name = \"t\"\nregion = \"us-east-1\"\n[serverless]\nbase_rpu = 8\n";

fn parse(text: &str) -> Result<Loaded, ScenarioError> {
    parse_scenario(
        text,
        Path::new("sc/x.toml"),
        &[],
        &[("us-east-1".to_string(), "US East (N. Virginia)".to_string())],
    )
}

fn ok(text: &str) -> Loaded {
    parse(text).unwrap_or_else(|e| panic!("expected Ok, got:\n{e}"))
}

#[track_caller]
fn assert_err(text: &str, message: &str, at: &str) {
    let e = match parse(text) {
        Ok(l) => panic!("expected an error, got {:#?}", l.scenario),
        Err(e) => e.to_string(),
    };
    assert!(e.contains(message), "missing {message:?} in:\n{e}");
    let at = format!("--> sc/x.toml:{at}\n");
    assert!(e.contains(&at), "missing {at:?} in:\n{e}");
}

fn workload(body: &str) -> String {
    format!("{BASE}[[workload]]\nname = \"w\"\nduration = \"1m\"\n{body}")
}

fn per_day(l: &Loaded) -> f64 {
    match &l.scenario.workloads[0].source {
        WorkloadSource::Arrivals(a) => a.per_day,
        WorkloadSource::Trace(_) => panic!("expected arrivals"),
    }
}

#[test]
fn a_range_is_held_at_its_median_and_recorded() {
    let l = ok(&workload("per_day = { p5 = 80, p95 = 130 }\n"));
    assert_relative_eq!(per_day(&l), (80.0f64 * 130.0).sqrt());
    let u = &l.scenario.uncertain;
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].name, "w.per_day");
    assert_eq!(
        u[0].sets,
        Sets::WorkloadRate {
            workload: "w".into()
        }
    );
    assert_eq!((u[0].range.p5, u[0].range.p95), (80.0, 130.0));
    // Users and queries a user both ranged: the product of the medians.
    let l = ok(&workload(
        "users = { p5 = 10, p95 = 40 }\nqueries_per_user_per_day = { p5 = 4, p95 = 9 }\n",
    ));
    assert_relative_eq!(per_day(&l), 20.0 * 6.0, max_relative = 1e-12);
    assert_eq!(l.scenario.uncertain.len(), 2);
    // Storage, Spectrum volumes and `every` take ranges too.
    let l = ok(&format!(
        "{BASE}[[workload]]\nname = \"load\"\nevery = {{ p5 = \"10m\", p95 = \"40m\" }}\nduration = \"1m\"\n[storage]\nmanaged_gb = {{ p5 = 100, p95 = 400 }}\nsnapshot_gb = 10\n"
    ));
    assert_relative_eq!(l.scenario.storage.managed_gb, 200.0);
    let names: Vec<&str> = l
        .scenario
        .uncertain
        .iter()
        .map(|u| u.name.as_str())
        .collect();
    assert_eq!(names, ["load.every", "storage.managed_gb"]);
    // Nothing ranged: nothing uncertain, and the default seed.
    let l = ok(&workload("per_day = 10\n"));
    assert!(l.scenario.uncertain.is_empty());
    assert_eq!(l.scenario.seed, 1);
    let l = ok(&format!("seed = 42\n{}", workload("per_day = 10\n")));
    assert_eq!(l.scenario.seed, 42);
}

#[test]
fn a_run_draws_each_range_once_and_the_same_on_every_call() {
    let l = ok(&workload(
        "per_day = { p5 = 80, p95 = 130 }\narrival = \"poisson\"\nseed = 5\n",
    ));
    let (a, drawn_a) = draw(&l.scenario, 3);
    let (b, drawn_b) = draw(&l.scenario, 3);
    assert_eq!(a, b);
    assert_eq!(drawn_a, drawn_b);
    let (c, drawn_c) = draw(&l.scenario, 4);
    assert_ne!(drawn_a, drawn_c);
    // The drawn value is the workload's rate; the Poisson seed differs by run.
    let rate = |s: &Scenario| match &s.workloads[0].source {
        WorkloadSource::Arrivals(a) => (a.per_day, a.pattern),
        WorkloadSource::Trace(_) => unreachable!(),
    };
    assert_relative_eq!(rate(&a).0, drawn_a[0], max_relative = 1e-12);
    assert_ne!(rate(&a).1, rate(&c).1);
}

#[test]
fn range_errors_are_located_and_say_what_to_write() {
    assert_err(
        &workload("per_day = { p5 = 130, p95 = 80 }\n"),
        "per_day: p95 (80) must be above p5 (130)",
        "8:29",
    );
    assert_err(
        &workload("per_day = { p5 = 0, p95 = 80 }\n"),
        "per_day: p5 must be > 0 in a range",
        "8:18",
    );
    assert_err(
        &workload("per_day = { p5 = 80 }\n"),
        "missing required key `p95` in the range of `per_day`",
        "8:11",
    );
    let e = parse(&workload("per_day = { p5 = 80, p96 = 130 }\n"))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("did you mean `p95`?"), "{e}");
    assert_err(
        &workload("per_day = \"many\"\n"),
        "per_day: expected a number or a range like { p5 = 80, p95 = 130 }",
        "8:11",
    );
    // A range where none is allowed is a type error as before.
    assert_err(
        &workload("per_day = 1\nrpu = { p5 = 8, p95 = 16 }\n"),
        "rpu: expected a number",
        "9:7",
    );
}

#[test]
fn job_counts_are_checked_at_the_top_of_a_range() {
    // The median (1,000 a day) is far inside the limit; the top of the range is not.
    let text = workload("per_day = { p5 = 100, p95 = 10000 }\n");
    let e = parse_scenario_limited(&text, 2_000_000)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("more than the limit of 2,000,000"), "{e}");
    assert!(parse_scenario_limited(&workload("per_day = 1000\n"), 2_000_000).is_ok());
}

fn parse_scenario_limited(text: &str, max_jobs: u64) -> Result<Loaded, ScenarioError> {
    parse_scenario_with(
        text,
        Path::new("sc/x.toml"),
        &[],
        &[("us-east-1".to_string(), "US East (N. Virginia)".to_string())],
        &Limits { max_jobs },
    )
}

#[test]
fn growth_decodes_storage_workloads_and_start() {
    let l = ok(&format!(
        "{}[growth]\nstorage_pct_per_month = 5\nworkload_pct_per_month = {{ w = 3 }}\nstart = \"2027-03\"\n",
        workload("per_day = 10\n")
    ));
    let g = l.scenario.growth.unwrap();
    assert_eq!(g.storage, Some(StorageGrowth::PctPerMonth(5.0)));
    assert_eq!(g.workload_pct_of("w"), 3.0);
    assert_eq!(g.workload_pct_of("other"), 0.0);
    assert_eq!(g.start.unwrap().to_string(), "2027-03-01");
    let l = ok(&format!(
        "{}[growth]\nstorage_gb_per_month = 50\nworkload_pct_per_month = 2\n",
        workload("per_day = 10\n")
    ));
    let g = l.scenario.growth.unwrap();
    assert_eq!(g.storage, Some(StorageGrowth::GbPerMonth(50.0)));
    assert_eq!(g.workload_pct_of("w"), 2.0);
}

#[test]
fn growth_errors_are_located() {
    let w = workload("per_day = 10\n");
    assert_err(
        &format!("{w}[growth]\nstorage_gb_per_month = 5\nstorage_pct_per_month = 5\n"),
        "`storage_pct_per_month` cannot be used together with `storage_gb_per_month`",
        "11:1",
    );
    let e = parse(&format!(
        "{BASE}[[workload]]\nname = \"dashboards\"\nduration = \"1m\"\nper_day = 1\n[growth]\nworkload_pct_per_month = {{ dashbords = 3 }}\n"
    ))
    .err()
    .unwrap()
    .to_string();
    assert!(
        e.contains("[growth] workload_pct_per_month: no workload `dashbords`")
            && e.contains("did you mean `dashboards`?")
            && e.contains("--> sc/x.toml:10:28"),
        "{e}"
    );
    assert_err(
        &format!("{w}[growth]\nstorage_pct_per_month = 250\n"),
        "storage_pct_per_month must be above -100 and at most 100",
        "10:25",
    );
    assert_err(
        &format!("{w}[growth]\nstart = \"March\"\n"),
        "start: expected a month like \"2027-01\", found \"March\"",
        "10:9",
    );
    let e = parse(&format!("{w}[growth]\nstorage_pct = 5\n"))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("did you mean `storage_pct_per_month`?"), "{e}");
}
