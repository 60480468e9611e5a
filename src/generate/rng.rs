//! The generator's PRNG: SplitMix64 seeding xoshiro256** per row (see the
//! module documentation of [`super`]).

#[inline]
pub(super) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256** with a few bounded-draw helpers.
pub(super) struct Rng {
    pub(super) s: [u64; 4],
}

impl Rng {
    pub(super) fn for_row(key: u64, n: u64) -> Rng {
        let mut sm = key ^ n.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let s = [splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm)];
        Rng { s }
    }

    #[inline]
    pub(super) fn next(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (n > 0).
    #[inline]
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    #[inline]
    pub(super) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        debug_assert!(lo <= hi);
        lo + self.below(hi - lo + 1)
    }

    /// Uniform day in `lo..=hi` (empty range gives `lo`).
    #[inline]
    pub(super) fn day(&mut self, lo: i32, hi: i32) -> i32 {
        if hi <= lo { lo } else { lo + self.below((hi - lo) as u64 + 1) as i32 }
    }

    /// True with probability `bp` / 10 000.
    #[inline]
    pub(super) fn chance(&mut self, bp: u64) -> bool {
        self.below(10_000) < bp
    }

    /// Index drawn with the given integer weights.
    #[inline]
    pub(super) fn pick(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as u64) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// `amount` scaled by a uniform factor in `lo_bp..=hi_bp` / 10 000.
    #[inline]
    pub(super) fn pct(&mut self, amount: u64, lo_bp: u64, hi_bp: u64) -> u64 {
        amount * self.range(lo_bp, hi_bp) / 10_000
    }
}
