//! The engine's queue of running work jobs, ordered by finish time on the virtual clock
//! (ties by job rank).
//!
//! While the queue is small (a normal month: tens to a few thousand running jobs) it is
//! a binary heap of 16-byte entries, which fits in the cache. Once it grows past
//! [`RADIX_ABOVE`] it becomes a radix heap on the finish time's bits: finish times are
//! non-negative, so their IEEE bits order like the numbers, and the engine pops them in
//! non-decreasing order. A radix heap keeps key `k` in a bucket set by the highest
//! digit in which `k` differs from `last`, the smallest key it has brought forward: a
//! push is O(1), and each entry moves to a lower bucket at most 16 times in its life,
//! with sequential memory traffic only (a binary heap of a million jobs misses the cache
//! on every level of every pop). A job may be pushed with a key below `last` (it
//! arrives after the head was brought forward and finishes before it); those few wait
//! in the binary heap, which is then always served first, since all its keys are below
//! `last` and every bucket's are at or above it.
//!
//! A radix entry carries what the job's completion needs (arrival, demand, class), so a
//! completion never goes back to the job list: 32 bytes an entry.

use std::collections::BinaryHeap;

/// A running work job.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Running {
    /// Finish time on the virtual clock: finite and non-negative.
    pub(super) finish_v: f64,
    pub(super) arrival: f64,
    pub(super) rpu: f64,
    /// Position in the run's arrival order of sources (owned jobs, then each shared
    /// stream): breaks ties between equal finish times.
    pub(super) rank: u32,
    pub(super) class: u32,
}

impl Running {
    fn key(&self) -> u64 {
        debug_assert!(self.finish_v >= 0.0 && self.finish_v.is_sign_positive());
        self.finish_v.to_bits()
    }
}

/// A binary-heap entry, 16 bytes (half a [`Running`]: a heap's cost is in moving and
/// comparing its entries): the finish time's bits, the rank and the slot in
/// [`RunningQueue::slots`] of the rest, packed high to low into one integer, so that
/// integer order is the queue's order and a comparison is branch-free. Reversed for
/// [`BinaryHeap`] (a max-heap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Keyed(std::cmp::Reverse<u128>);

impl Keyed {
    fn new(job: &Running, slot: u32) -> Keyed {
        Keyed(std::cmp::Reverse(
            (u128::from(job.key()) << 64) | (u128::from(job.rank) << 32) | u128::from(slot),
        ))
    }

    fn finish_v(self) -> f64 {
        f64::from_bits((self.0 .0 >> 64) as u64)
    }

    fn slot(self) -> usize {
        (self.0 .0 & u128::from(u32::MAX)) as usize
    }
}

/// Keys are compared with `last` in base-16 digits: a key's bucket is set by the
/// highest digit in which it differs from `last` and by its own value of that digit
/// (`1 + 16 × position + digit`; bucket 0 holds keys equal to `last`). Digits rather
/// than bits, because an entry moves down at least one digit position each time its
/// bucket is emptied: at most 16 moves in its life, and a bucket's entries spread over
/// 16 buckets rather than 2 (about a quarter of the moves of a bit-wise radix heap on
/// a queue of a million).
const DIGIT_BITS: u32 = 4;
/// Values of a digit.
const DIGIT_VALUES: usize = 1 << DIGIT_BITS;
/// Bucket 0 and one per (digit position, digit value).
const BUCKETS: usize = 1 + (64 / DIGIT_BITS as usize) * DIGIT_VALUES;
/// Words of the occupancy bitmap of buckets 1 and up.
const WORDS: usize = (BUCKETS - 1) / 64;

/// A bucket that held more entries than this gives its memory back once emptied (a
/// drained queue of millions would otherwise hold it to the end of the run).
const KEEP_CAPACITY: usize = 1 << 14;

/// Up to this many running jobs a binary heap is faster (it fits in the L1/L2 cache,
/// and a radix heap moves each entry several times); above it the radix heap is.
const RADIX_ABOVE: usize = 4096;
/// A radix queue that has shrunk below this goes back to the binary heap (apart from
/// [`RADIX_ABOVE`], so that a queue near the limit does not switch at every event).
const HEAP_BELOW: usize = 1024;

/// A min-queue of [`Running`] jobs by ([`Running::finish_v`], [`Running::rank`]) for
/// keys pushed no lower than the last popped one, as the engine pushes them (a lower
/// key is accepted too). A binary heap while it is small; a radix heap beside it once
/// it is large, the binary heap then holding only keys pushed below the radix heap's
/// `last` (which always come first).
#[derive(Debug)]
pub(super) struct RunningQueue {
    /// Small: every entry. Radix: the entries with keys below `last`.
    heap: BinaryHeap<Keyed>,
    /// The heap's entries in full, by [`Keyed::slot`]; free slots are listed in `free`.
    slots: Vec<Running>,
    free: Vec<u32>,
    radix: bool,
    /// Every bucketed key is at least this; bucket 0 holds the keys equal to it.
    last: u64,
    buckets: [Vec<Running>; BUCKETS],
    /// Bit `b − 1` set when bucket `b` (1 and up) holds an entry.
    occupied: [u64; WORDS],
    len: usize,
    /// [`RADIX_ABOVE`] and [`HEAP_BELOW`] (other values in tests).
    radix_above: usize,
    heap_below: usize,
}

impl Default for RunningQueue {
    fn default() -> Self {
        RunningQueue::with_limits(RADIX_ABOVE, HEAP_BELOW)
    }
}

fn bucket(key: u64, last: u64) -> usize {
    let differ = key ^ last;
    if differ == 0 {
        return 0;
    }
    let position = differ.ilog2() / DIGIT_BITS;
    let digit = (key >> (position * DIGIT_BITS)) as usize & (DIGIT_VALUES - 1);
    1 + position as usize * DIGIT_VALUES + digit
}

fn mark(occupied: &mut [u64; WORDS], b: usize) {
    occupied[(b - 1) / 64] |= 1 << ((b - 1) % 64);
}

impl RunningQueue {
    fn with_limits(radix_above: usize, heap_below: usize) -> Self {
        RunningQueue {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            radix: false,
            last: 0,
            buckets: std::array::from_fn(|_| Vec::new()),
            occupied: [0; WORDS],
            len: 0,
            radix_above,
            heap_below,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    pub(super) fn push(&mut self, job: Running) {
        self.len += 1;
        if !self.radix {
            self.heap_in(job);
            if self.heap.len() > self.radix_above {
                self.spill_into_buckets();
            }
            return;
        }
        let key = job.key();
        if key < self.last {
            self.heap_in(job);
        } else {
            self.bucket_in(job, key);
        }
    }

    #[inline]
    fn heap_in(&mut self, job: Running) {
        let slot = if let Some(slot) = self.free.pop() {
            self.slots[slot as usize] = job;
            slot
        } else {
            // Fewer slots than jobs, and jobs are counted in 32 bits (`ArrivalQueue`).
            let slot = self.slots.len() as u32;
            self.slots.push(job);
            slot
        };
        self.heap.push(Keyed::new(&job, slot));
    }

    #[inline]
    fn heap_out(&mut self) -> Option<Running> {
        let slot = self.heap.pop()?.slot();
        // A slot index: fewer than 2^32 (see `heap_in`).
        self.free.push(slot as u32);
        Some(self.slots[slot])
    }

    /// Empties the heap, in no particular order.
    fn drain_heap(&mut self) -> Vec<Running> {
        let jobs = std::mem::take(&mut self.heap)
            .into_iter()
            .map(|k| self.slots[k.slot()])
            .collect();
        self.slots.clear();
        self.free.clear();
        jobs
    }

    fn bucket_in(&mut self, job: Running, key: u64) {
        match bucket(key, self.last) {
            0 => {
                // Bucket 0 is kept in descending rank, so that its end is the next pop.
                let zero = &mut self.buckets[0];
                let at = zero.partition_point(|r| r.rank > job.rank);
                zero.insert(at, job);
            }
            b => {
                self.buckets[b].push(job);
                mark(&mut self.occupied, b);
            }
        }
    }

    /// Moves every entry of the binary heap into the buckets.
    fn spill_into_buckets(&mut self) {
        let jobs = self.drain_heap();
        self.last = jobs.iter().map(Running::key).min().unwrap_or(0);
        self.radix = true;
        for job in jobs {
            self.bucket_in(job, job.key());
        }
    }

    /// Moves every bucketed entry into the binary heap.
    fn gather_into_heap(&mut self) {
        let mut jobs = self.drain_heap();
        for b in &mut self.buckets {
            jobs.append(b);
            if b.capacity() > KEEP_CAPACITY {
                *b = Vec::new();
            }
        }
        self.occupied = [0; WORDS];
        self.radix = false;
        for job in jobs {
            self.heap_in(job);
        }
    }

    /// Brings the smallest bucketed keys into bucket 0 (when it is empty); false when
    /// there are none.
    fn refill(&mut self) -> bool {
        if !self.buckets[0].is_empty() {
            return true;
        }
        let Some(w) = self.occupied.iter().position(|w| *w != 0) else {
            return false;
        };
        let b = w * 64 + self.occupied[w].trailing_zeros() as usize + 1;
        self.occupied[w] &= !(1 << ((b - 1) % 64));
        let mut from = std::mem::take(&mut self.buckets[b]);
        let last = from.iter().map(Running::key).min().unwrap_or(self.last);
        self.last = last;
        for job in from.drain(..) {
            // Always a bucket below `b`: the keys share with `last` every digit down
            // to the one that set `b`.
            let nb = bucket(job.key(), last);
            self.buckets[nb].push(job);
            if nb > 0 {
                mark(&mut self.occupied, nb);
            }
        }
        if from.capacity() <= KEEP_CAPACITY {
            self.buckets[b] = from;
        }
        let zero = &mut self.buckets[0];
        if zero.len() > 1 {
            zero.sort_unstable_by_key(|r| std::cmp::Reverse(r.rank));
        }
        true
    }

    /// The finish time of the next job to finish.
    #[inline]
    pub(super) fn peek_finish(&mut self) -> Option<f64> {
        if !self.radix || !self.heap.is_empty() {
            return self.heap.peek().map(|k| k.finish_v());
        }
        if self.refill() {
            self.buckets[0].last().map(|r| r.finish_v)
        } else {
            None
        }
    }

    /// Takes the next job to finish.
    #[inline]
    pub(super) fn pop(&mut self) -> Option<Running> {
        let job = if let Some(job) = self.heap_out() {
            Some(job)
        } else if self.radix && self.refill() {
            self.buckets[0].pop()
        } else {
            None
        };
        if job.is_some() {
            self.len -= 1;
            if self.radix && self.len < self.heap_below {
                self.gather_into_heap();
            }
        }
        job
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn job(finish_v: f64, rank: u32) -> Running {
        Running {
            finish_v,
            arrival: 0.0,
            rpu: 1.0,
            rank,
            class: 0,
        }
    }

    #[test]
    fn equal_finish_times_pop_by_rank() {
        let mut q = RunningQueue::with_limits(0, 0);
        for rank in [5, 1, 3] {
            q.push(job(2.0, rank));
        }
        q.push(job(1.0, 9));
        let order: Vec<u32> = std::iter::from_fn(|| q.pop()).map(|r| r.rank).collect();
        assert_eq!(order, vec![9, 1, 3, 5]);
        assert!(q.is_empty());
    }

    #[test]
    fn a_key_below_the_head_is_served_first() {
        let mut q = RunningQueue::with_limits(0, 0);
        q.push(job(10.0, 0));
        q.push(job(20.0, 1));
        assert_eq!(q.peek_finish(), Some(10.0)); // brings 10.0 forward
        q.push(job(5.0, 2));
        q.push(job(10.0, 3));
        let order: Vec<u32> = std::iter::from_fn(|| q.pop()).map(|r| r.rank).collect();
        assert_eq!(order, vec![2, 0, 3, 1]);
    }

    /// An operation on a queue: push a job finishing `delta` after the last popped key
    /// (negative: before it), or pop.
    #[derive(Debug, Clone)]
    enum Op {
        Push(f64),
        Pop,
        Peek,
    }

    fn ops() -> impl Strategy<Value = Vec<Op>> {
        prop::collection::vec(
            prop_oneof![
                3 => prop_oneof![
                    (0.0..1e6f64).prop_map(Op::Push),
                    (0u8..4).prop_map(|k| Op::Push(f64::from(k))),
                    (-5.0..0.0f64).prop_map(Op::Push),
                ],
                2 => Just(Op::Pop),
                1 => Just(Op::Peek),
            ],
            0..400,
        )
    }

    /// The reference: a plain list, the next job found by a scan in the queue's order
    /// (earlier finish, then lower rank); taken out when `take`.
    fn next_of(list: &mut Vec<Running>, take: bool) -> Option<Running> {
        let i = (0..list.len()).min_by(|&a, &b| {
            list[a]
                .finish_v
                .total_cmp(&list[b].finish_v)
                .then(list[a].rank.cmp(&list[b].rank))
        })?;
        Some(if take { list.swap_remove(i) } else { list[i] })
    }

    proptest! {
        /// The queue pops exactly what the reference list gives, in the same order,
        /// whatever the keys (including ones below the head) and however often it
        /// switches between its binary and radix forms.
        #[test]
        fn pops_in_finish_then_rank_order(ops in ops(), above in 0usize..40, below in 0usize..40) {
            let mut q = RunningQueue::with_limits(above, below.min(above));
            let mut reference: Vec<Running> = Vec::new();
            let mut last = 0.0f64;
            let mut rank = 0u32;
            for op in ops {
                match op {
                    Op::Push(delta) => {
                        let finish = (last + delta).max(0.0);
                        q.push(job(finish, rank));
                        reference.push(job(finish, rank));
                        rank += 1;
                    }
                    Op::Pop => {
                        let got = q.pop();
                        prop_assert_eq!(got, next_of(&mut reference, true));
                        if let Some(r) = got {
                            last = r.finish_v;
                        }
                    }
                    Op::Peek => {
                        let want = next_of(&mut reference, false).map(|r| r.finish_v);
                        prop_assert_eq!(q.peek_finish(), want);
                    }
                }
                prop_assert_eq!(q.len(), reference.len());
            }
            while let Some(want) = next_of(&mut reference, true) {
                prop_assert_eq!(q.pop(), Some(want));
            }
            prop_assert!(q.pop().is_none());
        }
    }
}
