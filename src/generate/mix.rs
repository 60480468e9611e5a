//! The mix of loans: event types, purposes, borrowers, amounts, missing
//! facts, refinance chains, deadlines and bankruptcies, drawn row by row.

use super::cells::*;
use super::rng::Rng;
use super::{col, dollars};
use crate::dates::ymd;
use crate::loan::Field;
use crate::rules::{r580b, r580e};

/// Dates the mix draws from, as days since 1970-01-01. The legal ones come
/// from the rules (SB 1069's refinance gate, SB 931 and SB 458's 580e
/// windows); the rest shape the mix.
pub(super) const EARLIEST_ORIGINATION: i32 = ymd(1992, 1, 1).to_epoch_days();
pub(super) const EVENTS_FROM: i32 = ymd(2009, 1, 1).to_epoch_days();
pub(super) const CRISIS_END: i32 = ymd(2012, 12, 31).to_epoch_days();
pub(super) const REFI_GATE: i32 = r580b::REFINANCE_GATE.to_epoch_days();
pub(super) const SB931_FROM: i32 = r580e::SB931_EFFECTIVE.to_epoch_days();
pub(super) const SB931_TO: i32 = r580e::SB458_EFFECTIVE.to_epoch_days() - 1;
pub(super) const RECENT_FROM: i32 = ymd(2025, 7, 1).to_epoch_days();
pub(super) const PENDING_BK_FROM: i32 = ymd(2023, 6, 1).to_epoch_days();
pub(super) const LATEST: i32 = ymd(2025, 12, 31).to_epoch_days();
pub(super) const YEAR: i32 = 365;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Event {
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

    pub(super) fn name(self) -> &'static [u8] {
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
    pub(super) fn is_foreclosure(self) -> bool {
        matches!(self, Event::Trustee | Event::Judicial | Event::Foreclosure)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
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

    pub(super) fn name(self) -> &'static [u8] {
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

pub(super) const BORROWER_TYPES: [&[u8]; 7] =
    [b"individual", b"llc", b"corporation", b"trust", b"limited_partnership", b"general_partnership", b"public_entity"];
/// Tenths of a percent, same order as [`BORROWER_TYPES`].
pub(super) const BORROWER_WEIGHTS: [u32; 7] = [855, 50, 25, 35, 15, 15, 5];

pub(super) const OTHER_STATES: [&[u8]; 10] = [b"NV", b"AZ", b"OR", b"WA", b"TX", b"NY", b"FL", b"CO", b"IL", b"NJ"];

/// One loan. Facts are first chosen as "true" values, then some cells are
/// left blank (unknown) independently of the value.
pub(super) fn fill_row(rng: &mut Rng, prefix: &[u8], n: u64, row: &mut [Vec<u8>]) {
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
    round_2(rng, event, event_date, origination, row);
}

/// The round-2 columns at low rates (README "Input: the native layout"), blank otherwise: drawn after
/// every version-1 cell, so those cells are unchanged for a seed (a
/// dismissed bankruptcy replaces a row's "none" or blank).
fn round_2(rng: &mut Rng, event: Event, event_date: i32, origination: i32, row: &mut [Vec<u8>]) {
    // Installment facts on about 5 % of senior sales.
    if event == Event::Senior && rng.chance(500) {
        put_bool(&mut row[col(Field::Accelerated)], rng.chance(4000));
        let first = rng.day(origination + 30, event_date.max(origination + 31));
        put_date(&mut row[col(Field::FirstUnpaidDueDate)], first);
        put_money(&mut row[col(Field::ScheduledPayment)], dollars(rng.range(250, 3500)));
        if rng.chance(3000) {
            put_date(&mut row[col(Field::LastPaymentDate)], rng.day(first, LATEST.max(first)));
        }
        if rng.chance(2500) {
            put_date(&mut row[col(Field::MaturityDate)], origination + rng.range(10, 30) as i32 * YEAR);
        }
        if rng.chance(1500) {
            put_date(&mut row[col(Field::WrittenAcknowledgmentDate)], rng.day(first, LATEST.max(first)));
        }
        if rng.chance(2500) {
            put_bool(&mut row[col(Field::NoteNegotiable)], rng.chance(5000));
        }
    }
    // 2 % of rows without another bankruptcy: a dismissed case.
    let bankruptcy = col(Field::Bankruptcy);
    if (row[bankruptcy].is_empty() || row[bankruptcy] == b"none") && rng.chance(200) {
        row[bankruptcy].clear();
        row[bankruptcy].extend_from_slice(b"dismissed");
        let petition = rng.day((origination + 30).min(LATEST), LATEST);
        if !rng.chance(1500) {
            put_date(&mut row[col(Field::BankruptcyPetitionDate)], petition);
        }
        if rng.chance(6000) {
            put_date(&mut row[col(Field::BankruptcyStayEndDate)], rng.day(petition, LATEST.max(petition)));
        }
    }
    // 1 % each: HECM, VA, FHA.
    let program: Option<&[u8]> = match rng.below(100) {
        0 => Some(b"hecm"),
        1 => Some(b"va"),
        2 => Some(b"fha"),
        _ => None,
    };
    if let Some(p) = program {
        row[col(Field::LoanProgram)].extend_from_slice(p);
    }
    // 1 %: the borrower died; some letters, claims, rejections, actions.
    if rng.chance(100) {
        let death = rng.day((origination + YEAR).min(LATEST), LATEST);
        put_date(&mut row[col(Field::BorrowerDeathDate)], death);
        if rng.chance(5000) {
            put_date(&mut row[col(Field::LettersIssuedDate)], rng.day(death, LATEST.max(death)));
        }
        if rng.chance(4000) {
            let claim = rng.day(death, LATEST.max(death));
            put_date(&mut row[col(Field::CreditorClaimFiledDate)], claim);
            if rng.chance(4000) {
                put_date(&mut row[col(Field::CreditorClaimRejectedDate)], rng.day(claim, LATEST.max(claim)));
            }
        }
        if event == Event::Judicial && rng.chance(5000) {
            put_date(&mut row[col(Field::ActionCommencedDate)], rng.day(event_date - 400, event_date.min(LATEST)));
        }
    }
    // 1 %: military service around the event.
    if rng.chance(100) {
        let start = rng.day(event_date - 4 * YEAR, event_date.min(LATEST));
        put_date(&mut row[col(Field::MilitaryServiceStart)], start);
        if rng.chance(7000) {
            put_date(&mut row[col(Field::MilitaryServiceEnd)], start + rng.range(180, 4 * YEAR as u64) as i32);
        }
        if rng.chance(1000) {
            put_bool(&mut row[col(Field::ScraCourtOrder)], true);
        }
    }
}
