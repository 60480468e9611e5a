//! Deterministic synthetic portfolio generator (`deficiency generate`).
//!
//! Produces loans in the native input layout (SPEC.md §3) with a realistic mix
//! of event types, loan purposes, lien positions, borrower types, missing
//! facts, refinance chains, deadlines and bankruptcies, tuned so that every
//! outcome and every rule path of the engine occurs within a few thousand rows.
//! It is what benchmarks and demos run on.
//!
//! # Determinism
//!
//! The bytes produced for a seed never change with crate or compiler
//! versions: only integer arithmetic is used (no floats, no `rand`, no hash
//! maps), and the PRNG is written out here:
//!
//! * Row `n` (1-based) is drawn from its own **xoshiro256\*\*** generator
//!   (Blackman & Vigna, 2018), whose 256-bit state is the next four outputs of
//!   **SplitMix64** (Steele, Lea & Flood, 2014) started at
//!   `key ^ n.wrapping_mul(0xD1B5_4A32_D192_ED03)`, where `key` is the first
//!   SplitMix64 output for state `seed`.
//! * Bounded draws are `(x as u128 * bound as u128) >> 64` (Lemire's
//!   multiply-shift, without rejection; the bias is below 2^-40 and is part of
//!   the definition).
//!
//! A row's cells therefore depend only on `(seed, n)`: the CSV writer, a
//! Parquet writer, or a parallel writer that starts at row `n` with
//! [`Generator::starting_at`] all see the same loans.
//!
//! # Validity
//!
//! Every cell is valid per SPEC §3: dates `YYYY-MM-DD`, money `123456.78`
//! (never negative), booleans `true`/`false`, enumerations in lower
//! snake_case, `sale_price` blank exactly on `senior_sale` rows, and
//! `event_date <= deficiency_filed_date <= 2025-12-31` (so a run with
//! `--as-of 2026-01-15` or later rejects nothing). No cell contains a comma,
//! quote or newline. Refinance amounts always add up:
//! `unpaid_principal + principal_paid = purchase_money_payoff +
//! refinance_costs_financed + new_advance` (a blank `refinance_costs_financed`
//! stands for 0; a blank `principal_paid` is derivable by that identity).

use crate::loan::Field;
use std::io::{self, BufWriter, Write};

/// The columns `generate` writes: every native input column (declared in
/// [`Field`]) but the extensions, in declared order, so a column's position
/// is its [`Field`] number.
pub fn columns() -> &'static [Field] {
    &Field::ALL[..Field::ALL.len() - Field::EXTENSIONS.len()]
}

/// Where column `f` sits in a generated row.
const fn col(f: Field) -> usize {
    f as usize
}

/// Latest date the generator ever writes (any `--as-of` from 2026-01-01 on
/// accepts every `deficiency_filed_date`).
pub const LATEST_DATE: &str = "2025-12-31";

// ---------------------------------------------------------------------------
// PRNG

#[inline]
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256** with a few bounded-draw helpers.
struct Rng {
    s: [u64; 4],
}

impl Rng {
    fn for_row(key: u64, n: u64) -> Rng {
        let mut sm = key ^ n.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let s = [splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm)];
        Rng { s }
    }

    #[inline]
    fn next(&mut self) -> u64 {
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
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    #[inline]
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        debug_assert!(lo <= hi);
        lo + self.below(hi - lo + 1)
    }

    /// Uniform day in `lo..=hi` (empty range gives `lo`).
    #[inline]
    fn day(&mut self, lo: i32, hi: i32) -> i32 {
        if hi <= lo { lo } else { lo + self.below((hi - lo) as u64 + 1) as i32 }
    }

    /// True with probability `bp` / 10 000.
    #[inline]
    fn chance(&mut self, bp: u64) -> bool {
        self.below(10_000) < bp
    }

    /// Index drawn with the given integer weights.
    #[inline]
    fn pick(&mut self, weights: &[u32]) -> usize {
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
    fn pct(&mut self, amount: u64, lo_bp: u64, hi_bp: u64) -> u64 {
        amount * self.range(lo_bp, hi_bp) / 10_000
    }
}

// ---------------------------------------------------------------------------
// Dates as days since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithms).

const fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

#[cfg(test)]
fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

const EARLIEST_ORIGINATION: i32 = days_from_civil(1992, 1, 1);
const EVENTS_FROM: i32 = days_from_civil(2009, 1, 1);
const CRISIS_END: i32 = days_from_civil(2012, 12, 31);
const REFI_GATE: i32 = days_from_civil(2013, 1, 1);
const SB931_FROM: i32 = days_from_civil(2011, 1, 1);
const SB931_TO: i32 = days_from_civil(2011, 7, 14);
const RECENT_FROM: i32 = days_from_civil(2025, 7, 1);
const PENDING_BK_FROM: i32 = days_from_civil(2023, 6, 1);
const LATEST: i32 = days_from_civil(2025, 12, 31);
const YEAR: i32 = 365;

/// Cents in `d` whole dollars.
const fn dollars(d: u64) -> u64 {
    d * 100
}

// ---------------------------------------------------------------------------
// Cell writers (no allocation once the buffers have grown).

#[inline]
fn put_u64(buf: &mut Vec<u8>, v: u64) {
    crate::money::write_u64(v, buf);
}

/// Money from cents: `123456.78`.
#[inline]
fn put_money(buf: &mut Vec<u8>, cents: u64) {
    put_u64(buf, cents / 100);
    let f = (cents % 100) as u8;
    buf.extend_from_slice(&[b'.', b'0' + f / 10, b'0' + f % 10]);
}

#[inline]
fn put_date(buf: &mut Vec<u8>, days: i32) {
    if let Some(d) = crate::dates::from_epoch_days(days) {
        crate::output::write_date(d, buf);
    }
}

#[inline]
fn put_bool(buf: &mut Vec<u8>, b: bool) {
    buf.extend_from_slice(if b { b"true" } else { b"false" });
}

/// Writes a boolean that is known to be `value`: blank with probability
/// `blank_bp` (the column's default or "unknown").
#[inline]
fn put_bool_or_blank(rng: &mut Rng, buf: &mut Vec<u8>, value: bool, blank_bp: u64) {
    if !rng.chance(blank_bp) {
        put_bool(buf, value);
    }
}

// ---------------------------------------------------------------------------
// Vocabulary

#[derive(Clone, Copy, PartialEq, Eq)]
enum Event {
    Trustee,
    Judicial,
    Foreclosure,
    Short,
    DeedInLieu,
    Senior,
}

impl Event {
    const ALL: [Event; 6] =
        [Event::Trustee, Event::Judicial, Event::Foreclosure, Event::Short, Event::DeedInLieu, Event::Senior];
    /// Percent of rows.
    const WEIGHTS: [u32; 6] = [45, 12, 8, 15, 6, 14];

    fn name(self) -> &'static [u8] {
        match self {
            Event::Trustee => b"trustee_sale",
            Event::Judicial => b"judicial_sale",
            Event::Foreclosure => b"foreclosure_sale",
            Event::Short => b"short_sale",
            Event::DeedInLieu => b"deed_in_lieu",
            Event::Senior => b"senior_sale",
        }
    }

    /// A sale of this lien (judicial, trustee or unknown method).
    fn is_foreclosure(self) -> bool {
        matches!(self, Event::Trustee | Event::Judicial | Event::Foreclosure)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Purchase,
    Construction,
    Refinance,
    CashOut,
    HomeEquity,
    Other,
}

impl Purpose {
    const ALL: [Purpose; 6] = [
        Purpose::Purchase,
        Purpose::Construction,
        Purpose::Refinance,
        Purpose::CashOut,
        Purpose::HomeEquity,
        Purpose::Other,
    ];
    /// First liens, in tenths of a percent.
    const FIRST_LIEN: [u32; 6] = [470, 15, 175, 225, 35, 80];
    /// Junior liens (piggyback purchase seconds, HELOCs, ...).
    const JUNIOR_LIEN: [u32; 6] = [260, 5, 40, 60, 555, 80];
    /// First liens foreclosed in court: lenders choose judicial foreclosure
    /// mostly where a deficiency may be available (not purchase money).
    const FIRST_LIEN_JUDICIAL: [u32; 6] = [240, 15, 160, 450, 50, 85];

    fn name(self) -> &'static [u8] {
        match self {
            Purpose::Purchase => b"purchase",
            Purpose::Construction => b"construction",
            Purpose::Refinance => b"refinance",
            Purpose::CashOut => b"cash_out_refinance",
            Purpose::HomeEquity => b"home_equity",
            Purpose::Other => b"other",
        }
    }
}

const BORROWER_TYPES: [&[u8]; 7] =
    [b"individual", b"llc", b"corporation", b"trust", b"limited_partnership", b"general_partnership", b"public_entity"];
/// Tenths of a percent, same order as [`BORROWER_TYPES`].
const BORROWER_WEIGHTS: [u32; 7] = [855, 50, 25, 35, 15, 15, 5];

const OTHER_STATES: [&[u8]; 10] = [b"NV", b"AZ", b"OR", b"WA", b"TX", b"NY", b"FL", b"CO", b"IL", b"NJ"];

// ---------------------------------------------------------------------------
// Generator

/// A deterministic stream of synthetic loans for one seed.
#[derive(Clone, Debug)]
pub struct Generator {
    seed: u64,
    key: u64,
    /// 1-based number of the next row.
    next: u64,
    prefix: Vec<u8>,
}

impl Generator {
    /// The stream for `seed`, starting at its first loan.
    pub fn new(seed: u64) -> Self {
        Self::starting_at(seed, 0)
    }

    /// The stream for `seed`, positioned so that the next call to
    /// [`next_row`](Self::next_row) yields the loan with 0-based index
    /// `index` (for writers that split a portfolio into parallel chunks).
    pub fn starting_at(seed: u64, index: u64) -> Self {
        let mut st = seed;
        let key = splitmix64(&mut st);
        let mut prefix = Vec::with_capacity(24);
        prefix.push(b'G');
        put_u64(&mut prefix, seed);
        prefix.push(b'-');
        Generator { seed, key, next: index + 1, prefix }
    }

    /// The seed this stream was made from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Number of rows produced so far (including skipped ones).
    pub fn rows_generated(&self) -> u64 {
        self.next - 1
    }

    /// Fills `row` with the next loan's cells, one `Vec<u8>` per column of
    /// [`columns`], in that order. Each buffer is cleared and reused, so no
    /// allocation happens per row once the buffers have grown; an empty
    /// buffer is a blank cell (unknown, or the column's default).
    ///
    /// # Panics
    /// If `row.len() != columns().len()` (see [`empty_row`]).
    pub fn next_row(&mut self, row: &mut [Vec<u8>]) {
        assert_eq!(row.len(), columns().len(), "row must have one buffer per column of COLUMNS");
        for cell in row.iter_mut() {
            cell.clear();
        }
        let n = self.next;
        self.next += 1;
        let mut rng = Rng::for_row(self.key, n);
        fill_row(&mut rng, &self.prefix, n, row);
    }
}

/// Fresh row buffers for [`Generator::next_row`], one per column.
pub fn empty_row() -> Vec<Vec<u8>> {
    (0..columns().len()).map(|_| Vec::with_capacity(24)).collect()
}

/// Writes the header line: [`columns`] joined by `,`, then `\n`.
pub fn write_csv_header<W: Write>(out: &mut W) -> io::Result<()> {
    let mut line = Vec::with_capacity(1024);
    for (i, name) in columns().iter().map(|f| f.name()).enumerate() {
        if i > 0 {
            line.push(b',');
        }
        line.extend_from_slice(name.as_bytes());
    }
    line.push(b'\n');
    out.write_all(&line)
}

/// Appends one CSV record (cells joined by `,`, then `\n`) to `line`.
/// No quoting is needed: generated cells never contain `,`, `"` or newlines.
pub fn append_csv_record(row: &[Vec<u8>], line: &mut Vec<u8>) {
    for (i, cell) in row.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        line.extend_from_slice(cell);
    }
    line.push(b'\n');
}

/// Writes `rows` loans for `seed` as CSV (header + rows, LF line ends) to
/// `out`.
///
/// `out` is wrapped in a 1 MiB [`BufWriter`] internally, so pass the raw
/// `File` / `Stdout` (an already-buffered writer also works, just with one
/// extra copy). The buffer is flushed before returning; write errors are
/// returned, never swallowed.
pub fn write_csv<W: Write>(rows: u64, seed: u64, out: W) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, out);
    write_csv_header(&mut out)?;
    let mut generator = Generator::new(seed);
    let mut row = empty_row();
    let mut line: Vec<u8> = Vec::with_capacity(64 * 1024);
    for _ in 0..rows {
        generator.next_row(&mut row);
        append_csv_record(&row, &mut line);
        if line.len() >= 60 * 1024 {
            out.write_all(&line)?;
            line.clear();
        }
    }
    out.write_all(&line)?;
    out.flush()
}

/// One loan. Facts are first chosen as "true" values, then some cells are
/// left blank (unknown) independently of the value.
fn fill_row(rng: &mut Rng, prefix: &[u8], n: u64, row: &mut [Vec<u8>]) {
    // loan_id: G{seed}-{n:08}
    {
        let id = &mut row[col(Field::LoanId)];
        id.extend_from_slice(prefix);
        let mut digits = 0;
        let mut t = n;
        while t > 0 {
            digits += 1;
            t /= 10;
        }
        for _ in digits.max(1)..8 {
            id.push(b'0');
        }
        put_u64(id, n);
    }

    // --- event ---------------------------------------------------------
    let event = Event::ALL[rng.pick(&Event::WEIGHTS)];
    row[col(Field::EventType)].extend_from_slice(event.name());

    let event_date = if event == Event::Short && rng.chance(1000) {
        // SB 931 window: first-lien-only § 580e.
        rng.day(SB931_FROM, SB931_TO)
    } else {
        // Crisis years, the long tail since 2013, and recent sales whose
        // deadlines have not yet run (judicial sales lean later: a
        // deficiency worth pursuing is why a lender goes to court).
        let weights: &[u32; 3] = if event == Event::Judicial { &[20, 72, 8] } else { &[33, 62, 5] };
        match rng.pick(weights) {
            0 => rng.day(EVENTS_FROM, CRISIS_END),
            1 => rng.day(REFI_GATE, LATEST),
            _ => rng.day(RECENT_FROM, LATEST),
        }
    };
    put_date(&mut row[col(Field::EventDate)], event_date);

    // --- state -----------------------------------------------------------
    if rng.chance(200) {
        row[col(Field::State)].extend_from_slice(OTHER_STATES[rng.below(OTHER_STATES.len() as u64) as usize]);
    } else if rng.chance(8500) {
        row[col(Field::State)].extend_from_slice(b"CA");
    } // else blank: defaults to CA

    // --- lien, purpose, seller carryback -----------------------------------
    let lien: u64 = if event == Event::Senior {
        if rng.chance(8800) { 2 } else { 3 }
    } else {
        match rng.pick(&[890, 100, 10]) {
            0 => 1,
            1 => 2,
            _ => 3,
        }
    };
    if !rng.chance(350) {
        put_u64(&mut row[col(Field::LienPosition)], lien);
    }

    let seller_financed = rng.chance(300);
    let purpose = if seller_financed {
        Purpose::Purchase
    } else if lien == 1 && event == Event::Judicial {
        Purpose::ALL[rng.pick(&Purpose::FIRST_LIEN_JUDICIAL)]
    } else if lien == 1 {
        Purpose::ALL[rng.pick(&Purpose::FIRST_LIEN)]
    } else {
        Purpose::ALL[rng.pick(&Purpose::JUNIOR_LIEN)]
    };
    if !rng.chance(500) {
        row[col(Field::LoanPurpose)].extend_from_slice(purpose.name());
    }
    if seller_financed {
        put_bool(&mut row[col(Field::SellerFinanced)], true);
    } else {
        put_bool_or_blank(rng, &mut row[col(Field::SellerFinanced)], false, 3000);
    }

    // --- property and borrower -------------------------------------------
    let units: u64 = match rng.pick(&[840, 45, 20, 25, 35, 20, 15]) {
        0 => 1,
        1 => 2,
        2 => 3,
        3 => 4,
        4 => 0,
        5 => 5,
        _ => 6,
    };
    if !rng.chance(450) {
        put_u64(&mut row[col(Field::PropertyUnits)], units);
    }
    let borrower = rng.pick(&BORROWER_WEIGHTS);
    if !rng.chance(400) {
        row[col(Field::BorrowerType)].extend_from_slice(BORROWER_TYPES[borrower]);
    }
    let occupied_bp = if units == 0 {
        0
    } else if borrower != 0 {
        1000
    } else if units > 4 {
        2500
    } else {
        8200
    };
    let occupied = rng.chance(occupied_bp);
    put_bool_or_blank(rng, &mut row[col(Field::OwnerOccupied)], occupied, 450);

    // --- origination and refinance chain ----------------------------------
    let is_refi = matches!(purpose, Purpose::Refinance | Purpose::CashOut);
    let judicial = event == Event::Judicial;
    let refi_pm = is_refi && rng.chance(if judicial { 8500 } else { 6500 });
    let latest_orig = event_date - 180;
    let post_gate_bp = if judicial { 9000 } else { 6000 };
    let origination = if refi_pm && latest_orig > REFI_GATE + 30 && rng.chance(post_gate_bp) {
        // A refinance executed under § 580b(b).
        rng.day(REFI_GATE.max(event_date - 12 * YEAR), latest_orig)
    } else {
        rng.day(EARLIEST_ORIGINATION.max(event_date - 15 * YEAR), event_date - YEAR)
    };
    put_date(&mut row[col(Field::OriginationDate)], origination);

    // Principal at origination (the refinance's principal, for refinances).
    let original: u64 = if lien == 1 {
        match rng.pick(&[10, 68, 22]) {
            0 => rng.range(dollars(25_000), dollars(120_000)),
            1 => rng.range(dollars(120_000), dollars(650_000)),
            _ => rng.range(dollars(650_000), dollars(1_500_000)),
        }
    } else {
        rng.range(dollars(25_000), dollars(250_000))
    };

    let unpaid;
    if is_refi {
        if refi_pm {
            put_bool_or_blank(rng, &mut row[col(Field::RefinancesPurchaseMoney)], true, 900);
        } else {
            put_bool_or_blank(rng, &mut row[col(Field::RefinancesPurchaseMoney)], false, 1200);
        }
    }
    if refi_pm {
        // First refinance in the chain: this loan (blank or repeated) or an
        // earlier one, possibly before 2013 (pre-2013 chain).
        match rng.pick(&[55, 15, 30]) {
            0 => {}
            1 => put_date(&mut row[col(Field::FirstRefinanceDate)], origination),
            _ => {
                let first = rng.day(EARLIEST_ORIGINATION.max(origination - 9 * YEAR), origination - 200);
                put_date(&mut row[col(Field::FirstRefinanceDate)], first.min(origination));
            }
        }
        let new_advance = match purpose {
            Purpose::CashOut if rng.chance(9200) => rng.pct(original, 300, 3500),
            Purpose::Refinance if rng.chance(3000) => rng.pct(original, 100, 600),
            _ => 0,
        };
        let costs_financed = if rng.chance(8500) { rng.pct(original, 50, 250) } else { 0 };
        let payoff = original - new_advance - costs_financed;
        let paid = if rng.chance(1500) { 0 } else { rng.pct(original, 0, 1200) };
        unpaid = original - paid;

        if !rng.chance(200) {
            put_money(&mut row[col(Field::PurchaseMoneyPayoff)], payoff);
        }
        if costs_financed > 0 || !rng.chance(5000) {
            put_money(&mut row[col(Field::RefinanceCostsFinanced)], costs_financed);
        }
        if !rng.chance(200) {
            put_money(&mut row[col(Field::NewAdvance)], new_advance);
        }
        if !rng.chance(3000) {
            put_money(&mut row[col(Field::PrincipalPaid)], paid);
        }
    } else {
        // Amortised or not: whatever is left, with cents.
        unpaid = original - if rng.chance(5000) { rng.pct(original, 0, 1500) } else { 0 };
    }
    put_money(&mut row[col(Field::UnpaidPrincipal)], unpaid);

    // --- debt components --------------------------------------------------
    let interest = if rng.chance(500) {
        0
    } else {
        let v = unpaid * rng.range(300, 900) * rng.range(2, 30) / 120_000;
        put_money(&mut row[col(Field::AccruedInterest)], v);
        v
    };
    let advances = if rng.chance(1500) {
        0
    } else {
        let v = rng.pct(unpaid, 0, 300);
        put_money(&mut row[col(Field::Advances)], v);
        v
    };
    let cost_range = match event {
        Event::Judicial => Some((dollars(3_000), dollars(35_000))),
        Event::Trustee | Event::Foreclosure => Some((dollars(800), dollars(6_000))),
        Event::DeedInLieu => Some((0, dollars(2_500))),
        Event::Short | Event::Senior => None,
    };
    let costs = match cost_range {
        Some((lo, hi)) if !rng.chance(800) => {
            let v = rng.range(lo, hi);
            put_money(&mut row[col(Field::Costs)], v);
            v
        }
        None if rng.chance(4000) => {
            put_money(&mut row[col(Field::Costs)], 0);
            0
        }
        _ => 0,
    };
    let debt = unpaid + interest + advances + costs;

    // --- sale price, fair value, surplus ------------------------------------
    let sale = match event {
        Event::Senior => None,
        Event::Short => Some(rng.pct(debt, 4000, 9800)),
        Event::DeedInLieu => {
            Some(if rng.chance(400) { rng.pct(debt, 10_000, 10_500) } else { rng.pct(debt, 5000, 9900) })
        }
        _ => Some(if rng.chance(800) { rng.pct(debt, 10_000, 11_000) } else { rng.pct(debt, 4000, 9990) }),
    };
    if let Some(price) = sale {
        put_money(&mut row[col(Field::SalePrice)], price);
    }

    let bond_lien = match event {
        Event::Trustee => rng.chance(300),
        Event::Judicial | Event::Short | Event::Foreclosure => rng.chance(50),
        _ => false,
    };
    if bond_lien {
        put_bool(&mut row[col(Field::BondOrUtilityLien)], true);
    } else if event.is_foreclosure() || event == Event::Short {
        put_bool_or_blank(rng, &mut row[col(Field::BondOrUtilityLien)], false, 5000);
    }

    let fair_value_bp = match event {
        Event::Judicial => 9000,
        Event::Trustee if bond_lien => 8500,
        Event::Foreclosure => 2500,
        Event::Trustee => 500,
        _ => 0,
    };
    if let Some(price) = sale
        && rng.chance(fair_value_bp)
    {
        // Above the price (limits the deficiency), below it (the price caps
        // it), or covering the whole debt (726(b) leaves no deficiency).
        let fv = match rng.pick(&[60, 25, 15]) {
            0 => rng.pct(price, 10_000, 13_000),
            1 => rng.pct(price, 8500, 10_000),
            _ => rng.pct(debt, 10_000, 12_000),
        };
        put_money(&mut row[col(Field::FairValue)], fv);
    }

    if event == Event::Senior {
        if rng.chance(1200) {
            let surplus = if rng.chance(7000) { rng.pct(debt, 100, 5000) } else { rng.pct(debt, 10_000, 10_800) };
            put_money(&mut row[col(Field::SurplusReceived)], surplus);
        } else if rng.chance(2000) {
            put_money(&mut row[col(Field::SurplusReceived)], 0);
        }
        let same_holder = rng.chance(3000);
        put_bool_or_blank(rng, &mut row[col(Field::SameHolderAsSenior)], same_holder, 3000);
        let contemporaneous = rng.chance(if purpose == Purpose::Purchase { 6000 } else { 1500 });
        put_bool_or_blank(rng, &mut row[col(Field::LiensContemporaneous)], contemporaneous, 2500);
        match rng.pick(&[68, 17, 15]) {
            0 => row[col(Field::SeniorSaleType)].extend_from_slice(b"trustee"),
            1 => row[col(Field::SeniorSaleType)].extend_from_slice(b"judicial"),
            _ => {}
        }
    }

    // --- short sale ---------------------------------------------------------
    if event == Event::Short {
        match rng.pick(&[880, 60, 60]) {
            0 => put_bool(&mut row[col(Field::WrittenConsent)], true),
            1 => put_bool(&mut row[col(Field::WrittenConsent)], false),
            _ => {}
        }
        let recorded = !rng.chance(300);
        put_bool_or_blank(rng, &mut row[col(Field::DeedRecorded)], recorded, if recorded { 5000 } else { 0 });
        let tendered = !rng.chance(300);
        put_bool_or_blank(rng, &mut row[col(Field::ProceedsTendered)], tendered, if tendered { 5000 } else { 0 });
    }
    let solely = !rng.chance(500);
    if event == Event::Short {
        put_bool_or_blank(rng, &mut row[col(Field::SecuredSolely)], solely, if solely { 3500 } else { 0 });
    } else if !solely || rng.chance(1000) {
        put_bool(&mut row[col(Field::SecuredSolely)], solely);
    }

    // --- other facts ----------------------------------------------------------
    let fraud = rng.chance(50);
    put_bool_or_blank(rng, &mut row[col(Field::FraudOrWaste)], fraud, if fraud { 0 } else { 5000 });

    if event == Event::Judicial {
        let waived = rng.chance(1000);
        put_bool_or_blank(rng, &mut row[col(Field::DeficiencyWaived)], waived, if waived { 0 } else { 2000 });
    }
    if event == Event::DeedInLieu {
        match rng.pick(&[35, 35, 20, 10]) {
            0 => row[col(Field::DeedInLieuTerms)].extend_from_slice(b"waived"),
            1 => row[col(Field::DeedInLieuTerms)].extend_from_slice(b"reserved"),
            2 => row[col(Field::DeedInLieuTerms)].extend_from_slice(b"silent"),
            _ => {}
        }
    }
    let guarantor = rng.chance(500);
    put_bool_or_blank(rng, &mut row[col(Field::Guarantor)], guarantor, if guarantor { 0 } else { 6000 });

    // --- deadlines: filing and accrual --------------------------------------
    // 3-month paths (726(b), 580a): filed within 88 days is always timely,
    // 100 days or more is always late. Note actions (337): up to ~4 years.
    let three_month_path = matches!(event, Event::Judicial | Event::Foreclosure) || bond_lien;
    let filed = if three_month_path {
        match rng.pick(&[70, 12, 18]) {
            0 => Some(event_date + rng.range(1, 88) as i32),
            1 => Some(event_date + rng.range(100, 240) as i32),
            _ => None,
        }
    } else if event == Event::Trustee {
        if rng.chance(300) { Some(event_date + rng.range(10, 400) as i32) } else { None }
    } else if rng.chance(5000) {
        Some(event_date + rng.range(0, 1400) as i32)
    } else {
        None
    };
    if let Some(f) = filed
        && f <= LATEST
    {
        put_date(&mut row[col(Field::DeficiencyFiledDate)], f);
    }

    let accrual = match rng.pick(&[25, 5, 50, 20]) {
        0 => None,
        1 => Some(event_date),
        2 => Some(event_date - rng.range(0, 400) as i32),
        _ => Some(event_date - rng.range(2 * YEAR as u64, 6 * YEAR as u64) as i32),
    };
    if let Some(a) = accrual {
        put_date(&mut row[col(Field::AccrualDate)], a.max(origination + 30).min(event_date));
    }

    // --- bankruptcy -------------------------------------------------------
    match rng.pick(&[880, 30, 90]) {
        0 => {
            if rng.chance(6000) {
                row[col(Field::Bankruptcy)].extend_from_slice(b"none");
            }
        }
        1 => {
            row[col(Field::Bankruptcy)].extend_from_slice(b"pending");
            if !rng.chance(1000) {
                let petition = rng.day(PENDING_BK_FROM.max(origination + 30), LATEST);
                put_date(&mut row[col(Field::BankruptcyPetitionDate)], petition);
            }
        }
        _ => {
            row[col(Field::Bankruptcy)].extend_from_slice(b"discharged");
            let petition = if rng.chance(1500) {
                // Filed before this loan was made: the discharge does not reach it.
                rng.day(EARLIEST_ORIGINATION.max(origination - 8 * YEAR), origination - 30)
            } else {
                rng.day(origination + 30, (event_date + 2 * YEAR).min(LATEST - 200))
            };
            if !rng.chance(500) {
                put_date(&mut row[col(Field::BankruptcyPetitionDate)], petition);
            }
            if !rng.chance(1000) {
                let discharge = (petition + rng.range(60, 200) as i32).min(LATEST);
                put_date(&mut row[col(Field::BankruptcyDischargeDate)], discharge);
            }
            let excepted = rng.chance(400);
            put_bool_or_blank(rng, &mut row[col(Field::DischargeException)], excepted, if excepted { 0 } else { 4000 });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_columns_are_the_native_layout_without_extensions() {
        let cols = columns();
        for (i, f) in cols.iter().enumerate() {
            assert_eq!(col(*f), i, "{}", f.name());
            assert!(!Field::EXTENSIONS.contains(f));
        }
        assert_eq!(cols.len() + Field::EXTENSIONS.len(), Field::ALL.len());
        assert_eq!(&Field::ALL[cols.len()..], Field::EXTENSIONS);
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for d in days_from_civil(1990, 1, 1)..days_from_civil(2030, 1, 1) {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        let mut b = Vec::new();
        put_date(&mut b, days_from_civil(2024, 2, 29));
        assert_eq!(b, b"2024-02-29");
        assert_eq!(LATEST_DATE.as_bytes(), {
            let mut b = Vec::new();
            put_date(&mut b, LATEST);
            b
        });
    }

    #[test]
    fn money_format() {
        let mut b = Vec::new();
        put_money(&mut b, 0);
        b.push(b' ');
        put_money(&mut b, 5);
        b.push(b' ');
        put_money(&mut b, 12_345_678);
        assert_eq!(b, b"0.00 0.05 123456.78");
    }

    #[test]
    fn starting_at_matches_sequential() {
        let mut a = Generator::new(7);
        let mut ra = empty_row();
        for _ in 0..100 {
            a.next_row(&mut ra);
        }
        a.next_row(&mut ra);
        let mut b = Generator::starting_at(7, 100);
        let mut rb = empty_row();
        b.next_row(&mut rb);
        assert_eq!(ra, rb);
        assert_eq!(&ra[0][..], b"G7-00000101");
    }
}
