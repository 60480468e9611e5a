//! Writing cells: integers, money in cents, dates, booleans.

use super::rng::Rng;

#[inline]
pub(super) fn put_u64(buf: &mut Vec<u8>, v: u64) {
    crate::money::write_u64(v, buf);
}

/// Money from cents: `123456.78`.
#[inline]
pub(super) fn put_money(buf: &mut Vec<u8>, cents: u64) {
    crate::money::write_cents(cents, buf);
}

#[inline]
pub(super) fn put_date(buf: &mut Vec<u8>, days: i32) {
    if let Some(d) = crate::dates::from_epoch_days(days) {
        crate::output::write_date(d, buf);
    }
}

#[inline]
pub(super) fn put_bool(buf: &mut Vec<u8>, b: bool) {
    buf.extend_from_slice(if b { b"true" } else { b"false" });
}

/// Writes a boolean that is known to be `value`: blank with probability
/// `blank_bp` (the column's default or "unknown").
#[inline]
pub(super) fn put_bool_or_blank(rng: &mut Rng, buf: &mut Vec<u8>, value: bool, blank_bp: u64) {
    if !rng.chance(blank_bp) {
        put_bool(buf, value);
    }
}
