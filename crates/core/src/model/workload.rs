//! Turns a validated scenario into the engine's jobs (`docs/model.md`, "Workload arrivals").

use super::pipelines::{lambda_figures, lambda_jobs, unload_jobs};
use crate::engine::{Capacity, ClassId, FixedJob, Rules, SharedJobs, SimInput, WorkJob};
use crate::scenario::{
    ArrivalPattern, Arrivals, Period, Pipeline, PipelineKind, Scenario, Trace, Window,
    WorkloadSource, ZeroEtl,
};
use crate::units::{Rpu, Seconds, SECONDS_PER_DAY};
use chrono::{Datelike, NaiveDate, TimeZone};

/// The class name of zero-ETL refresh work.
pub const ZERO_ETL_CLASS: &str = "zero-etl sync";

/// What kind of work a class is, for labelling cost lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClassKind {
    Workload,
    ZeroEtl,
    /// Spectrum scans on Serverless (RPU time instead of a per-TB charge).
    Spectrum,
    /// Warehouse work of a `[[pipeline]]` (Lambda page queries, UNLOAD, Data API).
    Pipeline,
}

/// The class name of Spectrum scans on Serverless.
pub const SPECTRUM_CLASS: &str = "spectrum scans";

/// The class name of a pipeline's warehouse work.
pub fn pipeline_class(pipeline: &Pipeline) -> String {
    let what = match pipeline.kind {
        PipelineKind::LambdaExtract(_) => "page queries",
        PipelineKind::SagemakerProcessing(_) => "UNLOAD",
        PipelineKind::DataApi(_) => "Data API statements",
    };
    format!("{} {what}", pipeline.name)
}

/// The engine input plus what each class is.
#[derive(Debug, Clone, PartialEq)]
pub struct JobPlan {
    pub input: SimInput,
    pub kinds: Vec<ClassKind>,
}

/// Builds the jobs of `scenario` on a workgroup of `capacity`.
pub fn plan(scenario: &Scenario, capacity: Capacity) -> JobPlan {
    let horizon = scenario.period.seconds();
    let mut classes = Classes::default();
    let mut work = Vec::new();
    let mut fixed = Vec::new();
    let mut shared = Vec::new();
    let active_days = scenario.period.active_days();
    let clock = LocalClock::new(&scenario.period, scenario.timezone);

    for workload in &scenario.workloads {
        let class = classes.id(&workload.name, ClassKind::Workload);
        match &workload.source {
            WorkloadSource::Arrivals(a) => {
                push_local_arrivals(a, &clock, horizon, capacity.base, class, &mut work);
            }
            WorkloadSource::Trace(trace) => {
                shared.push(trace_jobs(trace, class, capacity.base, &mut classes));
            }
        }
    }
    if let Some(z) = &scenario.zero_etl {
        let class = classes.id(ZERO_ETL_CLASS, ClassKind::ZeroEtl);
        zero_etl_jobs(z, class, capacity.base, horizon, &mut work, &mut fixed);
    }
    if let Some(sp) = &scenario.spectrum {
        if let Some(a) = sp.arrivals(capacity.base) {
            let class = classes.id(SPECTRUM_CLASS, ClassKind::Spectrum);
            push_arrivals(
                &a,
                &active_days.all,
                horizon,
                capacity.base,
                class,
                &mut work,
            );
        }
    }
    let months = scenario.period.months();
    for p in &scenario.pipelines {
        let class = classes.id(&pipeline_class(p), ClassKind::Pipeline);
        match &p.kind {
            PipelineKind::LambdaExtract(l) => {
                let f = lambda_figures(l, l.syncs_per_month * months);
                let rpu = l.rpu.unwrap_or(capacity.base);
                work.extend(lambda_jobs(l, &f, horizon, rpu, class));
            }
            PipelineKind::SagemakerProcessing(s) => {
                let rpu = s.unload_rpu.unwrap_or(capacity.base);
                work.extend(unload_jobs(
                    s,
                    s.runs_per_month * months,
                    horizon,
                    rpu,
                    class,
                ));
            }
            PipelineKind::DataApi(a) => {
                push_local_arrivals(a, &clock, horizon, capacity.base, class, &mut work);
            }
        }
    }

    // Drawn durations: the calculator figure multiplies out their mean.
    let mut calculator_durations = Vec::new();
    let drawn = scenario
        .workloads
        .iter()
        .filter_map(|w| match &w.source {
            WorkloadSource::Arrivals(a) => Some(((w.name.clone(), ClassKind::Workload), a)),
            WorkloadSource::Trace(_) => None,
        })
        .chain(scenario.pipelines.iter().filter_map(|p| match &p.kind {
            PipelineKind::DataApi(a) => Some(((pipeline_class(p), ClassKind::Pipeline), a)),
            _ => None,
        }));
    for (key, a) in drawn {
        if let (Some(class), true) = (classes.ids.get(&key), a.spread.is_some()) {
            calculator_durations.resize(classes.names.len(), None);
            calculator_durations[*class] = Some(a.mean_duration());
        }
    }
    let sync_class = classes.kinds.iter().position(|k| *k == ClassKind::ZeroEtl);
    let (metering, limits) = scenario
        .serverless
        .as_ref()
        .map(|s| (s.metering, s.usage_limits.clone()))
        .unwrap_or_default();
    JobPlan {
        input: SimInput {
            capacity,
            period: horizon,
            classes: classes.names,
            work,
            fixed,
            shared,
            rules: Rules {
                metering,
                limits,
                week_start_s: week_start(scenario.period.start),
                sync_class,
                calculator_durations,
            },
        },
        kinds: classes.kinds,
    }
}

/// Seconds from 00:00 UTC of `start` to the first Monday 00:00 at or after it.
pub fn week_start(start: NaiveDate) -> Seconds {
    f64::from((7 - start.weekday().num_days_from_monday()) % 7) * SECONDS_PER_DAY
}

/// Where a scenario's times of day are read: UTC (period time is then wall-clock time)
/// or an IANA time zone, whose local days are mapped to period time with their DST.
pub struct LocalClock {
    /// `None`: UTC.
    zone: Option<chrono_tz::Tz>,
    /// The period's days, all and weekdays (in local dates with a zone, from the local
    /// day before the period start, so that a local window before 00:00 UTC is kept).
    days: super::super::scenario::ActiveDays,
    /// Local midnight of day 0 of `days`.
    first_day: NaiveDate,
    /// 00:00 UTC of the period start.
    period_start: NaiveDate,
}

impl LocalClock {
    pub fn new(period: &Period, zone: Option<chrono_tz::Tz>) -> LocalClock {
        if zone.is_none() {
            return LocalClock {
                zone,
                days: period.active_days(),
                first_day: period.start,
                period_start: period.start,
            };
        }
        let first_day = period.start.pred_opt().unwrap_or(period.start);
        let covering = Period {
            hours: period.hours + 48.0,
            start: first_day,
        };
        LocalClock {
            zone,
            days: covering.active_days(),
            first_day,
            period_start: period.start,
        }
    }

    /// Period time of `local` seconds after local midnight of day 0 (a time that the
    /// clocks skip at a DST change is read at the offset before the change; a repeated
    /// one at its first occurrence).
    fn to_period(&self, local: Seconds) -> Seconds {
        let Some(zone) = self.zone else {
            return local;
        };
        let whole = local.floor();
        let naive = self.first_day.and_hms_opt(0, 0, 0).unwrap_or_default()
            + chrono::Duration::seconds(whole as i64);
        let offset = match zone.offset_from_local_datetime(&naive) {
            chrono::LocalResult::Single(o) | chrono::LocalResult::Ambiguous(o, _) => o,
            chrono::LocalResult::None => {
                match zone.offset_from_local_datetime(&(naive - chrono::Duration::hours(3))) {
                    chrono::LocalResult::Single(o) | chrono::LocalResult::Ambiguous(o, _) => o,
                    chrono::LocalResult::None => return f64::NAN,
                }
            }
        };
        let utc = naive - chrono::Offset::fix(&offset);
        let start = self.period_start.and_hms_opt(0, 0, 0).unwrap_or_default();
        (utc - start).num_seconds() as f64 + (local - whole)
    }
}

/// `a`'s jobs, with its window and days read on `clock`.
fn push_local_arrivals(
    a: &Arrivals,
    clock: &LocalClock,
    horizon: Seconds,
    base: Rpu,
    class: ClassId,
    work: &mut Vec<WorkJob>,
) {
    let days = clock.days.of(a.days);
    if clock.zone.is_none() {
        push_arrivals(a, days, horizon, base, class, work);
        return;
    }
    let mut local = Vec::new();
    push_arrivals(a, days, f64::INFINITY, base, class, &mut local);
    work.extend(local.into_iter().filter_map(|mut j| {
        j.arrival = clock.to_period(j.arrival);
        (j.arrival >= 0.0 && j.arrival < horizon).then_some(j)
    }));
}

fn push_arrivals(
    a: &Arrivals,
    days: &[u32],
    horizon: Seconds,
    base: Rpu,
    class: ClassId,
    work: &mut Vec<WorkJob>,
) {
    let rpu = a.rpu.unwrap_or(base);
    let mut durations = Durations::new(a);
    for arrival in arrival_times(a, days) {
        // One draw per job generated, kept or not: a job's duration does not depend on
        // the period's length.
        let duration = durations.draw();
        if arrival < horizon {
            work.push(WorkJob {
                arrival,
                duration,
                rpu,
                class,
            });
        }
    }
}

/// The solo durations of a workload's jobs: its one value, or seeded log-normal draws
/// `m × exp(sigma × z)`.
pub struct Durations {
    median: Seconds,
    sigma: f64,
    max_draw: Seconds,
    rng: Option<SplitMix64>,
    /// The second normal of the last Box-Muller pair.
    spare: Option<f64>,
}

impl Durations {
    /// Mixed into a workload's seed so that its duration draws are not its arrivals'.
    const STREAM: u64 = 0xD1B5_4A32_D192_ED03;

    pub fn new(a: &Arrivals) -> Durations {
        Durations {
            median: a.duration,
            sigma: a.sigma(),
            max_draw: a.spread.map_or(f64::INFINITY, |s| s.max_draw),
            rng: a.spread.map(|s| SplitMix64::new(s.seed ^ Self::STREAM)),
            spare: None,
        }
    }

    /// A standard normal (Box-Muller on two uniforms in (0, 1]).
    fn normal(rng: &mut SplitMix64, spare: &mut Option<f64>) -> f64 {
        if let Some(z) = spare.take() {
            return z;
        }
        let (u, v) = (rng.next_open01(), rng.next_open01());
        let r = (-2.0 * u.ln()).sqrt();
        let angle = std::f64::consts::TAU * v;
        *spare = Some(r * angle.sin());
        r * angle.cos()
    }

    pub fn draw(&mut self) -> Seconds {
        match self.rng.as_mut() {
            None => self.median,
            Some(rng) => {
                let z = Self::normal(rng, &mut self.spare);
                (self.median * (self.sigma * z).exp()).min(self.max_draw)
            }
        }
    }
}

#[derive(Default)]
struct Classes {
    names: Vec<String>,
    kinds: Vec<ClassKind>,
    ids: std::collections::HashMap<(String, ClassKind), ClassId>,
}

impl Classes {
    /// The class of `name` and `kind`: classes of different kinds never merge, even when
    /// a workload shares a name with a pipeline's work.
    fn id(&mut self, name: &str, kind: ClassKind) -> ClassId {
        if let Some(id) = self.ids.get(&(name.to_string(), kind)) {
            return *id;
        }
        self.names.push(name.to_string());
        self.kinds.push(kind);
        let id = self.names.len() - 1;
        self.ids.insert((name.to_string(), kind), id);
        id
    }
}

/// Arrival times of generated work on the given days, ascending.
///
/// Both patterns lay the days' windows end to end on one "window clock" and map
/// positions back to the calendar. For `even`, job `j` sits at `(j + 0.5) × w / n` on
/// that clock, which for a whole `n` is exactly the model's formula
/// `k × 86400 + w0 + (i + 0.5) × (w1 − w0) / n`, and also spreads fractional
/// rates (0.5 a day = every other day) evenly. For `poisson`, gaps are exponential
/// with mean `w / n`, from a seeded generator.
pub fn arrival_times(a: &Arrivals, days: &[u32]) -> Vec<Seconds> {
    let window = a.window.length();
    let total = window * days.len() as f64;
    let none = match a.pattern {
        ArrivalPattern::Every { every, .. } => every <= 0.0,
        _ => a.per_day <= 0.0,
    };
    if none || window <= 0.0 || days.is_empty() {
        return Vec::new();
    }
    let spacing = window / a.per_day;
    let to_calendar = |pos: f64| -> Option<Seconds> {
        let slot = (pos / window).floor();
        let day = *days.get(slot as usize)?;
        Some(f64::from(day) * SECONDS_PER_DAY + a.window.start + (pos - slot * window))
    };
    let mut out = Vec::new();
    match a.pattern {
        ArrivalPattern::Even => {
            let mut j = 0u64;
            loop {
                let pos = (j as f64 + 0.5) * spacing;
                if pos >= total {
                    break;
                }
                out.extend(to_calendar(pos));
                j += 1;
            }
        }
        ArrivalPattern::Every { every, offset } => {
            let contiguous = days.iter().enumerate().all(|(i, d)| *d as usize == i);
            if a.window == Window::WHOLE_DAY && contiguous {
                // One unbroken series: "every 7h" does not restart at midnight.
                let end = days.len() as f64 * SECONDS_PER_DAY;
                let mut k = 0u64;
                loop {
                    let t = offset + k as f64 * every;
                    if t >= end {
                        break;
                    }
                    out.push(t);
                    k += 1;
                }
            } else {
                for &day in days {
                    let mut k = 0u64;
                    loop {
                        let pos = offset + k as f64 * every;
                        if pos >= window {
                            break;
                        }
                        out.push(f64::from(day) * SECONDS_PER_DAY + a.window.start + pos);
                        k += 1;
                    }
                }
            }
        }
        ArrivalPattern::Poisson { seed } => {
            let mut rng = SplitMix64::new(seed);
            let mut pos = 0.0;
            loop {
                pos += -rng.next_open01().ln() * spacing;
                if pos >= total {
                    break;
                }
                out.extend(to_calendar(pos));
            }
        }
    }
    out
}

/// A trace's jobs, shared with the scenario rather than copied: its classes are looked
/// up once each (not once a row).
fn trace_jobs(
    trace: &Trace,
    workload_class: ClassId,
    base: Rpu,
    classes: &mut Classes,
) -> SharedJobs {
    SharedJobs {
        jobs: trace.rows.clone(),
        rpus: trace.rpus.clone(),
        classes: trace
            .classes
            .iter()
            .map(|name| classes.id(name, ClassKind::Workload))
            .collect(),
        default_rpu: trace.rpu.unwrap_or(base),
        default_class: workload_class,
    }
}

fn zero_etl_jobs(
    z: &ZeroEtl,
    class: ClassId,
    base: Rpu,
    horizon: Seconds,
    work: &mut Vec<WorkJob>,
    fixed: &mut Vec<FixedJob>,
) {
    let rpu = z.sync_rpu.unwrap_or(base);
    if z.refresh_interval <= 0.0 {
        fixed.push(FixedJob {
            start: 0.0,
            end: horizon,
            rpu,
            class,
        });
        return;
    }
    let mut k = 0u64;
    loop {
        let arrival = k as f64 * z.refresh_interval;
        if arrival >= horizon {
            break;
        }
        work.push(WorkJob {
            arrival,
            duration: z.refresh_seconds(),
            rpu,
            class,
        });
        k += 1;
    }
}

/// SplitMix64: a tiny, well-known generator, kept here so that a seed gives the same
/// arrivals on every platform and in every version of every dependency.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1]: never 0, so `ln` is finite.
    pub fn next_open01(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Days, Period, Window};
    use crate::units::SECONDS_PER_HOUR;
    use chrono::NaiveDate;

    fn arrivals(per_day: f64, window: Window, pattern: ArrivalPattern) -> Arrivals {
        Arrivals {
            per_day,
            duration: 60.0,
            spread: None,
            rpu: None,
            window,
            days: Days::All,
            pattern,
        }
    }

    #[test]
    fn even_matches_the_model_formula() {
        let w = Window {
            start: 9.0 * SECONDS_PER_HOUR,
            end: 18.0 * SECONDS_PER_HOUR,
        };
        let a = arrivals(4.0, w, ArrivalPattern::Even);
        let t = arrival_times(&a, &[0, 1, 3]);
        assert_eq!(t.len(), 12);
        for (idx, &day) in [0u32, 1, 3].iter().enumerate() {
            for i in 0..4 {
                let expected = f64::from(day) * SECONDS_PER_DAY
                    + w.start
                    + (i as f64 + 0.5) * w.length() / 4.0;
                approx::assert_relative_eq!(t[idx * 4 + i], expected, epsilon = 1e-6);
            }
        }
    }

    #[test]
    fn fractional_rates_spread_over_days() {
        let a = arrivals(0.5, Window::WHOLE_DAY, ArrivalPattern::Even);
        let t = arrival_times(&a, &(0..10).collect::<Vec<_>>());
        assert_eq!(t.len(), 5);
        approx::assert_relative_eq!(t[0], SECONDS_PER_DAY);
        approx::assert_relative_eq!(t[1], 3.0 * SECONDS_PER_DAY);
    }

    #[test]
    fn poisson_is_seeded_and_has_the_mean_rate() {
        let a = arrivals(
            1000.0,
            Window::WHOLE_DAY,
            ArrivalPattern::Poisson { seed: 7 },
        );
        let days: Vec<u32> = (0..30).collect();
        let t1 = arrival_times(&a, &days);
        let t2 = arrival_times(&a, &days);
        assert_eq!(t1, t2);
        let n = t1.len() as f64;
        // 30,000 expected; a Poisson count's sd is ~173, so ±3 % is > 5 sd.
        assert!((n - 30_000.0).abs() < 900.0, "{n}");
        assert!(t1.windows(2).all(|w| w[0] <= w[1]));
        let other = arrivals(
            1000.0,
            Window::WHOLE_DAY,
            ArrivalPattern::Poisson { seed: 8 },
        );
        assert_ne!(arrival_times(&other, &days), t1);
    }

    #[test]
    fn weekdays_skip_weekends() {
        // 2026-01-05 is a Monday.
        let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let days = Period {
            hours: 14.0 * 24.0,
            start,
        }
        .active_days();
        assert_eq!(days.all.len(), 14);
        assert_eq!(days.weekdays, vec![0, 1, 2, 3, 4, 7, 8, 9, 10, 11]);
        // Starting on a Saturday shifts them.
        let sat = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
        assert_eq!(
            Period {
                hours: 3.0 * 24.0,
                start: sat
            }
            .active_days()
            .weekdays,
            vec![2]
        );
    }

    #[test]
    fn drawn_durations_have_the_given_median_and_p95_and_are_seeded() {
        let mut a = arrivals(1.0, Window::WHOLE_DAY, ArrivalPattern::Even);
        a.duration = 40.0;
        a.spread = Some(crate::scenario::DurationSpread {
            p95: 180.0,
            seed: 3,
            max_draw: f64::INFINITY,
        });
        let draw = |a: &Arrivals| {
            let mut d = Durations::new(a);
            (0..40_000).map(|_| d.draw()).collect::<Vec<f64>>()
        };
        let mut v = draw(&a);
        assert_eq!(v, draw(&a), "the same seed draws the same durations");
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        v.sort_by(f64::total_cmp);
        let at = |p: f64| v[(p * v.len() as f64) as usize];
        // Sampling error of a median of 40,000 log-normal draws is well under 2 %.
        assert!((at(0.5) / 40.0 - 1.0).abs() < 0.02, "median {}", at(0.5));
        assert!((at(0.95) / 180.0 - 1.0).abs() < 0.04, "p95 {}", at(0.95));
        assert!((mean / a.mean_duration() - 1.0).abs() < 0.03, "mean {mean}");
        a.spread.as_mut().unwrap().seed = 4;
        assert_ne!(draw(&a), v);
        // Draws are cut at the longest a job may run.
        a.spread.as_mut().unwrap().max_draw = 100.0;
        assert!(draw(&a).iter().all(|d| *d <= 100.0));
        // A fixed duration is every job's.
        a.spread = None;
        assert!(draw(&a).iter().all(|d| *d == 40.0));
    }

    #[test]
    fn every_runs_from_the_offset_on_each_day_or_as_one_series() {
        let mut a = arrivals(
            0.0,
            Window::WHOLE_DAY,
            ArrivalPattern::Every {
                every: 7.0 * SECONDS_PER_HOUR,
                offset: 600.0,
            },
        );
        // The whole day on every day: one series that does not restart at midnight.
        let t = arrival_times(&a, &[0, 1, 2]);
        assert_eq!(t.len(), 11);
        assert_eq!(t[0], 600.0);
        assert_eq!(t[4], 600.0 + 28.0 * SECONDS_PER_HOUR);
        // Inside a window, from the offset on each active day.
        a.window = Window {
            start: 9.0 * SECONDS_PER_HOUR,
            end: 10.0 * SECONDS_PER_HOUR,
        };
        a.pattern = ArrivalPattern::Every {
            every: 900.0,
            offset: 120.0,
        };
        let t = arrival_times(&a, &[0, 3]);
        let nine = 9.0 * SECONDS_PER_HOUR;
        assert_eq!(
            t,
            vec![
                nine + 120.0,
                nine + 1020.0,
                nine + 1920.0,
                nine + 2820.0,
                3.0 * SECONDS_PER_DAY + nine + 120.0,
                3.0 * SECONDS_PER_DAY + nine + 1020.0,
                3.0 * SECONDS_PER_DAY + nine + 1920.0,
                3.0 * SECONDS_PER_DAY + nine + 2820.0,
            ]
        );
    }

    #[test]
    fn local_windows_follow_daylight_saving_time() {
        // 2026-03-23 is a Monday; Ireland moves to IST (UTC+1) on Sunday 2026-03-29.
        let start = NaiveDate::from_ymd_opt(2026, 3, 23).unwrap();
        let period = Period {
            hours: 14.0 * 24.0,
            start,
        };
        let clock = LocalClock::new(&period, Some(chrono_tz::Tz::Europe__Dublin));
        let a = Arrivals {
            window: Window {
                start: 9.0 * SECONDS_PER_HOUR,
                end: 9.5 * SECONDS_PER_HOUR,
            },
            days: Days::Weekdays,
            ..arrivals(1.0, Window::WHOLE_DAY, ArrivalPattern::Even)
        };
        let mut work = Vec::new();
        push_local_arrivals(&a, &clock, period.seconds(), 8.0, 0, &mut work);
        let times: Vec<f64> = work.iter().map(|j| j.arrival).collect();
        assert_eq!(times.len(), 10);
        // 09:15 local: 09:15 UTC in the first week (GMT), 08:15 UTC in the second (IST).
        let quarter_past = 9.25 * SECONDS_PER_HOUR;
        assert_eq!(times[0], quarter_past);
        assert_eq!(times[4], 4.0 * SECONDS_PER_DAY + quarter_past);
        assert_eq!(
            times[5],
            7.0 * SECONDS_PER_DAY + quarter_past - SECONDS_PER_HOUR
        );
        // A window before 00:00 UTC is kept: 00:30 local in summer is 23:30 UTC the day before.
        let summer = Period {
            hours: 2.0 * 24.0,
            start: NaiveDate::from_ymd_opt(2026, 7, 6).unwrap(),
        };
        let clock = LocalClock::new(&summer, Some(chrono_tz::Tz::Europe__Dublin));
        let late = Arrivals {
            window: Window {
                start: 0.0,
                end: SECONDS_PER_HOUR,
            },
            ..arrivals(1.0, Window::WHOLE_DAY, ArrivalPattern::Even)
        };
        let mut work = Vec::new();
        push_local_arrivals(&late, &clock, summer.seconds(), 8.0, 0, &mut work);
        let times: Vec<f64> = work.iter().map(|j| j.arrival).collect();
        // 00:30 IST on 7 and 8 July (in the period); 00:30 IST on 6 July is 23:30 UTC on
        // 5 July, before the period.
        assert_eq!(
            times,
            vec![SECONDS_PER_DAY - 1800.0, 2.0 * SECONDS_PER_DAY - 1800.0]
        );
        // Without a zone, times of day are UTC.
        let utc = LocalClock::new(&summer, None);
        let mut work = Vec::new();
        push_local_arrivals(&late, &utc, summer.seconds(), 8.0, 0, &mut work);
        assert_eq!(work[0].arrival, 1800.0);
    }

    #[test]
    fn a_time_the_clocks_skip_is_read_at_the_offset_before_the_change() {
        // Ireland 2026-03-29: 01:00 GMT becomes 02:00 IST; 01:30 local does not exist.
        let period = Period {
            hours: 24.0,
            start: NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(),
        };
        let clock = LocalClock::new(&period, Some(chrono_tz::Tz::Europe__Dublin));
        // Day 0 of the clock is the local day before the period.
        let t = clock.to_period(SECONDS_PER_DAY + 1.5 * SECONDS_PER_HOUR);
        assert_eq!(t, 1.5 * SECONDS_PER_HOUR);
        let after = clock.to_period(SECONDS_PER_DAY + 2.5 * SECONDS_PER_HOUR);
        assert_eq!(after, 1.5 * SECONDS_PER_HOUR);
    }

    #[test]
    fn weekly_limits_begin_on_the_first_monday() {
        // 2026-01-05 is a Monday, 2026-01-07 a Wednesday.
        assert_eq!(
            week_start(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()),
            0.0
        );
        assert_eq!(
            week_start(NaiveDate::from_ymd_opt(2026, 1, 7).unwrap()),
            5.0 * SECONDS_PER_DAY
        );
    }

    #[test]
    fn splitmix_reference_values() {
        // Reference outputs of SplitMix64 seeded with 1234567.
        let mut r = SplitMix64::new(1234567);
        assert_eq!(r.next_u64(), 6457827717110365317);
        assert_eq!(r.next_u64(), 3203168211198807973);
    }
}
