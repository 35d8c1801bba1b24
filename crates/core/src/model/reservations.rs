//! Serverless reservations: `R` reserved RPUs are billed every hour of the period at the
//! reserved rate; at every instant the capacity above `R` is billed on demand. Sized from
//! the engine's capacity profile (billed seconds by capacity level).

use super::costs::{compute_line, ComponentKind, CostLine, RPU_HOUR};
use super::figures::{ReservationFigures, ServerlessFigures};
use crate::engine::rpu_seconds_above;
use crate::prices::{Price, PriceKey, PriceSheet};
use crate::scenario::{ReservedTerm, Scenario};
use crate::units::{Money, Rpu, RpuSeconds, Seconds, SECONDS_PER_HOUR};

/// The step the suggestion searches in (the base-capacity step; AWS sells reservations
/// as a number of RPUs).
pub const SUGGESTION_STEP_RPU: Rpu = 8.0;

/// Compute cost of a period with `reserved` RPUs reserved at `discount` off `rpu_hour`.
pub fn compute_cost(
    profile: &[(Rpu, Seconds)],
    period_hours: f64,
    rpu_hour: f64,
    discount: f64,
    reserved: Rpu,
) -> f64 {
    reserved * period_hours * rpu_hour * (1.0 - discount)
        + rpu_seconds_above(profile, reserved) / SECONDS_PER_HOUR * rpu_hour
}

/// The reservation (0 or a multiple of [`SUGGESTION_STEP_RPU`], up to the peak capacity)
/// that minimises [`compute_cost`], and that cost. Ties go to the smaller commitment.
pub fn best_reservation(
    profile: &[(Rpu, Seconds)],
    period_hours: f64,
    rpu_hour: f64,
    discount: f64,
) -> (Rpu, f64) {
    let peak = profile.iter().map(|p| p.0).fold(0.0, f64::max);
    let steps = (peak / SUGGESTION_STEP_RPU).ceil() as u32;
    let mut best = (
        0.0,
        compute_cost(profile, period_hours, rpu_hour, discount, 0.0),
    );
    for k in 1..=steps {
        let r = f64::from(k) * SUGGESTION_STEP_RPU;
        let cost = compute_cost(profile, period_hours, rpu_hour, discount, r);
        if cost < best.1 - 1e-9 {
            best = (r, cost);
        }
    }
    best
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
    sheet: &PriceSheet,
    lines: &mut Vec<CostLine>,
) -> Option<ReservationFigures> {
    let profile = &sv.sim.capacity_profile;
    let hours = scenario.period.hours;
    let term = scenario
        .serverless_reservation
        .map_or(ReservedTerm::OneYearNoUpfront, |r| r.term);
    let discount = sheet
        .prices
        .reserved
        .iter()
        .find(|r| r.product == "serverless" && r.term == term.key())
        .and_then(|r| r.discount(rpu_hour.usd))
        .filter(|d| d.is_finite() && (0.0..1.0).contains(d))
        .or_else(|| sheet.serverless_reserved.by_term.get(term.key()).copied())?;
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
                PriceKey::RpuHour,
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

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use proptest::prelude::*;

    #[test]
    fn reservation_bills_24x7_and_on_demand_above() {
        // 730 h; busy 365 h at 16 RPU, the rest idle. Reserve 8 RPU at 20 % off 0.375:
        // 8 × 730 × 0.30 = 1,752 reserved + 8 RPU × 365 h above × 0.375 = 1,095.
        let profile = [(16.0, 365.0 * 3600.0)];
        assert_relative_eq!(
            compute_cost(&profile, 730.0, 0.375, 0.2, 8.0),
            1752.0 + 1095.0,
            epsilon = 1e-9
        );
        // On demand only: 16 × 365 × 0.375 = 2,190; the reservation costs more here.
        assert_relative_eq!(
            compute_cost(&profile, 730.0, 0.375, 0.2, 0.0),
            2190.0,
            epsilon = 1e-9
        );
        assert_eq!(best_reservation(&profile, 730.0, 0.375, 0.2).0, 0.0);
    }

    #[test]
    fn busy_most_of_the_time_suggests_a_reservation() {
        // Always 8 RPU, 32 RPU for a quarter of the period: the 8 always used are worth
        // reserving (used 100 % > 80 %), the next 24 are not (used 25 %).
        let h = 730.0 * 3600.0;
        let profile = [(8.0, 0.75 * h), (32.0, 0.25 * h)];
        let (r, cost) = best_reservation(&profile, 730.0, 0.375, 0.2);
        assert_eq!(r, 8.0);
        assert_relative_eq!(cost, compute_cost(&profile, 730.0, 0.375, 0.2, 8.0));
        // At 50 % off (3 yr all upfront) even 32 RPU used 25 % is not worth it, 8 is.
        assert_eq!(best_reservation(&profile, 730.0, 0.375, 0.5).0, 8.0);
        // Idle profile: nothing to reserve.
        assert_eq!(best_reservation(&[], 730.0, 0.375, 0.2), (0.0, 0.0));
    }

    proptest! {
        #[test]
        fn the_suggestion_is_never_dearer_than_on_demand(
            levels in prop::collection::vec((1u32..=64, 1.0..100_000.0f64), 0..12),
            discount in 0.0..0.6f64,
        ) {
            let profile: Vec<(f64, f64)> = levels.iter().map(|&(k, s)| (f64::from(k) * 4.0, s)).collect();
            let on_demand = compute_cost(&profile, 730.0, 0.375, discount, 0.0);
            let (r, best) = best_reservation(&profile, 730.0, 0.375, discount);
            prop_assert!(best <= on_demand + 1e-9);
            prop_assert!(r >= 0.0 && r % SUGGESTION_STEP_RPU == 0.0);
            // More reserved RPUs never leave more to pay on demand.
            let above = |x: f64| rpu_seconds_above(&profile, x);
            prop_assert!(above(r + 8.0) <= above(r) + 1e-9);
        }
    }
}
