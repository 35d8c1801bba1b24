//! Pipelines around the warehouse (`[[pipeline]]`): what they cost outside Redshift, and
//! the warehouse work they induce (which the engine simulates on Serverless).
//!
//! - `lambda-extract`: a Lambda function pages a table out by a cursor column with
//!   `LIMIT`; each synchronous invocation returns one page, at most 6 MB. Pages per sync =
//!   ⌈rows / rows per page⌉, invocations run one after another.
//! - `sagemaker-processing`: UNLOAD to S3 (warehouse compute), S3 storage of the unloaded
//!   data, Processing (and optionally training) instance-hours.
//! - `data-api`: statements polled through the Data API; no charge of their own.

use super::costs::{ComponentKind, CostLine, GB_MONTH, GB_SECOND, INSTANCE_HOUR, REQUEST};
use super::engine::{ClassId, WorkJob};
use crate::pricing::Price;
use crate::scenario::{InstanceUse, LambdaExtract, SagemakerProcessing};
use crate::units::{Rpu, Seconds};

/// Bytes in a GB (binary).
pub use crate::scenario::BYTES_PER_GB;
/// Lambda's synchronous response payload limit, bytes (6 MB).
pub use crate::scenario::LAMBDA_PAYLOAD_BYTES;

/// The figures of a Lambda extract over a period with `syncs` full syncs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LambdaFigures {
    pub bytes_per_row: f64,
    pub rows_per_page: f64,
    /// Size of a full page, MB.
    pub page_mb: f64,
    /// A page is larger than the 6 MB response limit (those invocations would fail).
    pub page_over_limit: bool,
    pub invocations_per_sync: f64,
    pub syncs: f64,
    pub invocations: f64,
    pub gb_seconds: f64,
    /// Elapsed time of one full sync (invocations one after another), seconds.
    pub sync_elapsed_s: Seconds,
}

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
            request,
        ),
        CostLine::new(
            format!("{name}: Lambda duration ({arch})"),
            ComponentKind::LambdaDuration,
            f.gb_seconds,
            GB_SECOND,
            gb_second,
        ),
    ]
}

/// Instance-hours of `runs` runs of `use_`.
pub fn instance_hours(use_: &InstanceUse, runs: f64) -> f64 {
    runs * f64::from(use_.count) * use_.hours
}

/// A SageMaker Processing or training line.
pub fn sagemaker_line(
    name: &str,
    training: bool,
    use_: &InstanceUse,
    runs: f64,
    price: Price,
) -> CostLine {
    let (what, kind) = if training {
        ("training", ComponentKind::SagemakerTraining)
    } else {
        ("Processing", ComponentKind::SagemakerProcessing)
    };
    CostLine::new(
        format!(
            "{name}: SageMaker {what} {} × {}",
            use_.count, use_.instance_type
        ),
        kind,
        instance_hours(use_, runs),
        INSTANCE_HOUR,
        price,
    )
}

/// S3 storage of the unloaded data: `unload_gb × keep_runs` held over `months`.
pub fn unload_storage_line(
    name: &str,
    s: &SagemakerProcessing,
    months: f64,
    price: Price,
) -> CostLine {
    CostLine::new(
        format!("{name}: S3 storage of unloaded data"),
        ComponentKind::S3Storage,
        s.unload_gb * s.keep_runs * months,
        GB_MONTH,
        price,
    )
}

/// `n` times spread evenly over `[0, horizon)`: the j-th at `(j + 0.5) × horizon / n`
/// (a fractional `n` keeps its rate: 0.5 over a period gives none).
pub fn spread(n: f64, horizon: Seconds) -> Vec<Seconds> {
    if n <= 0.0 || horizon <= 0.0 {
        return Vec::new();
    }
    let spacing = horizon / n;
    let mut out = Vec::new();
    let mut j = 0u64;
    loop {
        let t = (j as f64 + 0.5) * spacing;
        if t >= horizon {
            break;
        }
        out.push(t);
        j += 1;
    }
    out
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

/// One UNLOAD per run, spread over the period.
pub fn unload_jobs(
    s: &SagemakerProcessing,
    runs: f64,
    horizon: Seconds,
    rpu: Rpu,
    class: ClassId,
) -> Vec<WorkJob> {
    spread(runs, horizon)
        .into_iter()
        .map(|arrival| WorkJob {
            arrival,
            duration: s.unload_duration,
            rpu,
            class,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::bundled::bundled;
    use crate::scenario::LambdaArch;
    use approx::assert_relative_eq;
    use proptest::prelude::*;

    fn extract(rows: f64, table_gb: f64, page_rows: Option<f64>) -> LambdaExtract {
        LambdaExtract {
            rows,
            table_gb,
            page_rows,
            syncs_per_month: 30.0,
            memory_mb: 1024.0,
            invocation_duration: 2.0,
            page_query_duration: 1.5,
            rpu: None,
            arch: LambdaArch::X86,
        }
    }

    #[test]
    fn rows_per_page_from_the_6_mb_limit() {
        // 1,000,000 rows of 1 KiB: 6 MiB / 1 KiB = 6,144 rows a page, ⌈1e6 / 6144⌉ = 163
        // invocations a sync.
        let l = extract(1_000_000.0, 1_000_000.0 * 1024.0 / BYTES_PER_GB, None);
        let f = lambda_figures(&l, 30.0);
        assert_relative_eq!(f.bytes_per_row, 1024.0, epsilon = 1e-9);
        assert_eq!(f.rows_per_page, 6144.0);
        assert_eq!(f.invocations_per_sync, 163.0);
        assert!(!f.page_over_limit);
        assert_relative_eq!(f.page_mb, 6.0);
        // 30 syncs: 4,890 invocations × 1 GB × 2 s = 9,780 GB-seconds; 326 s a sync.
        assert_eq!(f.invocations, 4890.0);
        assert_relative_eq!(f.gb_seconds, 9780.0);
        assert_relative_eq!(f.sync_elapsed_s, 326.0);
        let p = bundled().region("us-east-1").unwrap();
        let lines = lambda_lines(
            "orders",
            &f,
            "x86",
            p.lambda_request.unwrap(),
            p.lambda_gb_second["x86"],
        );
        // 4,890 × 0.20 / 1M = 0.000978; 9,780 × 0.0000166667 = 0.163000326, billed to
        // the micro-dollar.
        assert_eq!(lines[0].cost.usd(), 0.000978);
        assert_eq!(lines[1].cost.usd(), 0.163_000);
    }

    #[test]
    fn a_page_over_6_mb_is_flagged() {
        let l = extract(
            1_000_000.0,
            1_000_000.0 * 1024.0 / BYTES_PER_GB,
            Some(10_000.0),
        );
        let f = lambda_figures(&l, 1.0);
        assert!(f.page_over_limit);
        assert_relative_eq!(f.page_mb, 10_000.0 / 1024.0, epsilon = 1e-9);
        assert_eq!(f.invocations_per_sync, 100.0);
    }

    #[test]
    fn page_queries_run_back_to_back_in_each_sync() {
        let l = extract(1_000_000.0, 1_000_000.0 * 1024.0 / BYTES_PER_GB, None);
        let f = lambda_figures(&l, 2.0);
        let jobs = lambda_jobs(&l, &f, 1000.0, 8.0, 0);
        assert_eq!(jobs.len(), 326);
        assert_relative_eq!(jobs[0].arrival, 250.0);
        assert_relative_eq!(jobs[1].arrival, 252.0);
        assert_relative_eq!(jobs[163].arrival, 750.0);
        assert!(jobs.iter().all(|j| j.duration == 1.5 && j.rpu == 8.0));
        assert_eq!(spread(0.5, 100.0), Vec::<f64>::new());
        assert_eq!(spread(2.0, 100.0), vec![25.0, 75.0]);
    }

    #[test]
    fn sagemaker_instance_hours() {
        let u = InstanceUse {
            instance_type: "ml.m5.xlarge".into(),
            count: 2,
            hours: 0.5,
        };
        let p = bundled()
            .region("us-east-1")
            .unwrap()
            .sagemaker_instance_hour["ml.m5.xlarge"];
        // 30 runs × 2 instances × 0.5 h = 30 instance-hours × 0.23 = 6.90 USD.
        let l = sagemaker_line("features", false, &u, 30.0, p);
        assert_relative_eq!(l.quantity, 30.0);
        assert_relative_eq!(l.cost.usd(), 6.9, epsilon = 1e-9);
        assert_eq!(
            l.component,
            "features: SageMaker Processing 2 × ml.m5.xlarge"
        );
        assert_eq!(
            l.price_source().to_string(),
            "bundled 2025-03-19 (unverified)"
        );
    }

    proptest! {
        #[test]
        fn pages_cover_the_table_within_the_limit(rows in 1.0..1e9f64, gb in 0.0..500.0f64, syncs in 0.0..100.0f64) {
            let l = extract(rows.floor().max(1.0), gb, None);
            prop_assume!(l.table_gb * BYTES_PER_GB / l.rows <= LAMBDA_PAYLOAD_BYTES);
            let f = lambda_figures(&l, syncs);
            prop_assert!(f.rows_per_page * f.invocations_per_sync >= l.rows);
            prop_assert!(!f.page_over_limit);
            // A bigger table never needs fewer invocations.
            let g = lambda_figures(&extract(l.rows, gb * 1.5, None), syncs);
            prop_assert!(g.invocations_per_sync >= f.invocations_per_sync);
        }
    }
}
