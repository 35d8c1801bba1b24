//! The v2 billing rules the engine applies besides the timeline itself: which metering
//! rule turns busy time into billed time, and the usage limits that watch the billed
//! RPU-seconds of each limit period (`docs/model.md`, "Metering rules", "Usage limits").

use super::{ClassId, SIMULTANEITY_SECONDS};
use crate::units::{Seconds, SECONDS_PER_DAY};

/// Seconds in a week.
pub const SECONDS_PER_WEEK: Seconds = 7.0 * SECONDS_PER_DAY;

/// How the 60-second minimum applies: AWS does not document it for overlapping or
/// back-to-back queries, so the rule is an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Metering {
    /// One minimum charge per busy period (its charge window: at least 60 s).
    #[default]
    BusyPeriod,
    /// Every wall-clock minute that meets a charge window is billed whole.
    PerMinute,
}

impl Metering {
    pub const ALL: [Metering; 2] = [Metering::BusyPeriod, Metering::PerMinute];

    /// The scenario's and the JSON's name of the rule.
    pub fn name(self) -> &'static str {
        match self {
            Metering::BusyPeriod => "busy-period",
            Metering::PerMinute => "per-minute",
        }
    }
}

/// The period a usage limit counts over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitPeriod {
    /// UTC days.
    Daily,
    /// UTC weeks starting Monday 00:00.
    Weekly,
    /// The whole scenario period.
    Monthly,
}

impl LimitPeriod {
    pub const ALL: [LimitPeriod; 3] = [
        LimitPeriod::Daily,
        LimitPeriod::Weekly,
        LimitPeriod::Monthly,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LimitPeriod::Daily => "daily",
            LimitPeriod::Weekly => "weekly",
            LimitPeriod::Monthly => "monthly",
        }
    }
}

/// What happens when a usage limit is reached (the API's and Terraform's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BreachAction {
    Log,
    EmitMetric,
    /// User queries are turned away until the next limit period.
    Deactivate,
}

impl BreachAction {
    pub const ALL: [BreachAction; 3] = [
        BreachAction::Log,
        BreachAction::EmitMetric,
        BreachAction::Deactivate,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BreachAction::Log => "log",
            BreachAction::EmitMetric => "emit-metric",
            BreachAction::Deactivate => "deactivate",
        }
    }
}

/// One usage limit on the workgroup's compute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UsageLimit {
    /// `L`, RPU-hours per limit period (> 0).
    pub rpu_hours: f64,
    pub period: LimitPeriod,
    pub action: BreachAction,
}

/// The rules of a run besides capacity and jobs. The default is v1: busy-period
/// metering, no limits.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rules {
    pub metering: Metering,
    pub limits: Vec<UsageLimit>,
    /// Seconds from the period start to the first Monday 00:00 UTC at or after it (0 to
    /// 6 days): where weekly limit periods begin.
    pub week_start_s: Seconds,
    /// The zero-ETL sync class: never turned away by a limit, and left out of the
    /// headline jobs and latency.
    pub sync_class: Option<ClassId>,
    /// Per class, when its durations are drawn from a distribution: the mean duration
    /// the calculator figure multiplies out (`None` or absent: each job's own).
    pub calculator_durations: Vec<Option<Seconds>>,
}

/// A limit reached: in its limit period starting at `period_start_s`, at `trip_s`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimitTrip {
    /// Index into [`Rules::limits`].
    pub limit: usize,
    pub period_start_s: Seconds,
    pub trip_s: Seconds,
}

/// What the engine's loop tells the usage limits as its clock advances. Two
/// implementations, so that a run without limits compiles their bookkeeping out.
pub(super) trait Watch {
    /// Whether there is anything to watch (constant per implementation).
    const WATCHES: bool;
    /// `rate` RPU-seconds a second accrued over `[from, to)`.
    fn accrue(&mut self, from: Seconds, to: Seconds, rate: f64);
    /// `amount` RPU-seconds accrued at the instant `at`.
    fn jump(&mut self, at: Seconds, amount: f64);
    /// Whether a query arriving at `at` is turned away.
    fn blocks(&mut self, at: Seconds) -> bool;
    fn into_trips(self) -> Vec<LimitTrip>;
}

/// No usage limit.
pub(super) struct Unlimited;

impl Watch for Unlimited {
    const WATCHES: bool = false;
    #[inline]
    fn accrue(&mut self, _: Seconds, _: Seconds, _: f64) {}
    #[inline]
    fn jump(&mut self, _: Seconds, _: f64) {}
    #[inline]
    fn blocks(&mut self, _: Seconds) -> bool {
        false
    }
    fn into_trips(self) -> Vec<LimitTrip> {
        Vec::new()
    }
}

impl Watch for Limits {
    const WATCHES: bool = true;
    fn accrue(&mut self, from: Seconds, to: Seconds, rate: f64) {
        Limits::accrue(self, from, to, rate);
    }
    fn jump(&mut self, at: Seconds, amount: f64) {
        Limits::jump(self, at, amount);
    }
    fn blocks(&mut self, at: Seconds) -> bool {
        self.any_deactivate && Limits::blocks(self, at)
    }
    fn into_trips(self) -> Vec<LimitTrip> {
        self.trips
    }
}

/// One limit's state in the current limit period.
struct LimitState {
    /// `L × 3600`.
    cap: f64,
    period: LimitPeriod,
    deactivates: bool,
    start: Seconds,
    end: Seconds,
    accrued: f64,
    tripped: Option<Seconds>,
}

/// The billed RPU-seconds each limit has seen in its current period, as the engine's
/// clock advances; trips are recorded as they happen.
pub(super) struct Limits {
    states: Vec<LimitState>,
    week_start: Seconds,
    pub(super) trips: Vec<LimitTrip>,
    pub(super) any_deactivate: bool,
}

impl Limits {
    /// `None` when `rules` has no limit (nothing to watch).
    pub(super) fn new(rules: &Rules) -> Option<Limits> {
        if rules.limits.is_empty() {
            return None;
        }
        let mut limits = Limits {
            states: rules
                .limits
                .iter()
                .map(|l| LimitState {
                    cap: l.rpu_hours * 3600.0,
                    period: l.period,
                    deactivates: l.action == BreachAction::Deactivate,
                    start: 0.0,
                    end: f64::NEG_INFINITY,
                    accrued: 0.0,
                    tripped: None,
                })
                .collect(),
            week_start: rules.week_start_s,
            trips: Vec::new(),
            any_deactivate: rules
                .limits
                .iter()
                .any(|l| l.action == BreachAction::Deactivate),
        };
        for i in 0..limits.states.len() {
            limits.roll(i, 0.0);
        }
        Some(limits)
    }

    /// Moves limit `i` to the limit period that holds `t` (a new period starts empty).
    fn roll(&mut self, i: usize, t: Seconds) {
        let week_start = self.week_start;
        let s = &mut self.states[i];
        if t < s.end {
            return;
        }
        let (start, end) = match s.period {
            LimitPeriod::Daily => {
                let k = (t / SECONDS_PER_DAY).floor();
                (k * SECONDS_PER_DAY, (k + 1.0) * SECONDS_PER_DAY)
            }
            LimitPeriod::Weekly if t < week_start => (0.0, week_start),
            LimitPeriod::Weekly => {
                let k = ((t - week_start) / SECONDS_PER_WEEK).floor();
                (
                    week_start + k * SECONDS_PER_WEEK,
                    week_start + (k + 1.0) * SECONDS_PER_WEEK,
                )
            }
            LimitPeriod::Monthly => (0.0, f64::INFINITY),
        };
        *s = LimitState {
            start,
            end,
            accrued: 0.0,
            tripped: None,
            ..*s
        };
    }

    fn record_trip(&mut self, i: usize, at: Seconds) {
        let s = &mut self.states[i];
        s.tripped = Some(at);
        self.trips.push(LimitTrip {
            limit: i,
            period_start_s: s.start,
            trip_s: at,
        });
    }

    /// Accrues `rate` RPU-seconds a second over `[from, to)`.
    pub(super) fn accrue(&mut self, from: Seconds, to: Seconds, rate: f64) {
        if to <= from || to.is_nan() || rate <= 0.0 {
            return;
        }
        for i in 0..self.states.len() {
            let mut t = from;
            while t < to {
                self.roll(i, t);
                let s = &self.states[i];
                let seg_end = to.min(s.end);
                let add = rate * (seg_end - t);
                // Reached within the simultaneity tolerance of the segment's end.
                if s.tripped.is_none() && s.accrued + add >= s.cap - rate * SIMULTANEITY_SECONDS {
                    let at = (t + (s.cap - s.accrued) / rate).clamp(t, seg_end);
                    self.record_trip(i, at);
                }
                self.states[i].accrued += add;
                t = seg_end;
            }
        }
    }

    /// Accrues `amount` RPU-seconds at the instant `at` (under `per-minute`, the idle
    /// seconds of a minute that an arrival makes charged).
    pub(super) fn jump(&mut self, at: Seconds, amount: f64) {
        if amount <= 0.0 {
            return;
        }
        for i in 0..self.states.len() {
            self.roll(i, at);
            let s = &mut self.states[i];
            s.accrued += amount;
            if s.tripped.is_none() && s.accrued >= s.cap * (1.0 - 1e-12) {
                self.record_trip(i, at);
            }
        }
    }

    /// Whether a query arriving at `at` is turned away: a `deactivate` limit has been
    /// reached in its current period (accrual up to `at` already counted).
    pub(super) fn blocks(&mut self, at: Seconds) -> bool {
        let mut blocked = false;
        for i in 0..self.states.len() {
            if !self.states[i].deactivates {
                continue;
            }
            self.roll(i, at);
            let s = &self.states[i];
            blocked |= s.tripped.is_some_and(|t| t <= at + SIMULTANEITY_SECONDS)
                || s.accrued >= s.cap * (1.0 - 1e-12);
        }
        blocked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(period: LimitPeriod, action: BreachAction) -> Rules {
        Rules {
            limits: vec![UsageLimit {
                rpu_hours: 1.0,
                period,
                action,
            }],
            week_start_s: 2.0 * SECONDS_PER_DAY,
            ..Rules::default()
        }
    }

    #[test]
    fn a_daily_limit_trips_once_a_day_and_starts_again_at_midnight() {
        let mut l = Limits::new(&rules(LimitPeriod::Daily, BreachAction::Log)).unwrap();
        // 8 RPU for 10 hours from 20:00 of day 0: 3600 RPU-s after 450 s.
        l.accrue(72_000.0, 108_000.0, 8.0);
        assert_eq!(l.trips.len(), 2);
        assert_eq!(l.trips[0].trip_s, 72_450.0);
        assert_eq!(l.trips[1].period_start_s, 86_400.0);
        assert_eq!(l.trips[1].trip_s, 86_850.0);
    }

    #[test]
    fn weekly_periods_begin_on_the_first_monday() {
        let mut l = Limits::new(&rules(LimitPeriod::Weekly, BreachAction::Deactivate)).unwrap();
        l.accrue(0.0, 1000.0, 1.0);
        assert!(!l.blocks(1000.0));
        l.jump(1000.0, 2600.0);
        assert!(l.blocks(1000.0));
        assert!(l.blocks(2.0 * SECONDS_PER_DAY - 1.0));
        // A new week on day 2 (the first Monday).
        assert!(!l.blocks(2.0 * SECONDS_PER_DAY));
        assert_eq!(l.trips[0].period_start_s, 0.0);
    }

    #[test]
    fn log_limits_never_block() {
        let mut l = Limits::new(&rules(LimitPeriod::Monthly, BreachAction::EmitMetric)).unwrap();
        l.accrue(0.0, 10_000.0, 8.0);
        assert!(!l.blocks(10_000.0));
        assert_eq!(l.trips.len(), 1);
    }
}
