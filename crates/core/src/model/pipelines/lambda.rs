//! `lambda-extract`: a Lambda function pages a table out by a cursor column with
//! `LIMIT`; each synchronous invocation returns one page, at most 6 MB. Pages per sync =
//! ⌈rows / rows per page⌉, invocations run one after another.

use super::spread;
use crate::engine::{ClassId, WorkJob};
use crate::model::costs::{ComponentKind, CostLine, GB_SECOND, REQUEST};
use crate::model::figures::LambdaFigures;
use crate::prices::{Price, PriceKey};
use crate::scenario::{LambdaExtract, LAMBDA_PAYLOAD_BYTES};
use crate::units::{Rpu, Seconds};

/// Works out pages, invocations and GB-seconds of `l` for `syncs` syncs.
pub fn lambda_figures(l: &LambdaExtract, syncs: f64) -> LambdaFigures {
    let bytes_per_row = l.bytes_per_row();
    let rows_per_page = l.rows_per_page();
    let page_bytes = rows_per_page * bytes_per_row;
    let invocations_per_sync = l.invocations_per_sync();
    let invocations = invocations_per_sync * syncs;
    LambdaFigures {
        bytes_per_row,
        rows_per_page,
        page_mb: page_bytes / (1024.0 * 1024.0),
        page_over_limit: page_bytes > LAMBDA_PAYLOAD_BYTES,
        invocations_per_sync,
        syncs,
        invocations,
        gb_seconds: invocations * l.memory_mb / 1024.0 * l.invocation_duration,
        sync_elapsed_s: invocations_per_sync * l.invocation_duration,
    }
}

/// Lambda requests and duration lines.
pub fn lambda_lines(
    name: &str,
    f: &LambdaFigures,
    arch: &str,
    request: Price,
    gb_second: Price,
) -> Vec<CostLine> {
    vec![
        CostLine::new(
            format!("{name}: Lambda requests"),
            ComponentKind::LambdaRequests,
            f.invocations,
            REQUEST,
            PriceKey::LambdaRequest,
            request,
        ),
        CostLine::new(
            format!("{name}: Lambda duration ({arch})"),
            ComponentKind::LambdaDuration,
            f.gb_seconds,
            GB_SECOND,
            PriceKey::LambdaGbSecond(arch.to_string()),
            gb_second,
        ),
    ]
}

/// The page queries of `syncs` syncs spread over the period: each sync runs its
/// invocations back to back, each running one page query.
pub fn lambda_jobs(
    l: &LambdaExtract,
    f: &LambdaFigures,
    horizon: Seconds,
    rpu: Rpu,
    class: ClassId,
) -> Vec<WorkJob> {
    let pages = f.invocations_per_sync as u64;
    let mut out = Vec::new();
    for start in spread(f.syncs, horizon) {
        for j in 0..pages {
            out.push(WorkJob {
                arrival: start + j as f64 * l.invocation_duration,
                duration: l.page_query_duration,
                rpu,
                class,
            });
        }
    }
    out
}
