//! The decision engine: applies the rules in the decision order of docs/law.md "How a loan is decided" and
//! resolves unknown facts without guessing.
//!
//! This module alone knows the order (docs/law.md "How a loan is decided"):
//! 1. out of state → `out_of_scope`; a sale that military service may make
//!    invalid → `scra_sale_validity` (a carve-out, below);
//! 2. no shortfall → `no_deficiency` / `sale_covers_debt`;
//! 3. fraud or waste → `needs_review` (a carve-out);
//! 4. substantive bars: Probate Code 9391, 580b(a)(2), 580b(a)(3), 580b(b),
//!    then the event's own rule (580d / 580a, the foreclosure method, 580e,
//!    the deed-in-lieu agreement, the 726(b) waiver, the same-holder review);
//! 5. bankruptcy; 6. deadlines (the path's clock); 7. fair value;
//! 8. recoverable, or partially recoverable (a refinance split or a partial
//!    time bar).
//!
//! Carve-outs (`scra_sale_validity`, `fraud_or_waste`) do not stop the
//! evaluation: the loan is decided without them, across every open
//! question, and the carve-out then overlays that combined result: the
//! whole shortfall undetermined, its reasons, deadline, redemption end and
//! flags kept.
//!
//! Unknown facts. A rule that needs a fact the input leaves blank (or a point
//! of law that is unsettled) returns [`Ask`]. The engine then evaluates the
//! loan once for every answer and compares: if every answer gives the same
//! outcome and amounts, or leaves nothing recoverable either way, the loan is
//! decided (by the rule common to every answer, else by the answer whose
//! deciding rule comes first); otherwise it is `needs_review`, with the most
//! that could become recoverable as `undetermined`.

pub use crate::rules::{Ask, Ctx, Env, Step};

use crate::deficiency::{self, Amounts, InvariantViolation};
use crate::loan::{EventType, ForeclosureMethod, Loan, SeniorSaleType};
use crate::money::{self, Money};
use crate::rules::clock::TimeBar;
use crate::rules::questions::FairValueBound;
use crate::rules::{
    Effect, Flag, Found, Outcome, Question, Reason, Rule, Rules, bankruptcy, deed_in_lieu, federal, final_flags,
    fraud_waste, modification, probate_9391, q, r337, r366_2, r580a, r580b, r580d, r580e, r726, r729, reverse_mortgage,
    scope, scra, sold_out_junior,
};
use chrono::NaiveDate;

/// The reasons of an assessment, kept inline (no allocation) up to six.
pub type Reasons = smallvec::SmallVec<[Reason; 6]>;
/// The flags of an assessment, kept inline up to four.
pub use crate::rules::Flags;

/// The decision for one loan, with its amounts.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub outcome: Outcome,
    /// Every reason that applied, the deciding one first.
    pub reasons: Reasons,
    /// Advisory flags, in a fixed order.
    pub flags: Flags,
    pub amounts: Amounts,
    pub recoverable: Money,
    pub barred: Money,
    pub undetermined: Money,
    pub action_deadline: Option<NaiveDate>,
    pub redemption_ends: Option<NaiveDate>,
}

impl Assessment {
    /// The deciding reason.
    pub fn primary(&self) -> Reason {
        self.reasons[0]
    }
}

/// Decides one loan.
pub fn assess(loan: &Loan, env: Env) -> Result<Assessment, InvariantViolation> {
    let a = deficiency::amounts(loan);
    let mut cx = Ctx::new(env, false);
    let base = Leaf::new(loan, &cx);
    let leaf = solve(loan, &a, &mut cx, &base);
    let leaf = overlay(loan, &a, &mut cx, leaf);
    finish(loan, a, leaf, &cx)
}

/// An explanation: the steps of one evaluation, or a question the input left
/// open with the evaluation under each answer.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Explanation {
    Steps { steps: Vec<Step>, result: String },
    Branch { steps: Vec<Step>, question: String, answers: Vec<(String, Explanation)>, result: String },
}

/// Decides one loan and records every step, for `deficiency explain`.
pub fn explain(loan: &Loan, env: Env) -> Result<(Assessment, Explanation), InvariantViolation> {
    let a = deficiency::amounts(loan);
    let mut cx = Ctx::new(env, true);
    let base = Leaf::new(loan, &cx);
    let (leaf, tree) = explore(loan, &a, &mut cx, &base, 0);
    let leaf = overlay(loan, &a, &mut cx, leaf);
    Ok((finish(loan, a, leaf, &cx)?, tree))
}

fn finish(loan: &Loan, a: Amounts, leaf: Leaf, cx: &Ctx) -> Result<Assessment, InvariantViolation> {
    let split = deficiency::split(&loan.loan_id, a.gross, leaf.recoverable, leaf.undetermined)?;
    let mut flags = leaf.flags;
    let row = final_flags::Row {
        outcome: leaf.outcome,
        reasons: &leaf.reasons,
        gross: a.gross,
        barred: split.barred,
        time_barred: leaf.time_barred,
    };
    final_flags::flags(loan, row, cx.settings(), &mut flags);
    flags.sort_unstable();
    flags.dedup();
    Ok(Assessment {
        outcome: leaf.outcome,
        reasons: leaf.reasons,
        flags,
        amounts: a,
        recoverable: split.recoverable,
        barred: split.barred,
        undetermined: split.undetermined,
        action_deadline: leaf.deadline,
        redemption_ends: leaf.redemption,
    })
}

/// The carve-outs that apply (docs/law.md "How a loan is decided"): `scra_sale_validity` (with
/// `missing:origination_date` when only a blank origination makes it apply),
/// then `fraud_or_waste` on a loan with a shortfall. They branch on nothing.
fn carve_outs(loan: &Loan, a: &Amounts, cx: &mut Ctx) -> Reasons {
    let mut out = Reasons::new();
    let validity = cx.peek(|cx| Ok(scra::sale_validity(loan, cx))).flatten();
    let (fraud, federal) = if a.gross.is_zero() {
        (None, None)
    } else {
        (
            cx.peek(|cx| Ok(fraud_waste::carve_out(loan, cx))).flatten(),
            cx.peek(|cx| Ok(federal::federal_holder(loan, cx))).flatten(),
        )
    };
    if validity.is_some() {
        out.push(Reason::Rule(Rule::ScraSaleValidity));
    }
    out.extend(fraud.map(Reason::Rule));
    out.extend(federal.map(Reason::Rule));
    if validity.is_some_and(|v| v.origination_unknown) {
        out.push(Reason::Missing(crate::loan::Field::OriginationDate));
    }
    out
}

/// Overlays the carve-outs on the combined result: `needs_review`, the whole
/// shortfall undetermined; the result underneath supplies the other reasons
/// (less any `missing:*`), the deadline, the redemption end and the flags.
fn overlay(loan: &Loan, a: &Amounts, cx: &mut Ctx, leaf: Leaf) -> Leaf {
    if leaf.outcome == Outcome::OutOfScope {
        return leaf;
    }
    let carve = carve_outs(loan, a, cx);
    if carve.is_empty() {
        return leaf;
    }
    let mut reasons = carve;
    for r in leaf.reasons.iter().copied().filter(|r| !matches!(r, Reason::Missing(_))) {
        if !reasons.contains(&r) {
            reasons.push(r);
        }
    }
    Leaf {
        outcome: Outcome::NeedsReview,
        reasons,
        flags: leaf.flags,
        recoverable: Money::ZERO,
        undetermined: a.gross,
        deadline: leaf.deadline,
        redemption: leaf.redemption,
        time_barred: Money::ZERO,
    }
}

/// The results under each answer to one question (every question has two
/// to four answers), kept inline.
type Kids = smallvec::SmallVec<[Leaf; 4]>;

/// One evaluation's result, before amounts are split.
#[derive(Debug, Clone, PartialEq)]
struct Leaf {
    outcome: Outcome,
    reasons: Reasons,
    flags: Flags,
    recoverable: Money,
    undetermined: Money,
    deadline: Option<NaiveDate>,
    redemption: Option<NaiveDate>,
    /// The time-barred part on a note or 580a path (for the reporting flags).
    time_barred: Money,
}

impl Leaf {
    /// Where every evaluation of a loan starts: the flags that depend on
    /// the loan and the settings alone (no answer), worked out once a loan.
    fn new(loan: &Loan, cx: &Ctx) -> Leaf {
        let mut flags = Flags::new();
        if loan.guarantor {
            flags.push(Flag::GuarantorSeparateAnalysis);
        }
        if loan.event_type == EventType::SeniorSale && loan.senior_sale_type == Some(SeniorSaleType::Judicial) {
            flags.push(Flag::SeniorSaleJudicial);
        }
        if loan.event_type == EventType::SeniorSale && loan.same_holder_as_senior && !loan.senior_secures_this_note {
            flags.push(Flag::SeniorMaySecureThisNote);
        }
        if r580b::amounts_inconsistent(loan) {
            flags.push(Flag::RefinanceAmountsInconsistent);
        }
        flags.extend(loan.assumed.iter().map(|f| Flag::Assumed(*f)));
        flags.extend(scra::flags(loan, cx));
        Leaf {
            outcome: Outcome::NeedsReview,
            reasons: Reasons::new(),
            flags,
            recoverable: Money::ZERO,
            undetermined: Money::ZERO,
            deadline: None,
            redemption: None,
            time_barred: Money::ZERO,
        }
    }

    /// Sets the outcome and the deciding rule.
    fn decide(mut self, outcome: Outcome, rule: Rule) -> Leaf {
        self.outcome = outcome;
        self.set_primary(Reason::Rule(rule));
        self
    }

    fn set_primary(&mut self, r: Reason) {
        self.reasons.retain(|x| *x != r);
        self.reasons.insert(0, r);
    }

    fn push(&mut self, r: Rule) {
        let r = Reason::Rule(r);
        if !self.reasons.contains(&r) {
            self.reasons.push(r);
        }
    }

    fn flag(&mut self, f: Flag) {
        if !self.flags.contains(&f) {
            self.flags.push(f);
        }
    }

    fn summary(&self) -> String {
        let mut s = format!("{} ({})", self.outcome.name(), self.reasons.first().map(|r| r.code()).unwrap_or_default());
        if !self.recoverable.is_zero() {
            s.push_str(&format!(", recoverable {}", money::fmt(self.recoverable)));
        }
        if !self.undetermined.is_zero() {
            s.push_str(&format!(", undetermined {}", money::fmt(self.undetermined)));
        }
        s
    }
}

/// Evaluates, trying every answer to each open question.
fn solve(loan: &Loan, a: &Amounts, cx: &mut Ctx, base: &Leaf) -> Leaf {
    match evaluate(loan, a, cx, base) {
        Ok(leaf) => leaf,
        Err(Ask(q)) => {
            let kids: Kids = (0..q.answers())
                .map(|ans| {
                    cx.set_answer(q, Some(ans));
                    let l = solve(loan, a, cx, base);
                    cx.set_answer(q, None);
                    l
                })
                .collect();
            combine(q, kids)
        }
    }
}

/// [`solve`], keeping the steps of every evaluation.
/// `skip` is the number of leading steps the enclosing question already shows.
fn explore(loan: &Loan, a: &Amounts, cx: &mut Ctx, base: &Leaf, skip: usize) -> (Leaf, Explanation) {
    match evaluate(loan, a, cx, base) {
        Ok(leaf) => {
            let result = leaf.summary();
            let steps = cx.take_steps().into_iter().skip(skip).collect();
            (leaf, Explanation::Steps { steps, result })
        }
        Err(Ask(q)) => {
            let all = cx.take_steps();
            let shown = all.len();
            let steps = all.into_iter().skip(skip).collect();
            let mut kids = Kids::new();
            let mut answers = Vec::new();
            for ans in 0..q.answers() {
                cx.set_answer(q, Some(ans));
                let (l, e) = explore(loan, a, cx, base, shown);
                cx.set_answer(q, None);
                kids.push(l);
                answers.push((q.answer_label(ans).to_string(), e));
            }
            let leaf = combine(q, kids);
            let result = match leaf.outcome {
                Outcome::NeedsReview
                    if leaf.reasons.contains(&q.reason()) && !leaf.recoverable.is_zero()
                        || leaf.reasons.first() == Some(&q.reason()) =>
                {
                    format!(
                        "the answers differ: {}; undetermined is the most any answer leaves recoverable",
                        leaf.summary()
                    )
                }
                _ => format!("every answer leads to the same result: {}", leaf.summary()),
            };
            let question = format!("{} is open ({}): trying each answer", q.reason().code(), q.reason().citation());
            (leaf, Explanation::Branch { steps, question, answers, result })
        }
    }
}

/// How a branch ranks when choosing the one that decides (docs/law.md "How a loan is decided" and
/// "How deadlines are computed"): a branch decided by a review code ranks after every other; then
/// the decision order.
fn branch_rank(r: Reason) -> (bool, (u8, usize)) {
    (r.is_review(), r.order())
}

/// Combines the results under each answer to `q` (README "Input: the native layout",
/// docs/law.md "How deadlines are computed").
fn combine(q: Question, mut kids: Kids) -> Leaf {
    let first = &kids[0];
    let same = kids.iter().all(|k| {
        k.outcome == first.outcome && k.recoverable == first.recoverable && k.undetermined == first.undetermined
    });
    let nil = kids.iter().all(|k| k.recoverable.is_zero() && k.undetermined.is_zero());
    let common: Reasons =
        first.reasons.iter().copied().filter(|r| kids.iter().all(|k| k.reasons.contains(r))).collect();
    let redemption = if kids.iter().all(|k| k.redemption == first.redemption) { first.redemption } else { None };
    // each flag once (few enough to stay inline), in order
    let mut flags = Flags::new();
    for f in kids.iter().flat_map(|k| k.flags.iter().copied()) {
        if !flags.contains(&f) {
            flags.push(f);
        }
    }
    flags.sort_unstable();
    let earliest = kids.iter().filter_map(|k| k.deadline).min();
    if same || nil {
        // The rule that decides under every answer, else the first deciding
        // rule (a review code last).
        let shared =
            common.iter().copied().filter(|r| kids.iter().any(|k| k.reasons[0] == *r)).min_by_key(|r| branch_rank(*r));
        let idx = match shared {
            Some(r) => kids.iter().position(|k| k.reasons[0] == r).unwrap_or(0),
            None => (0..kids.len()).min_by_key(|i| branch_rank(kids[*i].reasons[0])).unwrap_or(0),
        };
        let latest = kids.iter().filter_map(|k| k.deadline).max();
        let mut out = kids.swap_remove(idx); // every question has at least two answers
        let primary = out.reasons[0];
        out.reasons = std::iter::once(primary).chain(common.into_iter().filter(|r| *r != primary)).collect();
        out.flags = flags;
        out.redemption = redemption;
        out.deadline = match out.outcome {
            // A person reviewing the loan, or acting on it, must not miss
            // the earliest deadline any answer gives.
            Outcome::NeedsReview | Outcome::Recoverable | Outcome::PartiallyRecoverable => earliest,
            // Time-barred whichever way: barred since the latest of them.
            Outcome::TimeBarred => latest,
            Outcome::Barred | Outcome::Discharged | Outcome::NoDeficiency | Outcome::OutOfScope => None,
        };
        out
    } else {
        let undetermined = kids.iter().map(|k| k.recoverable + k.undetermined).max().unwrap_or_default();
        // The questions whose answers differ (and the review codes of every
        // branch), by rank, then in order of asking; then what every answer
        // shares.
        let is_question = |r: Reason| Question::of_reason(r).is_some();
        let mut reasons = Reasons::new();
        reasons.push(q.reason());
        for r in kids.iter().flat_map(|k| k.reasons.iter()).copied().filter(|r| is_question(*r)) {
            if !reasons.contains(&r) {
                reasons.push(r);
            }
        }
        reasons.sort_by_key(|r| r.rank());
        for r in kids.iter().flat_map(|k| k.reasons.iter()).copied().filter(|r| r.is_review()) {
            if !reasons.contains(&r) {
                reasons.push(r);
            }
        }
        for r in common {
            if !reasons.contains(&r) {
                reasons.push(r);
            }
        }
        Leaf {
            outcome: Outcome::NeedsReview,
            reasons,
            flags,
            recoverable: Money::ZERO,
            undetermined,
            deadline: earliest,
            redemption,
            time_barred: Money::ZERO,
        }
    }
}

/// One evaluation under the answers fixed so far (steps 1–3; the
/// carve-outs are recorded here and overlaid on the combined result).
fn evaluate(loan: &Loan, a: &Amounts, cx: &mut Ctx, base: &Leaf) -> Result<Leaf, Ask> {
    let mut lf = base.clone();
    cx.note(None, || amounts_fact(loan, a), || format!("gross deficiency {}", money::fmt(a.gross)));
    if let Some(rule) = scope::out_of_scope(loan, cx) {
        lf.undetermined = a.gross;
        return Ok(lf.decide(Outcome::OutOfScope, rule));
    }
    scra::sale_validity(loan, cx);
    if a.gross.is_zero() {
        cx.note(Some(Rule::SaleCoversDebt), || format!("surplus {}", money::fmt(a.surplus)), || "no deficiency".into());
        let (redemption, flags) = redemption_after_full_sale(loan, a, cx)?;
        lf.redemption = redemption;
        for f in flags {
            lf.flag(f);
        }
        return Ok(lf.decide(Outcome::NoDeficiency, Rule::SaleCoversDebt));
    }
    fraud_waste::carve_out(loan, cx);
    federal::federal_holder(loan, cx);
    substantive(loan, a, cx, lf)
}

fn amounts_fact(loan: &Loan, a: &Amounts) -> String {
    let debt = format!(
        "total debt = principal {} + interest {} + advances {} + costs {} = {}",
        money::fmt(loan.unpaid_principal),
        money::fmt(loan.accrued_interest),
        money::fmt(loan.advances),
        money::fmt(loan.costs),
        money::fmt(a.total_debt)
    );
    match loan.event_type {
        EventType::SeniorSale => format!("{debt}; minus surplus received {}", money::fmt(loan.surplus_received)),
        _ => format!("{debt}; minus sale price {}", money::fmt(loan.sale_price.unwrap_or_default())),
    }
}

/// Step 4: the substantive bars, then the event's own rule.
fn substantive(loan: &Loan, a: &Amounts, cx: &mut Ctx, mut lf: Leaf) -> Result<Leaf, Ask> {
    for rule in [federal::hecm, reverse_mortgage::rule, probate_9391::waiver, r580b::seller_financed] {
        if let Some(found) = rule(loan, cx)? {
            return Ok(barred(lf, found.rule, loan, cx));
        }
    }
    // 580b(a)(3); new money in a modification may leave a new advance (Q-MOD).
    let mut kept_purchase_money = false;
    let mut split = None;
    if let Some(found) = r580b::purchase_money(loan, cx)? {
        match modification::new_money(loan, cx)? {
            None => return Ok(barred(lf, found.rule, loan, cx)),
            Some(s) => {
                kept_purchase_money = true;
                split = Some(s);
                lf.push(Rule::PurchaseMoney);
            }
        }
    }
    if !kept_purchase_money {
        split = match r580b::refinance(loan, cx)? {
            Some(Found { rule, effect: Effect::Bars, .. }) => return Ok(barred(lf, rule, loan, cx)),
            Some(Found { effect: Effect::Limits(split), .. }) => Some(split),
            _ => None,
        };
    }
    let found = event_rule(loan, cx)?;
    if let Some(flag) = found.flag {
        lf.flag(flag);
    }
    let path = match (found.effect, found.rule) {
        // Q-MOD read for the holder keeps 580b(a)(3) first in the step-4 order.
        (Effect::Bars, _) if kept_purchase_money => return Ok(barred(lf, Rule::PurchaseMoney, loan, cx)),
        (Effect::Bars, rule) => return Ok(barred(lf, rule, loan, cx)),
        (_, Rule::JudicialDeficiency) => {
            let st = cx.peek(|cx| Ok(bankruptcy::status(loan, cx))).unwrap_or(bankruptcy::Status::None);
            let (redemption, flags) = r729::redemption_ends(loan, a.total_debt, cx, st);
            lf.redemption = redemption;
            for f in flags {
                lf.flag(f);
            }
            Path { recover: found.rule, clock: Clock::Judicial, fair_value: Some(FairValue::Judicial) }
        }
        (_, Rule::NonjudicialDeficiency) => {
            Path { recover: found.rule, clock: Clock::Nonjudicial, fair_value: Some(FairValue::Nonjudicial) }
        }
        // An action on the note (sold-out junior, short sale outside 580e,
        // deed in lieu reserving the deficiency).
        (_, recover) => {
            for f in r337::path_flags(loan, cx) {
                lf.flag(f);
            }
            Path { recover, clock: Clock::Note, fair_value: None }
        }
    };
    tail(loan, a, cx, lf, split, path)
}

/// The event's own rule (step 4): a bar, or the path of recovery it opens.
fn event_rule(loan: &Loan, cx: &mut Ctx) -> Result<Found, Ask> {
    match loan.event_type {
        EventType::JudicialSale => r726::waiver(loan, cx),
        EventType::TrusteeSale => r580d::trustee_sale(loan, cx),
        EventType::ForeclosureSale => {
            let method = match loan.foreclosure_method {
                Some(m) => m,
                None => cx.ask(q::ForeclosureMethod)?,
            };
            cx.note(
                None,
                || "event_type = foreclosure_sale".into(),
                || format!("foreclosure method: {}", method.name()),
            );
            match method {
                ForeclosureMethod::Judicial => r726::waiver(loan, cx),
                ForeclosureMethod::Trustee => r580d::trustee_sale(loan, cx),
            }
        }
        EventType::ShortSale => r580e::short_sale(loan, cx),
        EventType::DeedInLieu => deed_in_lieu::agreement(loan, cx),
        EventType::SeniorSale => sold_out_junior::junior(loan, cx),
    }
}

/// Which fair-value limit a path has.
#[derive(Debug, Clone, Copy)]
enum FairValue {
    Judicial,
    Nonjudicial,
}

impl FairValue {
    fn rule(self) -> Rule {
        match self {
            FairValue::Judicial => Rule::JudicialFairValue,
            FairValue::Nonjudicial => Rule::NonjudicialFairValue,
        }
    }
    fn legal(self, loan: &Loan, total_debt: Money, fair_value: Money) -> Money {
        match self {
            FairValue::Judicial => r726::legal(loan, total_debt, fair_value),
            FairValue::Nonjudicial => r580a::legal(loan, total_debt, fair_value),
        }
    }
}

/// Which clock a path runs on (step 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clock {
    /// The 726(b) application.
    Judicial,
    /// The 580a action.
    Nonjudicial,
    /// The action on the note, installment by installment.
    Note,
}

/// A path on which a deficiency may be recovered.
struct Path {
    recover: Rule,
    clock: Clock,
    fair_value: Option<FairValue>,
}

/// Steps 5–8: bankruptcy, deadlines, fair value, and the recoverable amount.
fn tail(
    loan: &Loan,
    a: &Amounts,
    cx: &mut Ctx,
    mut lf: Leaf,
    split: Option<r580b::Split>,
    path: Path,
) -> Result<Leaf, Ask> {
    // Step 5: bankruptcy.
    let st = bankruptcy::status(loan, cx);
    match st {
        bankruptcy::Status::Discharged => {
            lf.deadline = None;
            lf.recoverable = Money::ZERO;
            return Ok(lf.decide(Outcome::Discharged, Rule::BankruptcyDischarge));
        }
        bankruptcy::Status::Excepted => lf.flag(Flag::DischargeExceptionApplied),
        bankruptcy::Status::PredatesLoan { flag: true } => lf.flag(Flag::DischargeBeforeLoan),
        _ => {}
    }
    if let Some(r) = st.listed() {
        lf.push(r);
    }
    let pending = st == bankruptcy::Status::Pending;

    // Step 6: the path's clock.
    if loan.borrower_death_date.is_some() {
        lf.flag(Flag::DecedentEstateClaimRequired);
    }
    if loan.creditor_claim_filed_date.is_some() {
        lf.flag(Flag::ProbateClaimRejection90Days);
    }
    let judged = loan.deficiency_filed_date.unwrap_or(cx.env.as_of);
    let tb: TimeBar = cx.remember((path.clock as u8, st, judged), |cx| match path.clock {
        Clock::Judicial => r726::time_bar(loan, cx, st, judged, a.gross),
        Clock::Nonjudicial => r580a::time_bar(loan, cx, st, r366_2::judged(loan, judged), a.gross),
        Clock::Note => r337::time_bar(loan, cx, st, r366_2::judged(loan, judged), a.gross),
    })?;
    for f in &tb.flags {
        lf.flag(*f);
    }
    if tb.beyond_calendar {
        lf.flag(Flag::HolidayCalendarExceeded);
    }
    for r in &tb.listed {
        lf.push(*r);
    }
    lf.deadline = tb.deadline;
    if path.clock != Clock::Judicial {
        lf.time_barred = tb.amount;
    }
    if tb.all {
        lf.recoverable = Money::ZERO;
        return Ok(lf.decide(Outcome::TimeBarred, tb.code));
    }

    // Step 7: fair value.
    let mut limit = None;
    let legal = match path.fair_value {
        None => a.gross - tb.amount,
        Some(kind) => {
            let fair_value = match loan.fair_value {
                Some(v) => v,
                // The holder's best case: a fair value no higher than the bid; the borrower's: one covering the debt.
                None => match cx.ask(q::FairValue)? {
                    FairValueBound::AtSalePrice => loan.sale_price.unwrap_or_default(),
                    FairValueBound::CoversDebt => a.total_debt,
                },
            };
            let legal = money::cents(kind.legal(loan, a.total_debt, fair_value));
            cx.note(
                Some(kind.rule()),
                || {
                    format!(
                        "fair value {}{}; sale price {}",
                        money::fmt(fair_value),
                        if loan.fair_value.is_none() { " (blank: branch)" } else { "" },
                        money::fmt(loan.sale_price.unwrap_or_default())
                    )
                },
                || match kind {
                    FairValue::Judicial => format!(
                        "legal deficiency = total debt {} - max(fair value, sale price) = {}",
                        money::fmt(a.total_debt),
                        money::fmt(legal)
                    ),
                    FairValue::Nonjudicial => format!(
                        "legal deficiency = indebtedness {} (without costs) - max(fair market value, sale price) = {}",
                        money::fmt(a.total_debt - loan.costs),
                        money::fmt(legal)
                    ),
                },
            );
            if legal.is_zero() {
                lf.deadline = None;
                return Ok(lf.decide(Outcome::NoDeficiency, kind.rule()));
            }
            if legal < a.gross {
                limit = Some(kind.rule());
            }
            legal
        }
    };

    // Step 8: what may be recovered.
    let recoverable = match &split {
        None => legal,
        Some(s) => {
            let r = r580b::recoverable(s, legal, loan, cx);
            let alloc = cx.settings().refinance_allocation;
            cx.note(
                Some(Rule::Refinance),
                || format!("legal deficiency {}; new advance still owed {}", money::fmt(legal), money::fmt(s.outstanding)),
                || match alloc {
                    crate::settings::RefinanceAllocation::Cap => format!(
                        "recoverable = min(legal deficiency {}, new advance still owed {}) = {} (setting refinance_allocation = cap)",
                        money::fmt(legal),
                        money::fmt(s.outstanding),
                        money::fmt(r)
                    ),
                    crate::settings::RefinanceAllocation::ProRata => format!(
                        "recoverable = legal deficiency {} x new advance still owed {} / unpaid principal {} = {} (setting refinance_allocation = pro_rata)",
                        money::fmt(legal),
                        money::fmt(s.outstanding),
                        money::fmt(loan.unpaid_principal),
                        money::fmt(r)
                    ),
                },
            );
            r
        }
    };
    let capped = recoverable < legal;
    let partly_time_barred = !tb.amount.is_zero();
    let primary = if capped {
        Rule::Refinance
    } else if partly_time_barred {
        Rule::InstallmentsTimeBarred
    } else {
        path.recover
    };
    let outcome = if capped || partly_time_barred { Outcome::PartiallyRecoverable } else { Outcome::Recoverable };
    lf = lf.decide(outcome, primary);
    if capped && partly_time_barred {
        lf.push(Rule::InstallmentsTimeBarred);
    }
    if primary != path.recover {
        lf.push(path.recover);
    }
    if split.is_some() && !capped {
        lf.push(Rule::Refinance);
    }
    if let Some(r) = limit {
        lf.push(r);
    }
    lf.recoverable = recoverable;
    if path.clock == Clock::Judicial && federal::hud_may_require(loan) && recoverable > Money::ZERO {
        lf.flag(Flag::HudMayRequireDeficiency);
    }
    if pending {
        lf.outcome = Outcome::NeedsReview;
        lf.set_primary(Reason::Rule(Rule::BankruptcyPending));
        lf.undetermined = recoverable;
        lf.recoverable = Money::ZERO;
    }
    Ok(lf)
}

/// A barred loan: nothing recoverable; every other bar that is known to
/// apply is listed after the deciding one.
fn barred(mut lf: Leaf, rule: Rule, loan: &Loan, cx: &mut Ctx) -> Leaf {
    lf.deadline = None;
    lf.recoverable = Money::ZERO;
    lf.undetermined = Money::ZERO;
    let mut lf = lf.decide(Outcome::Barred, rule);
    for other in other_bars(loan, cx) {
        lf.push(other);
    }
    lf
}

/// The bars known to apply: every step-4 rule and the discharge, looked at
/// without branching on anything unknown.
fn other_bars(loan: &Loan, cx: &mut Ctx) -> Rules {
    let bar = |f: Option<Option<Found>>| f.flatten().filter(Found::is_bar).map(|f| f.rule);
    let mut v: Rules = [
        bar(cx.peek(|cx| federal::hecm(loan, cx))),
        bar(cx.peek(|cx| reverse_mortgage::rule(loan, cx))),
        bar(cx.peek(|cx| probate_9391::waiver(loan, cx))),
        bar(cx.peek(|cx| r580b::seller_financed(loan, cx))),
        bar(cx.peek(|cx| r580b::purchase_money(loan, cx))),
        cx.peek(|cx| r580b::refinance(loan, cx)).flatten().filter(|f| f.is_bar()).map(|f| f.rule),
        bar(cx.peek(|cx| event_rule(loan, cx).map(Some))),
    ]
    .into_iter()
    .flatten()
    .collect();
    if cx.peek(|cx| Ok(bankruptcy::status(loan, cx))) == Some(bankruptcy::Status::Discharged) {
        v.push(Rule::BankruptcyDischarge);
    }
    v
}

/// CCP 729.030 after a judicial sale that covered the debt: only when the
/// decree permits a deficiency (no step-4 rule bars all of it). Open
/// questions branch as usual: when every answer gives the same date it is
/// known; otherwise it is left blank.
fn redemption_after_full_sale(loan: &Loan, a: &Amounts, cx: &mut Ctx) -> Result<(Option<NaiveDate>, Flags), Ask> {
    let judicial = loan.event_type == EventType::JudicialSale
        || (loan.event_type == EventType::ForeclosureSale
            && loan.foreclosure_method == Some(ForeclosureMethod::Judicial));
    if !judicial
        || loan.deficiency_waived
        || federal::hecm(loan, cx)?.is_some()
        || reverse_mortgage::rule(loan, cx)?.is_some()
        || loan.probate_9391_waiver
        || loan.seller_financed
    {
        return Ok((None, Flags::new()));
    }
    if r580b::purchase_money(loan, cx)?.is_some() && modification::new_money(loan, cx)?.is_none() {
        return Ok((None, Flags::new()));
    }
    if r580b::refinance(loan, cx)?.is_some_and(|f| f.is_bar()) {
        return Ok((None, Flags::new()));
    }
    let st = cx.peek(|cx| Ok(bankruptcy::status(loan, cx))).unwrap_or(bankruptcy::Status::None);
    Ok(r729::redemption_ends(loan, a.total_debt, cx, st))
}
