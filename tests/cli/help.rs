//! `--help` of the binary and of every command, snapshotted: a change to the command
//! line shows up in review as a change to these files.

use crate::support::cli::run;

#[test]
fn help_of_every_command() {
    for command in [
        None,
        Some("estimate"),
        Some("observe"),
        Some("history"),
        Some("prices"),
        Some("compare"),
        Some("sweep"),
        Some("plan"),
        Some("forecast"),
        Some("report"),
        Some("diff"),
    ] {
        let mut args: Vec<&str> = command.into_iter().collect();
        args.push("--help");
        let r = run(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stderr.is_empty(), "{}", r.stderr);
        let name = format!("help_{}", command.unwrap_or("main"));
        insta::assert_snapshot!(name, r.stdout);
    }
}

#[test]
fn usage_errors_exit_2_with_the_usage() {
    let r = run(&["estimate"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("Usage: redshift-cost estimate"),
        "{}",
        r.stderr
    );
    let r = run(&["estimat"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("similar subcommand") || r.stderr.contains("estimate"),
        "{}",
        r.stderr
    );
}

#[test]
fn completions_and_the_man_page_are_generated_from_the_command_line() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains("redshift-cost"), "{shell}");
        // Every command is offered, the newest too.
        for command in ["estimate", "forecast", "plan", "diff"] {
            assert!(r.stdout.contains(command), "{shell} lacks {command}");
        }
    }
    assert_eq!(run(&["completions", "tcsh"]).code, 2);
    let man = run(&["man"]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert!(
        man.stdout.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &man.stdout[..80]
    );
    assert!(man.stdout.contains(".TH redshift-cost 1"), "{}", man.stdout);
    assert!(man.stdout.contains("forecast"));
}

#[test]
fn the_version_says_the_commit_the_model_and_the_prices_date() {
    let r = run(&["--version"]);
    assert_eq!(r.code, 0);
    let line = r.stdout.trim();
    let rest = line
        .strip_prefix(&format!(
            "redshift-cost {} (commit ",
            env!("CARGO_PKG_VERSION")
        ))
        .unwrap_or_else(|| panic!("{line}"));
    let (commit, rest) = rest.split_once(", ").unwrap();
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{line}"
    );
    assert_eq!(rest, "billing model v2, bundled prices 2025-03-19)");
}

#[test]
fn colour_quiet_and_a_scenario_on_standard_input() {
    let bad = "name = \"x\"\nregion = \"us-east-1\"\n[serverless]\nbase_rpus = 8\n";
    let with = |args: &[&str], stdin: &str| {
        let cache = tempfile::tempdir().unwrap();
        let out = crate::support::cli::cmd(cache.path())
            .env_remove("NO_COLOR")
            .args(args)
            .write_stdin(stdin.to_string())
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    // `-` reads the scenario from stdin; its errors name <stdin>.
    let (code, _, err) = with(&["estimate", "-", "--color", "always"], bad);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("\u{1b}[1;31merror:\u{1b}[0m unknown key `base_rpus`"),
        "{err:?}"
    );
    assert!(err.contains("--> <stdin>:4:1"), "{err}");
    let (_, _, err) = with(&["estimate", "-", "--color", "never"], bad);
    assert!(
        err.starts_with("error: unknown key") && !err.contains('\u{1b}'),
        "{err:?}"
    );
    // auto: stderr is no terminal here, so no colour.
    let (_, _, err) = with(&["estimate", "-"], bad);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    let tokyo = std::fs::read_to_string(
        crate::support::cli::root().join("scenarios/zero-etl-tokyo-8rpu.toml"),
    )
    .unwrap();
    let (code, out, _) = with(&["estimate", "-", "--format", "json"], &tokyo);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["scenarios"][0]["total_monthly_usd"], 642.834);
    // -q: a run with a warning prints nothing on stderr, and still exits as it would.
    let args = [
        "estimate",
        "scenarios/bi-business-hours-us-east-1.toml",
        "--set",
        "workload.dashboards.rpu=160",
    ];
    let loud = run(&args);
    assert!(loud.stderr.contains("warning:"), "{}", loud.stderr);
    let mut quiet = args.to_vec();
    quiet.push("-q");
    let q = run(&quiet);
    assert_eq!((q.code, q.stderr.as_str()), (loud.code, ""));
    assert_eq!(q.stdout, loud.stdout);
}

/// `schema`'s output written to a file, and the test Python with jsonschema.
fn schema_and_python() -> Option<(tempfile::TempDir, std::path::PathBuf, std::path::PathBuf)> {
    let python = crate::support::python::python_with("jsonschema", "the scenario schema tests")?;
    let dir = tempfile::tempdir().unwrap();
    let r = run(&["schema"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let path = dir.path().join("scenario.schema.json");
    std::fs::write(&path, r.stdout).unwrap();
    Some((dir, path, python))
}

/// Validates TOML `files` against `schema`: the error lines, one a file ("ok" if valid).
fn validate(
    python: &std::path::Path,
    schema: &std::path::Path,
    files: &[std::path::PathBuf],
) -> Vec<String> {
    let mut args = vec![
        "-c".to_string(),
        "import json, sys, tomllib, jsonschema\n\
         v = jsonschema.Draft7Validator(json.load(open(sys.argv[1])))\n\
         for f in sys.argv[2:]:\n\
         \x20   errors = sorted(e.message for e in v.iter_errors(tomllib.load(open(f, 'rb'))))\n\
         \x20   print('ok' if not errors else '; '.join(errors))"
            .to_string(),
        schema.display().to_string(),
    ];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let out = std::process::Command::new(python)
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_schema_validates_every_bundled_scenario_and_rejects_a_misspelt_key() {
    let Some((dir, schema, python)) = schema_and_python() else {
        return;
    };
    let mut files: Vec<std::path::PathBuf> =
        std::fs::read_dir(crate::support::cli::root().join("scenarios"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
    files.sort();
    assert!(files.len() >= 10);
    let results = validate(&python, &schema, &files);
    for (f, r) in files.iter().zip(&results) {
        assert_eq!(r, "ok", "{}", f.display());
    }
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\nregion = \"us-east-1\"\n[serverless]\nbase_rpus = 8\n[[workload]]\nname = \"w\"\nper_day = { p5 = 1, p96 = 2 }\nduration = \"1m\"\n",
    )
    .unwrap();
    let r = validate(&python, &schema, std::slice::from_ref(&bad));
    assert!(r[0].contains("'base_rpus' was unexpected"), "{r:?}");
}

#[test]
fn the_key_reference_is_what_schema_generates() {
    let r = run(&["schema", "--markdown"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file =
        std::fs::read_to_string(crate::support::cli::root().join("docs/scenario-keys.md")).unwrap();
    assert!(
        file == r.stdout,
        "docs/scenario-keys.md is stale: run `cargo run -- schema --markdown > docs/scenario-keys.md`"
    );
}
