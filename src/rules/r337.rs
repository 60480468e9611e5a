//! The action on the note: CCP 337, Com. Code 3118 and CCP 360, installment
//! by installment (docs/law.md, 337_four_years, 3118_six_years,
//! 337_installments_time_barred; docs/law.md "How deadlines are computed").
//!
//! CCP 337: "Within four years: (a) An action upon any contract, obligation
//! or liability founded upon an instrument in writing …" and "(d) When the
//! period in which an action must be commenced under this section has run, a
//! person shall not bring suit or initiate an arbitration or other legal
//! proceeding to collect the debt." Com. Code 3118(a): an action to enforce
//! a negotiable note payable at a definite time "must be commenced within six
//! years after the due date or dates stated in the note or, if a due date is
//! accelerated, within six years after the accelerated due date." Each
//! installment falls due on its own date and has its own period; the
//! unmatured balance falls due only when the holder accelerates or the note
//! matures. CCP 360: an acknowledgment or promise must be in a signed
//! writing, and "any payment of principal or interest on a written
//! obligation" restarts the period — but "no such payment ... shall revive a
//! cause of action once barred" (whether a writing revives one is
//! unsettled: `written_acknowledgment_revival`). A borrower's death replaces
//! the period with CCP 366.2's year; a rejected claim with Probate Code
//! 9353's 90 days; a bankruptcy extends it under 11 U.S.C. 108(c).
//!
//! Used for actions on the note: a sold-out junior, a short sale outside
//! 580e, a deed in lieu reserving the deficiency.

use super::bankruptcy::Status;
use super::clock::{Period, TimeBar, windows};
use super::prelude::*;
use super::questions::{Accrual, FirstUnpaid, Payment, Reading};
use super::{r108, r366_2};
use crate::deadlines::{Deadline, Windows, add_months};
use crate::loan::EventType;
use crate::money::{self, Money};
use crate::settings::BlankAccrualDate;
use chrono::NaiveDate;

/// When something fell due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    /// Before any date the row gives: its period ran long ago (no date).
    Ancient,
    At(NaiveDate),
    /// Not yet due (the unaccelerated, unmatured balance).
    Never,
}

/// A block's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dl {
    /// Barred long ago, no date.
    Ancient,
    Date(NaiveDate),
    /// No date: not yet due, or stopped by an open window.
    Open,
}

impl Dl {
    fn date(self) -> Option<NaiveDate> {
        match self {
            Dl::Date(d) => Some(d),
            _ => None,
        }
    }
    /// Not passed at `d` (an open deadline never passes).
    fn alive_at(self, d: NaiveDate) -> bool {
        match self {
            Dl::Ancient => false,
            Dl::Date(x) => x >= d,
            Dl::Open => true,
        }
    }
}

/// One amount with its own due date and deadline (an installment, or the
/// balance).
#[derive(Debug, Clone)]
struct Block {
    due: Due,
    amount: Money,
    dl: Dl,
    /// The code of the period that gave `dl`.
    code: Rule,
    /// The final deadline was moved by military service.
    service: bool,
    /// 108(c) extended (or kept alive) the final deadline.
    extended: bool,
    kept_alive: bool,
    balance: bool,
    /// How the deadline was reached (built only for `explain`).
    how: Vec<String>,
}

/// The length and code of the note's period (docs/law.md "How deadlines are computed").
fn period(loan: &Loan, cx: &Ctx) -> (u32, Rule, bool) {
    let s = cx.settings();
    match loan.note_negotiable {
        Some(true) => (12 * s.negotiable_note_limitations_years, Rule::NoteSixYears, false),
        Some(false) => (48, Rule::NoteFourYears, false),
        None => (12 * s.note_limitations_years, Rule::NoteFourYears, true),
    }
}

/// The `k`-th installment date from `first` (each from `first`, not chained).
fn installment(cx: &Ctx, first: NaiveDate, k: u32) -> NaiveDate {
    add_months(first, k, cx.settings().month_end)
}

/// Installments a note can have before the judged date (100 years).
const MAX_INSTALLMENTS: u32 = 1200;

/// The flags of the note path that no question decides (docs/law.md "How deadlines are computed"): a note that may be negotiable, an accrual date defaulted to the
/// event, a balance never accelerated with no maturity date. Set when the
/// path is chosen, whatever the later steps decide (as version 1 did).
pub fn path_flags(loan: &Loan, cx: &Ctx) -> Flags {
    let mut flags = Flags::new();
    if period(loan, cx).2 {
        flags.push(Flag::NoteMayBeNegotiable);
    }
    let superseded =
        loan.modified && matches!((loan.modification_date, loan.accrual_date), (Some(m), Some(a)) if m >= a);
    let (accrual, accelerated) = if superseded { (None, Some(false)) } else { (loan.accrual_date, loan.accelerated) };
    if accrual.is_none() {
        if accelerated == Some(false) {
            if loan.maturity_date.is_none() {
                flags.push(Flag::MaturityDateUnknown);
            }
        } else if accelerated.is_none()
            && (matches!(loan.event_type, EventType::ShortSale | EventType::DeedInLieu)
                || (loan.event_type == EventType::SeniorSale
                    && cx.settings().blank_accrual_date == BlankAccrualDate::EventDate))
        {
            flags.push(Flag::AccrualDateDefaulted);
        }
    }
    flags
}

/// The note path's clock (step 6): which part of the gross is time-barred,
/// and the deadline to show.
pub fn time_bar(loan: &Loan, cx: &mut Ctx, st: Status, judged: NaiveDate, gross: Money) -> Result<TimeBar, Ask> {
    if let Some(rule) = r366_2::late_claim(loan, cx)? {
        return Ok(TimeBar::review(rule, gross));
    }
    let s = cx.settings();
    let (months, code, may_be_negotiable) = period(loan, cx);
    let mut tb = TimeBar {
        amount: Money::ZERO,
        all: false,
        code,
        deadline: None,
        listed: Default::default(),
        flags: Default::default(),
        beyond_calendar: false,
    };
    if may_be_negotiable {
        tb.flag(Flag::NoteMayBeNegotiable);
    }

    // A1.2: when the whole balance fell due (W).
    let modification = if loan.modified { loan.modification_date } else { None };
    let (mut accrual, mut accelerated) = (loan.accrual_date, loan.accelerated);
    if let (Some(m), Some(a)) = (modification, accrual)
        && m >= a
    {
        // A modification supersedes the earlier acceleration (case 0).
        accrual = None;
        accelerated = Some(false);
    }
    let first = loan.first_unpaid_due_date;
    // Q-ACCRUAL's earliest accrual E0: the first unpaid installment, else
    // origination, else long ago; after a modification, no earlier than the
    // first installment due after it.
    let earliest = |cx: &Ctx| -> Due {
        let e0 = first.or(loan.origination_date).map_or(Due::Ancient, Due::At);
        let Some(m) = modification else { return e0 };
        let bound = match first {
            Some(f) => (0..MAX_INSTALLMENTS).map(|k| installment(cx, f, k)).find(|d| *d > m).unwrap_or(m),
            None => m,
        };
        e0.max(Due::At(bound))
    };
    let accelerated_at = if let Some(a) = accrual {
        Due::At(a)
    } else if accelerated == Some(false) {
        if loan.maturity_date.is_none() {
            tb.flag(Flag::MaturityDateUnknown);
        }
        Due::Never
    } else if accelerated.is_none()
        && (matches!(loan.event_type, EventType::ShortSale | EventType::DeedInLieu)
            || (loan.event_type == EventType::SeniorSale && s.blank_accrual_date == BlankAccrualDate::EventDate))
    {
        tb.flag(Flag::AccrualDateDefaulted);
        Due::At(loan.event_date)
    } else {
        tb.flag(Flag::AccrualDateBounded);
        match cx.ask(q::AccrualDate)? {
            Accrual::NotAccelerated => Due::Never,
            Accrual::Earliest => earliest(cx),
        }
    };
    let mut w = match loan.maturity_date {
        Some(m) => accelerated_at.min(Due::At(m)),
        None => accelerated_at,
    };

    // A1.3: the installment blocks.
    let first = match first {
        Some(f) => Some(f),
        None if accelerated == Some(false) => match cx.ask(q::FirstUnpaidDueDate)? {
            FirstUnpaid::None => None,
            FirstUnpaid::SinceOrigination => match loan.origination_date {
                Some(o) => Some(add_months(o, 1, s.month_end)),
                None => {
                    w = Due::Ancient;
                    None
                }
            },
        },
        None => None,
    };
    let mut dues = Vec::new();
    if let Some(f) = first {
        for k in 0..MAX_INSTALLMENTS {
            let d = installment(cx, f, k);
            if d > judged || Due::At(d) >= w {
                break;
            }
            if modification.is_none_or(|m| d > m) {
                dues.push(d);
            }
        }
    }
    let per = match (loan.scheduled_payment, dues.is_empty()) {
        (Some(p), _) => p,
        (None, true) => Money::ZERO,
        (None, false) => match cx.ask(q::ScheduledPayment)? {
            Payment::Nothing => Money::ZERO,
            Payment::Everything => gross,
        },
    };
    let installments = per * Money::from(dues.len() as u64);
    let mut blocks: Vec<Block> = dues
        .iter()
        .map(|d| Block {
            due: Due::At(*d),
            amount: per,
            dl: Dl::Open,
            code,
            service: false,
            extended: false,
            kept_alive: false,
            balance: false,
            how: Vec::new(),
        })
        .collect();
    blocks.push(Block {
        due: w,
        amount: (gross - installments).max(Money::ZERO),
        dl: Dl::Open,
        code,
        service: false,
        extended: false,
        kept_alive: false,
        balance: true,
        how: Vec::new(),
    });
    let tracing = cx.tracing();

    // A1.4 (1): each block's own period.
    let note_windows = Windows::merge(&windows(loan, cx, Period::Note, st));
    let run = |cx: &Ctx, from: NaiveDate, windows: &Windows| -> Deadline {
        windows.period_end(from, months, cx.settings().month_end, true, cx.env.calendar)
    };
    let mut open_by_service = false;
    for b in &mut blocks {
        match b.due {
            Due::Ancient => b.dl = Dl::Ancient,
            Due::Never => b.dl = Dl::Open,
            Due::At(d) => {
                let p = run(cx, d, &note_windows);
                open_by_service |= p.date.is_none() && p.open_by.is_some();
                b.service = p.moved_by_service;
                b.dl = p.date.map_or(Dl::Open, Dl::Date);
                if tracing {
                    b.how.push(p.describe());
                }
            }
        }
    }

    // A1.4 (2), (2a): CCP 360 restarts, in date order (a payment first on a
    // day both happen), ignoring any after the judged date.
    let mut restarts: Vec<(NaiveDate, bool)> = Vec::new();
    if let Some(p) = loan.last_payment_date {
        restarts.push((p, true));
    }
    for a in [loan.written_acknowledgment_date, modification].into_iter().flatten() {
        restarts.push((a, false));
    }
    restarts.sort_by_key(|(d, payment)| (*d, !*payment));
    restarts.dedup();
    let mut revival: Option<bool> = None;
    for (at, payment) in restarts.into_iter().filter(|(d, _)| *d <= judged) {
        for b in &mut blocks {
            let due_before = match b.due {
                Due::At(d) => d < at,
                Due::Ancient => true,
                Due::Never => false,
            };
            if !due_before {
                continue;
            }
            let restart = if b.dl.alive_at(at) {
                if b.dl == Dl::Open {
                    continue;
                }
                true
            } else if payment {
                false // a payment does not revive a barred claim
            } else {
                match revival {
                    Some(r) => r,
                    None => {
                        let r = cx.ask(q::Revival)? == Reading::Holder;
                        revival = Some(r);
                        r
                    }
                }
            };
            if restart {
                let p = run(cx, at, &note_windows);
                b.service = p.moved_by_service;
                b.dl = p.date.map_or(Dl::Open, Dl::Date);
                b.code = code;
                if tracing {
                    let what = if payment { "a payment (CCP 360)" } else { "a signed writing (CCP 360)" };
                    b.how.push(format!("restarted by {what} on {at}: {}", p.describe()));
                }
                tb.flag(if payment { Flag::PaymentRestartedClock } else { Flag::WrittenAcknowledgmentRestart });
            }
        }
    }

    // A1.4 (3): CCP 366.2, then (3a) Probate Code 9353.
    let service = crate::rules::scra::window(loan);
    if let Some(death) = loan.borrower_death_date {
        let year = r366_2::one_year(loan, cx, death, service);
        for b in &mut blocks {
            let reaches = match b.dl {
                Dl::Ancient => false,
                Dl::Open => b.balance || matches!(b.due, Due::At(_)),
                Dl::Date(d) => d >= death,
            };
            if reaches {
                b.dl = year.date.map_or(Dl::Open, Dl::Date);
                b.code = Rule::DecedentOneYear;
                b.service = year.moved_by_service;
                open_by_service |= year.date.is_none() && year.open_by.is_some();
                if tracing {
                    b.how.push(format!("the borrower died: one year from death (CCP 366.2): {}", year.describe()));
                }
            }
        }
    }
    for b in &mut blocks {
        if b.dl != Dl::Ancient
            && let Some(d) = r366_2::rejected_claim(loan, cx, b.dl.date())
        {
            b.dl = Dl::Date(d);
            b.code = Rule::RejectedClaimNinetyDays;
            b.service = false;
            if tracing {
                b.how.push(format!("the claim was rejected: 90 days from the notice (Probate Code 9353): {d}"));
            }
        }
    }

    // A1.4 (4): 11 U.S.C. 108(c).
    for b in &mut blocks {
        if let Dl::Date(d) = b.dl {
            let ext = r108::extend(loan, cx, st, d, judged)?;
            b.dl = Dl::Date(ext.date);
            b.extended = ext.extended;
            b.kept_alive = ext.kept_alive;
            if tracing && ext.date != d {
                b.how.push(format!("30 days after the bankruptcy stay ended (11 U.S.C. 108(c)): {}", ext.date));
            }
            if tracing && ext.kept_alive {
                b.how.push("a pending case keeps the period open (11 U.S.C. 108(c))".into());
            }
        }
    }

    // A1.6, A1.7: what is barred, the deadline to show, the codes listed.
    let barred = |b: &Block| match b.dl {
        Dl::Ancient => true,
        Dl::Date(d) => judged > d && !b.kept_alive,
        Dl::Open => false,
    };
    let time_barred: Money = blocks.iter().filter(|b| barred(b)).map(|b| b.amount).sum();
    tb.amount = time_barred.min(gross);
    tb.all = tb.amount == gross;
    if tb.all {
        // The barred block with the latest deadline decides (an ancient one
        // has the note's own code).
        let latest = blocks.iter().filter(|b| barred(b)).max_by_key(|b| b.dl.date());
        tb.code = latest.map_or(code, |b| b.code);
        tb.deadline = blocks.iter().filter(|b| barred(b)).filter_map(|b| b.dl.date()).max();
    } else {
        tb.deadline = blocks.iter().filter(|b| !barred(b)).filter_map(|b| b.dl.date()).min();
    }
    for b in &blocks {
        if b.dl != Dl::Open
            && matches!(b.code, Rule::NoteSixYears | Rule::DecedentOneYear | Rule::RejectedClaimNinetyDays)
        {
            tb.list(b.code);
        }
        if b.extended {
            tb.list(Rule::BankruptcyExtension);
        }
        if b.service && b.dl.date().is_some() {
            tb.list(Rule::ScraTolling);
        }
        tb.beyond_calendar |= b.dl.date().is_some_and(|d| !cx.env.calendar.covers(d));
    }
    if open_by_service {
        tb.flag(Flag::ScraServiceOngoing);
    }
    trace(loan, cx, &blocks, months, judged, &tb);
    Ok(tb)
}

fn trace(loan: &Loan, cx: &mut Ctx, blocks: &[Block], months: u32, judged: NaiveDate, tb: &TimeBar) {
    let show_due = |d: Due| match d {
        Due::Ancient => "long ago (no date the row gives)".to_string(),
        Due::At(d) => d.to_string(),
        Due::Never => "not yet due".to_string(),
    };
    let show_dl = |d: Dl| match d {
        Dl::Ancient => "long past".to_string(),
        Dl::Date(d) => d.to_string(),
        Dl::Open => "none".to_string(),
    };
    let installments = blocks.len() - 1;
    cx.note(
        Some(tb.code),
        || {
            let mut t = format!(
                "{} months from each due date; judged at {judged}; accrual_date {}; accelerated {}; maturity {}; first unpaid {}; scheduled payment {}; K = {installments}",
                months,
                loan.accrual_date.map(|d| d.to_string()).unwrap_or_else(|| "blank".into()),
                loan.accelerated.map(|b| b.to_string()).unwrap_or_else(|| "blank".into()),
                loan.maturity_date.map(|d| d.to_string()).unwrap_or_else(|| "blank".into()),
                loan.first_unpaid_due_date.map(|d| d.to_string()).unwrap_or_else(|| "blank".into()),
                loan.scheduled_payment.map(money::fmt).unwrap_or_else(|| "blank".into()),
            );
            if let Some(p) = loan.last_payment_date {
                t.push_str(&format!("; last payment {p}"));
            }
            if let Some(a) = loan.written_acknowledgment_date {
                t.push_str(&format!("; written acknowledgment {a}"));
            }
            t
        },
        || {
            let mut parts: Vec<String> = Vec::new();
            for b in blocks {
                let barred = match b.dl {
                    Dl::Ancient => true,
                    Dl::Date(d) => judged > d && !b.kept_alive,
                    Dl::Open => false,
                };
                let how = if b.how.is_empty() { String::new() } else { format!(" [{}]", b.how.join("; then ")) };
                parts.push(format!(
                    "{} {} due {} -> deadline {} ({}){}{how}",
                    if b.balance { "balance" } else { "installment" },
                    money::fmt(b.amount),
                    show_due(b.due),
                    show_dl(b.dl),
                    b.code.code(),
                    if barred { ": barred" } else { "" }
                ));
            }
            if parts.len() > 8 {
                let n = parts.len();
                parts.drain(3..n - 3);
                parts.insert(3, format!("... ({} blocks)", n));
            }
            format!("{}; time-barred {}", parts.join("; "), money::fmt(tb.amount))
        },
    );
}
