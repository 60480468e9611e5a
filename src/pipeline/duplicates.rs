//! The duplicate check: a 64-bit fingerprint per loan id seen, in 65,536
//! sorted vectors (about 7 bytes a loan).

use crate::hint::prefetch;

/// A set of 64-bit fingerprints in 65,536 sorted vectors chosen by the top
/// 16 bits; each vector keeps the other 48 bits (the top 16 are its index),
/// as three big-endian 16-bit words so that array order is numeric order.
/// An insert is a binary search and a short move (about 150 entries per
/// vector at 10 million loans).
///
/// Growth: the hash spreads loans evenly, so the vectors fill together. When
/// one is full, every vector is given room at once for an eighth more loans
/// than the set holds (plus two standard deviations of a vector's share), so
/// each size of block the allocator hands out is given back whole, all at
/// once, instead of vector by vector at scattered times, which stranded
/// freed blocks in half-used pages (about 3 bytes a loan at 10M loans,
/// benches/RESULTS.md). A vector that outgrows its share grows alone, by an
/// eighth. The set costs about 7 bytes a loan plus 1.5 MB.
pub(super) struct FingerprintSet {
    pub(super) shards: Vec<Vec<[u16; 3]>>,
    /// Fingerprints held.
    len: u64,
    /// How many fingerprints the vectors were last all given room for.
    planned: u64,
}

/// The low 48 bits of a fingerprint, as stored.
#[inline]
fn low48(h: u64) -> [u16; 3] {
    [(h >> 32) as u16, (h >> 16) as u16, h as u16]
}

impl Default for FingerprintSet {
    fn default() -> Self {
        FingerprintSet { shards: vec![Vec::new(); 1 << 16], len: 0, planned: 0 }
    }
}

impl FingerprintSet {
    /// Adds each of `hashes` for which `take` is true, in order, writing
    /// into `fresh` whether it was new. The vectors are scattered over the
    /// heap, so each lookup would wait on memory: this asks for the vector
    /// a few rows ahead while working on the current one.
    pub(super) fn insert_all(&mut self, hashes: &[u64], take: impl Fn(usize) -> bool, fresh: &mut Vec<bool>) {
        const AHEAD_HEADER: usize = 16;
        const AHEAD_DATA: usize = 6;
        fresh.clear();
        for (j, &h) in hashes.iter().enumerate() {
            if let Some(&next) = hashes.get(j + AHEAD_HEADER) {
                prefetch(&self.shards[(next >> 48) as usize]);
            }
            if let Some(&next) = hashes.get(j + AHEAD_DATA) {
                let shard = &self.shards[(next >> 48) as usize];
                let n = shard.len();
                for k in [n / 4, n / 2, 3 * n / 4] {
                    if let Some(x) = shard.get(k) {
                        prefetch(x);
                    }
                }
            }
            fresh.push(take(j) && self.insert(h));
        }
    }

    /// Adds `h`; false if it was already there.
    pub(super) fn insert(&mut self, h: u64) -> bool {
        let at = (h >> 48) as usize;
        let key = low48(h);
        let Err(i) = self.shards[at].binary_search(&key) else { return false };
        if self.shards[at].len() == self.shards[at].capacity() {
            if self.len >= self.planned {
                self.grow_all();
            }
            let shard = &mut self.shards[at];
            if shard.len() == shard.capacity() {
                shard.reserve_exact((shard.len() / 8).max(4));
            }
        }
        self.shards[at].insert(i, key);
        self.len += 1;
        true
    }

    /// Gives every vector room for its share of an eighth more loans than
    /// the set holds, plus two standard deviations of that share (a
    /// vector's share is a Poisson count), when that is more than it has;
    /// the next time comes once the set holds that many.
    fn grow_all(&mut self) {
        self.planned = (self.len + self.len / 8).max(1 << 16);
        let share = self.planned >> 16;
        let room = (share + 2 * share.isqrt() + 4) as usize;
        for shard in &mut self.shards {
            if shard.capacity() < room {
                shard.reserve_exact(room - shard.len());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loan::id_fingerprint;

    #[test]
    fn stored_words_sort_as_the_numbers() {
        let mut xs: Vec<u64> = (0..5000u64).map(|i| id_fingerprint(&i.to_string()) & 0xFFFF_FFFF_FFFF).collect();
        xs.extend([0, 1, 0xFFFF, 0x1_0000, 0xFFFF_FFFF, 0x1_0000_0000, 0xFFFF_FFFF_FFFF]);
        let mut words: Vec<[u16; 3]> = xs.iter().map(|&x| low48(x)).collect();
        xs.sort();
        words.sort();
        assert_eq!(words, xs.iter().map(|&x| low48(x)).collect::<Vec<_>>());
    }

    #[test]
    fn vectors_grow_together_with_bounded_spare_room() {
        let mut set = FingerprintSet::default();
        let n = 1_000_000u64;
        for i in 0..n {
            assert!(set.insert(id_fingerprint(&format!("G{i}"))), "{i}");
        }
        assert_eq!(set.len, n);
        assert_eq!(set.shards.iter().map(|v| v.len() as u64).sum::<u64>(), n);
        let room: usize = set.shards.iter().map(Vec::capacity).sum();
        // an eighth ahead, two standard deviations and four slots a vector
        // (at 15 fingerprints a vector, four slots are most of the spare room)
        let bound = n + n / 8 + 65_536 * (2 * 4 + 4);
        assert!((room as u64) <= bound, "{room} slots for {n} fingerprints (bound {bound})");
        for v in &set.shards {
            assert!(v.windows(2).all(|w| w[0] < w[1]), "a vector out of order");
        }
    }

    #[test]
    fn fingerprint_set_finds_repeats_across_growth() {
        let mut set = FingerprintSet::default();
        for i in 0..200_000u64 {
            assert!(set.insert(id_fingerprint(&format!("L{i}"))), "{i}");
        }
        for i in (0..200_000u64).step_by(7) {
            assert!(!set.insert(id_fingerprint(&format!("L{i}"))), "{i}");
        }
        assert!(
            set.insert(0)
                && !set.insert(0)
                && set.insert(1)
                && !set.insert(1)
                && set.insert(u64::MAX)
                && !set.insert(u64::MAX)
        );
        // In bulk: repeats within the list and against the set; skipped rows are not added.
        let mut fresh = Vec::new();
        let hashes = [7, 8, 7, 0, 9, 9, 10];
        set.insert_all(&hashes, |j| j != 6, &mut fresh);
        assert_eq!(fresh, [true, true, false, false, true, false, false]);
        set.insert_all(&[10], |_| true, &mut fresh);
        assert_eq!(fresh, [true]);
    }
}
