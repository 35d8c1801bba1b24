//! Results of earlier runs that later runs of the same jobs may take instead of
//! simulating again, exactly.
//!
//! Capacity is `C(t) = min(M, max(B, D(t)))`. A run whose capacity peaked at `P` never
//! had `min` bind below `P`, so the same jobs on any max `M' ≥ P` follow the identical
//! trajectory: `min(M', x)` is `x` itself for every `x ≤ P`, bit for bit. A sweep or a
//! plan over max RPU therefore simulates only the maxes below the jobs' peak; the other
//! points take that result. Nothing is approximated: the figures are those a fresh
//! simulation gives.

use super::{EngineError, SimInput, SimResult};
use crate::units::Rpu;
use std::sync::{Arc, Mutex, PoisonError};

/// Owned work jobs kept across the memo's entries, at most: a memo of synthetic
/// workloads must not hold a month of jobs per entry (shared trace streams are held
/// by reference and cost nothing).
const MAX_KEPT_JOBS: usize = 1 << 20;
/// Entries kept, at most (the oldest goes first).
const MAX_ENTRIES: usize = 16;

struct Entry {
    input: SimInput,
    /// The run's peak capacity.
    peak: Rpu,
    result: SimResult,
}

impl Entry {
    /// Whether the result is the one a run on `max` gives: the same max, or one at or
    /// above the peak of a run that never reached its own max.
    fn holds_for(&self, max: Rpu) -> bool {
        max == self.input.capacity.max || (self.peak < self.input.capacity.max && max >= self.peak)
    }
}

/// A store of runs shared by the points of a repeated run (threads may share it).
#[derive(Default)]
pub struct RunMemo {
    entries: Mutex<Vec<Arc<Entry>>>,
}

impl std::fmt::Debug for RunMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("RunMemo").field("entries", &n).finish()
    }
}

/// The same jobs on the same base and period (the max aside).
fn same_jobs(a: &SimInput, b: &SimInput) -> bool {
    a.capacity.base == b.capacity.base
        && a.period == b.period
        && a.classes == b.classes
        && a.rules == b.rules
        && a.fixed == b.fixed
        && a.work == b.work
        && a.shared.len() == b.shared.len()
        && a.shared.iter().zip(&b.shared).all(|(x, y)| {
            (Arc::ptr_eq(&x.jobs, &y.jobs) || x.jobs == y.jobs)
                && x.rpus == y.rpus
                && x.classes == y.classes
                && x.default_rpu == y.default_rpu
                && x.default_class == y.default_class
        })
}

impl RunMemo {
    /// [`simulate`] of `input`, or the result of an earlier run of the same jobs whose
    /// peak capacity is at most `input`'s max.
    ///
    /// # Errors
    /// As [`simulate`].
    pub fn simulate(&self, input: &SimInput) -> Result<SimResult, EngineError> {
        self.simulate_with(input, &super::SimOptions::default())
    }

    /// [`RunMemo::simulate`] with `options` (a held run is returned whole; a run that
    /// stopped early is not kept).
    ///
    /// # Errors
    /// As [`super::simulate_with`].
    pub fn simulate_with(
        &self,
        input: &SimInput,
        options: &super::SimOptions,
    ) -> Result<SimResult, EngineError> {
        let found = self
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|e| e.holds_for(input.capacity.max) && same_jobs(&e.input, input))
            .cloned();
        if let Some(e) = found {
            return Ok(e.result.clone());
        }
        let result = super::simulate_with(input, options)?;
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let kept: usize = entries.iter().map(|e| e.input.work.len()).sum();
        if kept + input.work.len() <= MAX_KEPT_JOBS {
            if entries.len() == MAX_ENTRIES {
                entries.remove(0);
            }
            entries.push(Arc::new(Entry {
                input: input.clone(),
                peak: result.peak_rpu,
                result: result.clone(),
            }));
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{simulate, Capacity, PackedJob, SharedJobs, WorkJob};
    use super::*;
    use crate::model::workload::SplitMix64;

    /// A day of random jobs on `base`..`max`, half of them read from a shared stream.
    fn day(base: Rpu, max: Rpu, shared: &Arc<Vec<PackedJob>>) -> SimInput {
        let mut rng = SplitMix64::new(5);
        let work = (0..300)
            .map(|_| WorkJob {
                arrival: rng.next_open01() * 86_400.0,
                duration: 1.0 + rng.next_open01() * 900.0,
                rpu: 8.0 * (1 + rng.next_u64() % 8) as f64,
                class: 0,
            })
            .collect();
        SimInput {
            capacity: Capacity { base, max },
            period: 86_400.0,
            classes: vec!["a".into(), "b".into()],
            work,
            fixed: vec![],
            shared: vec![SharedJobs {
                jobs: Arc::clone(shared),
                rpus: Arc::from([16.0, 64.0]),
                classes: vec![1, 0],
                default_rpu: 8.0,
                default_class: 1,
            }],
            rules: super::super::Rules::default(),
        }
    }

    fn stream() -> Arc<Vec<PackedJob>> {
        let mut rng = SplitMix64::new(9);
        let mut jobs: Vec<PackedJob> = (0..300)
            .map(|_| PackedJob {
                arrival: rng.next_open01() * 86_400.0,
                duration: 1.0 + rng.next_open01() * 600.0,
                rpu: (rng.next_u64() % 3) as u32 % 2,
                class: (rng.next_u64() % 2) as u32,
            })
            .collect();
        jobs.sort_by(|a, b| a.arrival.total_cmp(&b.arrival));
        Arc::new(jobs)
    }

    #[test]
    fn every_max_gets_what_a_fresh_run_gives() {
        let shared = stream();
        let memo = RunMemo::default();
        let peak = simulate(&day(8.0, 100_000.0, &shared)).unwrap().peak_rpu;
        // Down and up across the peak, so that both stored and fresh runs answer.
        let maxes = [peak * 4.0, 64.0, peak, peak + 8.0, 128.0, peak * 2.0, 8.0];
        for max in maxes {
            let input = day(8.0, max, &shared);
            assert_eq!(
                memo.simulate(&input).unwrap(),
                simulate(&input).unwrap(),
                "max {max}"
            );
        }
        let stored = memo.entries.lock().unwrap().len();
        assert!(
            stored < maxes.len(),
            "some maxes were answered from the memo"
        );
    }

    #[test]
    fn other_jobs_are_never_answered_from_the_memo() {
        let shared = stream();
        let memo = RunMemo::default();
        let input = day(8.0, 100_000.0, &shared);
        memo.simulate(&input).unwrap();
        let mut other = input.clone();
        other.work[3].duration += 1.0;
        assert_eq!(memo.simulate(&other).unwrap(), simulate(&other).unwrap());
        let mut based = input.clone();
        based.capacity.base = 16.0;
        assert_eq!(memo.simulate(&based).unwrap(), simulate(&based).unwrap());
        let mut restream = input;
        restream.shared[0].rpus = Arc::from([32.0, 64.0]);
        assert_eq!(
            memo.simulate(&restream).unwrap(),
            simulate(&restream).unwrap()
        );
    }
}
