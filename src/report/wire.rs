//! The JSON shapes of the core's figures. The core's types carry no serde: each document
//! of `report/` is built from them through these structs, so the contract (its keys, their
//! order, their names) is written down here and nowhere else.

use redshift_cost_core::engine::ClassFigures;
use redshift_cost_core::model::figures::{
    Comparison, LambdaSummary, PipelineFigures, ReservationFigures, ServerlessFigures, Side,
};
use redshift_cost_core::units::Rpu;
use serde::Serialize;

/// One side of a Serverless-vs-provisioned comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SideJson {
    pub configuration: String,
    pub total_usd: f64,
    pub compute_usd: f64,
    pub other_usd: f64,
}

impl From<&Side> for SideJson {
    fn from(s: &Side) -> SideJson {
        SideJson {
            configuration: s.configuration.clone(),
            total_usd: s.total_usd,
            compute_usd: s.compute_usd,
            other_usd: s.other_usd,
        }
    }
}

/// A scenario's Serverless-vs-provisioned comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonJson {
    pub name: String,
    pub region: String,
    pub period_hours: f64,
    pub serverless: SideJson,
    pub provisioned: SideJson,
    pub serverless_busy_hours_per_day: f64,
    pub serverless_average_rpu: f64,
    pub serverless_usd_per_busy_hour: f64,
    pub break_even_busy_hours_per_day: Option<f64>,
    /// `serverless` or `provisioned`.
    pub cheaper: &'static str,
    pub saving_usd: f64,
}

impl From<&Comparison> for ComparisonJson {
    fn from(c: &Comparison) -> ComparisonJson {
        ComparisonJson {
            name: c.name.clone(),
            region: c.region.clone(),
            period_hours: c.period_hours,
            serverless: (&c.serverless).into(),
            provisioned: (&c.provisioned).into(),
            serverless_busy_hours_per_day: c.serverless_busy_hours_per_day,
            serverless_average_rpu: c.serverless_average_rpu,
            serverless_usd_per_busy_hour: c.serverless_usd_per_busy_hour,
            break_even_busy_hours_per_day: c.break_even_busy_hours_per_day,
            cheaper: c.cheaper,
            saving_usd: c.saving_usd,
        }
    }
}

/// A Serverless reservation and the suggested commitment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReservationJson {
    pub reserved_rpu: Option<Rpu>,
    pub term: &'static str,
    pub discount: f64,
    pub covered_rpu_seconds: f64,
    pub on_demand_rpu_seconds: f64,
    pub on_demand_compute_usd: f64,
    pub compute_usd: f64,
    pub suggested_reserved_rpu: Rpu,
    pub suggested_compute_usd: f64,
}

impl From<&ReservationFigures> for ReservationJson {
    fn from(r: &ReservationFigures) -> ReservationJson {
        ReservationJson {
            reserved_rpu: r.reserved_rpu,
            term: r.term,
            discount: r.discount,
            covered_rpu_seconds: r.covered_rpu_seconds,
            on_demand_rpu_seconds: r.on_demand_rpu_seconds,
            on_demand_compute_usd: r.on_demand_compute_usd,
            compute_usd: r.compute_usd,
            suggested_reserved_rpu: r.suggested_reserved_rpu,
            suggested_compute_usd: r.suggested_compute_usd,
        }
    }
}

/// A `[[pipeline]]`'s figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PipelineJson {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub runs: f64,
    pub lambda: Option<LambdaJson>,
}

/// A Lambda extract's figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LambdaJson {
    pub rows_per_page: f64,
    pub page_mb: f64,
    pub page_over_limit: bool,
    pub invocations_per_sync: f64,
    pub invocations: f64,
    pub gb_seconds: f64,
    pub sync_elapsed_s: f64,
}

impl From<&LambdaSummary> for LambdaJson {
    fn from(l: &LambdaSummary) -> LambdaJson {
        LambdaJson {
            rows_per_page: l.rows_per_page,
            page_mb: l.page_mb,
            page_over_limit: l.page_over_limit,
            invocations_per_sync: l.invocations_per_sync,
            invocations: l.invocations,
            gb_seconds: l.gb_seconds,
            sync_elapsed_s: l.sync_elapsed_s,
        }
    }
}

impl From<&PipelineFigures> for PipelineJson {
    fn from(p: &PipelineFigures) -> PipelineJson {
        PipelineJson {
            name: p.name.clone(),
            kind: p.kind,
            runs: p.runs,
            lambda: p.lambda.as_ref().map(LambdaJson::from),
        }
    }
}

/// One class of a Serverless run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClassJson {
    pub rpu_seconds: f64,
    pub jobs: usize,
    pub latency_p50_s: f64,
    pub latency_p95_s: f64,
    pub latency_max_s: f64,
    pub rejected: usize,
    /// `Σ duration × RPU` of the class's admitted work: what it asks for, before busy
    /// periods are merged and shared (`diff` marks a line that moved while this did not).
    pub demand_rpu_seconds: f64,
}

impl ClassJson {
    pub fn new(c: &ClassFigures, rpu_seconds: f64) -> ClassJson {
        ClassJson {
            rpu_seconds,
            jobs: c.jobs,
            latency_p50_s: c.latency_p50_s,
            latency_p95_s: c.latency_p95_s,
            latency_max_s: c.latency_max_s,
            rejected: c.rejected,
            demand_rpu_seconds: c.demand_rpu_seconds,
        }
    }
}

/// A usage limit and what it did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageLimitJson {
    pub rpu_hours: f64,
    /// `daily`, `weekly` or `monthly`.
    pub period: &'static str,
    /// `log`, `emit-metric` or `deactivate`.
    pub action: &'static str,
    /// Limit periods in which it tripped.
    pub periods_tripped: usize,
    /// Its first trip, seconds from the period start.
    pub first_trip_s: Option<f64>,
}

impl UsageLimitJson {
    pub fn of(s: &ServerlessFigures) -> Vec<UsageLimitJson> {
        s.usage_limits
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let trips: Vec<f64> = s
                    .sim
                    .usage_limit_trips
                    .iter()
                    .filter(|t| t.limit == i)
                    .map(|t| t.trip_s)
                    .collect();
                UsageLimitJson {
                    rpu_hours: l.rpu_hours,
                    period: l.period.name(),
                    action: l.action.name(),
                    periods_tripped: trips.len(),
                    first_trip_s: trips.iter().copied().reduce(f64::min),
                }
            })
            .collect()
    }
}

/// One usage-limit trip.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LimitTripJson {
    pub limit: usize,
    pub period_start_s: f64,
    pub trip_s: f64,
}
