//! The duplicate check: a 64-bit fingerprint per loan id seen, in 65,536
//! sorted vectors (6-7 bytes a loan).

use crate::hint::prefetch;

/// A set of 64-bit fingerprints in 65,536 sorted vectors chosen by the top
/// 16 bits; each vector keeps the other 48 bits (the top 16 are its index),
/// as three big-endian 16-bit words so that array order is numeric order. A
/// vector grows by an eighth at a time, so the set costs about 6–7 bytes per
/// loan (about 70 MB at 10 million loans) plus 1.5 MB; an insert is a binary
/// search and a short move (about 150 entries per vector at 10 million loans).
pub(super) struct FingerprintSet {
    pub(super) shards: Vec<Vec<[u16; 3]>>,
}

/// The low 48 bits of a fingerprint, as stored.
#[inline]
fn low48(h: u64) -> [u16; 3] {
    [(h >> 32) as u16, (h >> 16) as u16, h as u16]
}

impl Default for FingerprintSet {
    fn default() -> Self {
        FingerprintSet { shards: vec![Vec::new(); 1 << 16] }
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
        let shard = &mut self.shards[(h >> 48) as usize];
        let key = low48(h);
        match shard.binary_search(&key) {
            Ok(_) => false,
            Err(i) => {
                if shard.len() == shard.capacity() {
                    shard.reserve_exact((shard.len() / 8).max(4));
                }
                shard.insert(i, key);
                true
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
