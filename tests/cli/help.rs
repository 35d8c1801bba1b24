//! `--help` of the binary and of every command, snapshotted: a change to the command
//! line shows up in review as a change to these files.

use crate::support::cli::run;

#[test]
fn help_of_every_command() {
    for command in [
        None,
        Some("estimate"),
        Some("observe"),
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
