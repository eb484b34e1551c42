//! One computation of the samples per OTLP collection: the SDK calls every
//! instrument's callback in turn, and each would otherwise walk the whole
//! state for its own metric. Here the first callback of a cycle computes
//! every metric's samples, and each callback then takes its own share.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

/// Samples grouped by metric, handed out once each per computation.
pub struct SampleCycle<M, S> {
    state: Mutex<Pending<M, S>>,
}

struct Pending<M, S> {
    /// The last computation's samples that no callback has taken yet.
    samples: BTreeMap<M, Vec<S>>,
    /// Metrics already read from it: reading one again starts a new cycle.
    taken: BTreeSet<M>,
    computed: bool,
}

impl<M: Ord + Copy, S> Default for SampleCycle<M, S> {
    fn default() -> Self {
        SampleCycle {
            state: Mutex::new(Pending {
                samples: BTreeMap::new(),
                taken: BTreeSet::new(),
                computed: false,
            }),
        }
    }
}

impl<M: Ord + Copy, S> SampleCycle<M, S> {
    /// The samples of `metric`: from the current computation if this metric
    /// has not been read from it yet, else from a fresh one made with
    /// `compute` (the start of the next cycle).
    pub fn take(&self, metric: M, compute: impl FnOnce() -> Vec<(M, S)>) -> Vec<S> {
        let Ok(mut p) = self.state.lock() else {
            return Vec::new();
        };
        if !p.computed || p.taken.contains(&metric) {
            p.samples.clear();
            p.taken.clear();
            for (m, s) in compute() {
                p.samples.entry(m).or_default().push(s);
            }
            p.computed = true;
        }
        p.taken.insert(metric);
        p.samples.remove(&metric).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn each_cycle_computes_once_and_every_metric_gets_its_samples() {
        let cycle: SampleCycle<u8, u32> = SampleCycle::default();
        let computed = Cell::new(0u32);
        let compute = || {
            computed.set(computed.get() + 1);
            let n = computed.get();
            vec![(1, n), (2, 10 * n), (1, 100 * n), (3, 1000 * n)]
        };
        for round in 1..=3u32 {
            let mut seen = vec![
                cycle.take(2, compute),
                cycle.take(1, compute),
                cycle.take(4, compute),
                cycle.take(3, compute),
            ];
            seen.iter_mut().for_each(|v| v.sort());
            assert_eq!(
                seen,
                vec![
                    vec![10 * round],
                    vec![round, 100 * round],
                    vec![],
                    vec![1000 * round]
                ]
            );
            assert_eq!(
                computed.get(),
                round,
                "one computation per cycle, a metric without samples included"
            );
        }
    }
}
