//! Exact money: parsing, the one rounding rule, and formatting.
//!
//! Money is [`rust_decimal::Decimal`], never a float. Inputs are carried
//! exactly (more than two decimal places are kept). Results are stated in
//! cents with fractions of a cent dropped, per CCP 577.5: "In any judgment,
//! or execution upon such judgment, the amount shall be computed and stated in
//! dollars and cents, rejecting fractions." Every rounding the tool does is
//! here and named: [`cents`] (the legal amounts), [`percent`] (a share shown
//! in a report) and [`cents_from_float`] (a float amount in an input file).

use rust_decimal::{Decimal, RoundingStrategy};

/// A money amount in dollars, carried exactly.
pub type Money = Decimal;

/// The rounding rule, named once: truncate toward zero to whole cents
/// ("rejecting fractions", CCP 577.5).
pub fn cents(amount: Money) -> Money {
    amount.round_dp_with_strategy(2, RoundingStrategy::ToZero)
}

/// [`cents`] as a whole number of cents (the same truncation toward zero),
/// without going through decimal rounding.
pub fn to_cents(amount: Money) -> i128 {
    let (m, scale) = (amount.mantissa(), amount.scale());
    match scale {
        2 => m,
        0 => m * 100,
        1 => m * 10,
        // integer division truncates toward zero, as CCP 577.5 reads
        _ => m / 10i128.pow(scale - 2),
    }
}

/// `part` as a percentage of `whole`, rounded half to even at one decimal
/// (a share shown in a report, never an amount). `None` when `whole` is 0.
pub fn percent(part: Money, whole: Money) -> Option<Money> {
    if whole.is_zero() {
        return None;
    }
    Some((part * Money::from(100) / whole).round_dp_with_strategy(1, RoundingStrategy::MidpointNearestEven))
}

/// A float amount (a Parquet Float64 money column) as whole cents, rounded
/// half away from zero to the nearest cent: the cent the writer meant, since
/// a float cannot hold most cents exactly. `None` when it is not finite or
/// too large to be an amount.
pub fn cents_from_float(x: f64) -> Option<i128> {
    (x.is_finite() && x.abs() < 1e15).then(|| (x * 100.0).round() as i128)
}

/// Appends whole `cents` as `1234.56`.
pub fn write_cents(cents: u64, out: &mut Vec<u8>) {
    write_u64(cents / 100, out);
    let f = (cents % 100) as u8;
    out.extend_from_slice(&[b'.', b'0' + f / 10, b'0' + f % 10]);
}

/// Why a money cell could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("is not an amount (expected digits with an optional `$`, `,` thousands separators and `.` decimal point)")]
    Syntax,
    #[error("is negative; amounts must be zero or more")]
    Negative,
    #[error("is too large (amounts must be below 1,000,000,000,000,000)")]
    TooLarge,
    #[error("has more than 12 decimal places")]
    TooPrecise,
}

/// An amount that may be negative (an agency's net gain): an optional `-`,
/// then the money syntax of [`parse_money`].
pub fn parse_signed(s: &[u8]) -> Result<Money, MoneyError> {
    match s.strip_prefix(b"-") {
        Some(rest) => parse_money(rest).map(|m| -m),
        None => parse_money(s),
    }
}

/// Parses a money cell (already trimmed, non-empty) straight from bytes.
///
/// Accepts `1234.56`, `$1,234.56`, `1234`, `.5`, `1234.5678` (kept exactly).
/// Thousands separators must group by three. A leading `-` (before or after
/// `$`) is reported as negative; exponents and anything else are rejected.
/// Amounts of 10^15 dollars or more are "too large for the money type"
/// (results are Decimal(18,2), and four inputs must still add up within it).
pub fn parse_money(s: &[u8]) -> Result<Money, MoneyError> {
    match plain_amount(s) {
        Some(m) => Ok(m),
        None => parse_any(s),
    }
}

/// The common case of [`parse_money`], `digits[.digits]` with at most 15
/// integer and 12 decimal places, in one tight loop; `None` leaves the text
/// (and any error) to [`parse_any`], which reads every amount this reads
/// the same way (a property test compares them).
#[inline]
fn plain_amount(s: &[u8]) -> Option<Money> {
    // 19 characters hold at most 19 digits: below 2^64.
    if s.len() > 19 {
        return None;
    }
    let mut v: u64 = 0;
    let mut dot = None;
    for (k, &c) in s.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            v = v * 10 + u64::from(d);
        } else if c == b'.' && dot.is_none() {
            dot = Some(k);
        } else {
            return None;
        }
    }
    let (int_len, scale) = match dot {
        Some(k) => (k, s.len() - k - 1),
        None => (s.len(), 0),
    };
    if int_len + scale == 0 || scale > 12 || v / 10u64.pow(scale as u32) >= 1_000_000_000_000_000 {
        return None;
    }
    Some(Decimal::from_parts(v as u32, (v >> 32) as u32, 0, false, scale as u32))
}

/// [`parse_money`] for every form it accepts, and its errors.
fn parse_any(s: &[u8]) -> Result<Money, MoneyError> {
    let mut i = 0;
    let mut negative = false;
    if s.first() == Some(&b'-') {
        negative = true;
        i += 1;
    } else if s.first() == Some(&b'+') {
        i += 1;
    }
    if s.get(i) == Some(&b'$') {
        i += 1;
    }
    if !negative && s.get(i) == Some(&b'-') {
        negative = true;
        i += 1;
    }
    let mut mantissa: u128 = 0;
    let mut int_digits = 0usize; // significant integer digits
    let mut any_digit = false;
    let mut group_len = 0usize;
    let mut saw_comma = false;
    while i < s.len() {
        let c = s[i];
        if c.is_ascii_digit() {
            mantissa = mantissa * 10 + u128::from(c - b'0');
            if mantissa != 0 {
                int_digits += 1;
            }
            if int_digits > 15 {
                return Err(if negative { MoneyError::Negative } else { MoneyError::TooLarge });
            }
            any_digit = true;
            group_len += 1;
            i += 1;
        } else if c == b',' {
            if !any_digit || (saw_comma && group_len != 3) || (!saw_comma && group_len > 3) {
                return Err(MoneyError::Syntax);
            }
            saw_comma = true;
            group_len = 0;
            i += 1;
        } else {
            break;
        }
    }
    if saw_comma && group_len != 3 {
        return Err(MoneyError::Syntax);
    }
    let mut scale = 0u32;
    if i < s.len() && s[i] == b'.' {
        i += 1;
        while i < s.len() && s[i].is_ascii_digit() {
            scale += 1;
            if scale > 12 {
                return Err(MoneyError::TooPrecise);
            }
            mantissa = mantissa * 10 + u128::from(s[i] - b'0');
            any_digit = true;
            i += 1;
        }
    }
    if i != s.len() || !any_digit {
        return Err(MoneyError::Syntax);
    }
    if negative && mantissa != 0 {
        return Err(MoneyError::Negative);
    }
    // At most 15 integer digits and 12 places: mantissa < 10^27 < 2^96, so
    // its three 32-bit words are the Decimal (what
    // `Decimal::try_from_i128_with_scale` builds after checking as much).
    debug_assert!(mantissa < 1 << 96 && scale <= 12);
    Ok(Decimal::from_parts(mantissa as u32, (mantissa >> 32) as u32, (mantissa >> 64) as u32, false, scale))
}

/// Appends `n` in decimal digits (the one integer writer the outputs share;
/// the `itoa` crate, two digits at a time).
#[inline]
pub fn write_u64(n: u64, out: &mut Vec<u8>) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Formats an amount as plain `1234.56` (truncated to the cent, no separators).
pub fn format_cents(amount: Money, out: &mut Vec<u8>) {
    let units = to_cents(amount);
    if units < 0 {
        out.push(b'-');
    }
    let u = units.unsigned_abs();
    // Amounts are below 10^15 dollars (parse_money), so this fits; a wider
    // value takes the slow path.
    let (whole, frac) = match u64::try_from(u) {
        Ok(u) => (u / 100, (u % 100) as u8),
        Err(_) => {
            out.extend_from_slice((u / 100).to_string().as_bytes());
            out.push(b'.');
            let frac = (u % 100) as u8;
            out.extend_from_slice(&[b'0' + frac / 10, b'0' + frac % 10]);
            return;
        }
    };
    write_cents(whole * 100 + u64::from(frac), out);
}

/// The largest number of cents a spreadsheet number holds exactly (an IEEE
/// double has 53 bits of mantissa).
const SPREADSHEET_EXACT_CENTS: i128 = 1 << 53;

/// An amount as a spreadsheet number (XLSX cells are IEEE doubles): the
/// amount truncated to the cent (as [`cents`]), then the double nearest to
/// it, which reads back as the same two-decimal amount. `None` past 2^53
/// cents (about 90 trillion dollars), where a double cannot hold every cent:
/// the caller writes such an amount as text.
pub fn to_spreadsheet_number(amount: Money) -> Option<f64> {
    let c = to_cents(amount);
    (c.abs() < SPREADSHEET_EXACT_CENTS).then(|| c as f64 / 100.0)
}

/// [`format_cents`] as a `String`, for reports and explanations.
pub fn fmt(amount: Money) -> String {
    let mut v = Vec::with_capacity(24);
    format_cents(amount, &mut v);
    String::from_utf8(v).unwrap_or_default()
}

/// Writes `mantissa / 10^scale` in plain decimal (`-12.50`, `7`).
pub fn write_scaled(mantissa: i128, scale: u32, out: &mut Vec<u8>) {
    if mantissa < 0 {
        out.push(b'-');
    }
    let mut digits = [0u8; 48];
    let mut n = digits.len();
    // In groups of 19 digits, so the digit loop divides 64-bit numbers
    // (several times faster than 128-bit ones).
    const GROUP: u128 = 10_000_000_000_000_000_000;
    let mut v = mantissa.unsigned_abs();
    loop {
        let mut low = (v % GROUP) as u64;
        v /= GROUP;
        let top = v == 0;
        let mut count = 0;
        loop {
            n -= 1;
            digits[n] = b'0' + (low % 10) as u8;
            low /= 10;
            count += 1;
            // the top group unpadded, the others to 19 digits
            if low == 0 && (top || count == 19) {
                break;
            }
        }
        if top {
            break;
        }
    }
    // at least one digit before the point (Decimal scales are at most 38)
    let scale = (scale as usize).min(40);
    while digits.len() - n <= scale {
        n -= 1;
        digits[n] = b'0';
    }
    let int_end = digits.len() - scale;
    out.extend_from_slice(&digits[n..int_end]);
    // Zeros past the cents are not precision (a decimal(38,18) column
    // holds 18 places for every value): they are dropped.
    let mut frac_end = digits.len();
    while frac_end > int_end + 2 && digits[frac_end - 1] == b'0' {
        frac_end -= 1;
    }
    if frac_end > int_end {
        out.push(b'.');
        out.extend_from_slice(&digits[int_end..frac_end]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn parses_plain_and_decorated_amounts() {
        assert_eq!(parse_money(b"1234.56"), Ok(d("1234.56")));
        assert_eq!(parse_money(b"$1,234.56"), Ok(d("1234.56")));
        assert_eq!(parse_money(b"1,234,567"), Ok(d("1234567")));
        assert_eq!(parse_money(b".5"), Ok(d("0.5")));
        assert_eq!(parse_money(b"0.125"), Ok(d("0.125")));
        assert_eq!(parse_money(b"-0"), Ok(d("0")));
        assert_eq!(parse_money(b"999999999999999.99"), Ok(d("999999999999999.99")));
    }

    proptest::proptest! {
        /// Every amount up to 15 integer digits and 12 places (27 digits,
        /// past a u64) reads as rust_decimal reads the same text.
        #[test]
        fn amounts_read_as_rust_decimal_reads_them(
            int in "[0-9]{1,15}",
            frac in proptest::option::of("[0-9]{0,12}"),
        ) {
            let text = match &frac { Some(f) => format!("{int}.{f}"), None => int.clone() };
            let want = Decimal::from_str_exact(&text).or_else(|_| Decimal::from_str(&text)).unwrap();
            let got = parse_money(text.as_bytes()).unwrap();
            proptest::prop_assert_eq!(got, want);
            proptest::prop_assert_eq!(got.scale(), want.scale());
        }
    }

    /// `parse_money` (quick path first) reads `text` as the full reading
    /// does: the same amount, scale and error.
    fn reads_as_the_full_reading(text: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        let got = parse_money(text.as_bytes());
        let want = parse_any(text.as_bytes());
        proptest::prop_assert_eq!(&got, &want, "{:?}", text);
        if let (Ok(a), Ok(b)) = (got, want) {
            proptest::prop_assert_eq!(a.scale(), b.scale());
        }
        Ok(())
    }

    proptest::proptest! {
        /// Any short text of digits, points, separators and signs.
        #[test]
        fn plain_amounts_read_as_the_full_reading_reads_them(text in "[0-9.,$+-]{0,21}") {
            reads_as_the_full_reading(&text)?;
        }

        #[test]
        fn plain_amounts_near_the_limits(int in "0{0,4}[0-9]{0,16}", frac in proptest::option::of("[0-9]{0,13}")) {
            let text = match &frac { Some(f) => format!("{int}.{f}"), None => int.clone() };
            reads_as_the_full_reading(&text)?;
        }
    }

    #[test]
    fn amounts_past_a_u64_keep_every_digit() {
        let text = "999999999999999.999999999999";
        assert_eq!(parse_money(text.as_bytes()), Ok(d(text)));
        assert_eq!(parse_money(b"18446744073709551.615"), Err(MoneyError::TooLarge));
        assert_eq!(parse_money(b"184467440737095.51616"), Ok(d("184467440737095.51616")));
    }

    #[test]
    fn rejects_bad_amounts() {
        assert_eq!(parse_money(b"12,00x"), Err(MoneyError::Syntax));
        assert_eq!(parse_money(b"1,23"), Err(MoneyError::Syntax));
        assert_eq!(parse_money(b"1234,567"), Err(MoneyError::Syntax));
        assert_eq!(parse_money(b"1e5"), Err(MoneyError::Syntax));
        assert_eq!(parse_money(b"$"), Err(MoneyError::Syntax));
        assert_eq!(parse_money(b"."), Err(MoneyError::Syntax));
        assert_eq!(parse_money(b"-5.00"), Err(MoneyError::Negative));
        assert_eq!(parse_money(b"$-5.00"), Err(MoneyError::Negative));
        assert_eq!(parse_money(b"1000000000000000"), Err(MoneyError::TooLarge));
        assert_eq!(parse_money(b"1.1234567890123"), Err(MoneyError::TooPrecise));
        assert_eq!(parse_money(b"1 000"), Err(MoneyError::Syntax));
    }

    #[test]
    fn cents_truncates_toward_zero() {
        assert_eq!(cents(d("2499.9995")), d("2499.99"));
        // the integer form truncates the same way, either sign, any scale
        // (the last three go past 64 bits or 18 places)
        for x in [
            "2499.9995",
            "0.009",
            "10",
            "-0.019",
            "-12.5",
            "123456789012.34567",
            "0",
            "7.1",
            "-922337203685477.58089",
            "0.0000000000000000000009",
            "79228162514264.337593543950335",
        ] {
            let c = cents(d(x));
            assert_eq!(Money::from_i128_with_scale(to_cents(d(x)), 2), c, "{x}");
        }
        assert_eq!(cents(d("0.009")), d("0.00"));
        assert_eq!(cents(d("10")), d("10"));
    }

    proptest::proptest! {
        #[test]
        fn integers_are_written_as_display_writes_them(n in proptest::num::u64::ANY) {
            let mut out = b"x".to_vec();
            write_u64(n, &mut out);
            proptest::prop_assert_eq!(out, format!("x{n}").into_bytes());
        }
    }

    #[test]
    fn formats_two_places() {
        assert_eq!(fmt(d("0")), "0.00");
        assert_eq!(fmt(d("1234.5")), "1234.50");
        assert_eq!(fmt(d("78250.509")), "78250.50");
        assert_eq!(fmt(d("1000000")), "1000000.00");
        assert_eq!(fmt(d("-3.456")), "-3.45");
    }

    #[test]
    fn scaled_numbers() {
        for (m, s, want) in [
            (1250i128, 2u32, "12.50"),
            (5, 2, "0.05"),
            (-5, 2, "-0.05"),
            (7, 0, "7"),
            (0, 0, "0"),
            (0, 2, "0.00"),
            (123456789, 3, "123456.789"),
            (123456780, 3, "123456.78"),
            (5_000_000, 6, "5.00"),
            (1_230_000, 6, "1.23"),
            (1_234_500, 6, "1.2345"),
            (10, 1, "1.0"),
            (i128::from(u64::MAX) * 10 + 5, 1, "18446744073709551615.5"),
            (-(1i128 << 100), 0, "-1267650600228229401496703205376"),
            (10i128.pow(19), 0, "10000000000000000000"),
            (10i128.pow(38) + 7, 2, "1000000000000000000000000000000000000.07"),
            (i128::MIN + 1, 0, "-170141183460469231731687303715884105727"),
        ] {
            let mut v = Vec::new();
            write_scaled(m, s, &mut v);
            assert_eq!(String::from_utf8(v).unwrap(), want, "{m} {s}");
        }
    }
}
