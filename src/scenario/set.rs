//! `--set key.path=value` overrides.

/// A `--set key.path=value` override, parsed by clap's value_parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetArg {
    /// Key path segments: `["workload", "dashboards", "per_day"]`.
    pub path: Vec<String>,
    /// The whole argument as given (`workload.dashboards.per_day=200`), for messages.
    pub raw: String,
    /// The text after `=` (trimmed). Parsed as a TOML value if it is one, else taken
    /// as a bare string.
    pub value: String,
}

const EXAMPLE: &str =
    "e.g. `--set serverless.base_rpu=16` or `--set workload.dashboards.per_day=200`";

/// Parses `key.path=value`. Path segments are separated by `.`; a segment may be quoted
/// (`workload."nightly etl".rpu=16`) to contain dots, spaces or `=`.
pub fn parse_set_arg(s: &str) -> Result<SetArg, String> {
    let mut path = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut quoted_segment = false;
    let mut value = None;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => current.push(c),
            None => match c {
                '"' | '\'' if current.trim().is_empty() => {
                    current.clear();
                    quote = Some(c);
                    quoted_segment = true;
                }
                '.' | '=' => {
                    let seg = finish_segment(&mut current, &mut quoted_segment, s)?;
                    path.push(seg);
                    if c == '=' {
                        value = Some(s.get(i + 1..).unwrap_or("").trim().to_string());
                        break;
                    }
                }
                _ => current.push(c),
            },
        }
    }
    if quote.is_some() {
        return Err(format!("unclosed quote in `{s}`; {EXAMPLE}"));
    }
    let Some(value) = value else {
        return Err(format!("expected KEY=VALUE, found `{s}`; {EXAMPLE}"));
    };
    Ok(SetArg {
        path,
        raw: s.to_string(),
        value,
    })
}

fn finish_segment(current: &mut String, quoted: &mut bool, s: &str) -> Result<String, String> {
    let seg = if *quoted {
        current.clone()
    } else {
        current.trim().to_string()
    };
    if seg.is_empty() && !*quoted {
        let what = if s.trim_start().starts_with('=') {
            "the key before `=` is empty".to_string()
        } else {
            format!("empty key segment in `{s}`")
        };
        return Err(format!("{what}; {EXAMPLE}"));
    }
    current.clear();
    *quoted = false;
    Ok(seg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths_and_values() {
        let a = parse_set_arg("zero_etl.refresh_interval=0").unwrap();
        assert_eq!(a.path, ["zero_etl", "refresh_interval"]);
        assert_eq!(a.value, "0");
        assert_eq!(a.raw, "zero_etl.refresh_interval=0");
        let a = parse_set_arg("period=7d").unwrap();
        assert_eq!(a.path, ["period"]);
        assert_eq!(a.value, "7d");
        let a = parse_set_arg("workload.\"nightly.etl\".window=22:00-02:00").unwrap();
        assert_eq!(a.path, ["workload", "nightly.etl", "window"]);
        assert_eq!(a.value, "22:00-02:00");
        let a = parse_set_arg("name=a=b").unwrap();
        assert_eq!(a.value, "a=b");
        let a = parse_set_arg("storage.managed_gb=").unwrap();
        assert_eq!(a.value, "");
    }

    #[test]
    fn rejects_malformed() {
        assert!(parse_set_arg("serverless.base_rpu")
            .unwrap_err()
            .contains("expected KEY=VALUE"));
        assert!(parse_set_arg("=3")
            .unwrap_err()
            .contains("key before `=` is empty"));
        assert!(parse_set_arg("a..b=3")
            .unwrap_err()
            .contains("empty key segment"));
        assert!(parse_set_arg(".a=3")
            .unwrap_err()
            .contains("empty key segment"));
        assert!(parse_set_arg("a.=3")
            .unwrap_err()
            .contains("empty key segment"));
        assert!(parse_set_arg("a.\"b=3")
            .unwrap_err()
            .contains("unclosed quote"));
        assert!(parse_set_arg("").is_err());
    }
}
