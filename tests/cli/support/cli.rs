//! Running the real binary hermetically: from the repository root, with no AWS
//! credentials, no instance metadata, a private cache directory and bundled prices.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn cmd(cache: &Path) -> Command {
    Command::from_std(std_cmd(cache))
}

/// [`cmd`] as a `std::process::Command`, for runs that are spawned and killed.
pub(crate) fn std_cmd(cache: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("redshift-cost"));
    c.current_dir(root())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("REDSHIFT_COST_MAX_JOBS")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", cache.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", cache.join("no-credentials"))
        .env("REDSHIFT_COST_CACHE_DIR", cache)
        .env("REDSHIFT_COST_PRICES", "bundled")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "120");
    c
}

pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub(crate) fn run(args: &[&str]) -> Run {
    let cache = tempfile::tempdir().unwrap();
    let out = cmd(cache.path()).args(args).output().unwrap();
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

pub(crate) fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// `args` with `--format json`: the parsed report (stdout carries only the report).
pub(crate) fn json(args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let r = run(&all);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    serde_json::from_str(&r.stdout).expect("stdout is only the JSON report")
}
