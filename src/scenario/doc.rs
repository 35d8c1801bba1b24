//! The scenario document as an owned tree whose every key and value remembers where it
//! came from (a span of the file, or a `--set` argument), and `--set` application.

use super::diag::{closest, list_code, show, Diagnostic, Location};
use super::set::SetArg;
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Deeper nesting than this is rejected (nothing in a scenario nests more than 3 deep).
const MAX_DEPTH: usize = 32;

/// Where a key or value came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Origin {
    /// A byte span of the scenario file.
    File(Range<usize>),
    /// The `--set` argument with this index.
    Set(usize),
    /// The document itself (the top-level table has no span).
    Root,
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub origin: Origin,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub(crate) enum Value {
    Str(String),
    /// TOML integers are i64; anything larger saturates (and fails range checks).
    Int(i128),
    Float(f64),
    Bool(bool),
    Datetime(toml::value::Datetime),
    Array(Vec<Node>),
    Table(Table),
}

impl Value {
    /// "a string", "an integer", ... for "found ..." messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a boolean",
            Value::Datetime(_) => "a date-time",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub key: String,
    pub key_origin: Origin,
    pub node: Node,
}

impl Table {
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.node)
    }

    pub(crate) fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    fn entry_mut(&mut self, key: &str) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.key == key)
    }

    /// Sets `key` to `node`, keeping the key's original position if it exists.
    fn set(&mut self, key: &str, node: Node) {
        match self.entry_mut(key) {
            Some(e) => e.node = node,
            None => self.entries.push(Entry {
                key: key.to_string(),
                key_origin: node.origin.clone(),
                node,
            }),
        }
    }
}

/// Why a parsed TOML value cannot become a [`Node`], and where.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum DocError {
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep(Range<usize>),
    /// An integer that is not one: no digits (`0x`), or outside 64 bits.
    Integer(Range<usize>, String),
    /// A float that does not parse.
    Float(Range<usize>, String),
}

impl DocError {
    pub(super) fn span(&self) -> Range<usize> {
        match self {
            DocError::TooDeep(s) | DocError::Integer(s, _) | DocError::Float(s, _) => s.clone(),
        }
    }

    pub(super) fn message(&self) -> String {
        match self {
            DocError::TooDeep(_) => {
                format!("tables or arrays are nested too deeply (more than {MAX_DEPTH} levels)")
            }
            DocError::Integer(_, why) | DocError::Float(_, why) => why.clone(),
        }
    }
}

/// Converts a parsed TOML value.
pub(super) fn from_de(
    v: &Spanned<DeValue<'_>>,
    origin: &dyn Fn(Range<usize>) -> Origin,
    depth: usize,
) -> Result<Node, DocError> {
    let span = v.span();
    if depth > MAX_DEPTH {
        return Err(DocError::TooDeep(span));
    }
    let value = match v.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => Value::Int(
            parse_int(i.as_str(), i.radix()).map_err(|why| DocError::Integer(span.clone(), why))?,
        ),
        DeValue::Float(f) => {
            Value::Float(parse_float(f.as_str()).map_err(|why| DocError::Float(span.clone(), why))?)
        }
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(*d),
        DeValue::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| from_de(item, origin, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(t) => Value::Table(table_from_de(t, origin, depth + 1)?),
    };
    Ok(Node {
        origin: origin(span),
        value,
    })
}

pub(super) fn table_from_de(
    t: &DeTable<'_>,
    origin: &dyn Fn(Range<usize>) -> Origin,
    depth: usize,
) -> Result<Table, DocError> {
    let mut entries = Vec::with_capacity(t.len());
    for (k, v) in t {
        entries.push(Entry {
            key: k.get_ref().to_string(),
            key_origin: origin(k.span()),
            node: from_de(v, origin, depth)?,
        });
    }
    Ok(Table { entries })
}

/// A TOML integer: 64 bits, with digits (TOML's own limit; `0x` alone is no number).
fn parse_int(digits: &str, radix: u32) -> Result<i128, String> {
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    let body = clean.trim_start_matches(['+', '-']);
    let prefix = match radix {
        16 => "0x",
        8 => "0o",
        2 => "0b",
        _ => "",
    };
    if body.is_empty() || body.trim_start_matches(prefix).is_empty() {
        return Err(format!(
            "`{prefix}` is not a number: it needs digits after it (e.g. {prefix}1F)",
            prefix = if prefix.is_empty() { digits } else { prefix }
        ));
    }
    let body = body.strip_prefix(prefix).unwrap_or(body);
    let signed = if clean.starts_with('-') {
        format!("-{body}")
    } else {
        body.to_string()
    };
    match i64::from_str_radix(&signed, radix) {
        Ok(i) => Ok(i128::from(i)),
        Err(_) => Err(format!(
            "the integer {digits} does not fit in 64 bits (TOML integers are from {} to {})",
            i64::MIN,
            i64::MAX
        )),
    }
}

fn parse_float(text: &str) -> Result<f64, String> {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    match clean.as_str() {
        "inf" | "+inf" => Ok(f64::INFINITY),
        "-inf" => Ok(f64::NEG_INFINITY),
        "nan" | "+nan" | "-nan" => Ok(f64::NAN),
        other => other
            .parse()
            .map_err(|_| format!("`{text}` is not a number")),
    }
}

/// The value of a `--set`: a TOML value if the text is one, else the text as a string.
fn set_value(set: &SetArg, index: usize) -> Node {
    let origin = |_: Range<usize>| Origin::Set(index);
    if let Ok(v) = DeValue::parse(&set.value) {
        if let Ok(node) = from_de(&v, &origin, 1) {
            return node;
        }
    }
    Node {
        origin: Origin::Set(index),
        value: Value::Str(set.value.clone()),
    }
}

/// Applies `--set` number `index` to the document. Missing tables on the way are
/// created; arrays of tables (`workload`) are addressed by `name` or 0-based index.
// A set fails at most once per argument: the error's size does not matter.
#[allow(clippy::result_large_err)]
pub(super) fn apply_set(root: &mut Table, set: &SetArg, index: usize) -> Result<(), Diagnostic> {
    let err = |msg: String| {
        Diagnostic::new(
            msg,
            Some(Location::Set {
                arg: set.raw.clone(),
            }),
        )
    };
    let value = set_value(set, index);
    let path = &set.path;
    let Some((last, parents)) = path.split_last() else {
        return Err(err("the key path is empty".to_string()));
    };
    let mut table = root;
    let mut i = 0;
    while i < parents.len() {
        let Some(seg) = parents.get(i) else { break };
        let at_root = i == 0;
        let shown_path = show(&path[..=i].join("."));
        if table.get(seg).is_none() {
            if seg == "workload" {
                return Err(err("the scenario has no [[workload]]; `--set` can change workloads but not add them".to_string()));
            }
            table.set(
                seg,
                Node {
                    origin: Origin::Set(index),
                    value: Value::Table(Table::default()),
                },
            );
        }
        let Some(entry) = table.entry_mut(seg) else {
            return Err(err(format!("cannot set `{shown_path}`")));
        };
        // `period = "30d"` becomes `[period] length = "30d"` when a set addresses `period.start`.
        if at_root && seg == "period" && !matches!(entry.node.value, Value::Table(_)) {
            let old = entry.node.clone();
            entry.node = Node {
                origin: old.origin.clone(),
                value: Value::Table(Table {
                    entries: vec![Entry {
                        key: "length".to_string(),
                        key_origin: old.origin.clone(),
                        node: old,
                    }],
                }),
            };
        }
        match &mut entry.node.value {
            Value::Table(t) => {
                table = t;
                i += 1;
            }
            Value::Array(items) => {
                let what = if seg == "workload" {
                    "workload"
                } else {
                    seg.as_str()
                };
                let Some(selector) = path.get(i + 1) else {
                    return Err(err(format!("cannot set `{shown_path}`")));
                };
                if i + 2 >= path.len() {
                    return Err(err(format!(
                        "`--set` must name a key inside the {what}, e.g. `{}.{}.rpu=16`",
                        show(seg),
                        show(selector)
                    )));
                }
                let names: Vec<String> = items
                    .iter()
                    .enumerate()
                    .map(|(n, item)| match &item.value {
                        Value::Table(t) => match t.get("name").map(|n| &n.value) {
                            Some(Value::Str(s)) => s.clone(),
                            _ => format!("#{n}"),
                        },
                        _ => format!("#{n}"),
                    })
                    .collect();
                let position = match selector.parse::<usize>() {
                    Ok(n) if n < items.len() => n,
                    Ok(n) => {
                        return Err(err(format!(
                            "there is no {what} {n}: the scenario has {} (indexes 0 to {})",
                            items.len(),
                            items.len().saturating_sub(1)
                        ))
                        .help(format!("the {what}s are {}", name_list(&names))));
                    }
                    Err(_) => {
                        if let Some(p) = names.iter().position(|n| n == selector) {
                            p
                        } else {
                            let mut d = err(format!("no {what} named `{}`", show(selector)));
                            let close = closest(selector, names.iter().map(String::as_str), 1);
                            if let Some(c) = close.first() {
                                d = d.help(format!("did you mean `{}`?", show(c)));
                            }
                            return Err(d.help(format!(
                                "the {what}s are {} (or use a 0-based index)",
                                name_list(&names)
                            )));
                        }
                    }
                };
                match items.get_mut(position).map(|n| &mut n.value) {
                    Some(Value::Table(t)) => {
                        table = t;
                        i += 2;
                    }
                    _ => {
                        return Err(err(format!(
                            "cannot set `{shown_path}.{}`: that {what} is not a table",
                            show(selector)
                        )))
                    }
                }
            }
            other => {
                return Err(err(format!(
                    "cannot set `{}`: `{shown_path}` is {}, not a table",
                    show(&path.join(".")),
                    other.type_name()
                )));
            }
        }
    }
    table.set(last, value);
    Ok(())
}

fn name_list(names: &[String]) -> String {
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    if refs.is_empty() {
        "none".to_string()
    } else {
        list_code(&refs)
    }
}
