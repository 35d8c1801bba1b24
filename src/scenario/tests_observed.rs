//! `[observed]`: the CloudWatch workgroup a scenario is held against.

use super::*;
use chrono::NaiveDate;
use std::path::Path;

const BASE: &str = "name = \"t\"\nregion = \"us-east-1\"\n[serverless]\nbase_rpu = 8\n";

fn parse(text: &str, set_args: &[&str]) -> Result<Loaded, ScenarioError> {
    let sets: Vec<SetArg> = set_args.iter().map(|a| parse_set_arg(a).unwrap()).collect();
    parse_scenario(text, Path::new("sc/x.toml"), &sets, &[])
}

fn ok(text: &str) -> Scenario {
    match parse(text, &[]) {
        Ok(l) => l.scenario,
        Err(e) => panic!("expected Ok, got:\n{e}"),
    }
}

fn err(text: &str) -> String {
    match parse(text, &[]) {
        Ok(l) => panic!("expected an error, got {:#?}", l.scenario),
        Err(e) => e.to_string(),
    }
}

#[test]
fn absent_means_none() {
    assert_eq!(ok(BASE).observed, None);
}

#[test]
fn defaults_and_every_key() {
    let s = ok(&format!("{BASE}[observed]\nworkgroup = \"wg\"\n"));
    assert_eq!(
        s.observed,
        Some(Observed {
            workgroup: "wg".into(),
            namespace: None,
            days: 30,
            end: None,
            integration_id: None,
            bill: false,
            cost_tag: None,
        })
    );
    let s = ok(&format!(
        "{BASE}[observed]\nworkgroup = \"wg\"\nnamespace = \"ns\"\ndays = 14\nend = 2026-02-01\nintegration_id = \"abc\"\n"
    ));
    let o = s.observed.unwrap();
    assert_eq!(o.namespace.as_deref(), Some("ns"));
    assert_eq!(o.days, 14);
    assert_eq!(o.end, NaiveDate::from_ymd_opt(2026, 2, 1));
    assert_eq!(o.integration_id.as_deref(), Some("abc"));
    let o = ok(&format!(
        "{BASE}[observed]\nworkgroup = \"wg\"\nbill = true\ncost_tag = \"team = bi\"\n"
    ))
    .observed
    .unwrap();
    assert!(o.bill);
    assert_eq!(o.cost_tag, Some(("team".into(), "bi".into())));
    for (bad, says) in [
        ("bill = \"yes\"", "bill: expected true or false"),
        (
            "cost_tag = \"team\"",
            "cost_tag: expected a `KEY=VALUE` string",
        ),
    ] {
        let e = err(&format!("{BASE}[observed]\nworkgroup = \"wg\"\n{bad}\n"));
        assert!(e.contains(says), "{e}");
    }
    // A quoted date works too.
    let s = ok(&format!(
        "{BASE}[observed]\nworkgroup = \"wg\"\nend = \"2026-02-01\"\n"
    ));
    assert_eq!(s.observed.unwrap().end, NaiveDate::from_ymd_opt(2026, 2, 1));
}

#[test]
fn unknown_keys_suggest() {
    let e = err(&format!(
        "{BASE}[observed]\nworkgroup = \"wg\"\nnamespce = \"ns\"\n"
    ));
    assert!(
        e.contains("unknown key `namespce` in [observed]\n  --> sc/x.toml:7:1"),
        "{e}"
    );
    assert!(e.contains("did you mean `namespace`?"), "{e}");
}

#[test]
fn workgroup_is_required_and_not_empty() {
    let e = err(&format!("{BASE}[observed]\ndays = 7\n"));
    assert!(
        e.contains("missing required key `workgroup` in [observed]\n  --> sc/x.toml:5:1"),
        "{e}"
    );
    let e = err(&format!("{BASE}[observed]\nworkgroup = \" \"\n"));
    assert!(
        e.contains("workgroup must not be empty\n  --> sc/x.toml:6:13"),
        "{e}"
    );
    let e = err(&format!("{BASE}[observed]\nworkgroup = 3\n"));
    assert!(e.contains("workgroup: expected a string, found"), "{e}");
}

#[test]
fn days_are_whole_and_within_retention() {
    for bad in ["0", "456", "1.5", "-3"] {
        let e = err(&format!(
            "{BASE}[observed]\nworkgroup = \"wg\"\ndays = {bad}\n"
        ));
        assert!(
            e.contains("days must be a whole number from 1 to 455"),
            "{bad}: {e}"
        );
        assert!(e.contains("sc/x.toml:7:8"), "{bad}: {e}");
    }
    let e = err(&format!(
        "{BASE}[observed]\nworkgroup = \"wg\"\ndays = \"7\"\n"
    ));
    assert!(e.contains("days: expected a whole number of days"), "{e}");
    assert_eq!(
        ok(&format!(
            "{BASE}[observed]\nworkgroup = \"wg\"\ndays = 455\n"
        ))
        .observed
        .unwrap()
        .days,
        455
    );
}

#[test]
fn end_must_be_a_date() {
    let e = err(&format!(
        "{BASE}[observed]\nworkgroup = \"wg\"\nend = \"yesterday\"\n"
    ));
    assert!(
        e.contains("end must be a date like 2026-11-01; found \"yesterday\""),
        "{e}"
    );
    let e = err(&format!(
        "{BASE}[observed]\nworkgroup = \"wg\"\nend = 2026-02-01T10:00:00\n"
    ));
    assert!(e.contains("a date with no time of day is expected"), "{e}");
}

#[test]
fn needs_serverless() {
    let e = err("name = \"t\"\nregion = \"us-east-1\"\n[observed]\nworkgroup = \"wg\"\n");
    assert!(
        e.contains("[observed] needs a [serverless] section\n  --> sc/x.toml:3:1"),
        "{e}"
    );
}

#[test]
fn observed_is_not_a_table() {
    let e = err(&format!("observed = \"wg\"\n{BASE}"));
    assert!(e.contains("observed: expected a table"), "{e}");
}

#[test]
fn set_overrides_observed() {
    let text = format!("{BASE}[observed]\nworkgroup = \"wg\"\n");
    let l = parse(&text, &["observed.days=7", "observed.workgroup=other"]).unwrap();
    let o = l.scenario.observed.unwrap();
    assert_eq!((o.workgroup.as_str(), o.days), ("other", 7));
}
