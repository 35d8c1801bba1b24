//! Pipelines around the warehouse (`[[pipeline]]`): what they cost outside Redshift, and
//! the warehouse work they induce (which the engine simulates on Serverless).
//!
//! - `lambda-extract`: a Lambda function pages a table out by a cursor column with
//!   `LIMIT`; each synchronous invocation returns one page, at most 6 MB. Pages per sync =
//!   ⌈rows / rows per page⌉, invocations run one after another.
//! - `sagemaker-processing`: UNLOAD to S3 (warehouse compute), S3 storage of the unloaded
//!   data, Processing (and optionally training) instance-hours.
//! - `data-api`: statements polled through the Data API; no charge of their own.

pub mod lambda;
pub mod sagemaker;

pub use lambda::{lambda_figures, lambda_jobs, lambda_lines};
pub use sagemaker::{instance_hours, sagemaker_line, unload_jobs, unload_storage_line};

use super::figures::{need, Deployment, EstimateError, Parts, PipelineFigures};
use super::notes::{Note, PipelineWork};
use crate::scenario::{PipelineKind, Scenario};
use crate::units::Seconds;

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

/// Every `[[pipeline]]`'s lines, figures and notes.
pub fn add_pipelines(
    scenario: &Scenario,
    sheet: &crate::prices::PriceSheet,
    deployment: Option<Deployment>,
    out: &mut Parts,
) -> Result<(), EstimateError> {
    let prices = &sheet.prices;
    let months = scenario.period.months();
    for p in &scenario.pipelines {
        match &p.kind {
            PipelineKind::LambdaExtract(l) => {
                let f = lambda_figures(l, l.syncs_per_month * months);
                let request = need(
                    prices.lambda_request,
                    scenario,
                    "Lambda request",
                    "lambda_request",
                )?;
                let gb_second = need(
                    prices.lambda_gb_second.get(l.arch.key()).copied(),
                    scenario,
                    "Lambda GB-second",
                    "lambda_gb_second",
                )?;
                out.lines
                    .extend(lambda_lines(&p.name, &f, l.arch.key(), request, gb_second));
                out.notes.push(Note::LambdaExtract {
                    pipeline: p.name.clone(),
                    rows_per_page: f.rows_per_page,
                    page_mb: f.page_mb,
                    page_over_limit: f.page_over_limit,
                    invocations_per_sync: f.invocations_per_sync,
                    sync_elapsed_s: f.sync_elapsed_s,
                    syncs: f.syncs,
                });
                out.pipelines.push(PipelineFigures {
                    name: p.name.clone(),
                    kind: p.kind.type_name(),
                    runs: f.syncs,
                    lambda: Some(f.into()),
                });
            }
            PipelineKind::SagemakerProcessing(s) => {
                let runs = s.runs_per_month * months;
                for (use_, training) in std::iter::once((&s.processing, false))
                    .chain(s.training.as_ref().map(|t| (t, true)))
                {
                    let price = prices
                        .sagemaker_instance_hour
                        .get(&use_.instance_type)
                        .copied()
                        .ok_or_else(|| EstimateError::MissingInstancePrice {
                            scenario: scenario.name.clone(),
                            region: scenario.region.clone(),
                            instance: use_.instance_type.clone(),
                        })?;
                    out.lines
                        .push(sagemaker_line(&p.name, training, use_, runs, price));
                }
                if s.unload_gb > 0.0 {
                    let price = need(prices.s3_gb_month, scenario, "S3 Standard", "s3_gb_month")?;
                    out.lines
                        .push(unload_storage_line(&p.name, s, months, price));
                }
                out.pipelines.push(PipelineFigures {
                    name: p.name.clone(),
                    kind: p.kind.type_name(),
                    runs,
                    lambda: None,
                });
            }
            PipelineKind::DataApi(a) => {
                out.pipelines.push(PipelineFigures {
                    name: p.name.clone(),
                    kind: p.kind.type_name(),
                    runs: a.per_day,
                    lambda: None,
                });
            }
        }
        if deployment == Some(Deployment::Provisioned) {
            let work = match p.kind {
                PipelineKind::LambdaExtract(_) => PipelineWork::PageQueries,
                PipelineKind::SagemakerProcessing(_) => PipelineWork::Unload,
                PipelineKind::DataApi(_) => PipelineWork::DataApiStatements,
            };
            out.notes.push(Note::PipelineOnCluster {
                pipeline: p.name.clone(),
                work,
            });
        }
        if matches!(p.kind, PipelineKind::DataApi(_)) {
            out.notes.push(Note::DataApiFree {
                pipeline: p.name.clone(),
            });
        }
    }
    Ok(())
}
