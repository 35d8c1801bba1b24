//! The `redshift-cost` binary: parse the command line, build the run's one async runtime,
//! run the command, stop the runtime. Everything else lives in the library.

use redshift_cost::sources::AsyncRuntime;

fn main() -> std::process::ExitCode {
    let invocation = match redshift_cost::parse() {
        Ok(i) => i,
        Err(code) => return code,
    };
    // A runtime that cannot start is reported by the source that needs it (an offline
    // estimate needs none), never a panic.
    let runtime = AsyncRuntime::new();
    let code = redshift_cost::run(invocation, &runtime);
    runtime.shutdown();
    code
}
