//! The one error type of a run, and its exit code. The `error:` prefix is added in one
//! place, [`Error::render`].

/// How a run that did not fail ends: 0, or 3 when a budget was exceeded (documented in
/// `--help` and the README; failures are [`Error::exit_code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    /// A scenario's estimate is over its budget (the output was still written).
    OverBudget = 3,
}

/// Why a run failed.
#[derive(Debug)]
pub enum Error {
    /// Invalid input or usage (exit 2), already rendered as located diagnostics, each
    /// starting with `error:` (scenario files, traces, several files at once).
    Diagnostics(String),
    /// Invalid input or usage (exit 2): one message.
    Input(String),
    /// Anything else (exit 1): I/O, or a network failure with no fallback.
    Failure(anyhow::Error),
}

impl Error {
    /// The process exit code: 2 for input and usage, 1 for failures (0 and 3 are not
    /// errors: see [`Exit`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Diagnostics(_) | Error::Input(_) => 2,
            Error::Failure(_) => 1,
        }
    }

    /// What stderr says, without a trailing newline.
    pub fn render(&self) -> String {
        match self {
            Error::Diagnostics(text) => text.clone(),
            Error::Input(msg) => format!("error: {msg}"),
            Error::Failure(e) => format!("error: {e:#}"),
        }
    }
}

impl From<crate::output::OutputError> for Error {
    fn from(e: crate::output::OutputError) -> Error {
        Error::Failure(anyhow::Error::new(e))
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Error {
        Error::Failure(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_and_one_prefix() {
        let input = Error::Input("--to must be after --from".into());
        assert_eq!(input.exit_code(), 2);
        assert_eq!(input.render(), "error: --to must be after --from");
        let diags = Error::Diagnostics("error: x\n  --> f.toml:1:1".into());
        assert_eq!(diags.exit_code(), 2);
        assert!(!diags.render().starts_with("error: error:"));
        let failure = Error::from(anyhow::anyhow!("disk full").context("cannot write out.json"));
        assert_eq!(failure.exit_code(), 1);
        assert_eq!(failure.render(), "error: cannot write out.json: disk full");
    }
}
