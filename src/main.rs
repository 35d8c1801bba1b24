//! The `redshift-cost` binary: everything lives in the library; see `cli.rs`.

fn main() -> std::process::ExitCode {
    redshift_cost::cli::main()
}
