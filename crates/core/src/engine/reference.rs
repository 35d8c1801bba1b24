//! A deliberately naive reference of the billing model (v2), written from
//! `docs/model.md` alone and sharing no code with the engine: remaining work per job
//! instead of a virtual clock, every figure recomputed from explicit lists of segments,
//! busy periods and charge windows, and `billed(t)` evaluated from scratch wherever the
//! rules need it. O(n²) and worse; for property tests on small inputs only.

use super::{BreachAction, LimitPeriod, Metering, SimInput};

const TOL: f64 = 1e-6;
const MINUTE: f64 = 60.0;
const DAY: f64 = 86_400.0;
const WEEK: f64 = 7.0 * DAY;

/// What the reference computes.
#[derive(Debug, Clone)]
pub(super) struct RefResult {
    pub billed: f64,
    pub busy_seconds: f64,
    pub billed_seconds: f64,
    pub by_class: Vec<f64>,
    /// Per class, sorted.
    pub latencies: Vec<Vec<f64>>,
    pub rejected: Vec<usize>,
    /// `(limit, period start, trip time)`, sorted.
    pub trips: Vec<(usize, f64, f64)>,
}

/// A stretch of constant capacity: `[from, to)` at `capacity`, with each active job's
/// class and demand.
struct Segment {
    from: f64,
    to: f64,
    capacity: f64,
    shares: Vec<(usize, f64)>,
}

/// A completion (of a work job or the end of a fixed one).
struct Done {
    at: f64,
    class: usize,
    fixed: bool,
    arrival: f64,
    order: usize,
}

struct History {
    base: f64,
    metering: Metering,
    segments: Vec<Segment>,
    /// Busy periods `(start, end)`; the last may still be open (`end` infinite).
    periods: Vec<(f64, f64)>,
    /// The class of the first job of each busy period.
    starters: Vec<usize>,
}

/// Sorted, merged union of intervals.
fn union(mut v: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    v.retain(|(a, b)| b > a);
    v.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 + TOL => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// Length of `set ∩ [from, to)`.
fn measure(set: &[(f64, f64)], from: f64, to: f64) -> f64 {
    set.iter()
        .map(|(a, b)| (b.min(to) - a.max(from)).max(0.0))
        .sum()
}

impl History {
    /// Charge windows of the busy periods that started at or before `t` (before it
    /// when `!inclusive`); an open period's window reaches at least `t`.
    fn windows(&self, t: f64, inclusive: bool) -> Vec<(f64, f64)> {
        self.periods
            .iter()
            .filter(|(s, _)| if inclusive { *s <= t } else { *s < t })
            .map(|&(s, e)| (s, e.min(t.max(s)).max(s + MINUTE)))
            .collect()
    }

    /// The charged time the windows give: themselves, or every minute they meet.
    fn charged(&self, windows: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
        match self.metering {
            Metering::BusyPeriod => union(windows),
            Metering::PerMinute => {
                let mut minutes = Vec::new();
                for (a, b) in union(windows) {
                    let first = ((a + TOL) / MINUTE).floor() as i64;
                    let last = ((b - TOL) / MINUTE).ceil() as i64 - 1;
                    for k in first..=last {
                        minutes.push((k as f64 * MINUTE, (k + 1) as f64 * MINUTE));
                    }
                }
                union(minutes)
            }
        }
    }

    fn busy(&self, upto: f64) -> Vec<(f64, f64)> {
        self.periods
            .iter()
            .map(|&(s, e)| (s, e.min(upto)))
            .collect()
    }

    /// Billed RPU-seconds accrued over `[from, t)` as known at `t`.
    fn billed(&self, from: f64, t: f64, inclusive: bool) -> f64 {
        let busy_rpu: f64 = self
            .segments
            .iter()
            .map(|s| s.capacity * (s.to.min(t) - s.from.max(from)).max(0.0))
            .sum();
        let charged = self.charged(self.windows(t, inclusive));
        let busy = union(self.busy(t));
        let idle = measure(&charged, from, t) - measure(&busy, from, t);
        busy_rpu + self.base * idle.max(0.0)
    }
}

/// The limit period holding `t`.
fn limit_period(period: LimitPeriod, week_start: f64, t: f64) -> (f64, f64) {
    match period {
        LimitPeriod::Daily => {
            let k = (t / DAY).floor();
            (k * DAY, (k + 1.0) * DAY)
        }
        LimitPeriod::Weekly => {
            if t < week_start {
                (0.0, week_start)
            } else {
                let k = ((t - week_start) / WEEK).floor();
                (week_start + k * WEEK, week_start + (k + 1.0) * WEEK)
            }
        }
        LimitPeriod::Monthly => (0.0, f64::INFINITY),
    }
}

pub(super) fn reference(input: &SimInput) -> RefResult {
    let base = input.capacity.base;
    let max = input.capacity.max;
    let h = input.period;
    let classes = input.classes.len();
    let rules = &input.rules;
    let mut jobs: Vec<(usize, super::WorkJob)> = input
        .work
        .iter()
        .copied()
        .filter(|j| j.arrival < h)
        .enumerate()
        .collect();
    jobs.sort_by(|a, b| a.1.arrival.total_cmp(&b.1.arrival).then(a.0.cmp(&b.0)));
    let fixed: Vec<(f64, f64, f64, usize)> = input
        .fixed
        .iter()
        .map(|f| (f.start, f.end.min(h), f.rpu, f.class))
        .filter(|f| f.1 > f.0)
        .collect();

    let mut hist = History {
        base,
        metering: rules.metering,
        segments: Vec::new(),
        periods: Vec::new(),
        starters: Vec::new(),
    };
    let mut running: Vec<(super::WorkJob, f64, usize)> = Vec::new();
    let mut done: Vec<Done> = Vec::new();
    let mut latencies = vec![Vec::new(); classes];
    let mut rejected = vec![0usize; classes];
    let mut next = 0;
    let mut t = 0.0f64;
    loop {
        running.retain(|r| {
            if r.1 <= 1e-7 {
                latencies[r.0.class].push(t - r.0.arrival);
                done.push(Done {
                    at: t,
                    class: r.0.class,
                    fixed: false,
                    arrival: r.0.arrival,
                    order: r.2,
                });
                false
            } else {
                true
            }
        });
        for f in &fixed {
            if (f.1 - t).abs() <= TOL {
                done.push(Done {
                    at: t,
                    class: f.3,
                    fixed: true,
                    arrival: f.0,
                    order: 0,
                });
            }
        }
        // Fixed jobs that were already running (those starting now start below).
        let fixed_now: Vec<_> = fixed
            .iter()
            .filter(|f| f.0 < t - TOL && t + TOL < f.1)
            .collect();
        // Close the busy period when nothing is left at this instant (an arrival at this
        // same instant reopens it below, as one period).
        let mut open = !running.is_empty() || !fixed_now.is_empty();
        let mut ended_now = false;
        if let Some(last) = hist.periods.last_mut() {
            if last.1.is_infinite() && !open {
                last.1 = t;
                ended_now = true;
            }
        }
        let mut start_if_idle = |hist: &mut History, class: usize, open: &mut bool| {
            if !*open {
                if ended_now {
                    // Continues the period that just ended.
                    if let Some(last) = hist.periods.last_mut() {
                        last.1 = f64::INFINITY;
                    }
                    ended_now = false;
                } else {
                    hist.periods.push((t, f64::INFINITY));
                    hist.starters.push(class);
                }
                *open = true;
            }
        };
        for f in &fixed {
            if (f.0 - t).abs() <= TOL {
                start_if_idle(&mut hist, f.3, &mut open);
            }
        }
        while next < jobs.len() && jobs[next].1.arrival <= t + TOL {
            let (order, job) = jobs[next];
            next += 1;
            let query = Some(job.class) != rules.sync_class;
            let blocked = query
                && rules.limits.iter().any(|l| {
                    l.action == BreachAction::Deactivate && {
                        let (from, _) = limit_period(l.period, rules.week_start_s, job.arrival);
                        hist.billed(from, job.arrival, true) >= l.rpu_hours * 3600.0 - 1e-9
                    }
                });
            if blocked {
                rejected[job.class] += 1;
                continue;
            }
            start_if_idle(&mut hist, job.class, &mut open);
            running.push((job, job.duration, order));
        }

        let active_fixed: Vec<_> = fixed
            .iter()
            .filter(|f| f.0 <= t + TOL && t + TOL < f.1)
            .collect();
        let demand: f64 = running.iter().map(|r| r.0.rpu).sum::<f64>()
            + active_fixed.iter().map(|f| f.2).sum::<f64>();
        let active = !running.is_empty() || !active_fixed.is_empty();
        let capacity = if active {
            max.min(base.max(demand))
        } else {
            0.0
        };
        let speed = if demand > 0.0 {
            (capacity / demand).min(1.0)
        } else {
            1.0
        };
        let mut at = jobs.get(next).map_or(f64::INFINITY, |j| j.1.arrival);
        for f in &fixed {
            for edge in [f.0, f.1] {
                if edge > t + TOL {
                    at = at.min(edge);
                }
            }
        }
        for r in &running {
            at = at.min(t + r.1 / speed);
        }
        if at == f64::INFINITY {
            break;
        }
        if active && at > t {
            let mut shares: Vec<(usize, f64)> =
                running.iter().map(|r| (r.0.class, r.0.rpu)).collect();
            shares.extend(active_fixed.iter().map(|f| (f.3, f.2)));
            hist.segments.push(Segment {
                from: t,
                to: at,
                capacity,
                shares,
            });
            for r in &mut running {
                r.1 -= speed * (at - t);
            }
        }
        t = at;
    }

    // Billing from the final lists.
    let end = hist.periods.iter().map(|p| p.1).fold(0.0f64, f64::max) + 2.0 * MINUTE;
    let busy = union(hist.busy(end));
    let busy_seconds = measure(&busy, 0.0, end);
    let charged = hist.charged(hist.windows(end, true));
    let billed_seconds = measure(&charged, 0.0, end);
    let billed = hist.billed(0.0, end, true);

    // Attribution: busy time by demand share; each idle charged piece to the class of
    // the last job active before it, or (per-minute, a minute no earlier window reaches)
    // to the job that starts the busy period it leads into.
    let mut by_class = vec![0.0; classes];
    for s in &hist.segments {
        let d: f64 = s.shares.iter().map(|x| x.1).sum();
        for (c, r) in &s.shares {
            by_class[*c] += s.capacity * r / d * (s.to - s.from);
        }
    }
    let mut idle_pieces = Vec::new();
    for (a, b) in &charged {
        let mut cursor = *a;
        for (s, e) in &busy {
            if *e <= cursor || *s >= *b {
                continue;
            }
            if *s > cursor {
                idle_pieces.push((cursor, s.min(*b)));
            }
            cursor = cursor.max(*e);
        }
        if cursor < *b {
            idle_pieces.push((cursor, *b));
        }
    }
    for (from, to) in idle_pieces {
        let len = to - from;
        if len <= 0.0 {
            continue;
        }
        // The busy period this piece leads into, if it starts within the piece's minute.
        let mut backward = None;
        if rules.metering == Metering::PerMinute {
            for (k, &(s, _)) in hist.periods.iter().enumerate() {
                if (s - to).abs() <= TOL {
                    let minute = ((s + TOL) / MINUTE).floor() * MINUTE;
                    let reached = hist.periods[..k]
                        .iter()
                        .any(|&(ps, pe)| pe.max(ps + MINUTE) > minute + TOL);
                    if !reached {
                        backward = Some((minute, hist.starters[k]));
                    }
                }
            }
        }
        let mut forward_to = to;
        if let Some((minute, class)) = backward {
            let split = minute.max(from);
            by_class[class] += base * (to - split);
            forward_to = split;
        }
        if forward_to > from {
            let last = done
                .iter()
                .filter(|d| d.at <= from + TOL)
                .max_by(|x, y| {
                    x.at.total_cmp(&y.at)
                        .then(x.fixed.cmp(&y.fixed))
                        .then(x.arrival.total_cmp(&y.arrival))
                        .then(x.order.cmp(&y.order))
                })
                .map_or(0, |d| d.class);
            by_class[last] += base * (forward_to - from);
        }
    }

    // Trips: the first instant of each limit period at which billed(t) reaches the limit.
    let mut trips = Vec::new();
    for (i, l) in rules.limits.iter().enumerate() {
        let cap = l.rpu_hours * 3600.0;
        let mut points: Vec<f64> = vec![0.0];
        for s in &hist.segments {
            points.push(s.from);
            points.push(s.to);
        }
        for &(s, e) in &hist.periods {
            points.extend([s, e, s + MINUTE]);
        }
        let mut k = 0.0;
        while k <= end {
            points.push(k);
            k += MINUTE;
        }
        let mut b = limit_period(l.period, rules.week_start_s, 0.0).1;
        while b <= end {
            points.push(b);
            b = limit_period(l.period, rules.week_start_s, b).1;
        }
        points.retain(|p| p.is_finite() && *p <= end);
        points.sort_by(f64::total_cmp);
        points.dedup();
        let mut tripped_in: Option<f64> = None;
        for w in points.windows(2) {
            let (p0, p1) = (w[0], w[1]);
            let (ps, _) = limit_period(l.period, rules.week_start_s, p0);
            if tripped_in == Some(ps) {
                continue;
            }
            let v0 = hist.billed(ps, p0, true);
            if v0 >= cap - 1e-9 {
                trips.push((i, ps, p0));
                tripped_in = Some(ps);
                continue;
            }
            // Linear over (p0, p1) inside one limit period (boundaries are points).
            let v1 = hist.billed(ps, p1, false);
            if v1 >= cap - 1e-9 && p1 > p0 {
                let at = p0 + (cap - v0) / (v1 - v0) * (p1 - p0);
                trips.push((i, ps, at.clamp(p0, p1)));
                tripped_in = Some(ps);
            }
        }
    }
    trips.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.total_cmp(&b.2)));
    for l in &mut latencies {
        l.sort_by(f64::total_cmp);
    }
    RefResult {
        billed,
        busy_seconds,
        billed_seconds,
        by_class,
        latencies,
        rejected,
        trips,
    }
}
