//! The Python of the test environment (`.venv`, made by `bash scripts/test.sh`, or
//! `REDSHIFT_COST_TEST_PYTHON`), for the tests that need moto, cbor2 or jsonschema.

use std::path::PathBuf;
use std::process::Stdio;

/// The test Python if it imports `modules` (`"moto, cbor2"`), else `None` after a notice;
/// with CI=true a missing environment fails the test instead.
pub(crate) fn python_with(modules: &str, needed_by: &str) -> Option<PathBuf> {
    let candidate = std::env::var_os("REDSHIFT_COST_TEST_PYTHON").map_or_else(
        || super::cli::root().join(".venv/bin/python"),
        PathBuf::from,
    );
    let usable = candidate.exists()
        && std::process::Command::new(&candidate)
            .args(["-c", &format!("import {modules}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if usable {
        return Some(candidate);
    }
    let msg = format!(
        "{needed_by} need {modules} in {}: run `bash scripts/test.sh` (it creates .venv), or set REDSHIFT_COST_TEST_PYTHON",
        candidate.display()
    );
    assert!(!std::env::var("CI").is_ok_and(|v| v == "true"), "{msg}");
    eprintln!("SKIPPED: {msg}");
    None
}
