//! The JSON shapes of the core's figures. The core's types carry no serde: each document
//! of `report/` is built from them through these structs, so the contract (its keys, their
//! order, their names) is written down here and nowhere else.

use redshift_cost_core::model::figures::{
    Comparison, LambdaSummary, PipelineFigures, ReservationFigures, Side,
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
