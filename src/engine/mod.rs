//! The decision engine: applies the rules in SPEC §4's decision order and
//! resolves unknown facts without guessing.
//!
//! This module alone knows the order:
//! 1. out of state → `out_of_scope`;
//! 2. no shortfall → `no_deficiency` / `sale_covers_debt`;
//! 3. fraud or waste → `needs_review`;
//! 4. substantive bars: 580b(a)(2), 580b(a)(3), 580b(b), then the event's own
//!    rule (580d / 580a, the foreclosure method, 580e, the deed-in-lieu
//!    agreement, the 726(b) waiver, the same-holder review);
//! 5. bankruptcy; 6. deadlines; 7. judicial fair value; 8. recoverable.
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
use crate::rules::questions::FairValueBound;
use crate::rules::{
    Effect, Flag, Found, Outcome, Question, Reason, Rule, bankruptcy, deed_in_lieu, fraud_waste, q, r337, r580a, r580b,
    r580d, r580e, r726, r729, scope, sold_out_junior,
};
use chrono::NaiveDate;

/// The reasons of an assessment, kept inline (no allocation) up to six.
pub type Reasons = smallvec::SmallVec<[Reason; 6]>;
/// The flags of an assessment, kept inline up to four.
pub type Flags = smallvec::SmallVec<[Flag; 4]>;

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
    let leaf = solve(loan, &a, &mut cx);
    finish(loan, a, leaf)
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
    let (leaf, tree) = explore(loan, &a, &mut cx, 0);
    Ok((finish(loan, a, leaf)?, tree))
}

fn finish(loan: &Loan, a: Amounts, leaf: Leaf) -> Result<Assessment, InvariantViolation> {
    let split = deficiency::split(&loan.loan_id, a.gross, leaf.recoverable, leaf.undetermined)?;
    let mut flags = leaf.flags;
    flags.sort();
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
}

impl Leaf {
    fn new(loan: &Loan) -> Leaf {
        let mut flags = Flags::new();
        if loan.guarantor {
            flags.push(Flag::GuarantorSeparateAnalysis);
        }
        if loan.event_type == EventType::SeniorSale && loan.senior_sale_type == Some(SeniorSaleType::Judicial) {
            flags.push(Flag::SeniorSaleJudicial);
        }
        if r580b::amounts_inconsistent(loan) {
            flags.push(Flag::RefinanceAmountsInconsistent);
        }
        flags.extend(loan.assumed.iter().map(|f| Flag::Assumed(*f)));
        Leaf {
            outcome: Outcome::NeedsReview,
            reasons: Reasons::new(),
            flags,
            recoverable: Money::ZERO,
            undetermined: Money::ZERO,
            deadline: None,
            redemption: None,
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
fn solve(loan: &Loan, a: &Amounts, cx: &mut Ctx) -> Leaf {
    match evaluate(loan, a, cx) {
        Ok(leaf) => leaf,
        Err(Ask(q)) => {
            let kids = (0..q.answers())
                .map(|ans| {
                    cx.set_answer(q, Some(ans));
                    let l = solve(loan, a, cx);
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
fn explore(loan: &Loan, a: &Amounts, cx: &mut Ctx, skip: usize) -> (Leaf, Explanation) {
    match evaluate(loan, a, cx) {
        Ok(leaf) => {
            let result = leaf.summary();
            let steps = cx.take_steps().into_iter().skip(skip).collect();
            (leaf, Explanation::Steps { steps, result })
        }
        Err(Ask(q)) => {
            let all = cx.take_steps();
            let shown = all.len();
            let steps = all.into_iter().skip(skip).collect();
            let mut kids = Vec::new();
            let mut answers = Vec::new();
            for ans in 0..q.answers() {
                cx.set_answer(q, Some(ans));
                let (l, e) = explore(loan, a, cx, shown);
                cx.set_answer(q, None);
                kids.push(l);
                answers.push((q.answer_label(ans).to_string(), e));
            }
            let leaf = combine(q, kids);
            let result = match leaf.outcome {
                Outcome::NeedsReview if leaf.reasons.first() == Some(&q.reason()) => format!(
                    "the answers differ: {}; undetermined is the most any answer leaves recoverable",
                    leaf.summary()
                ),
                _ => format!("every answer leads to the same result: {}", leaf.summary()),
            };
            let question = format!("{} is open ({}): trying each answer", q.reason().code(), q.reason().citation());
            (leaf, Explanation::Branch { steps, question, answers, result })
        }
    }
}

/// Combines the results under each answer to `q` (SPEC §3 "Unknown facts").
fn combine(q: Question, kids: Vec<Leaf>) -> Leaf {
    let first = &kids[0];
    let same = kids.iter().all(|k| {
        k.outcome == first.outcome && k.recoverable == first.recoverable && k.undetermined == first.undetermined
    });
    let nil = kids.iter().all(|k| k.recoverable.is_zero() && k.undetermined.is_zero());
    let common: Reasons =
        first.reasons.iter().copied().filter(|r| kids.iter().all(|k| k.reasons.contains(r))).collect();
    let redemption = if kids.iter().all(|k| k.redemption == first.redemption) { first.redemption } else { None };
    let mut flags: Flags = kids.iter().flat_map(|k| k.flags.iter().copied()).collect();
    flags.sort();
    flags.dedup();
    if same || nil {
        // The rule that decides under every answer, else the earliest deciding rule.
        let shared =
            common.iter().copied().filter(|r| kids.iter().any(|k| k.reasons[0] == *r)).min_by_key(|r| r.rank());
        let idx = match shared {
            Some(r) => kids.iter().position(|k| k.reasons[0] == r).unwrap_or(0),
            None => (0..kids.len()).min_by_key(|i| kids[*i].reasons[0].rank()).unwrap_or(0),
        };
        let earliest = kids.iter().filter_map(|k| k.deadline).min();
        let mut kids = kids;
        let mut out = kids.swap_remove(idx); // every question has at least two answers
        let primary = out.reasons[0];
        out.reasons = std::iter::once(primary).chain(common.into_iter().filter(|r| *r != primary)).collect();
        out.flags = flags;
        out.redemption = redemption;
        if out.outcome == Outcome::NeedsReview {
            // The earliest deadline of any answer: a person reviewing the
            // loan must not miss it (SPEC §4: set on needs_review loans).
            out.deadline = earliest;
        }
        out
    } else {
        let undetermined = kids.iter().map(|k| k.recoverable + k.undetermined).max().unwrap_or_default();
        let mut reasons = Reasons::new();
        reasons.push(q.reason());
        for r in kids.iter().flat_map(|k| k.reasons.iter()).copied().filter(|r| r.is_review()).chain(common) {
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
            deadline: kids.iter().filter_map(|k| k.deadline).min(),
            redemption,
        }
    }
}

/// One evaluation under the answers fixed so far (steps 1–3).
fn evaluate(loan: &Loan, a: &Amounts, cx: &mut Ctx) -> Result<Leaf, Ask> {
    let mut lf = Leaf::new(loan);
    cx.note(None, || amounts_fact(loan, a), || format!("gross deficiency {}", money::fmt(a.gross)));
    if let Some(rule) = scope::out_of_state(loan, cx) {
        lf.undetermined = a.gross;
        return Ok(lf.decide(Outcome::OutOfScope, rule));
    }
    if a.gross.is_zero() {
        cx.note(Some(Rule::SaleCoversDebt), || format!("surplus {}", money::fmt(a.surplus)), || "no deficiency".into());
        lf.redemption = redemption_after_full_sale(loan, a, cx)?;
        return Ok(lf.decide(Outcome::NoDeficiency, Rule::SaleCoversDebt));
    }
    if let Some(rule) = fraud_waste::carve_out(loan, cx) {
        let mut inner = substantive(loan, a, cx, lf)?;
        inner.outcome = Outcome::NeedsReview;
        inner.set_primary(Reason::Rule(rule));
        inner.recoverable = Money::ZERO;
        inner.undetermined = a.gross;
        return Ok(inner);
    }
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
    for rule in [r580b::seller_financed, r580b::purchase_money] {
        if let Some(found) = rule(loan, cx)? {
            return Ok(barred(lf, found.rule, loan, cx));
        }
    }
    let split = match r580b::refinance(loan, cx)? {
        Some(Found { rule, effect: Effect::Bars, .. }) => return Ok(barred(lf, rule, loan, cx)),
        Some(Found { effect: Effect::Limits(split), .. }) => Some(split),
        _ => None,
    };
    let found = event_rule(loan, cx)?;
    if let Some(flag) = found.flag {
        lf.flag(flag);
    }
    let path = match (found.effect, found.rule) {
        (Effect::Bars, rule) => return Ok(barred(lf, rule, loan, cx)),
        (_, Rule::JudicialDeficiency) => {
            lf.redemption = Some(r729::redemption_ends(loan, a.total_debt, cx));
            Path {
                recover: found.rule,
                deadline: Some(r726::deadline(loan, cx)),
                fair_value: Some(FairValue::Judicial),
            }
        }
        (_, Rule::NonjudicialDeficiency) => Path {
            recover: found.rule,
            deadline: Some(r580a::deadline(loan, cx)),
            fair_value: Some(FairValue::Nonjudicial),
        },
        (_, recover) => {
            // An action on the note (sold-out junior, short sale outside
            // 580e, deed in lieu reserving the deficiency): CCP 337.
            let (dl, defaulted) = r337::deadline(loan, cx);
            if defaulted {
                lf.flag(Flag::AccrualDateDefaulted);
            }
            lf.flag(Flag::NoteMayBeNegotiable);
            Path { recover, deadline: Some(dl), fair_value: None }
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

/// A path on which a deficiency may be recovered.
struct Path {
    recover: Rule,
    deadline: Option<(Rule, crate::deadlines::Deadline)>,
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
    let pending = match bankruptcy::status(loan, cx) {
        bankruptcy::Status::Discharged => {
            lf.deadline = None;
            lf.recoverable = Money::ZERO;
            return Ok(lf.decide(Outcome::Discharged, Rule::BankruptcyDischarge));
        }
        bankruptcy::Status::Excepted => {
            lf.flag(Flag::DischargeExceptionApplied);
            false
        }
        bankruptcy::Status::PredatesLoan => {
            lf.flag(Flag::DischargeBeforeLoan);
            false
        }
        bankruptcy::Status::Pending => true,
        bankruptcy::Status::None => false,
    };
    if let Some((rule, dl)) = &path.deadline {
        lf.deadline = Some(dl.date);
        if dl.beyond_calendar {
            lf.flag(Flag::HolidayCalendarExceeded);
        }
        let judged = loan.deficiency_filed_date.unwrap_or(cx.env.as_of);
        let late = judged > dl.date;
        cx.note(
            Some(*rule),
            || match loan.deficiency_filed_date {
                Some(d) => format!("deadline {}; filed {}", dl.date, d),
                None => format!("deadline {}; not filed, judged at --as-of {}", dl.date, judged),
            },
            || if late { "after the deadline: time-barred".into() } else { "in time".into() },
        );
        if late {
            if pending {
                lf.push(Rule::BankruptcyPending);
            }
            return Ok(lf.decide(Outcome::TimeBarred, *rule));
        }
    }
    let mut limit = None;
    let legal = match path.fair_value {
        None => a.gross,
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
                if pending {
                    lf.push(Rule::BankruptcyPending);
                }
                return Ok(lf.decide(Outcome::NoDeficiency, kind.rule()));
            }
            if legal < a.gross {
                limit = Some(kind.rule());
            }
            legal
        }
    };
    let recoverable = match &split {
        None => legal,
        Some(s) => {
            let r = r580b::recoverable(s, legal, loan, cx);
            let alloc = cx.settings().refinance_allocation;
            cx.note(Some(Rule::Refinance), || format!("legal deficiency {}; new advance still owed {}", money::fmt(legal), money::fmt(s.outstanding)), || {
                match alloc {
                    crate::settings::RefinanceAllocation::Cap => format!("recoverable = min(legal deficiency {}, new advance still owed {}) = {} (setting refinance_allocation = cap)", money::fmt(legal), money::fmt(s.outstanding), money::fmt(r)),
                    crate::settings::RefinanceAllocation::ProRata => format!("recoverable = legal deficiency {} x new advance still owed {} / unpaid principal {} = {} (setting refinance_allocation = pro_rata)", money::fmt(legal), money::fmt(s.outstanding), money::fmt(loan.unpaid_principal), money::fmt(r)),
                }
            });
            r
        }
    };
    let partial = recoverable < legal;
    lf = lf.decide(
        if partial { Outcome::PartiallyRecoverable } else { Outcome::Recoverable },
        if partial { Rule::Refinance } else { path.recover },
    );
    if partial {
        lf.push(path.recover);
    } else if split.is_some() {
        lf.push(Rule::Refinance);
    }
    if let Some(r) = limit {
        lf.push(r);
    }
    lf.recoverable = recoverable;
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
fn other_bars(loan: &Loan, cx: &mut Ctx) -> Vec<Rule> {
    let bar = |f: Option<Option<Found>>| f.flatten().filter(Found::is_bar).map(|f| f.rule);
    let mut v: Vec<Rule> = [
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
/// decree permits a deficiency (not waived, not barred whole by 580b). Open
/// questions branch as usual: when every answer gives the same date it is
/// known; otherwise it is left blank.
fn redemption_after_full_sale(loan: &Loan, a: &Amounts, cx: &mut Ctx) -> Result<Option<NaiveDate>, Ask> {
    let judicial = loan.event_type == EventType::JudicialSale
        || (loan.event_type == EventType::ForeclosureSale
            && loan.foreclosure_method == Some(ForeclosureMethod::Judicial));
    if !judicial || loan.deficiency_waived || loan.seller_financed || r580b::purchase_money(loan, cx)?.is_some() {
        return Ok(None);
    }
    Ok(match r580b::refinance(loan, cx)? {
        Some(found) if found.is_bar() => None,
        _ => Some(r729::redemption_ends(loan, a.total_debt, cx)),
    })
}
