//! The JSON contract (`schema_version` 1): pretty-printed, numbers unrounded.

use super::Report;

pub(super) fn render(report: &Report) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(report).expect("a report always serializes");
    out.push(b'\n');
    out
}

/// Any document of the contract, pretty-printed with a final newline.
pub(super) fn to_bytes<T: serde::Serialize>(document: &T) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(document).expect("a report always serializes");
    out.push(b'\n');
    out
}
