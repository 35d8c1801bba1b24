//! The rest of the cost surface around the Serverless simulation: which deployment a
//! scenario is estimated as, and the lines of provisioned clusters, Serverless
//! reservations, Spectrum, snapshots, data sharing, Redshift ML and pipelines.

use super::backups::{
    automated_gb, backup_lines, billed_backup_gb, copy_transfer_line, free_backup_gb,
};
use super::costs::{compute_line, ComponentKind, CostLine, RPU_HOUR};
use super::engine::{rpu_seconds_above, simulate, Capacity};
use super::estimate::{EstimateError, ServerlessFigures};
use super::ml::{cells_per_training, staging_line, training_lines};
use super::pipelines::{
    lambda_figures, lambda_lines, sagemaker_line, unload_storage_line, LambdaFigures,
};
use super::provisioned::{provisioned_lines, ProvisionedFigures};
use super::reservations::{best_reservation, compute_cost};
use super::scans::{athena_line, data_sharing_line, spectrum_line, Scans};
use super::workload::plan;
use crate::pricing::bundled::bundled;
use crate::pricing::{Price, PriceSource, RegionPrices, ReservedDiscounts, Tier};
use crate::scenario::{PipelineKind, ReservedTerm, Scenario};
use crate::units::{Money, Rpu, RpuSeconds, HOURS_PER_DAY, SECONDS_PER_HOUR};
use serde::Serialize;

/// Which warehouse a scenario is estimated on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Deployment {
    Serverless,
    Provisioned,
}

impl Deployment {
    pub fn label(self) -> &'static str {
        match self {
            Deployment::Serverless => "Serverless",
            Deployment::Provisioned => "provisioned",
        }
    }
}

/// The deployments a scenario is estimated as: each of `[serverless]` and
/// `[provisioned]` it has (both: two alternatives), or none (storage only).
pub fn deployments(scenario: &Scenario) -> Vec<Option<Deployment>> {
    let mut out = Vec::new();
    if scenario.serverless.is_some() {
        out.push(Some(Deployment::Serverless));
    }
    if scenario.provisioned.is_some() {
        out.push(Some(Deployment::Provisioned));
    }
    if out.is_empty() {
        out.push(None);
    }
    out
}

/// Looks up another region's prices (overrides applied) by region code.
pub type RegionLookup<'a> = Box<dyn Fn(&str) -> Option<RegionPrices> + 'a>;

/// What an estimate needs besides the region's prices.
pub struct Context<'a> {
    /// Reserved-node discounts (fractions off on demand) by term key.
    pub node_reserved: &'a ReservedDiscounts,
    /// Serverless-reservation discounts by term key.
    pub serverless_reserved: &'a ReservedDiscounts,
    /// The prices of another region (the snapshot copy region), if known.
    pub other_region: RegionLookup<'a>,
}

impl Context<'static> {
    /// The bundled price book's discounts and regions.
    pub fn bundled() -> Context<'static> {
        let book = bundled();
        Context {
            node_reserved: &book.node_reserved,
            serverless_reserved: &book.serverless_reserved,
            other_region: Box::new(|code| book.region(code).cloned()),
        }
    }
}

/// A Serverless reservation, as simulated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReservationFigures {
    /// `[serverless] reserved_rpu`, if any.
    pub reserved_rpu: Option<Rpu>,
    /// The term used for the reservation (or the suggestion).
    pub term: &'static str,
    /// Fraction off the on-demand rate.
    pub discount: f64,
    /// RPU-seconds the reservation covers.
    pub covered_rpu_seconds: f64,
    /// RPU-seconds billed on demand above the reservation.
    pub on_demand_rpu_seconds: f64,
    /// Compute cost without any reservation.
    pub on_demand_compute_usd: f64,
    /// Compute cost with `reserved_rpu` (the on-demand cost when there is none).
    pub compute_usd: f64,
    /// The reservation (a multiple of 8 RPU) that minimises the period's compute cost.
    pub suggested_reserved_rpu: Rpu,
    pub suggested_compute_usd: f64,
}

/// A pipeline's figures for the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PipelineFigures {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Runs (syncs, jobs) in the period; statements a day for `data-api`.
    pub runs: f64,
    /// `lambda-extract` only.
    pub lambda: Option<LambdaReport>,
}

/// The Lambda figures, serialised.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LambdaReport {
    pub rows_per_page: f64,
    pub page_mb: f64,
    pub page_over_limit: bool,
    pub invocations_per_sync: f64,
    pub invocations: f64,
    pub gb_seconds: f64,
    pub sync_elapsed_s: f64,
}

impl From<LambdaFigures> for LambdaReport {
    fn from(f: LambdaFigures) -> LambdaReport {
        LambdaReport {
            rows_per_page: f.rows_per_page,
            page_mb: f.page_mb,
            page_over_limit: f.page_over_limit,
            invocations_per_sync: f.invocations_per_sync,
            invocations: f.invocations,
            gb_seconds: f.gb_seconds,
            sync_elapsed_s: f.sync_elapsed_s,
        }
    }
}

/// Everything the surface adds to an estimate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SurfaceParts {
    pub lines: Vec<CostLine>,
    /// Lines shown for comparison, not in the total (Athena).
    pub comparisons: Vec<CostLine>,
    /// Sentences saying how something was modelled.
    pub notes: Vec<String>,
    pub provisioned: Option<ProvisionedFigures>,
    pub reservation: Option<ReservationFigures>,
    pub pipelines: Vec<PipelineFigures>,
}

struct Need<'a> {
    scenario: &'a Scenario,
}

impl Need<'_> {
    fn price(
        &self,
        p: Option<Price>,
        what: &'static str,
        key: &'static str,
    ) -> Result<Price, EstimateError> {
        p.ok_or_else(|| {
            EstimateError::missing_price(self.scenario, &self.scenario.region, what, key)
        })
    }
}

/// Serverless compute kinds (what a reservation covers).
pub fn is_serverless_compute(kind: ComponentKind) -> bool {
    matches!(
        kind,
        ComponentKind::ServerlessCompute
            | ComponentKind::ZeroEtlSync
            | ComponentKind::SpectrumCompute
            | ComponentKind::PipelineCompute
    )
}

/// Applies a Serverless reservation to the compute lines (the reservation, then one
/// on-demand line for the capacity above it) and works out the suggested commitment.
pub fn apply_reservation(
    scenario: &Scenario,
    sv: &ServerlessFigures,
    rpu_hour: Price,
    ctx: &Context<'_>,
    prices: &RegionPrices,
    lines: &mut Vec<CostLine>,
) -> Option<ReservationFigures> {
    let profile = &sv.sim.capacity_profile;
    let hours = scenario.period.hours;
    let term = scenario
        .serverless_reservation
        .map_or(ReservedTerm::OneYearNoUpfront, |r| r.term);
    let discount = prices
        .reserved
        .iter()
        .find(|r| r.product == "serverless" && r.term == term.key())
        .and_then(|r| r.discount(rpu_hour.usd))
        .filter(|d| d.is_finite() && (0.0..1.0).contains(d))
        .or_else(|| ctx.serverless_reserved.by_term.get(term.key()).copied())?;
    let on_demand = compute_cost(profile, hours, rpu_hour.usd, discount, 0.0);
    let (suggested, suggested_cost) = best_reservation(profile, hours, rpu_hour.usd, discount);
    let billed = sv.sim.billed_rpu_seconds.0;
    let reserved = scenario.serverless_reservation.map(|r| r.rpu);
    let above = rpu_seconds_above(profile, reserved.unwrap_or(0.0));
    if let Some(r) = reserved {
        // The engine splits the bill by class, not the part above a threshold: with a
        // reservation, compute is the reservation plus one on-demand line above it.
        let pos = lines
            .iter()
            .position(|l| is_serverless_compute(l.kind))
            .unwrap_or(lines.len());
        lines.retain(|l| !is_serverless_compute(l.kind));
        lines.insert(
            pos,
            CostLine::new(
                format!("serverless reservation: {r} RPU ({})", term.label()),
                ComponentKind::ServerlessReservation,
                r * hours,
                RPU_HOUR,
                Price {
                    usd: crate::units::round_price(rpu_hour.usd * (1.0 - discount)),
                    source: rpu_hour.source,
                },
            ),
        );
        lines.insert(
            pos + 1,
            compute_line(
                "compute above the reservation (on demand)".into(),
                ComponentKind::ServerlessCompute,
                RpuSeconds(above),
                rpu_hour,
            ),
        );
    }
    Some(ReservationFigures {
        reserved_rpu: reserved,
        term: term.key(),
        discount,
        covered_rpu_seconds: billed - above,
        on_demand_rpu_seconds: above,
        on_demand_compute_usd: Money::from_usd(on_demand).usd(),
        compute_usd: Money::from_usd(compute_cost(
            profile,
            hours,
            rpu_hour.usd,
            discount,
            reserved.unwrap_or(0.0),
        ))
        .usd(),
        suggested_reserved_rpu: suggested,
        suggested_compute_usd: Money::from_usd(suggested_cost).usd(),
    })
}

/// The lines and figures of everything but the Serverless simulation and managed storage.
pub fn surface(
    scenario: &Scenario,
    prices: &RegionPrices,
    ctx: &Context<'_>,
    deployment: Option<Deployment>,
) -> Result<SurfaceParts, EstimateError> {
    let need = Need { scenario };
    let mut out = SurfaceParts::default();
    let months = scenario.period.months();
    let days = scenario.period.hours / HOURS_PER_DAY;

    // Provisioned compute and concurrency scaling.
    if let (Some(Deployment::Provisioned), Some(p)) = (deployment, &scenario.provisioned) {
        let (lines, mut figures) = provisioned_lines(
            p,
            &scenario.period,
            prices,
            ctx.node_reserved,
            scenario.storage.managed_gb,
        )
        .map_err(|(what, key)| {
            EstimateError::missing_price(scenario, &scenario.region, what, key)
        })?;
        out.lines.extend(lines);
        figures.workload_busy_hours_per_day = busy_hours_per_day(scenario);
        if let Some(busy) = figures.workload_busy_hours_per_day {
            if busy > p.hours_per_day + 1e-9 {
                out.notes.push(format!(
                    "The workloads keep the warehouse busy {busy:.1} h a day on average, more than the {} h a day the cluster runs.",
                    p.hours_per_day
                ));
            }
        }
        if !p.node_type.is_ra3() {
            out.notes.push(format!(
                "{} stores data on local SSDs included in the node price: no managed-storage line.",
                p.node_type.name()
            ));
        }
        if scenario.zero_etl.is_some() {
            out.notes.push(
                "Zero-ETL refreshes run on the cluster's own capacity: no line of their own."
                    .into(),
            );
        }
        if p.reservation.is_some() && !p.always_on() {
            out.notes.push(
                "Reserved nodes are billed for every hour of the term: pausing saves nothing."
                    .into(),
            );
        }
        out.provisioned = Some(figures);
    }

    // Spectrum.
    if let Some(sp) = &scenario.spectrum {
        let scans = Scans::per_day(sp.queries_per_day, sp.tb_per_day, scenario.period.hours);
        match deployment {
            Some(Deployment::Provisioned) => {
                let price = need.price(prices.spectrum_tb, "Spectrum per-TB", "spectrum_tb")?;
                out.lines.push(spectrum_line(&scans, price));
            }
            Some(Deployment::Serverless) => {
                let rate = sp.scan_gb_per_second.unwrap_or(0.0);
                out.notes.push(format!(
                    "Spectrum on Serverless has no per-TB charge: its {} scans a day are RPU time, simulated as the class `{}` ({:.1} s each at {} GB/s).",
                    fmt(sp.queries_per_day),
                    super::workload::SPECTRUM_CLASS,
                    if rate > 0.0 && sp.queries_per_day > 0.0 {
                        sp.tb_per_day * crate::units::GB_PER_TB / sp.queries_per_day / rate
                    } else {
                        0.0
                    },
                    fmt(rate)
                ));
            }
            None => {}
        }
        match prices.athena_tb {
            Some(price) if scans.queries > 0.0 => out.comparisons.push(athena_line(&scans, price)),
            Some(_) => {}
            None => out.notes.push(format!(
                "No Athena price for {}: set [prices] athena_tb to see the comparison line.",
                scenario.region
            )),
        }
    }

    // Snapshots: provisioned automated + manual, with the DC2 allowance.
    let snapshots = scenario.snapshots.as_ref();
    let manual_gb = scenario.storage.snapshot_gb;
    if let (Some(Deployment::Provisioned), Some(p)) = (deployment, &scenario.provisioned) {
        let automated = snapshots.map_or(0.0, |s| {
            automated_gb(
                scenario.storage.managed_gb,
                s.daily_change_gb,
                s.automated_retention_days.unwrap_or(1),
            )
        });
        let total = automated + manual_gb;
        let free = free_backup_gb(p.node_type, p.nodes);
        let billed = billed_backup_gb(total, free);
        if total > 0.0 && free > 0.0 {
            out.notes.push(format!(
                "Backups: {} GB of snapshots, {} GB of them free (DC2: up to the cluster's {} GB of storage).",
                fmt(total),
                fmt(total.min(free)),
                fmt(free)
            ));
        }
        if billed > 0.0 {
            if prices.backup_tiers.is_empty() {
                return Err(need
                    .price(None, "backup storage", "backup_gb_month")
                    .unwrap_err());
            }
            for l in backup_lines(
                "snapshot storage",
                billed,
                &prices.backup_tiers,
                ComponentKind::SnapshotStorage,
            ) {
                out.lines.push(l.scaled(months));
            }
        }
    } else if deployment == Some(Deployment::Serverless) && snapshots.is_some() {
        out.notes.push(
            "Serverless recovery points (kept 24 h) are free; user snapshots are [storage] snapshot_gb."
                .into(),
        );
    }

    // Cross-region snapshot copy.
    if let Some(s) = snapshots {
        if let Some(region) = &s.copy_region {
            let transfer_gb = s.daily_change_gb * days;
            let copy_retention = s
                .copy_retention_days
                .or(s.automated_retention_days)
                .unwrap_or(1);
            let copy_gb = match deployment {
                Some(Deployment::Provisioned) => {
                    automated_gb(
                        scenario.storage.managed_gb,
                        s.daily_change_gb,
                        copy_retention,
                    ) + manual_gb
                }
                _ => manual_gb,
            };
            if transfer_gb > 0.0 {
                let price = need.price(
                    prices.inter_region_gb,
                    "inter-region transfer",
                    "inter_region_gb",
                )?;
                out.lines
                    .push(copy_transfer_line(region, transfer_gb, price));
            }
            if copy_gb > 0.0 {
                let tiers = copy_region_tiers(scenario, ctx, region);
                if tiers.is_empty() {
                    return Err(EstimateError::missing_price(
                        scenario,
                        region,
                        "backup storage (snapshot copy region)",
                        "copy_backup_gb_month",
                    ));
                }
                for l in backup_lines(
                    &format!("snapshot copy storage ({region})"),
                    copy_gb,
                    &tiers,
                    ComponentKind::SnapshotCopyStorage,
                ) {
                    out.lines.push(l.scaled(months));
                }
            }
            out.notes.push(format!(
                "Snapshot copy to {region}: each day's changes are transferred; the first full copy ({} GB) is a one-off transfer, not in the period's bill.",
                fmt(scenario.storage.managed_gb.max(manual_gb))
            ));
        }
    }

    // Cross-region data sharing (the consumer pays the transfer).
    if let Some(ds) = &scenario.data_sharing {
        let scans = Scans::per_day(ds.queries_per_day, ds.tb_per_day, scenario.period.hours);
        if scans.queries > 0.0 {
            let price = need.price(
                prices.inter_region_gb,
                "inter-region transfer",
                "inter_region_gb",
            )?;
            out.lines.push(data_sharing_line(
                &scans,
                price,
                ds.producer_region.as_deref(),
            ));
        }
    }

    // Redshift ML.
    if let Some(ml) = &scenario.ml {
        let trainings = ml.trainings_per_month * months;
        if trainings > 0.0 && cells_per_training(ml) > 0.0 {
            if prices.ml_million_cells_tiers.is_empty() {
                return Err(need
                    .price(None, "Redshift ML per-million-cell", "ml_million_cells")
                    .unwrap_err());
            }
            out.lines.extend(training_lines(
                ml,
                trainings,
                &prices.ml_million_cells_tiers,
            ));
        }
        if ml.staging_gb > 0.0 {
            let price = need.price(prices.s3_gb_month, "S3 Standard", "s3_gb_month")?;
            out.lines.push(staging_line(ml.staging_gb * months, price));
        }
        let cells = ml.rows * ml.columns;
        out.notes.push(format!(
            "Redshift ML: {} cells per training{}; inference runs in the warehouse, no line of its own.",
            fmt(cells_per_training(ml)),
            if cells > ml.max_cells {
                format!(" (of {} in the data, sampled down to MAX_CELLS)", fmt(cells))
            } else {
                String::new()
            }
        ));
    }

    // Pipelines.
    for p in &scenario.pipelines {
        match &p.kind {
            PipelineKind::LambdaExtract(l) => {
                let f = lambda_figures(l, l.syncs_per_month * months);
                let request =
                    need.price(prices.lambda_request, "Lambda request", "lambda_request")?;
                let gb_second = need.price(
                    prices.lambda_gb_second.get(l.arch.key()).copied(),
                    "Lambda GB-second",
                    "lambda_gb_second",
                )?;
                out.lines
                    .extend(lambda_lines(&p.name, &f, l.arch.key(), request, gb_second));
                out.notes.push(format!(
                    "{}: {} rows a page ({:.2} MB{}), {} invocations a sync; a full sync takes {} ({} syncs in the period).",
                    p.name,
                    fmt(f.rows_per_page),
                    f.page_mb,
                    if f.page_over_limit {
                        ", above Lambda's 6 MB response limit: those invocations fail"
                    } else {
                        ""
                    },
                    fmt(f.invocations_per_sync),
                    crate::report::format::seconds(f.sync_elapsed_s),
                    fmt(f.syncs)
                ));
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
                    let price = need.price(prices.s3_gb_month, "S3 Standard", "s3_gb_month")?;
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
            let what = match p.kind {
                PipelineKind::LambdaExtract(_) => "page queries",
                PipelineKind::SagemakerProcessing(_) => "UNLOAD",
                PipelineKind::DataApi(_) => "Data API statements",
            };
            out.notes.push(format!(
                "{}: the {what} run on the cluster's own capacity: no warehouse line of their own.",
                p.name
            ));
        }
        if matches!(p.kind, PipelineKind::DataApi(_)) {
            out.notes.push(format!(
                "{}: the Data API has no charge of its own; its statements are warehouse time.",
                p.name
            ));
        }
    }
    Ok(out)
}

/// Backup tiers of the snapshot copy region: the `[prices] copy_backup_gb_month`
/// override, else that region's book prices.
fn copy_region_tiers(scenario: &Scenario, ctx: &Context<'_>, region: &str) -> Vec<Tier> {
    if let Some(usd) = scenario.prices.surface.copy_backup_gb_month {
        return vec![Tier {
            begin: 0.0,
            end: None,
            price: Price {
                usd,
                source: PriceSource::override_(),
            },
        }];
    }
    (ctx.other_region)(region)
        .map(|r| r.backup_tiers)
        .unwrap_or_default()
}

/// Hours a day the scenario's work keeps a warehouse busy (the union of the jobs' run
/// times, never slowed down), averaged over the period; `None` without any work.
pub fn busy_hours_per_day(scenario: &Scenario) -> Option<f64> {
    // Ample capacity: nothing waits, so busy time is the union of the jobs' solo runs.
    let capacity = Capacity {
        base: 1.0,
        max: 1e300,
    };
    let input = plan(scenario, capacity).input;
    if input.is_empty() {
        return None;
    }
    let r = simulate(&input).ok()?;
    Some(r.busy_seconds / SECONDS_PER_HOUR / (scenario.period.hours / HOURS_PER_DAY))
}

/// A number for notes: grouped, at most 2 decimals.
fn fmt(x: f64) -> String {
    let s = crate::report::format::quantity(x);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::estimate::{estimate, estimate_in, ScenarioEstimate};
    use crate::pricing::apply_overrides;
    use crate::scenario::parse_scenario;
    use approx::assert_relative_eq;
    use std::path::Path;

    fn scenario(body: &str) -> Scenario {
        let text = format!("name = \"s\"\nregion = \"us-east-1\"\n{body}");
        match parse_scenario(&text, Path::new("s.toml"), &[], &[]) {
            Ok(l) => l.scenario,
            Err(e) => panic!("{e}"),
        }
    }

    fn prices(s: &Scenario) -> RegionPrices {
        apply_overrides(bundled().region(&s.region).unwrap(), &s.prices)
    }

    fn run(body: &str) -> ScenarioEstimate {
        let s = scenario(body);
        estimate(&s, &prices(&s)).unwrap_or_else(|e| panic!("{e}"))
    }

    fn line<'a>(e: &'a ScenarioEstimate, component: &str) -> &'a CostLine {
        e.lines
            .iter()
            .find(|l| l.component == component)
            .unwrap_or_else(|| panic!("no line {component}: {:#?}", e.lines))
    }

    #[test]
    fn a_money_figure_that_is_not_a_number_is_an_error_and_fails_any_budget() {
        let mut e = run("[serverless]\nbase_rpu = 8\n[storage]\nmanaged_gb = 100\n");
        assert!(crate::model::estimate::check_finite(&e).is_ok());
        e.lines[0].cost = crate::units::Money::from_usd(f64::NAN);
        let err = crate::model::estimate::check_finite(&e)
            .unwrap_err()
            .to_string();
        assert!(err.contains("came out as NaN USD"), "{err}");
        assert!(err.contains(&e.lines[0].component), "{err}");
        e.lines[0].cost = crate::units::Money::from_usd(-1.0);
        assert!(crate::model::estimate::check_finite(&e).is_err());
        // Should one reach a report anyway, a non-finite total never passes a budget.
        e.lines[0].cost = crate::units::Money::from_usd(f64::NAN);
        let report = crate::report::Report::new(std::slice::from_ref(&e), Some(1.0));
        assert_eq!(report.budget_breaches.len(), 1);
    }

    #[test]
    fn reservation_of_always_on_replication() {
        // Continuous replication at 8 RPU for 730 h: 5,840 RPU-hours, all covered by an
        // 8-RPU reservation at 0.30 = 1,752 USD; nothing above it.
        let e = run(
            "[serverless]\nbase_rpu = 8\nreserved_rpu = 8\n[zero_etl]\nsource = \"aurora-mysql\"\n",
        );
        let r = line(&e, "serverless reservation: 8 RPU (1 yr no upfront)");
        assert_relative_eq!(r.cost.usd(), 1752.0, epsilon = 1e-6);
        let above = line(&e, "compute above the reservation (on demand)");
        assert_relative_eq!(above.quantity, 0.0, epsilon = 1e-6);
        assert_relative_eq!(e.total().usd(), 1752.0, epsilon = 1e-6);
        let f = e.reservation.as_ref().unwrap();
        assert_eq!(f.suggested_reserved_rpu, 8.0);
        assert_relative_eq!(f.on_demand_compute_usd, 2190.0, epsilon = 1e-6);
        // 16 reserved: 16 × 730 × 0.30 = 3,504, more than on demand.
        let e = run("[serverless]\nbase_rpu = 8\nreserved_rpu = 16\nreservation = \"3yr-no-upfront\"\n[zero_etl]\nsource = \"aurora-mysql\"\n");
        assert_relative_eq!(e.total().usd(), 16.0 * 730.0 * 0.375 * 0.55, epsilon = 1e-6);
        assert_eq!(e.reservation.as_ref().unwrap().suggested_reserved_rpu, 8.0);
    }

    #[test]
    fn a_reservation_is_billed_when_nothing_runs() {
        let e = run(
            "[serverless]\nbase_rpu = 8\nreserved_rpu = 8\nreservation = \"1yr-all-upfront\"\n",
        );
        // 8 × 730 × 0.375 × 0.76 = 1,664.40.
        assert_relative_eq!(e.total().usd(), 1664.4, epsilon = 1e-6);
        assert_eq!(e.reservation.as_ref().unwrap().suggested_reserved_rpu, 0.0);
    }

    #[test]
    fn provisioned_storage_rules() {
        // RA3: RMS billed; DC2: none (on the nodes), and backups free up to the SSDs.
        let ra3 = run("[provisioned]\nnode_type = \"ra3.xlplus\"\nnodes = 2\n[storage]\nmanaged_gb = 1000\nsnapshot_gb = 100\n");
        assert_relative_eq!(
            line(&ra3, "managed storage").cost.usd(),
            24.0,
            epsilon = 1e-9
        );
        assert_relative_eq!(
            line(&ra3, "snapshot storage").cost.usd(),
            2.3,
            epsilon = 1e-9
        );
        let dc2 = run("[provisioned]\nnode_type = \"dc2.large\"\nnodes = 4\n[storage]\nmanaged_gb = 400\nsnapshot_gb = 100\n");
        assert!(dc2
            .lines
            .iter()
            .all(|l| l.kind != ComponentKind::ManagedStorage));
        assert!(dc2
            .lines
            .iter()
            .all(|l| l.kind != ComponentKind::SnapshotStorage));
        assert_relative_eq!(dc2.total().usd(), 730.0, epsilon = 1e-9);
        // Automated snapshots (400 + 7 × 50 = 750) + 100 manual = 850 GB; 640 free.
        let dc2 = run("[provisioned]\nnode_type = \"dc2.large\"\nnodes = 4\n[storage]\nmanaged_gb = 400\nsnapshot_gb = 100\n[snapshots]\nautomated_retention_days = 7\ndaily_change_gb = 50\n");
        assert_relative_eq!(
            line(&dc2, "snapshot storage").quantity,
            210.0,
            epsilon = 1e-9
        );
    }

    #[test]
    fn spectrum_per_deployment() {
        let body = "[spectrum]\nqueries_per_day = 100\ntb_per_day = 2\nscan_gb_per_second = 2\n";
        // Provisioned: per TB (see scans.rs for the arithmetic); Athena beside it.
        let p = run(&format!(
            "period = \"30d\"\n[provisioned]\nnode_type = \"ra3.xlplus\"\nnodes = 2\n{body}"
        ));
        let spectrum = line(&p, "spectrum: S3 data scanned");
        assert_relative_eq!(
            spectrum.cost.usd(),
            3000.0 * 20_972.0 / 1_048_576.0 * 5.0,
            epsilon = 5e-7
        );
        assert_eq!(p.comparisons.len(), 1);
        assert_relative_eq!(p.comparisons[0].cost.usd(), spectrum.cost.usd());
        // Serverless: 100 scans of 20.48 GB at 2 GB/s = 10.24 s each at base 8 RPU, one
        // a day every 14.4 minutes: each pays the 60-second minimum.
        let s = run(&format!(
            "period = \"30d\"\n[serverless]\nbase_rpu = 8\n{body}"
        ));
        let c = line(&s, "compute: spectrum scans");
        assert_eq!(c.kind, ComponentKind::SpectrumCompute);
        assert_relative_eq!(c.quantity, 3000.0 * 60.0 * 8.0 / 3600.0, epsilon = 1e-6);
        assert!(s
            .lines
            .iter()
            .all(|l| l.kind != ComponentKind::SpectrumScan));
        assert!(s.notes.iter().any(|n| n.contains("no per-TB charge")));
    }

    #[test]
    fn missing_prices_name_the_key() {
        let s = scenario(
            "[serverless]\nbase_rpu = 8\n[ml]\nrows = 10\ncolumns = 2\ntrainings_per_month = 1\n",
        );
        let mut s = s;
        s.region = "ap-northeast-1".into();
        let e = estimate(&s, &prices(&s)).unwrap_err().to_string();
        assert!(e.contains("ml_million_cells"), "{e}");
        let s = scenario("[serverless]\nbase_rpu = 8\n[[pipeline]]\nname = \"p\"\ntype = \"sagemaker-processing\"\nruns_per_month = 1\nunload_duration = 60\nprocessing_instance = \"ml.p4d.24xlarge\"\nprocessing_hours = 1\n");
        let e = estimate(&s, &prices(&s)).unwrap_err().to_string();
        assert!(
            e.contains("[prices.sagemaker_instance_hour] \"ml.p4d.24xlarge\""),
            "{e}"
        );
        // An override fills the gap.
        let s = scenario("[serverless]\nbase_rpu = 8\n[[pipeline]]\nname = \"p\"\ntype = \"sagemaker-processing\"\nruns_per_month = 1\nunload_duration = 60\nprocessing_instance = \"ml.p4d.24xlarge\"\nprocessing_hours = 1\n[prices.sagemaker_instance_hour]\n\"ml.p4d.24xlarge\" = 30\n");
        let e = run_scenario(&s);
        // 1 run × 1 instance × 1 h × 30 USD.
        assert!(e
            .lines
            .iter()
            .any(|l| (l.cost.usd() - 30.0).abs() < 1e-9
                && l.price_source().to_string() == "override"));
    }

    fn run_scenario(s: &Scenario) -> ScenarioEstimate {
        estimate(s, &prices(s)).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn both_deployments_compare_and_provisioned_work_runs_on_the_cluster() {
        let s = scenario("[serverless]\nbase_rpu = 8\n[provisioned]\nnode_type = \"ra3.xlplus\"\nnodes = 2\n[[workload]]\nname = \"q\"\nper_day = 24\nduration = \"30m\"\n");
        let e = run_scenario(&s);
        assert_eq!(e.deployment, Some(Deployment::Serverless));
        let c = e.comparison.as_ref().unwrap();
        assert_relative_eq!(c.provisioned.total_usd, 2.0 * 1.086 * 730.0, epsilon = 1e-9);
        // Half of every hour busy: 12 h a day.
        let p = estimate_in(
            &s,
            &prices(&s),
            &Context::bundled(),
            Some(Deployment::Provisioned),
        )
        .unwrap();
        let f = p.provisioned.as_ref().unwrap();
        let busy = f.workload_busy_hours_per_day.unwrap();
        assert!((busy - 12.0).abs() < 0.05, "{busy}");
        assert!(p
            .lines
            .iter()
            .all(|l| l.kind == ComponentKind::ProvisionedCompute));
    }

    #[test]
    fn data_sharing_and_snapshot_copies() {
        let e = run("period = \"30d\"\n[serverless]\nbase_rpu = 8\n[data_sharing]\nqueries_per_day = 1000\ntb_per_day = 0.0019073486328125\n[storage]\nsnapshot_gb = 100\n[snapshots]\ncopy_region = \"eu-west-1\"\ndaily_change_gb = 10\n");
        // 1,000 queries a day of 2 MB, billed 10 MB: 30,000 × 10 MB = 292.97 GB × 0.02.
        let ds = line(&e, "cross-region data sharing");
        assert_relative_eq!(ds.cost.usd(), 300_000.0 / 1024.0 * 0.02, epsilon = 1e-9);
        // Copy: 10 GB a day × 30 days transferred; 100 GB of user snapshots kept there.
        assert_relative_eq!(
            line(&e, "snapshot copy transfer to eu-west-1").cost.usd(),
            6.0,
            epsilon = 1e-9
        );
        assert_relative_eq!(
            line(&e, "snapshot copy storage (eu-west-1)").cost.usd(),
            2.3,
            epsilon = 1e-9
        );
    }
}
