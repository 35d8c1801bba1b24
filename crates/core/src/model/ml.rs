//! Redshift ML: `CREATE MODEL` trains with SageMaker Autopilot, billed per million cells
//! (rows × columns, sampled down to MAX_CELLS) in tiers per training; the training data is
//! staged in S3. Inference runs in the warehouse: no line of its own.

use super::costs::{split_tiers, ComponentKind, CostLine, GB_MONTH, MILLION_CELLS};
use super::figures::{need, EstimateError, Parts};
use super::notes::Note;
use crate::prices::{Price, PriceKey, PriceSheet, Tier};
use crate::scenario::{Ml, Scenario};

/// Cells one training is billed for: rows × columns, at most MAX_CELLS.
pub fn cells_per_training(ml: &Ml) -> f64 {
    (ml.rows * ml.columns).min(ml.max_cells)
}

/// Training lines: the cells of one training split over the tiers (millions of cells),
/// times `trainings` (one line per tier used).
pub fn training_lines(ml: &Ml, trainings: f64, tiers: &[Tier]) -> Vec<CostLine> {
    let millions = cells_per_training(ml) / 1e6;
    let used = split_tiers(millions, tiers);
    let several = used.len() > 1;
    used.into_iter()
        .map(|(i, tier, part)| {
            let component = if several {
                let range = match tier.end {
                    Some(end) => format!("{}–{} M cells", tier.begin, end),
                    None => format!("> {} M cells", tier.begin),
                };
                format!("Redshift ML training ({range} of each)")
            } else {
                "Redshift ML training".to_string()
            };
            CostLine::new(
                component,
                ComponentKind::MlTraining,
                part * trainings,
                MILLION_CELLS,
                PriceKey::MlMillionCellsTier(i),
                tier.price,
            )
        })
        .collect()
}

/// S3 storage of staged training data.
pub fn staging_line(gb_months: f64, price: Price) -> CostLine {
    CostLine::new(
        "Redshift ML: S3 staging of training data".into(),
        ComponentKind::S3Storage,
        gb_months,
        GB_MONTH,
        PriceKey::S3GbMonth,
        price,
    )
}

/// Redshift ML's training and staging lines, and the note of the cells it trains on.
pub fn add_ml(
    scenario: &Scenario,
    sheet: &PriceSheet,
    out: &mut Parts,
) -> Result<(), EstimateError> {
    let Some(ml) = &scenario.ml else {
        return Ok(());
    };
    let prices = &sheet.prices;
    let months = scenario.period.months();
    let trainings = ml.trainings_per_month * months;
    if trainings > 0.0 && cells_per_training(ml) > 0.0 {
        if prices.ml_million_cells_tiers.is_empty() {
            return Err(need(
                None,
                scenario,
                "Redshift ML per-million-cell",
                "ml_million_cells",
            )
            .unwrap_err());
        }
        out.lines.extend(training_lines(
            ml,
            trainings,
            &prices.ml_million_cells_tiers,
        ));
    }
    if ml.staging_gb > 0.0 {
        let price = need(prices.s3_gb_month, scenario, "S3 Standard", "s3_gb_month")?;
        out.lines.push(staging_line(ml.staging_gb * months, price));
    }
    let cells = ml.rows * ml.columns;
    out.notes.push(Note::RedshiftMl {
        cells_per_training: cells_per_training(ml),
        sampled_from_cells: (cells > ml.max_cells).then_some(cells),
    });
    Ok(())
}
