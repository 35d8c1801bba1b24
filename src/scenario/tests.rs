//! Loader tests: every rule with its line:column, suggestions, `--set`, traces, and a
//! no-panic property test.

#![allow(clippy::disallowed_methods)] // fixtures are written and read directly

use super::*;
use approx::assert_relative_eq;
use std::path::Path;

const BASE: &str = "name = \"t\"\nregion = \"us-east-1\"\n[serverless]\nbase_rpu = 8\n";

fn regions() -> Vec<(String, String)> {
    [
        ("us-east-1", "US East (N. Virginia)"),
        ("us-east-2", "US East (Ohio)"),
        ("us-west-2", "US West (Oregon)"),
        ("ap-northeast-1", "Asia Pacific (Tokyo)"),
        ("ap-northeast-3", "Asia Pacific (Osaka)"),
        ("eu-west-1", "Europe (Ireland)"),
    ]
    .iter()
    .map(|(c, l)| (c.to_string(), l.to_string()))
    .collect()
}

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenario")
}

fn sets(args: &[&str]) -> Vec<SetArg> {
    args.iter().map(|a| parse_set_arg(a).unwrap()).collect()
}

fn parse_with(text: &str, set_args: &[&str]) -> Result<Loaded, ScenarioError> {
    parse_scenario(text, Path::new("sc/x.toml"), &sets(set_args), &regions())
}

fn ok(text: &str) -> Loaded {
    match parse_with(text, &[]) {
        Ok(l) => l,
        Err(e) => panic!("expected Ok, got:\n{e}"),
    }
}

fn ok_sets(text: &str, set_args: &[&str]) -> Loaded {
    match parse_with(text, set_args) {
        Ok(l) => l,
        Err(e) => panic!("expected Ok, got:\n{e}"),
    }
}

fn err_sets(text: &str, set_args: &[&str]) -> String {
    match parse_with(text, set_args) {
        Ok(l) => panic!("expected an error, got {:#?}", l.scenario),
        Err(e) => e.to_string(),
    }
}

fn err(text: &str) -> String {
    err_sets(text, &[])
}

/// Asserts the rendered error contains `message` and points at `sc/x.toml:{at}`.
#[track_caller]
fn assert_err(text: &str, message: &str, at: &str) {
    let e = err(text);
    assert!(e.contains(message), "missing {message:?} in:\n{e}");
    let at = format!("--> sc/x.toml:{at}\n");
    assert!(e.contains(&at), "missing {at:?} in:\n{e}");
}

fn with(extra: &str) -> String {
    format!("{BASE}{extra}")
}

/// `extra` at the top level, from line 3 (before `[serverless]`).
fn toplevel(extra: &str) -> String {
    format!("name = \"t\"\nregion = \"us-east-1\"\n{extra}[serverless]\nbase_rpu = 8\n")
}

fn workload(body: &str) -> String {
    with(&format!("[[workload]]\nname = \"w\"\n{body}"))
}

fn arrivals_of(l: &Loaded) -> &Arrivals {
    match &l.scenario.workloads[0].source {
        WorkloadSource::Arrivals(a) => a,
        other @ WorkloadSource::Trace(_) => panic!("expected arrivals, got {other:?}"),
    }
}

// ---------------------------------------------------------------- the example file

#[test]
fn example_file_parses_to_expected_values() {
    let path = fixtures().join("example.toml");
    let l = load_scenario(&path, &[], &regions()).unwrap_or_else(|e| panic!("{e}"));
    let s = &l.scenario;
    assert_eq!(s.name, "zero-etl tokyo 8 RPU");
    assert_eq!(s.path, path);
    assert_eq!(s.region, "ap-northeast-1");
    assert_eq!(
        s.period,
        Period {
            hours: 720.0,
            start: Period::default_start()
        }
    );
    assert_eq!(s.budget_usd, Some(700.0));
    assert_eq!(
        s.serverless,
        Some(Serverless {
            base_rpu: 8.0,
            max_rpu: 5632.0,
            metering: redshift_cost_core::engine::Metering::BusyPeriod,
            usage_limits: vec![],
        })
    );
    assert_eq!(s.workloads.len(), 2);
    assert_eq!(s.workloads[0].name, "dashboards");
    assert_eq!(
        s.workloads[0].source,
        WorkloadSource::Arrivals(Arrivals {
            per_day: 100.0,
            duration: 180.0,
            spread: None,
            rpu: Some(8.0),
            window: Window {
                start: 32_400.0,
                end: 64_800.0
            },
            days: Days::All,
            pattern: ArrivalPattern::Even,
        })
    );
    assert_eq!(s.workloads[1].name, "replay");
    let WorkloadSource::Trace(t) = &s.workloads[1].source else {
        panic!("replay should be a trace");
    };
    assert_eq!(t.path, fixtures().join("traces/sample.csv"));
    assert_eq!(t.rpu, Some(16.0));
    assert_eq!(
        t.expanded(),
        vec![
            (0.0, 60.0, Some(32.0), None),
            (3600.0, 120.0, None, Some("etl".to_string())),
            (7200.0, 30.0, None, None),
        ]
    );
    assert_eq!(t.classes, vec!["etl".to_string()]);
    assert_eq!(
        s.zero_etl,
        Some(ZeroEtl {
            source: ZeroEtlSource::AuroraMysql,
            refresh_interval: 3600.0,
            sync_duration: 60.0,
            sync_rpu: Some(8.0),
            change: None,
        })
    );
    assert_eq!(
        s.storage,
        Storage {
            managed_gb: 100.0,
            snapshot_gb: 0.0
        }
    );
    assert_eq!(
        s.prices,
        PriceOverrides {
            rpu_hour: Some(0.494),
            managed_storage_gb_month: Some(0.0261),
            backup_gb_month: Some(0.023),
            ..PriceOverrides::default()
        }
    );
    // seed = 42 with arrival = "even".
    assert_eq!(l.warnings.len(), 1, "{:?}", l.warnings);
    assert!(l.warnings[0].contains("example.toml:18:8: workload `dashboards`: seed has no effect"));
}

#[test]
fn minimal_scenarios_and_defaults() {
    let l = ok("name = \"storage only\"\nregion = \"eu-west-1\"\n");
    let s = l.scenario;
    assert_eq!(s.period.hours, 730.0);
    assert_eq!(s.period.start, Period::default_start());
    assert_eq!(s.serverless, None);
    assert!(s.workloads.is_empty());
    assert_eq!(s.storage, Storage::default());
    assert_eq!(s.prices, PriceOverrides::default());
    assert_eq!(s.budget_usd, None);
    let s = ok(BASE).scenario;
    assert_eq!(s.serverless.unwrap().max_rpu, 5632.0);
}

#[test]
fn io_error_names_the_file() {
    let e = load_scenario(Path::new("/nonexistent/s.toml"), &[], &regions()).unwrap_err();
    assert!(matches!(e, ScenarioError::Io { .. }));
    assert!(e
        .to_string()
        .starts_with("error: cannot read scenario file `/nonexistent/s.toml`: "));
}

// ---------------------------------------------------------------- rendering

#[test]
fn base_rpu_renders_exactly() {
    let text = "name = \"t\"\nregion = \"us-east-1\"\n\n[serverless]\n\nbase_rpu = 7\n";
    let e = parse_scenario(text, Path::new("scenarios/x.toml"), &[], &regions()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "\
error: base_rpu must be 4, or 8 to 512 in steps of 8, or 512 to 1024 in steps of 32; found 7
  --> scenarios/x.toml:6:12
   |
 6 | base_rpu = 7
   |            ^
   = help: the nearest allowed values are 4 and 8"
    );
}

#[test]
fn several_errors_are_collected_and_capped() {
    let text = toplevel("budget_usd = -1\n[storage]\nmanaged_gb = -1\nsnapshot_gb = -2\n[prices]\nrpu_hour = -1\nbackup_gb_month = -1\nmanaged_storage_gb_month = -1\n");
    let e = parse_with(&text, &[]).unwrap_err();
    let ScenarioError::Invalid(d) = &e else {
        panic!()
    };
    assert_eq!(d.items.len(), MAX_ERRORS);
    assert_eq!(d.len(), 6);
    let s = e.to_string();
    assert!(s.contains("budget_usd must be >= 0; found -1\n  --> sc/x.toml:3:14"));
    assert!(s.ends_with("error: 1 more error not shown"));
}

#[test]
fn toml_syntax_errors_have_positions() {
    assert_err("name = \"t\"\nregion = \n", "invalid TOML", "2:10");
    assert_err(
        "name = \"t\"\nname = \"u\"\n",
        "invalid TOML: duplicate key",
        "2:1",
    );
    let e = err("[serverless\nbase_rpu = 8\n");
    assert!(e.contains("--> sc/x.toml:1:"), "{e}");
}

// ---------------------------------------------------------------- top level

#[test]
fn required_top_level_keys() {
    let e = err("region = \"us-east-1\"\n");
    assert!(e.contains("error: missing required key `name` in the scenario\n  --> sc/x.toml\n"));
    assert!(e.contains("help: add e.g. `name = "));
    let e = err("name = \"x\"\n");
    assert!(e.contains("missing required key `region`"));
    assert_err(
        "name = \"\"\nregion = \"us-east-1\"\n",
        "name must not be empty",
        "1:8",
    );
    assert_err(
        "name = 5\nregion = \"us-east-1\"\n",
        "name: expected a string, found an integer",
        "1:8",
    );
}

#[test]
fn unknown_keys_suggest_or_list() {
    assert_err(
        &toplevel("workloads = 3\n"),
        "unknown key `workloads` in the scenario",
        "3:1",
    );
    assert!(err(&toplevel("workloads = 3\n")).contains("= help: did you mean `workload`?"));
    let e = err("name = \"t\"\nregion = \"us-east-1\"\n[serverless]\nbasee_rpu = 8\n");
    assert!(e.contains("unknown key `basee_rpu` in [serverless]\n  --> sc/x.toml:4:1"));
    assert!(e.contains("did you mean `base_rpu`?"));
    // The missing base_rpu is not reported again: the suggestion already says it.
    assert!(!e.contains("missing required key `base_rpu`"), "{e}");
    let e = err("name = \"t\"\nregion = \"us-east-1\"\n[serverless]\nmax_rpu = 8\n");
    assert!(
        e.contains("missing required key `base_rpu` in [serverless]\n  --> sc/x.toml:3:1"),
        "{e}"
    );
    let e = err(&with("[storage]\ncolour = 1\n"));
    assert!(
        e.contains("the keys allowed here are `managed_gb` and `snapshot_gb`"),
        "{e}"
    );
    let e = err(&workload(
        "per_day = 1\nduration = 1\nwindwo = \"09:00-10:00\"\n",
    ));
    assert!(
        e.contains("unknown key `windwo` in workload `w`\n  --> sc/x.toml:9:1"),
        "{e}"
    );
    assert!(e.contains("did you mean `window`?"));
    let e = err(&with("[zero_etl]\nsource = \"dynamodb\"\nrefresh = 900\n"));
    assert!(e.contains("did you mean `refresh_interval`?"), "{e}");
    let e = err(&with("[prices]\nrpu_hours = 1\n"));
    assert!(e.contains("did you mean `rpu_hour`?"), "{e}");
    // Dotted keys point at the key too.
    let e =
        err("name = \"t\"\nregion = \"us-east-1\"\nserverless.base_rpu = 8\nserverless.max = 16\n");
    assert!(e.contains("--> sc/x.toml:4:12"), "{e}");
    assert!(e.contains("did you mean `max_rpu`?"), "{e}");
}

#[test]
fn regions_are_checked_with_suggestions() {
    let text = |r: &str| format!("name = \"t\"\nregion = \"{r}\"\n");
    assert_err(
        &text("ap-northeast1"),
        "unknown region \"ap-northeast1\"",
        "2:10",
    );
    assert!(err(&text("ap-northeast1"))
        .contains("did you mean `ap-northeast-1` (Asia Pacific (Tokyo))?"));
    assert!(err(&text("Asia Pacific (Tokyo)")).contains("did you mean `ap-northeast-1`"));
    assert!(err(&text("tokyo")).contains("did you mean `ap-northeast-1`"));
    assert!(err(&text("tokio")).contains("did you mean `ap-northeast-1`"));
    let e = err(&text("us east"));
    assert!(e.contains("did you mean one of `us-east-1`"), "{e}");
    assert!(e.contains("`us-east-2`"), "{e}");
    let e = err(&text("mars-1"));
    assert!(
        e.contains("known codes include us-east-1, us-east-2"),
        "{e}"
    );
    // With no region list, any code is accepted.
    let l = parse_scenario(&text("xx-1"), Path::new("x.toml"), &[], &[]).unwrap();
    assert_eq!(l.scenario.region, "xx-1");
}

#[test]
fn budget() {
    assert_eq!(
        ok(&toplevel("budget_usd = 12.5\n")).scenario.budget_usd,
        Some(12.5)
    );
    assert_err(
        &toplevel("budget_usd = -3\n"),
        "budget_usd must be >= 0; found -3",
        "3:14",
    );
    assert_err(
        &toplevel("budget_usd = nan\n"),
        "budget_usd must be a finite number; found nan",
        "3:14",
    );
    assert_err(
        &toplevel("budget_usd = -inf\n"),
        "budget_usd must be a finite number; found -inf",
        "3:14",
    );
    let e = err(&toplevel("budget_usd = \"700\"\n"));
    assert!(
        e.contains("budget_usd: expected a number, found the string \"700\""),
        "{e}"
    );
    assert!(
        e.contains("help: write numbers without quotes: budget_usd = 700"),
        "{e}"
    );
}

// ---------------------------------------------------------------- period

#[test]
fn period_string_and_table() {
    let p = ok(&toplevel("period = \"7d\"\n")).scenario.period;
    assert_eq!(p.hours, 168.0);
    let p = ok(&toplevel("period = 3600\n")).scenario.period;
    assert_eq!(p.hours, 1.0);
    let p = ok(&toplevel(
        "[period]\nlength = \"14d\"\nstart = 2026-11-02\n",
    ))
    .scenario
    .period;
    assert_eq!(p.hours, 336.0);
    assert_eq!(
        p.start,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
    );
    let p = ok(&toplevel("[period]\nstart = \"2026-11-03\"\n"))
        .scenario
        .period;
    assert_eq!(p.hours, 730.0);
    assert_eq!(
        p.start,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 3).unwrap()
    );
    // Inline table form.
    let p = ok(&toplevel("period = { length = \"1d\" }\n"))
        .scenario
        .period;
    assert_eq!(p.hours, 24.0);
}

#[test]
fn period_errors() {
    // BASE is 4 lines; `period` is on line 5 (before [serverless] it would be a serverless key).
    let top = |extra: &str| format!("name = \"t\"\nregion = \"us-east-1\"\n{extra}");
    assert_err(
        &top("period = \"0s\"\n"),
        "period must be longer than 0 and at most 366 days; found 0s",
        "3:10",
    );
    assert_err(
        &top("period = \"400d\"\n"),
        "period must be longer than 0 and at most 366 days; found 400d",
        "3:10",
    );
    assert_err(
        &top("period = \"30x\"\n"),
        "period: invalid duration \"30x\": unknown unit `x`",
        "3:10",
    );
    assert_err(
        &top("period = true\n"),
        "period: expected a duration string like \"30d\" or a [period] table",
        "3:10",
    );
    assert_err(
        &top("[period]\nstart = \"2026-13-01\"\n"),
        "start must be a date like 2026-11-02; found \"2026-13-01\"",
        "4:9",
    );
    assert_err(
        &top("[period]\nstart = 2026-11-02T10:00:00\n"),
        "start must be a date like 2026-11-02",
        "4:9",
    );
    assert_err(
        &top("[period]\nbegin = 2026-11-02\n"),
        "unknown key `begin` in [period]",
        "4:1",
    );
    assert_err(
        &top("[period]\nlength = -5\n"),
        "length cannot be negative; found -5",
        "4:10",
    );
}

// ---------------------------------------------------------------- serverless

#[test]
fn base_rpu_rules() {
    let base =
        |v: &str| format!("name = \"t\"\nregion = \"us-east-1\"\n[serverless]\nbase_rpu = {v}\n");
    for good in ["4", "8", "16", "512", "544", "1024", "8.0"] {
        ok(&base(good));
    }
    for (bad, help) in [
        ("7", "the nearest allowed values are 4 and 8"),
        ("600", "the nearest allowed values are 576 and 608"),
        ("520", "the nearest allowed values are 512 and 544"),
        ("2000", "the largest allowed value is 1024"),
        ("0", "the smallest allowed value is 4"),
        ("-8", "the smallest allowed value is 4"),
        ("8.5", "the nearest allowed values are 8 and 16"),
    ] {
        let e = err(&base(bad));
        assert!(e.contains(help), "{bad}: {e}");
        assert!(e.contains("--> sc/x.toml:4:12"), "{e}");
    }
    assert_err(
        &base("\"eight\""),
        "base_rpu: expected a number, found the string \"eight\"",
        "4:12",
    );
}

#[test]
fn max_rpu_rules() {
    let s = ok(&with("max_rpu = 64\n")).scenario;
    assert_eq!(s.serverless.unwrap().max_rpu, 64.0);
    assert_err(
        &with("max_rpu = 4\n"),
        "max_rpu must be at least base_rpu (8) and at most 5632; found 4",
        "5:11",
    );
    assert_err(
        &with("max_rpu = 6000\n"),
        "max_rpu must be at least base_rpu (8) and at most 5632; found 6000",
        "5:11",
    );
}

#[test]
fn serverless_is_required_with_workloads_or_zero_etl() {
    let text = "name = \"t\"\nregion = \"us-east-1\"\n[[workload]]\nname = \"w\"\nper_day = 1\nduration = 1\n";
    assert_err(
        text,
        "[[workload]] needs a [serverless] or [provisioned] section",
        "3:1",
    );
    let text = "name = \"t\"\nregion = \"us-east-1\"\n[zero_etl]\nsource = \"dynamodb\"\n";
    assert_err(
        text,
        "[zero_etl] needs a [serverless] or [provisioned] section",
        "3:1",
    );
    let text = "name = \"t\"\nregion = \"us-east-1\"\nserverless = 8\n";
    assert_err(
        text,
        "serverless: expected a table, found an integer",
        "3:14",
    );
}

// ---------------------------------------------------------------- workloads

#[test]
fn workload_rates() {
    let l = ok(&workload("per_day = 100\nduration = 30\n"));
    let a = arrivals_of(&l);
    assert_eq!(a.per_day, 100.0);
    assert_eq!(a.duration, 30.0);
    assert_eq!(a.rpu, None);
    assert_eq!(a.window, Window::WHOLE_DAY);
    assert_eq!(a.days, Days::All);
    assert_eq!(a.pattern, ArrivalPattern::Even);
    let l = ok(&workload(
        "users = 10\nqueries_per_user_per_day = 12.5\nduration = \"1m30s\"\n",
    ));
    let a = arrivals_of(&l);
    assert_eq!(a.per_day, 125.0);
    assert_eq!(a.duration, 90.0);

    assert_err(
        &workload("per_day = 1\nusers = 2\nqueries_per_user_per_day = 3\nduration = 1\n"),
        "`users` cannot be used together with `per_day`",
        "8:1",
    );
    assert_err(
        &workload("users = 2\nduration = 1\n"),
        "`users` needs `queries_per_user_per_day`",
        "7:1",
    );
    assert_err(
        &workload("queries_per_user_per_day = 2\nduration = 1\n"),
        "`queries_per_user_per_day` needs `users`",
        "7:1",
    );
    assert_err(
        &workload("duration = 1\n"),
        "workload `w` needs a rate or a trace",
        "5:1",
    );
    assert_err(
        &workload("per_day = -1\nduration = 1\n"),
        "per_day must be >= 0; found -1",
        "7:11",
    );
}

#[test]
fn workload_names() {
    let text = with("[[workload]]\nper_day = 1\nduration = 1\n");
    assert_err(&text, "missing required key `name` in [[workload]]", "5:1");
    let text = with(
        "[[workload]]\nname = \"a\"\nper_day = 1\nduration = 1\n[[workload]]\nname = \"a\"\nper_day = 1\nduration = 1\n",
    );
    let e = err(&text);
    assert!(
        e.contains("duplicate workload name \"a\"\n   --> sc/x.toml:10:8"),
        "{e}"
    );
    assert!(e.contains("= note: first used at sc/x.toml:6:8"), "{e}");
    let text = with("[[workload]]\nname = \"zero-etl sync\"\nper_day = 1\nduration = 1\n");
    assert_err(&text, "is reserved for zero-ETL syncs", "6:8");
    let text = with("[workload]\nname = \"a\"\n");
    let e = err(&text);
    assert!(
        e.contains("workload: expected an array of tables, found a table"),
        "{e}"
    );
    assert!(e.contains("[[workload]]"), "{e}");
}

#[test]
fn workload_durations_and_demand() {
    assert_err(
        &workload("per_day = 1\n"),
        "missing required key `duration` in workload `w`",
        "5:1",
    );
    assert_err(
        &workload("per_day = 1\nduration = 0\n"),
        "duration must be > 0; found 0",
        "8:12",
    );
    assert_err(
        &workload("per_day = 1\nduration = true\n"),
        "duration: expected a number of seconds or a duration string like \"3m\", found a boolean",
        "8:12",
    );
    assert_err(
        &workload("per_day = 1\nduration = \"3 fortnights\"\n"),
        "duration: invalid duration \"3 fortnights\": unknown unit `fortnights`",
        "8:12",
    );
    assert_err(
        &workload("per_day = 1\nduration = -2\n"),
        "duration cannot be negative; found -2",
        "8:12",
    );
    assert_err(
        &workload("per_day = 1\nduration = inf\n"),
        "duration must be a finite number of seconds; found inf",
        "8:12",
    );
    assert_eq!(
        arrivals_of(&ok(&workload("per_day = 1\nduration = \"500ms\"\n"))).duration,
        0.5
    );
    assert_err(
        &workload("per_day = 1\nduration = 1\nrpu = 0\n"),
        "rpu must be > 0; found 0",
        "9:7",
    );
    assert_eq!(
        arrivals_of(&ok(&workload("per_day = 1\nduration = 1\nrpu = 24\n"))).rpu,
        Some(24.0)
    );
    let l = ok(&with(
        "max_rpu = 64\n[[workload]]\nname = \"w\"\nper_day = 1\nduration = 1\nrpu = 128\n",
    ));
    assert_eq!(l.warnings.len(), 1);
    assert!(
        l.warnings[0].contains("sc/x.toml:10:7: workload `w`: rpu 128 is above max_rpu 64"),
        "{:?}",
        l.warnings
    );
}

#[test]
fn workload_windows_days_arrivals() {
    let a = ok(&workload("per_day = 1\nduration = 1\nwindow = \"22:00-02:00\"\ndays = \"weekdays\"\narrival = \"poisson\"\n"));
    let a = arrivals_of(&a);
    assert_eq!(
        a.window,
        Window {
            start: 79_200.0,
            end: 93_600.0
        }
    );
    assert_eq!(a.days, Days::Weekdays);
    assert_eq!(a.pattern, ArrivalPattern::Poisson { seed: 1 });
    let l = ok(&workload(
        "per_day = 1\nduration = 1\narrival = \"poisson\"\nseed = 42\n",
    ));
    assert_eq!(
        arrivals_of(&l).pattern,
        ArrivalPattern::Poisson { seed: 42 }
    );
    assert!(l.warnings.is_empty());
    let w = arrivals_of(&ok(&workload(
        "per_day = 1\nduration = 1\nwindow = \"08:30:15-24:00\"\n",
    )))
    .window;
    assert_eq!(
        w,
        Window {
            start: 30_615.0,
            end: 86_400.0
        }
    );

    assert_err(
        &workload("per_day = 1\nduration = 1\nwindow = \"09:00-09:00\"\n"),
        "window \"09:00-09:00\": the window is empty",
        "9:10",
    );
    assert_err(
        &workload("per_day = 1\nduration = 1\nwindow = \"9am-5pm\"\n"),
        "window \"9am-5pm\": window start: expected HH:MM or HH:MM:SS",
        "9:10",
    );
    let e = err(&workload("per_day = 1\nduration = 1\ndays = \"weekday\"\n"));
    assert!(
        e.contains("unknown days \"weekday\"\n  --> sc/x.toml:9:8"),
        "{e}"
    );
    assert!(e.contains("did you mean `weekdays`?"), "{e}");
    assert!(
        e.contains("days must be one of `all` and `weekdays`"),
        "{e}"
    );
    let e = err(&workload(
        "per_day = 1\nduration = 1\narrival = \"poison\"\n",
    ));
    assert!(e.contains("did you mean `poisson`?"), "{e}");
    let e = err(&workload(
        "per_day = 1\nduration = 1\narrival = \"poisson\"\nseed = -1\n",
    ));
    assert!(e.contains("seed must be a whole number from 0 to 18446744073709551615; found -1\n   --> sc/x.toml:10:8"), "{e}");
    let e = err(&workload(
        "per_day = 1\nduration = 1\narrival = \"poisson\"\nseed = 1.5\n",
    ));
    assert!(e.contains("found 1.5"), "{e}");
    let l = ok(&workload("per_day = 1\nduration = 1\nseed = 3\n"));
    assert!(
        l.warnings[0]
            .contains("sc/x.toml:9:8: workload `w`: seed has no effect with arrival = \"even\""),
        "{:?}",
        l.warnings
    );
}

#[test]
fn trace_conflicts_with_arrival_keys() {
    let e = err(&workload(
        "trace = \"t.csv\"\nper_day = 3\nwindow = \"09:00-10:00\"\n",
    ));
    assert!(
        e.contains("`per_day` cannot be used with `trace`\n  --> sc/x.toml:8:1"),
        "{e}"
    );
    assert!(
        e.contains("`window` cannot be used with `trace`\n  --> sc/x.toml:9:1"),
        "{e}"
    );
}

// ---------------------------------------------------------------- zero-ETL

#[test]
fn zero_etl_rules() {
    let z = ok(&with("[zero_etl]\nsource = \"dynamodb\"\n"))
        .scenario
        .zero_etl
        .unwrap();
    assert_eq!(z.source, ZeroEtlSource::Dynamodb);
    assert_eq!(z.refresh_interval, 900.0);
    assert_eq!(z.sync_duration, 60.0);
    assert_eq!(z.sync_rpu, None);
    let z = ok(&with("[zero_etl]\nsource = \"aurora-postgresql\"\n"))
        .scenario
        .zero_etl
        .unwrap();
    assert_eq!(z.refresh_interval, 0.0);
    let z = ok(&with("[zero_etl]\nsource = \"rds-mysql\"\nrefresh_interval = \"1h\"\nsync_duration = 90.5\nsync_rpu = 4\n"))
        .scenario
        .zero_etl
        .unwrap();
    assert_eq!(
        (z.refresh_interval, z.sync_duration, z.sync_rpu),
        (3600.0, 90.5, Some(4.0))
    );

    assert_err(
        &with("[zero_etl]\nsource = \"dynamodb\"\nrefresh_interval = 60\n"),
        "refresh_interval must be between 900 and 432000 seconds for dynamodb; found 60",
        "7:20",
    );
    assert_err(
        &with("[zero_etl]\nsource = \"aurora-mysql\"\nrefresh_interval = \"6d\"\n"),
        "refresh_interval must be between 0 and 432000 seconds for aurora-mysql; found 518400",
        "7:20",
    );
    let e = err(&with("[zero_etl]\nsource = \"aurora_mysql\"\n"));
    assert!(
        e.contains("unknown source \"aurora_mysql\"\n  --> sc/x.toml:6:10"),
        "{e}"
    );
    assert!(e.contains("did you mean `aurora-mysql`?"), "{e}");
    let e = err(&with("[zero_etl]\nsource = \"postgres\"\n"));
    assert!(e.contains("did you mean `aurora-postgresql`?"), "{e}");
    assert_err(
        &with("[zero_etl]\nrefresh_interval = 0\n"),
        "missing required key `source` in [zero_etl]",
        "5:1",
    );
    assert_err(
        &with("[zero_etl]\nsource = \"dynamodb\"\nsync_duration = 0\n"),
        "sync_duration must be > 0; found 0",
        "7:17",
    );
    assert_err(
        &with("[zero_etl]\nsource = \"dynamodb\"\nsync_rpu = -1\n"),
        "sync_rpu must be > 0; found -1",
        "7:12",
    );
}

#[test]
fn zero_etl_warnings() {
    let l = ok(&with(
        "[zero_etl]\nsource = \"dynamodb\"\nsync_duration = \"20m\"\n",
    ));
    assert_eq!(l.warnings.len(), 1);
    assert!(l.warnings[0].contains("sc/x.toml:7:17: zero_etl: sync_duration (20m) is not shorter than refresh_interval (15m)"), "{:?}", l.warnings);
    // Continuous replication: no warning.
    assert!(ok(&with(
        "[zero_etl]\nsource = \"aurora-mysql\"\nsync_duration = \"2h\"\n"
    ))
    .warnings
    .is_empty());
    let l = ok(&with(
        "max_rpu = 16\n[zero_etl]\nsource = \"aurora-mysql\"\nsync_rpu = 32\n",
    ));
    assert!(
        l.warnings[0].contains("sync_rpu 32 is above max_rpu 16"),
        "{:?}",
        l.warnings
    );
}

// ---------------------------------------------------------------- storage and prices

#[test]
fn storage_and_prices() {
    let s = ok(&with(
        "[storage]\nmanaged_gb = 250\nsnapshot_gb = 1.5\n[prices]\nrpu_hour = 0\n",
    ))
    .scenario;
    assert_eq!(
        s.storage,
        Storage {
            managed_gb: 250.0,
            snapshot_gb: 1.5
        }
    );
    assert_eq!(s.prices.rpu_hour, Some(0.0));
    assert_eq!(s.prices.backup_gb_month, None);
    assert_err(
        &with("[storage]\nmanaged_gb = -1\n"),
        "managed_gb must be >= 0; found -1",
        "6:14",
    );
    assert_err(
        &with("[prices]\nbackup_gb_month = nan\n"),
        "backup_gb_month must be a finite number; found nan",
        "6:19",
    );
    assert_err(
        &with("[prices]\nrpu_hour = [1]\n"),
        "rpu_hour: expected a number, found an array",
        "6:12",
    );
    assert_err(
        &toplevel("storage = 5\n"),
        "storage: expected a table, found an integer",
        "3:11",
    );
}

// ---------------------------------------------------------------- --set

#[test]
fn set_overrides_happy_paths() {
    let text = with(
        "[[workload]]\nname = \"dashboards\"\nper_day = 100\nduration = \"3m\"\n[zero_etl]\nsource = \"aurora-mysql\"\nrefresh_interval = 3600\n",
    );
    let l = ok_sets(
        &text,
        &[
            "zero_etl.refresh_interval=0",
            "serverless.base_rpu=16",
            "period=7d",
            "storage.managed_gb=250",
            "workload.dashboards.per_day=200",
            "workload.0.duration=5m",
            "workload.dashboards.days=weekdays",
            "workload.0.window=09:00-18:00",
            "prices.rpu_hour=0.5",
        ],
    );
    let s = &l.scenario;
    assert_eq!(s.zero_etl.as_ref().unwrap().refresh_interval, 0.0);
    assert_eq!(s.serverless.as_ref().unwrap().base_rpu, 16.0);
    assert_eq!(s.period.hours, 168.0);
    assert_eq!(s.storage.managed_gb, 250.0);
    assert_eq!(s.prices.rpu_hour, Some(0.5));
    let a = arrivals_of(&l);
    assert_eq!(a.per_day, 200.0);
    assert_eq!(a.duration, 300.0);
    assert_eq!(a.days, Days::Weekdays);
    assert_eq!(a.window.start, 32_400.0);
    // A later set wins; `period.start` turns `period = "..."` into a table.
    let l = ok_sets(
        &with(""),
        &["serverless.base_rpu=32", "serverless.base_rpu=64"],
    );
    assert_eq!(l.scenario.serverless.unwrap().base_rpu, 64.0);
    let top = "name = \"t\"\nregion = \"us-east-1\"\nperiod = \"2d\"\n";
    let p = ok_sets(top, &["period.start=2026-02-02"]).scenario.period;
    assert_eq!(p.hours, 48.0);
    assert_eq!(
        p.start,
        chrono::NaiveDate::from_ymd_opt(2026, 2, 2).unwrap()
    );
    // Quoted workload names.
    let text = with("[[workload]]\nname = \"nightly etl\"\nper_day = 1\nduration = 1\n");
    let l = ok_sets(&text, &["workload.\"nightly etl\".rpu=16"]);
    assert_eq!(arrivals_of(&l).rpu, Some(16.0));
}

#[test]
fn set_value_errors_point_at_the_set() {
    let text = with("[zero_etl]\nsource = \"dynamodb\"\n");
    let e = err_sets(&text, &["zero_etl.refresh_interval=60"]);
    assert_eq!(
        e,
        "error: refresh_interval must be between 900 and 432000 seconds for dynamodb; found 60\n  --> --set zero_etl.refresh_interval=60"
    );
    let e = err_sets(&with(""), &["serverless.base_rpu=7"]);
    assert!(
        e.contains(
            "--> --set serverless.base_rpu=7\n   = help: the nearest allowed values are 4 and 8"
        ),
        "{e}"
    );
    let e = err_sets(&with(""), &["budget_usd=lots"]);
    assert!(
        e.contains(
            "budget_usd: expected a number, found the string \"lots\"\n  --> --set budget_usd=lots"
        ),
        "{e}"
    );
    // Warnings caused by a set name the set.
    let l = ok_sets(
        &with(""),
        &[
            "serverless.max_rpu=16",
            "zero_etl.source=aurora-mysql",
            "zero_etl.sync_rpu=32",
        ],
    );
    assert!(
        l.warnings[0].starts_with("--set zero_etl.sync_rpu=32: "),
        "{:?}",
        l.warnings
    );
}

#[test]
fn set_path_errors() {
    let e = err_sets(&with(""), &["serverless.base_rpuu=16"]);
    assert!(
        e.contains("unknown key `base_rpuu` in [serverless]\n  --> --set serverless.base_rpuu=16"),
        "{e}"
    );
    assert!(e.contains("did you mean `base_rpu`?"), "{e}");
    let e = err_sets(&with(""), &["zero_etll.source=dynamodb"]);
    assert!(e.contains("did you mean `zero_etl`?"), "{e}");
    let text = with("[[workload]]\nname = \"dashboards\"\nper_day = 1\nduration = 1\n[[workload]]\nname = \"etl\"\nper_day = 1\nduration = 1\n");
    let e = err_sets(&text, &["workload.dashbords.per_day=3"]);
    assert!(
        e.starts_with(
            "error: no workload named `dashbords`\n  --> --set workload.dashbords.per_day=3"
        ),
        "{e}"
    );
    assert!(e.contains("did you mean `dashboards`?"), "{e}");
    assert!(
        e.contains("the workloads are `dashboards` and `etl`"),
        "{e}"
    );
    let e = err_sets(&text, &["workload.5.per_day=3"]);
    assert!(
        e.contains("there is no workload 5: the scenario has 2 (indexes 0 to 1)"),
        "{e}"
    );
    let e = err_sets(&text, &["workload.etl=3"]);
    assert!(e.contains("must name a key inside the workload"), "{e}");
    let e = err_sets(&with(""), &["workload.x.per_day=3"]);
    assert!(e.contains("the scenario has no [[workload]]"), "{e}");
    let e = err_sets(&with(""), &["serverless.base_rpu.x=3"]);
    assert!(
        e.contains(
            "cannot set `serverless.base_rpu.x`: `serverless.base_rpu` is an integer, not a table"
        ),
        "{e}"
    );
    let e = err_sets(&text, &["workload.0.perday=3"]);
    assert!(
        e.contains(
            "unknown key `perday` in workload `dashboards`\n  --> --set workload.0.perday=3"
        ),
        "{e}"
    );
}

// ---------------------------------------------------------------- traces

fn write_trace(dir: &Path, name: &str, content: &str) {
    std::fs::write(dir.join(name), content).unwrap();
}

fn trace_scenario(dir: &Path, csv: &str, extra: &str) -> Result<Loaded, ScenarioError> {
    write_trace(dir, "t.csv", csv);
    let text = format!("{BASE}{extra}[[workload]]\nname = \"replay\"\ntrace = \"t.csv\"\n");
    parse_scenario(&text, &dir.join("s.toml"), &[], &regions())
}

#[test]
fn trace_plain_form() {
    let start = Period::default_start();
    let t = parse_trace(
        "duration_s, arrival_s ,class,rpu\n5,10,a,2\n1,0,,\n",
        "t.csv",
        start,
    );
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    assert_eq!(
        t.expanded(),
        vec![
            (0.0, 1.0, None, None),
            (10.0, 5.0, Some(2.0), Some("a".to_string()))
        ]
    );
    assert_eq!(t.classes, vec!["a".to_string()]);
    // Comments and blank lines are fine.
    let t = parse_trace("# exported\narrival_s,duration_s\n\n0,1\n", "t.csv", start);
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    assert_eq!(t.rows.len(), 1);
}

#[test]
fn trace_history_form() {
    let path = fixtures().join("traces/history.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let t = parse_trace(&text, "h.csv", Period::default_start());
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    assert_eq!(t.rows.len(), 3);
    assert_eq!(t.rows[0].arrival, 10.0);
    assert_eq!(t.rows[0].duration, 1.0);
    assert_relative_eq!(
        t.rows[1].arrival,
        9.0 * 3600.0 + 15.0 * 60.0 + 0.123456,
        epsilon = 1e-9
    );
    assert_eq!(t.rows[1].duration, 2.5);
    assert_eq!(t.rows[2].arrival, 86_400.0);
    assert_eq!(t.rows[2].duration, 0.0005);
    assert!(t
        .rows
        .iter()
        .all(|r| r.rpu == TraceRow::DEFAULT && r.class == TraceRow::DEFAULT));
    // Relative to the period start date.
    let later = chrono::NaiveDate::from_ymd_opt(2026, 1, 6).unwrap();
    let t = parse_trace(&text, "h.csv", later);
    assert_eq!(t.errors.len(), 2, "{:?}", t.errors);
    let TraceError::Line(d) = &t.errors[0] else {
        panic!()
    };
    let s = d.to_string();
    assert!(s.contains("start_time 2026-01-05 09:15:00.123456 is before the period start (2026-01-06 00:00 UTC)"), "{s}");
    assert!(s.contains("--> h.csv:2:3"), "{s}");
    // Zero elapsed_time rows are skipped.
    let t = parse_trace(
        "start_time,elapsed_time\n2026-01-05 00:00:01,0\n2026-01-05 00:00:02,5\n",
        "h.csv",
        Period::default_start(),
    );
    assert_eq!((t.rows.len(), t.skipped_zero), (1, 1));
}

#[test]
fn timestamps() {
    for s in [
        "2026-11-02 09:15:00.123456",
        "2026-11-02 09:15:00",
        "2026-11-02T09:15:00Z",
        "2026-11-02T18:15:00+09:00",
        "2026-11-02 09:15:00+00",
        "2026-11-02 09:15:00.5+00:00",
    ] {
        let t = parse_timestamp(s).unwrap_or_else(|| panic!("{s}"));
        assert_eq!(
            t.format("%Y-%m-%d %H:%M").to_string(),
            "2026-11-02 09:15",
            "{s}"
        );
    }
    assert!(parse_timestamp("yesterday").is_none());
    assert!(parse_timestamp("2026-11-02").is_none());
}

#[test]
fn trace_bad_rows_name_csv_line() {
    let start = Period::default_start();
    let t = parse_trace(
        "arrival_s,duration_s\n0,1\n1,2\n2,3\n3,4\n4,5\n10,-3\n",
        "traces/x.csv",
        start,
    );
    let TraceError::Line(d) = &t.errors[0] else {
        panic!("{:?}", t.errors)
    };
    assert_eq!(
        d.to_string(),
        "error: duration_s must be > 0; found -3\n  --> traces/x.csv:7:4\n   |\n 7 | 10,-3\n   |    ^^"
    );
    for (csv, msg, at) in [
        (
            "arrival_s,duration_s\n-1,1\n",
            "arrival_s must be >= 0; found -1",
            "t.csv:2:1",
        ),
        (
            "arrival_s,duration_s\nx,1\n",
            "arrival_s must be a number; found `x`",
            "t.csv:2:1",
        ),
        (
            "arrival_s,duration_s\n1,inf\n",
            "duration_s must be a finite number; found inf",
            "t.csv:2:3",
        ),
        (
            "arrival_s,duration_s\n1,\n",
            "duration_s is missing",
            "t.csv:2:3",
        ),
        (
            "arrival_s,duration_s,rpu\n1,1,0\n",
            "rpu must be > 0; found 0",
            "t.csv:2:5",
        ),
        (
            "arrival_s,duration_s\n1,1,1\n",
            "this row has 3 fields but the header has 2",
            "t.csv:2",
        ),
        (
            "arrival,duration_s\n1,1\n",
            "unknown column `arrival` in the trace header",
            "t.csv:1:1",
        ),
        (
            "arrival_s,duration_s,arrival_s\n1,1,1\n",
            "duplicate column `arrival_s`",
            "t.csv:1:22",
        ),
        (
            "arrival_s,rpu\n1,1\n",
            "the trace header has no `duration_s` column",
            "t.csv:1",
        ),
        ("0,60\n1,2\n", "the trace has no header row", "t.csv:1"),
        (
            "start_time,elapsed_time\nnope,1\n",
            "start_time must be a timestamp",
            "t.csv:2:1",
        ),
        (
            "start_time,elapsed_time\n2026-01-05 00:00:00,-1\n",
            "elapsed_time must be >= 0",
            "t.csv:2:21",
        ),
        (
            "start_time,duration\n2026-01-05 00:00:00,1\n",
            "needs an `elapsed_time` column",
            "t.csv:1",
        ),
    ] {
        let t = parse_trace(csv, "t.csv", start);
        let TraceError::Line(d) = t.errors.first().unwrap_or_else(|| panic!("{csv:?} parsed"))
        else {
            panic!("{csv:?}: {:?}", t.errors)
        };
        let s = d.to_string();
        assert!(s.contains(msg), "{csv:?}: {s}");
        assert!(s.contains(&format!("--> {at}\n")), "{csv:?}: {s}");
    }
    let t = parse_trace("arrival,duration_s\n1,1\n", "t.csv", start);
    let TraceError::Line(d) = &t.errors[0] else {
        panic!()
    };
    assert!(d.to_string().contains("did you mean `arrival_s`?"));
    // File-level problems.
    for (csv, msg) in [
        ("", "the file is empty"),
        ("  \n", "the file is empty"),
        (
            "arrival_s,duration_s\n",
            "the file has a header but no rows",
        ),
    ] {
        let t = parse_trace(csv, "t.csv", start);
        assert!(
            matches!(&t.errors[0], TraceError::File(m) if m.contains(msg)),
            "{csv:?}: {:?}",
            t.errors
        );
    }
    // Many bad rows: capped.
    let many = format!("arrival_s,duration_s\n{}", "1,0\n".repeat(100));
    assert_eq!(parse_trace(&many, "t.csv", start).errors.len(), MAX_ERRORS);
}

#[test]
fn trace_files_through_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let l = trace_scenario(
        dir.path(),
        "arrival_s,duration_s,rpu\n5,1,\n0,2,600\n",
        "max_rpu = 512\n",
    )
    .unwrap();
    let WorkloadSource::Trace(t) = &l.scenario.workloads[0].source else {
        panic!()
    };
    assert_eq!(t.path, dir.path().join("t.csv"));
    assert_eq!(t.rows[0].arrival, 0.0);
    assert_eq!(l.warnings.len(), 1, "{:?}", l.warnings);
    assert!(l.warnings[0].contains("1 rows of"), "{:?}", l.warnings);
    assert!(
        l.warnings[0].contains("have rpu above max_rpu 512"),
        "{:?}",
        l.warnings
    );

    // Late rows are kept, with a warning.
    let l = trace_scenario(
        dir.path(),
        "arrival_s,duration_s\n0,1\n86400,1\n90000,1\n",
        "[period]\nlength = \"1d\"\n",
    )
    .unwrap();
    let WorkloadSource::Trace(t) = &l.scenario.workloads[0].source else {
        panic!()
    };
    assert_eq!(t.rows.len(), 3);
    assert!(l.warnings[0].contains("2 of 3 rows"), "{:?}", l.warnings);
    assert!(
        l.warnings[0].contains("at or after the period end (24 h)"),
        "{:?}",
        l.warnings
    );

    // A bad row names the CSV line and the workload's trace line.
    let e = trace_scenario(dir.path(), "arrival_s,duration_s\n0,1\n1,-3\n", "").unwrap_err();
    assert!(matches!(e, ScenarioError::Invalid(_)));
    let s = e.to_string();
    let csv = dir.path().join("t.csv").display().to_string();
    assert!(s.contains(&format!("--> {csv}:3:3")), "{s}");
    let toml = dir.path().join("s.toml").display().to_string();
    assert!(
        s.contains(&format!("= note: trace of workload `replay` ({toml}:7:9)")),
        "{s}"
    );

    // Empty file: reported at the scenario's `trace =` line.
    let e = trace_scenario(dir.path(), "", "").unwrap_err().to_string();
    assert!(
        e.contains(&format!("trace file `{csv}`: the file is empty")),
        "{e}"
    );
    assert!(e.contains(&format!("--> {toml}:7:9")), "{e}");

    // Missing file: invalid input, not Io.
    let text = format!("{BASE}[[workload]]\nname = \"r\"\ntrace = \"missing.csv\"\n");
    let e = parse_scenario(&text, &dir.path().join("s.toml"), &[], &regions()).unwrap_err();
    assert!(matches!(e, ScenarioError::Invalid(_)));
    let s = e.to_string();
    let missing = dir.path().join("missing.csv").display().to_string();
    assert!(
        s.contains(&format!("cannot read trace file `{missing}`")),
        "{s}"
    );
    assert!(s.contains(&format!("--> {toml}:7:9")), "{s}");

    // A set can point a workload at another trace.
    write_trace(dir.path(), "u.csv", "arrival_s,duration_s\n0,7\n");
    let text = format!("{BASE}[[workload]]\nname = \"r\"\ntrace = \"t.csv\"\n");
    let l = parse_scenario(
        &text,
        &dir.path().join("s.toml"),
        &sets(&["workload.r.trace=u.csv"]),
        &regions(),
    )
    .unwrap();
    let WorkloadSource::Trace(t) = &l.scenario.workloads[0].source else {
        panic!()
    };
    assert_eq!(t.rows[0].duration, 7.0);
}

// ---------------------------------------------------------------- never panic

mod no_panic {
    use super::*;
    use proptest::prelude::*;

    fn example() -> String {
        std::fs::read_to_string(fixtures().join("example.toml")).unwrap()
    }

    fn check(text: &str, set_args: &[SetArg]) {
        let path = fixtures().join("example.toml");
        match parse_scenario(text, &path, set_args, &regions()) {
            Ok(_) => {}
            Err(e) => {
                let s = e.to_string();
                assert!(s.starts_with("error: "), "{s}");
                assert!(s.lines().count() < 60, "too long:\n{s}");
            }
        }
    }

    #[test]
    fn nasty_inputs() {
        let deep_array = format!("a = {}{}", "[".repeat(200), "]".repeat(200));
        let deep_table = format!("a = {}{}", "{b = ".repeat(200), "}".repeat(200));
        let dotted = format!("{} = 1", vec!["a"; 300].join("."));
        for text in [
            "",
            "\u{feff}",
            "\0",
            "name = \"\u{1b}[31m\"\nregion = \"\u{1b}\"",
            &deep_array,
            &deep_table,
            &dotted,
            "workload = [1, 2]",
            "workload = []",
            "[[workload]]\n[[workload]]",
            "serverless = { base_rpu = 9223372036854775807 }",
            "name = \"x\"\nregion = \"us-east-1\"\n[serverless]\nbase_rpu = -9223372036854775808",
            "period = 1e308",
            "period = { start = 1979-05-27T07:32:00Z }",
            "period = 12:00:00",
            &"x".repeat(10_000),
        ] {
            check(text, &[]);
        }
        let weird_sets = sets(&[
            "workload.0.x=1",
            "a.b.c.d.e=[1,{x=2}]",
            "period.start.x=1",
            "name={",
            "serverless=[]",
            "workload=5",
            "workload.0.name.x=1",
        ]);
        for s in &weird_sets {
            check(&example(), std::slice::from_ref(s));
            check("", std::slice::from_ref(s));
        }
        check(&example(), &weird_sets);
    }

    #[test]
    fn many_errors_stay_fast_and_short() {
        let text: String = (0..20_000).map(|i| format!("k{i} = 1\n")).collect();
        let started = std::time::Instant::now();
        let e = parse_with(&text, &[]).unwrap_err().to_string();
        assert!(started.elapsed().as_secs() < 10);
        assert!(e.contains("more errors not shown"), "{e}");
        assert!(e.lines().count() < 50, "{e}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn random_text_never_panics(s in "\\PC{0,200}") {
            check(&s, &[]);
        }

        #[test]
        fn tomlish_text_never_panics(s in "[a-z_\\[\\]\"=.,{}0-9 \n:-]{0,300}") {
            check(&s, &[]);
        }

        #[test]
        fn mutated_example_never_panics(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, "\\PC{0,3}"), 1..6)
        ) {
            let mut text = example();
            for (at, op, insert) in edits {
                let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
                let i = boundaries[at.index(boundaries.len())];
                match op {
                    0 => { text.remove(i); }
                    1 => text.insert_str(i, &insert),
                    _ => {
                        let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                        text.replace_range(i..end, &insert);
                    }
                }
            }
            check(&text, &[]);
        }

        #[test]
        fn random_sets_never_panic(
            key in "(name|region|period|budget_usd|serverless\\.base_rpu|serverless\\.max_rpu|workload\\.[0-3]\\.[a-z_]{1,8}|workload\\.(dashboards|replay|x)\\.(duration|rpu|window|seed|trace)|zero_etl\\.[a-z_]{1,16}|prices\\.rpu_hour|[a-z.]{1,12})",
            value in "\\PC{0,12}",
        ) {
            if let Ok(set) = parse_set_arg(&format!("{key}={value}")) {
                check(&example(), &[set]);
            }
        }

        #[test]
        fn parse_set_arg_never_panics(s in "\\PC{0,40}") {
            let _ = parse_set_arg(&s);
        }

        #[test]
        fn random_traces_never_panic(s in "[a-z_,0-9.\\-\" \n:T+]{0,200}") {
            let t = parse_trace(&s, "t.csv", Period::default_start());
            for e in t.errors {
                if let TraceError::Line(d) = e {
                    let _ = d.to_string();
                }
            }
            let t = parse_trace(&format!("arrival_s,duration_s,rpu,class\n{s}"), "t.csv", Period::default_start());
            let _ = t.rows.len();
            let t = parse_trace(&format!("start_time,elapsed_time\n{s}"), "t.csv", Period::default_start());
            let _ = t.rows.len();
        }

        #[test]
        fn durations_and_windows_never_panic(s in "\\PC{0,20}") {
            let _ = parse_duration(&s);
            let _ = parse_window(&s);
        }
    }
}

// ---------------------------------------------------------------- bounded and located

mod hardening {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn integers_without_digits_or_beyond_64_bits_are_located_errors() {
        for (text, message) in [
            ("budget_usd = 0x\n", "`0x` is not a number"),
            ("budget_usd = 0o\n", "`0o` is not a number"),
            ("budget_usd = 0b\n", "`0b` is not a number"),
            (
                "budget_usd = 170141183460469231731687303715884105727\n",
                "does not fit in 64 bits",
            ),
            (
                "budget_usd = -9223372036854775809\n",
                "does not fit in 64 bits",
            ),
        ] {
            assert_err(&toplevel(text), message, "3:14");
        }
        // Digits in any radix are fine.
        let l = ok(&toplevel("budget_usd = 0x1F\n"));
        assert_eq!(l.scenario.budget_usd, Some(31.0));
        let l = ok(&toplevel("budget_usd = 9_223_372_036_854_775_807\n"));
        assert_eq!(l.scenario.budget_usd, Some(9_223_372_036_854_775_807.0));
    }

    #[test]
    fn the_parsers_recursion_limit_is_located() {
        let text = format!(
            "name = \"t\"\nregion = \"us-east-1\"\n{} = 1\n",
            vec!["a"; 120].join(".")
        );
        let e = err(&text);
        assert!(e.contains("nest too deeply"), "{e}");
        assert!(e.contains("--> sc/x.toml:3:1"), "{e}");
    }

    #[test]
    fn invalid_utf8_is_located_at_its_byte() {
        let d = utf8_or_located(b"a = 1\nb = \"x\xc3(\"\n".to_vec(), "f.toml").unwrap_err();
        let s = d.to_string();
        assert!(s.contains("invalid UTF-8 (byte 0xC3)"), "{s}");
        assert!(s.contains("--> f.toml:2:7"), "{s}");
    }

    #[test]
    fn refresh_interval_is_whole_seconds() {
        let z = |v: &str| {
            with(&format!(
                "[zero_etl]\nsource = \"aurora-mysql\"\nrefresh_interval = {v}\n"
            ))
        };
        assert_err(
            &z("0.001"),
            "refresh_interval must be a whole number of seconds; found 0.001",
            "7:20",
        );
        assert_err(&z("1e-300"), "found 1e-300", "7:20");
        assert_err(&z("\"1.5s\""), "whole number of seconds", "7:20");
        assert_eq!(
            ok(&z("\"15m\""))
                .scenario
                .zero_etl
                .unwrap()
                .refresh_interval,
            900.0
        );
    }

    #[test]
    fn demands_and_durations_are_bounded() {
        assert_err(
            &workload("per_day = 1\nduration = \"1m\"\nrpu = 1e-310\n"),
            "rpu must be from 0.01 to 563200 RPU",
            "9:7",
        );
        assert_err(
            &workload("per_day = 1\nduration = \"1m\"\nrpu = 1e8\n"),
            "rpu must be from 0.01",
            "9:7",
        );
        assert_err(
            &workload("per_day = 1\nduration = \"1000h\"\n"),
            "duration must be at most the period plus a day (31d10h); found 41d16h",
            "8:12",
        );
        // The bound follows the period and max_rpu.
        let long = "name = \"t\"\nregion = \"us-east-1\"\nperiod = \"60d\"\n[serverless]\nbase_rpu = 8\nmax_rpu = 16\n[[workload]]\nname = \"w\"\nper_day = 1\nduration = \"1000h\"\nrpu = 1600\n";
        ok(long);
        assert_err(
            &long.replace("rpu = 1600", "rpu = 1601"),
            "rpu must be from 0.01 to 1600 RPU (100× max_rpu 16)",
            "11:7",
        );
        assert_err(
            &with("[zero_etl]\nsource = \"aurora-mysql\"\nsync_rpu = 0.001\n"),
            "sync_rpu must be from 0.01",
            "7:12",
        );
    }

    #[test]
    fn a_spectrum_scan_slower_than_the_period_is_refused() {
        let text =
            with("[spectrum]\nqueries_per_day = 10\ntb_per_day = 1\nscan_gb_per_second = 1e-9\n");
        assert_err(
            &text,
            "scan_gb_per_second 1e-9 makes each Spectrum query last",
            "8:22",
        );
    }

    #[test]
    fn job_counts_are_refused_past_the_limit_at_the_key_that_asks_for_most() {
        let text =
            workload("users = 1000000000\nqueries_per_user_per_day = 10\nduration = \"30s\"\n");
        assert_err(&text, "asks for about 310,000,000,000 jobs", "7:9");
        let limits = Limits { max_jobs: 100 };
        let small = workload("per_day = 4\nduration = \"30s\"\n");
        let path = Path::new("sc/x.toml");
        let e = parse_scenario_with(&small, path, &[], &regions(), &limits)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("about 124 jobs") && e.contains("limit of 100"),
            "{e}"
        );
        assert!(e.contains("--> sc/x.toml:7:11"), "{e}");
        let z = with("[zero_etl]\nsource = \"aurora-mysql\"\nrefresh_interval = 1\n");
        let e = parse_scenario_with(&z, path, &[], &regions(), &limits)
            .unwrap_err()
            .to_string();
        assert!(e.contains("[zero_etl] refreshes asks for most"), "{e}");
        assert!(e.contains("--> sc/x.toml:7:20"), "{e}");
        // At the limit is fine.
        let exact = Limits { max_jobs: 124 };
        assert!(parse_scenario_with(&small, path, &[], &regions(), &exact).is_ok());
    }

    #[test]
    fn trace_rows_are_bounded_and_class_names_interned() {
        let limits = trace::RowLimits {
            max_duration: 100.0,
            min_rpu: 0.01,
            max_rpu: 50.0,
        };
        let start = Period::default_start();
        let t = trace::parse_trace_bytes(b"arrival_s,duration_s\n0,101\n", "t.csv", start, &limits);
        let TraceError::Line(d) = &t.errors[0] else {
            panic!("{:?}", t.errors)
        };
        assert!(
            d.to_string().contains("longer than the period plus a day"),
            "{d}"
        );
        assert_eq!(d.short_location().unwrap(), "t.csv:2:3");
        let t = trace::parse_trace_bytes(
            b"arrival_s,duration_s,rpu\n0,1,51\n",
            "t.csv",
            start,
            &limits,
        );
        assert!(!t.errors.is_empty());
        // Bad bytes in a class are an error at their column, never merged into U+FFFD.
        let t = trace::parse_trace_bytes(
            b"arrival_s,duration_s,class\n0,1,a\xff\n0,1,a\xfe\n",
            "t.csv",
            start,
            &limits,
        );
        let TraceError::Line(d) = &t.errors[0] else {
            panic!("{:?}", t.errors)
        };
        assert_eq!(d.short_location().unwrap(), "t.csv:2:6");
        // Bad bytes in a column that is not read (a history export's query text) are fine.
        let t = trace::parse_trace_bytes(
            b"start_time,elapsed_time,query_text\n2026-01-05 00:00:01,1000000,sel\xffect\n",
            "t.csv",
            start,
            &limits,
        );
        assert!(t.errors.is_empty(), "{:?}", t.errors);
        assert_eq!(t.rows.len(), 1);
    }

    /// A valid trace row for the property below.
    fn row() -> impl Strategy<Value = (u32, u32, Option<u8>, Option<u8>)> {
        (
            0u32..100_000,
            1u32..10_000,
            proptest::option::of(1u8..64),
            proptest::option::of(0u8..6),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// The streaming parser against a reference: split lines and commas, sort stably
        /// by arrival, intern classes by first appearance.
        #[test]
        fn traces_parse_like_the_reference(rows in proptest::collection::vec(row(), 1..60)) {
            let mut csv = String::from("arrival_s,duration_s,rpu,class\n");
            for (a, d, r, c) in &rows {
                let r = r.map(|r| r.to_string()).unwrap_or_default();
                let c = c.map(|c| format!("k{c}")).unwrap_or_default();
                csv.push_str(&format!("{}.5,{},{r},{c}\n", a, f64::from(*d) / 10.0));
            }
            let got = parse_trace(&csv, "t.csv", Period::default_start());
            prop_assert!(got.errors.is_empty(), "{:?}", got.errors);
            let mut expected: Vec<(f64, f64, Option<f64>, Option<String>)> = csv
                .lines()
                .skip(1)
                .map(|l| {
                    let f: Vec<&str> = l.split(',').collect();
                    (
                        f[0].parse().unwrap(),
                        f[1].parse().unwrap(),
                        (!f[2].is_empty()).then(|| f[2].parse().unwrap()),
                        (!f[3].is_empty()).then(|| f[3].to_string()),
                    )
                })
                .collect();
            expected.sort_by(|a, b| a.0.total_cmp(&b.0));
            let got_rows = got.expanded();
            prop_assert_eq!(got_rows, expected);
            let mut distinct = got.classes.clone();
            distinct.sort();
            distinct.dedup();
            prop_assert_eq!(distinct.len(), got.classes.len());
        }

        #[test]
        fn arbitrary_bytes_never_panic_the_scenario_or_trace_parsers(
            bytes in proptest::collection::vec(any::<u8>(), 0..400)
        ) {
            match utf8_or_located(bytes.clone(), "f.toml") {
                Ok(text) => {
                    let _ = parse_scenario(&text, Path::new("f.toml"), &[], &regions());
                }
                Err(d) => prop_assert!(d.to_string().contains("--> f.toml:")),
            }
            let mut with_header = b"arrival_s,duration_s,rpu,class\n".to_vec();
            with_header.extend(&bytes);
            for input in [&bytes, &with_header] {
                let t = trace::parse_trace_bytes(input, "t.csv", Period::default_start(), &trace::RowLimits::NONE);
                for e in &t.errors {
                    if let TraceError::Line(d) = e {
                        let _ = d.to_string();
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Model v2 keys

fn serverless_of(l: &Loaded) -> &Serverless {
    l.scenario.serverless.as_ref().unwrap()
}

#[test]
fn metering_and_usage_limits_are_read_with_defaults() {
    use redshift_cost_core::engine::{BreachAction, LimitPeriod, Metering};
    let l = ok(&with(
        "metering = \"per-minute\"\n[serverless.usage_limit]\nrpu_hours = 100\n",
    ));
    let sv = serverless_of(&l);
    assert_eq!(sv.metering, Metering::PerMinute);
    assert_eq!(sv.usage_limits.len(), 1);
    assert_eq!(sv.usage_limits[0].period, LimitPeriod::Monthly);
    assert_eq!(sv.usage_limits[0].action, BreachAction::Log);
    let l = ok(&format!(
        "{BASE}[[serverless.usage_limit]]\nrpu_hours = 10\nperiod = \"daily\"\naction = \"deactivate\"\n\
         [[serverless.usage_limit]]\nrpu_hours = 50\nperiod = \"weekly\"\naction = \"emit-metric\"\n"
    ));
    let limits = &serverless_of(&l).usage_limits;
    assert_eq!(limits.len(), 2);
    assert_eq!(limits[0].action, BreachAction::Deactivate);
    assert_eq!(limits[1].period, LimitPeriod::Weekly);
    assert_eq!(serverless_of(&ok(BASE)).metering, Metering::BusyPeriod);
}

#[test]
fn bad_metering_and_limits_are_located_with_a_suggestion() {
    let e = err(&with("metering = \"per-minutes\"\n"));
    assert!(e.contains("unknown metering \"per-minutes\""), "{e}");
    assert!(e.contains("did you mean `per-minute`?"), "{e}");
    assert!(e.contains("--> sc/x.toml:5:12"), "{e}");
    let e = err(&with(
        "[serverless.usage_limit]\nrpu_hours = 5\naction = \"deactivated\"\n",
    ));
    assert!(e.contains("did you mean `deactivate`?"), "{e}");
    assert_err(
        &with("[serverless.usage_limit]\nperiod = \"daily\"\n"),
        "missing required key `rpu_hours` in [serverless.usage_limit]",
        "5:1",
    );
    assert_err(
        &with("[serverless.usage_limit]\nrpu_hours = 0\n"),
        "rpu_hours must be > 0",
        "6:13",
    );
    let e = err(&with(
        "[serverless.usage_limit]\nrpu_hours = 5\nbreach_action = \"log\"\n",
    ));
    assert!(e.contains("unknown key `breach_action`"), "{e}");
    let l = ok(&with("[serverless.usage_limit]\nrpu_hours = 2.5\n"));
    assert!(
        l.warnings[0].contains("AWS takes whole RPU-hours"),
        "{:?}",
        l.warnings
    );
}

#[test]
fn price_performance_targets_are_refused_with_a_way_to_approximate_them() {
    let e = err(&with("price_performance_target = 50\n"));
    assert!(
        e.contains("AI-driven scaling (price-performance targets) is not modelled"),
        "{e}"
    );
    assert!(e.contains("--> sc/x.toml:5:1"), "{e}");
    assert!(e.contains("ComputeCapacity"), "{e}");
    assert!(!e.contains("unknown key"), "{e}");
}

#[test]
fn duration_distributions() {
    let l = ok(&workload(
        "per_day = 10\nduration = { median = \"40s\", p95 = \"3m\" }\nseed = 9\n",
    ));
    let a = arrivals_of(&l);
    assert_eq!(a.duration, 40.0);
    let spread = a.spread.unwrap();
    assert_eq!((spread.p95, spread.seed), (180.0, 9));
    // sigma = ln(4.5) / 1.6448536; the mean is m × exp(sigma² / 2).
    let sigma = 4.5f64.ln() / 1.644_853_6;
    approx::assert_relative_eq!(a.mean_duration(), 40.0 * (sigma * sigma / 2.0).exp());
    // With a distribution the seed matters even for even arrivals: no warning.
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    assert_err(
        &workload("per_day = 1\nduration = { median = \"3m\", p95 = \"40s\" }\n"),
        "p95 (40s) must be longer than the median (3m)",
        "8:35",
    );
    assert_err(
        &workload("per_day = 1\nduration = { median = \"40s\" }\n"),
        "missing required key `p95` in the duration table",
        "8:12",
    );
    let e = err(&workload(
        "per_day = 1\nduration = { median = \"40s\", p59 = \"3m\" }\n",
    ));
    assert!(e.contains("did you mean `p95`?"), "{e}");
    assert_err(
        &workload("per_day = 1\nduration = { median = 0, p95 = \"3m\" }\n"),
        "median must be > 0",
        "8:23",
    );
}

#[test]
fn periodic_workloads() {
    let a = arrivals_of(&ok(&workload(
        "every = \"15m\"\noffset = \"2m\"\nduration = \"90s\"\n",
    )))
    .clone();
    assert_eq!(
        a.pattern,
        ArrivalPattern::Every {
            every: 900.0,
            offset: 120.0
        }
    );
    assert_eq!(a.per_day, 96.0);
    assert_err(
        &workload("every = \"15m\"\nper_day = 4\nduration = 1\n"),
        "`per_day` cannot be used together with `every`",
        "8:1",
    );
    assert_err(
        &workload("per_day = 4\noffset = \"2m\"\nduration = 1\n"),
        "`offset` needs `every`",
        "8:1",
    );
    assert_err(
        &workload("every = \"15m\"\noffset = \"15m\"\nduration = 1\n"),
        "offset (15m) must be shorter than every (15m)",
        "8:10",
    );
    assert_err(
        &workload("every = 0\nduration = 1\n"),
        "every must be > 0",
        "7:9",
    );
}

#[test]
fn time_zones_are_iana_names_with_a_suggestion() {
    let l = ok(&toplevel("timezone = \"Europe/Dublin\"\n"));
    assert_eq!(l.scenario.timezone, Some(chrono_tz::Tz::Europe__Dublin));
    assert_eq!(
        ok(&toplevel("timezone = \"UTC\"\n")).scenario.timezone,
        None
    );
    assert_eq!(ok(BASE).scenario.timezone, None);
    let e = err(&toplevel("timezone = \"Europe/Dublinn\"\n"));
    assert!(e.contains("unknown time zone \"Europe/Dublinn\""), "{e}");
    assert!(e.contains("did you mean `Europe/Dublin`?"), "{e}");
    assert!(e.contains("--> sc/x.toml:3:12"), "{e}");
    let e = err(&toplevel("timezone = \"europe/dublin\"\n"));
    assert!(e.contains("did you mean `Europe/Dublin`?"), "{e}");
}

#[test]
fn change_driven_refreshes_need_both_rates() {
    let zero_etl = |extra: &str| {
        with(&format!(
            "[zero_etl]\nsource = \"aurora-mysql\"\nrefresh_interval = \"1h\"\nsync_duration = \"30s\"\n{extra}"
        ))
    };
    let l = ok(&zero_etl(
        "change_mb_per_hour = 600\napply_mb_per_second = 2\n",
    ));
    let z = l.scenario.zero_etl.as_ref().unwrap();
    assert_eq!(z.refresh_seconds(), 30.0 + 600.0 / 2.0);
    assert_err(
        &zero_etl("change_mb_per_hour = 600\n"),
        "`change_mb_per_hour` needs `apply_mb_per_second`",
        "9:1",
    );
    assert_err(
        &zero_etl("apply_mb_per_second = 2\n"),
        "`apply_mb_per_second` needs `change_mb_per_hour`",
        "9:1",
    );
    assert_err(
        &zero_etl("change_mb_per_hour = 600\napply_mb_per_second = 0\n"),
        "apply_mb_per_second must be > 0",
        "10:23",
    );
    // A refresh that cannot finish inside its interval is a warning, as before.
    let l = ok(&zero_etl(
        "change_mb_per_hour = 36000\napply_mb_per_second = 5\n",
    ));
    assert!(
        l.warnings.iter().any(|w| w.contains("each refresh (sync_duration plus applying the interval's changes) (2.0h) is not shorter than refresh_interval")
            || w.contains("is not shorter than refresh_interval")),
        "{:?}",
        l.warnings
    );
}
