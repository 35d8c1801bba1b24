//! `sagemaker-processing`: UNLOAD to S3 (warehouse compute), S3 storage of the unloaded
//! data, Processing (and optionally training) instance-hours.

use super::spread;
use crate::engine::{ClassId, WorkJob};
use crate::model::costs::{ComponentKind, CostLine, GB_MONTH, INSTANCE_HOUR};
use crate::prices::{Price, PriceKey};
use crate::scenario::{InstanceUse, SagemakerProcessing};
use crate::units::{Rpu, Seconds};

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
        PriceKey::SagemakerInstanceHour(use_.instance_type.clone()),
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
        PriceKey::S3GbMonth,
        price,
    )
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
