//! Capacity from infrastructure code: Terraform plans (created, updated, deleted, replaced
//! resources, values unknown until apply, modules, several workgroups), CloudFormation
//! templates in both encodings, `diff --terraform`, and `--format infracost` validated
//! against a schema the tests own (written from Infracost's documentation of its format).

use crate::support::cli::{f, json, root, run};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const BI: &str = "tests/fixtures/terraform/bi.toml";
const UPDATE: &str = "tests/fixtures/terraform/update.json";
const SEVERAL: &str = "tests/fixtures/terraform/several.json";

/// The BI scenario naming `address` as the resource it models.
fn bi_at(dir: &Path, address: &str) -> PathBuf {
    let text = std::fs::read_to_string(root().join(BI)).unwrap().replace(
        "region = \"us-east-1\"\n",
        &format!("region = \"us-east-1\"\nterraform_address = '{address}'\n"),
    );
    let path = dir.join("bi-at.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn line<'a>(scenario: &'a Value, name: &str) -> Option<&'a Value> {
    scenario["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["component"] == name)
}

#[test]
fn a_plan_gives_both_sides_their_totals_and_the_after_side_its_limit() {
    let v = json(&["estimate", BI, "--terraform", UPDATE]);
    let after = &v["scenarios"][0];
    // The plan's values replaced the scenario's (8/64 → 32/128) and its new limit trips.
    assert_eq!(after["serverless"]["base_rpu"], 32.0);
    assert_eq!(after["serverless"]["max_rpu"], 128.0);
    let limits = after["serverless"]["usage_limits"].as_array().unwrap();
    assert_eq!(limits.len(), 1, "{after}");
    assert!(
        after["serverless"]["rejected"].as_u64().unwrap() > 0,
        "{after}"
    );
    assert!(!after["serverless"]["usage_limit_trips"]
        .as_array()
        .unwrap()
        .is_empty());
    // The before side is the scenario as the plan had it: 8/64 and no limit.
    let infra = &v["infrastructure"];
    assert_eq!(infra["source"], "terraform");
    let r = &infra["resources"][0];
    assert_eq!(
        r["address"],
        "module.warehouse.aws_redshiftserverless_workgroup.bi"
    );
    assert_eq!(r["action"], "update");
    let base = r["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["key"] == "serverless.base_rpu")
        .unwrap();
    assert_eq!(
        (base["before"].as_str(), base["after"].as_str()),
        (Some("8"), Some("32"))
    );
    let plain = json(&["estimate", BI]);
    let total = &infra["diff"]["scenarios"][0]["total"];
    // Before: the scenario as written (its values are the plan's before side).
    assert!((f(&total["old_usd"]) - f(&plain["scenarios"][0]["total_monthly_usd"])).abs() < 1e-9);
    assert!((f(&total["new_usd"]) - f(&after["total_monthly_usd"])).abs() < 1e-9);
    assert!(
        f(&total["old_usd"]) > f(&total["new_usd"]),
        "the limit turns most queries away"
    );
    // The table shows the values, the limit's trip and the diff.
    let t = run(&["estimate", BI, "--terraform", UPDATE]);
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert!(
        t.stdout
            .contains("serverless.base_rpu 8 → 32 (scenario: 8)"),
        "{}",
        t.stdout
    );
    assert!(
        t.stdout
            .contains("serverless.usage_limit none → 500 RPU-hours monthly (deactivate)"),
        "{}",
        t.stdout
    );
    assert!(
        t.stdout
            .contains("Usage limit 1 (500.00 RPU-hours monthly, deactivate): reached first"),
        "{}",
        t.stdout
    );
    assert!(t.stdout.contains("Before and after:"), "{}", t.stdout);
}

/// The Python of the test environment with jsonschema.
fn python() -> Option<PathBuf> {
    crate::support::python::python_with("jsonschema", "the Infracost schema tests")
}

/// Validates `document` against the tests' own Infracost 0.2 schema, formats checked.
fn assert_valid_infracost(document: &str) {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ours.json");
    std::fs::write(&path, document).unwrap();
    let out = Command::new(python)
        .args([
            "-c",
            "import json, sys, jsonschema\n\
             schema = json.load(open(sys.argv[1]))\n\
             doc = json.load(open(sys.argv[2]))\n\
             jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)\n\
             print('valid')",
            root().join("tests/fixtures/infracost/output-0.2.schema.json").to_str().unwrap(),
            path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "not valid Infracost 0.2:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn infracost_output_validates_and_carries_the_json_total() {
    let r = run(&[
        "estimate",
        BI,
        "--terraform",
        UPDATE,
        "--format",
        "infracost",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_valid_infracost(&r.stdout);
    let ic: Value = serde_json::from_str(&r.stdout).unwrap();
    let j = json(&["estimate", BI, "--terraform", UPDATE]);
    let decimal = |v: &Value| v.as_str().unwrap().parse::<f64>().unwrap();
    let after = f(&j["scenarios"][0]["total_monthly_usd"]);
    let before = f(&j["infrastructure"]["diff"]["scenarios"][0]["total"]["old_usd"]);
    assert!(
        (decimal(&ic["totalMonthlyCost"]) - after).abs() < 1e-6,
        "{ic}"
    );
    assert!((decimal(&ic["pastTotalMonthlyCost"]) - before).abs() < 1e-6);
    assert!((decimal(&ic["diffTotalMonthlyCost"]) - (after - before)).abs() < 1e-6);
    let project = &ic["projects"][0];
    assert_eq!(project["metadata"]["path"], BI);
    let resource = &project["breakdown"]["resources"][0];
    assert_eq!(
        resource["name"],
        "module.warehouse.aws_redshiftserverless_workgroup.bi"
    );
    assert_eq!(resource["resourceType"], "aws_redshiftserverless_workgroup");
    let components = resource["costComponents"].as_array().unwrap();
    let compute = components
        .iter()
        .find(|c| c["name"] == "compute: dashboards")
        .unwrap();
    assert_eq!(compute["usageBased"], true);
    let storage = components
        .iter()
        .find(|c| c["name"] == "managed storage")
        .unwrap();
    assert_eq!(storage["usageBased"], false);
    // Without a plan: one resource named by the scenario, no past.
    let plain = run(&[
        "estimate",
        "scenarios/zero-etl-tokyo-8rpu.toml",
        "--format",
        "infracost",
    ]);
    assert_valid_infracost(&plain.stdout);
    let plain: Value = serde_json::from_str(&plain.stdout).unwrap();
    assert_eq!(plain["totalMonthlyCost"], "642.834");
    assert_eq!(plain["pastTotalMonthlyCost"], "0");
    assert_eq!(
        plain["projects"][0]["breakdown"]["resources"][0]["name"],
        "zero-etl tokyo 8 RPU"
    );
}

#[test]
fn unknown_after_apply_values_keep_the_scenarios_and_warn_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = bi_at(
        dir.path(),
        "module.bi.aws_redshiftserverless_workgroup.this[0]",
    );
    let r = run(&[
        "estimate",
        s.to_str().unwrap(),
        "--terraform",
        SEVERAL,
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    // base_capacity 16 from the plan; max_capacity unknown: the scenario's 64 stays.
    assert_eq!(v["scenarios"][0]["serverless"]["base_rpu"], 16.0);
    assert_eq!(v["scenarios"][0]["serverless"]["max_rpu"], 64.0);
    let warning = "module.bi.aws_redshiftserverless_workgroup.this[0].max_capacity is unknown until apply; the scenario's max_rpu 64 is kept";
    assert_eq!(r.stderr.matches(warning).count(), 1, "{}", r.stderr);
    // A created resource has no before: the diff says `new`.
    assert_eq!(v["infrastructure"]["resources"][0]["action"], "create");
    assert_eq!(
        v["infrastructure"]["diff"]["scenarios"][0]["total"]["change"],
        "new"
    );
    // The orphan usage limit names no workgroup the plan shows.
    assert!(
        r.stderr.contains(
            "usage limit aws_redshiftserverless_usage_limit.orphan cannot be tied to a workgroup"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn deleted_and_replaced_resources_and_the_choice_among_several() {
    let dir = tempfile::tempdir().unwrap();
    // Deleted: the after side has no scenario; the diff says `removed`.
    let s = bi_at(
        dir.path(),
        "module.etl.aws_redshiftserverless_workgroup.this[0]",
    );
    let v = json(&["estimate", s.to_str().unwrap(), "--terraform", SEVERAL]);
    assert_eq!(v["scenarios"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["infrastructure"]["resources"][0]["action"], "delete");
    assert_eq!(
        v["infrastructure"]["diff"]["scenarios"][0]["total"]["change"],
        "removed"
    );
    // Replaced: both sides, max 32 → 64.
    let s = bi_at(dir.path(), "aws_redshiftserverless_workgroup.adhoc[\"eu\"]");
    let v = json(&["estimate", s.to_str().unwrap(), "--terraform", SEVERAL]);
    assert_eq!(v["infrastructure"]["resources"][0]["action"], "replace");
    assert_eq!(v["scenarios"][0]["serverless"]["max_rpu"], 64.0);
    // Several workgroups and no address: an error that lists them.
    let r = run(&["estimate", BI, "--terraform", SEVERAL]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("has 3 resources of type aws_redshiftserverless_workgroup: module.bi.aws_redshiftserverless_workgroup.this[0], module.etl.aws_redshiftserverless_workgroup.this[0]"), "{}", r.stderr);
    assert!(
        r.stderr.contains("terraform_address = \"...\""),
        "{}",
        r.stderr
    );
    // A misspelt address: did you mean.
    let s = bi_at(
        dir.path(),
        "module.bi.aws_redshiftserverless_workgroup.thsi[0]",
    );
    let r = run(&["estimate", s.to_str().unwrap(), "--terraform", SEVERAL]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("did you mean `module.bi.aws_redshiftserverless_workgroup.this[0]`?"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_cluster_takes_its_node_count_and_a_schedule_is_explained() {
    let v = json(&[
        "estimate",
        "scenarios/provisioned-ra3-us-east-1.toml",
        "--terraform",
        "tests/fixtures/terraform/cluster.json",
    ]);
    assert_eq!(v["scenarios"][0]["provisioned"]["nodes"], 6);
    let d = &v["infrastructure"]["diff"]["scenarios"][0];
    // The node line names its count: 4 nodes before, 6 after, half as much again.
    let component = |prefix: &str| {
        d["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["component"].as_str().unwrap().starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} line in {d}"))
            .clone()
    };
    let (old, new) = (
        component("compute: 4 × ra3.4xlarge"),
        component("compute: 6 × ra3.4xlarge"),
    );
    assert_eq!(
        (old["change"].as_str(), new["change"].as_str()),
        (Some("removed"), Some("new"))
    );
    assert!(
        (f(&new["new_usd"]) / f(&old["old_usd"]) - 1.5).abs() < 1e-9,
        "{d}"
    );
    let notes = v["infrastructure"]["notes"].as_array().unwrap();
    assert!(
        notes[0]
            .as_str()
            .unwrap()
            .contains("aws_redshift_snapshot_schedule.daily (create; rate(12 hours))"),
        "{notes:?}"
    );
}

#[test]
fn cloudformation_in_both_encodings_gives_the_same_values() {
    let run_with = |template: &str| json(&["estimate", BI, "--cloudformation", template]);
    let (j, y) = (
        run_with("tests/fixtures/terraform/template.json"),
        run_with("tests/fixtures/terraform/template.yaml"),
    );
    for v in [&j, &y] {
        assert_eq!(v["scenarios"][0]["serverless"]["base_rpu"], 32.0);
        // MaxCapacity is a Ref to a parameter: its Default.
        assert_eq!(v["scenarios"][0]["serverless"]["max_rpu"], 128.0);
        assert_eq!(v["infrastructure"]["source"], "cloudformation");
        assert!(v["infrastructure"]["diff"].is_null());
    }
    assert_eq!(
        j["scenarios"][0]["total_monthly_usd"],
        y["scenarios"][0]["total_monthly_usd"]
    );
    assert!(line(&j["scenarios"][0], "compute: dashboards").is_some());
}

#[test]
fn diff_across_a_plan_shows_the_lines_and_exits_3_over_budget() {
    let ok = run(&["diff", "--terraform", UPDATE, BI, "--budget", "1000"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stdout.contains("compute: dashboards"), "{}", ok.stdout);
    assert!(
        ok.stdout.contains(
            "bi workgroup: after 236.77 USD against a budget of 1,000.00 USD: within budget"
        ),
        "{}",
        ok.stdout
    );
    let over = run(&[
        "diff",
        "--terraform",
        UPDATE,
        BI,
        "--budget",
        "100",
        "--format",
        "markdown",
    ]);
    assert_eq!(over.code, 3, "{}", over.stderr);
    assert!(
        over.stdout.contains("| **bi workgroup** | **total** |"),
        "{}",
        over.stdout
    );
    assert!(
        over.stdout.contains(
            "**bi workgroup: after 236.77 USD against a budget of 100.00 USD: over budget**"
        ),
        "{}",
        over.stdout
    );
    // Without --terraform, diff still takes exactly two reports.
    let r = run(&["diff", BI]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("diff takes two estimate reports"),
        "{}",
        r.stderr
    );
}

#[test]
fn plans_the_tool_cannot_use_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let broken = write(
        "broken.json",
        "{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [,]\n}\n",
    );
    let r = run(&["estimate", BI, "--terraform", &broken]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("broken.json:3:"), "{}", r.stderr);
    let not_plan = write("state.json", "{\"version\": 4, \"resources\": []}");
    let r = run(&["estimate", BI, "--terraform", &not_plan]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("is not a Terraform plan in JSON: no format_version"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("terraform show -json PLAN"),
        "{}",
        r.stderr
    );
    let ai = write(
        "ai.json",
        r#"{"format_version":"1.2","resource_changes":[{"address":"aws_redshiftserverless_workgroup.bi","type":"aws_redshiftserverless_workgroup","change":{"actions":["create"],"before":null,"after":{"base_capacity":8,"price_performance_target":[{"enabled":true,"level":50}]},"after_unknown":{}}}]}"#,
    );
    let r = run(&["estimate", BI, "--terraform", &ai]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("AI-driven scaling (price-performance targets) is not modelled"),
        "{}",
        r.stderr
    );
    let r = run(&[
        "estimate",
        BI,
        "--terraform",
        UPDATE,
        "--cloudformation",
        "tests/fixtures/terraform/template.json",
    ]);
    assert_eq!(r.code, 2, "the two sources exclude each other");
}
