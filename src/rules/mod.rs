//! The California rules: one file per statute or provision, each rule with a
//! stable code (README "Rule codes"), its citation and a one-line summary.
//!
//! This module holds the vocabulary every rule shares: [`Rule`] (codes and
//! citations), [`Reason`] (a rule or a missing fact), [`Flag`] (advisories),
//! [`Outcome`] and [`Question`] (an unknown fact or an unsettled point the
//! engine must not guess). The order in which rules are applied lives in
//! [`crate::engine`] alone.

pub mod context;
pub mod questions;

pub mod bankruptcy;
pub mod clock;
pub mod deed_in_lieu;
pub mod federal;
pub mod final_flags;
pub mod fraud_waste;
pub mod modification;
pub mod probate_9391;
pub mod r108;
pub mod r337;
pub mod r366_2;
pub mod r580a;
pub mod r580b;
pub mod r580d;
pub mod r580e;
pub mod r726;
pub mod r729;
pub mod reverse_mortgage;
pub mod scope;
pub mod scra;
pub mod sold_out_junior;

pub use context::{Ask, Ctx, Effect, Env, Found, Step};
pub use questions::{Question, q};

use crate::loan::Field;

/// What a rule file needs, in one import.
pub mod prelude {
    pub use super::context::{Ask, Ctx, Effect, Found};
    pub use super::questions::{self, q};
    pub use super::{Flag, Flags, Rule, Rules};
    pub use crate::loan::Loan;
}

/// The outcome of a loan (README "Outcomes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    NoDeficiency,
    Recoverable,
    PartiallyRecoverable,
    Barred,
    TimeBarred,
    Discharged,
    NeedsReview,
    OutOfScope,
}

impl Outcome {
    pub const ALL: &'static [Outcome] = &[
        Outcome::NoDeficiency,
        Outcome::Recoverable,
        Outcome::PartiallyRecoverable,
        Outcome::Barred,
        Outcome::TimeBarred,
        Outcome::Discharged,
        Outcome::NeedsReview,
        Outcome::OutOfScope,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Outcome::NoDeficiency => "no_deficiency",
            Outcome::Recoverable => "recoverable",
            Outcome::PartiallyRecoverable => "partially_recoverable",
            Outcome::Barred => "barred",
            Outcome::TimeBarred => "time_barred",
            Outcome::Discharged => "discharged",
            Outcome::NeedsReview => "needs_review",
            Outcome::OutOfScope => "out_of_scope",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.iter().copied().find(|o| o.name() == s)
    }
}

/// Whether `s` holds a comma (usable in constants).
const fn has_comma(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b',' {
            return true;
        }
        i += 1;
    }
    false
}

/// What a rule does when it applies (docs/law.md "Rules").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Out of scope: the whole shortfall undetermined.
    Scope,
    /// Nothing to recover: the sale or the fair value covers the debt.
    NoDeficiency,
    /// Bars the deficiency (or discharges it).
    Bar,
    /// Limits what may be recovered (fair value).
    Limit,
    /// A deadline: missing it makes the loan time-barred.
    Deadline,
    /// A path on which the deficiency may be recovered.
    Path,
    /// A person must decide (`needs_review`).
    Review,
    /// Never decides: listed in `reasons` when it applied (a status that
    /// keeps a debt alive, an extension, a tolling).
    Listed,
}

macro_rules! rules {
    ($( $variant:ident => ($code:literal, $step:literal, $kind:ident, $cite:literal, $summary:literal) ),* $(,)?) => {
        /// Every rule the engine applies, with its stable code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule { $( $variant ),* }
        impl Rule {
            /// Every rule, in decision order.
            pub const ALL: &'static [Rule] = &[ $( Rule::$variant ),* ];
            /// The stable code (README "Rule codes").
            pub fn code(self) -> &'static str { match self { $( Rule::$variant => $code ),* } }
            /// What the rule does when it applies.
            pub const fn kind(self) -> RuleKind { match self { $( Rule::$variant => RuleKind::$kind ),* } }
            /// The step of the decision order (docs/law.md "How a loan is decided") this rule belongs to (1–8).
            pub const fn step(self) -> u8 { match self { $( Rule::$variant => $step ),* } }
            /// The statute or case, e.g. `CCP 580b(a)(3)`.
            pub const fn citation(self) -> &'static str { match self { $( Rule::$variant => $cite ),* } }
            /// The citation holds a comma (so a CSV field of it is quoted);
            /// worked out when compiling.
            pub fn citation_has_comma(self) -> bool { match self { $( Rule::$variant => const { has_comma($cite) } ),* } }
            /// One line a person can read.
            pub fn summary(self) -> &'static str { match self { $( Rule::$variant => $summary ),* } }
            /// Looks a rule up by its code.
            pub fn from_code(code: &str) -> Option<Rule> {
                match code { $( $code => Some(Rule::$variant), )* _ => None }
            }
        }
    };
}

rules! {
    OutOfState => ("out_of_state", 1, Scope, "CCP 580b, 580d, 580e, 726 (California property only)", "the property is outside California; other states' rules are not built"),
    ChattelManufacturedHome => ("chattel_manufactured_home", 1, Scope, "CCP 730.5", "a manufactured home titled as personal property: the anti-deficiency chapter does not apply"),
    LienSurvives => ("lien_survives", 1, Scope, "CCP 580e(a), CCP 726(a)", "this holder did not release its lien in the short sale: its security still exists"),
    ScraSaleValidity => ("scra_sale_validity", 1, Review, "50 U.S.C. 3953(c), Mil. & Vet. Code 408(c)", "a sale during or within a year after military service without a court order may be invalid"),
    SaleCoversDebt => ("sale_covers_debt", 2, NoDeficiency, "CCP 726(b), CCP 727", "the sale price or credit covers the whole debt: no deficiency"),
    FraudOrWaste => ("fraud_or_waste", 3, Review, "CCP 580e(c), CCP 726(f)-(h), Cornelison v. Kornbluth (1975) 15 Cal.3d 590", "fraud or waste by the borrower may support a damages claim: a person must decide"),
    FederalHolder => ("federal_holder", 3, Review, "United States v. Kimbell Foods (1979) 440 U.S. 715, United States v. Summerlin (1940) 310 U.S. 414, 28 U.S.C. 2415(a), United States v. Gish (9th Cir. 1977) 559 F.2d 572 (federal-law clause), 12 U.S.C. 3768 (SFMFA sales only)", "the United States holds the note: state bars and periods may not govern (not for a HECM)"),
    HecmNonrecourse => ("hecm_nonrecourse", 4, Bar, "24 CFR 206.27 (subsection not verified), HUD Handbook 4235.1", "a HECM reverse mortgage is non-recourse: no deficiency"),
    ReverseMortgageNonrecourse => ("reverse_mortgage_nonrecourse", 4, Bar, "Civ. Code 1923, 1923.2", "a reverse mortgage made from 1998 on an owner-occupied home is a nonrecourse loan: no deficiency"),
    ReverseMortgageTerms => ("reverse_mortgage_terms", 4, Review, "Civ. Code 1923 if within chapter 8, else the loan documents", "a proprietary reverse mortgage outside Civ. Code 1923: whether it is non-recourse needs the documents"),
    Probate9391Waiver => ("probate_9391_waiver", 4, Bar, "Probate Code 9391", "the holder foreclosed waiving recourse against other estate property"),
    SellerFinanced => ("580b_a2_seller_financed", 4, Bar, "CCP 580b(a)(2)", "a note given to the seller for the price of the property: no deficiency, any property, any borrower"),
    PurchaseMoney => ("580b_a3_purchase_money", 4, Bar, "CCP 580b(a)(3)", "a lender's loan used to buy (or build) an owner-occupied dwelling of 1-4 units: no deficiency"),
    MixedUseDwelling => ("mixed_use_dwelling", 4, Review, "CCP 580b(a)(3), CCP 580e(a)(1)", "whether a mixed-use building is a dwelling is unsettled"),
    ModificationNewMoney => ("modification_new_money", 4, Review, "CCP 580b(a)(3), (b), Palm v. Schilling (1988) 199 Cal.App.3d 63", "new cash in a modification of a purchase-money loan: protection of that part is unsettled"),
    RefinanceChainPre2013 => ("refinance_chain_pre2013", 4, Review, "CCP 580b(b) (SB 1069, Stats. 2012 ch. 64)", "a refinance chain straddling 2013-01-01: whether 580b(b) protects it is unsettled"),
    Refinance => ("580b_b_refinance", 4, Bar, "CCP 580b(b)", "a post-2012 refinance of a purchase-money loan: no deficiency except the new advance still owed"),
    TrusteeSale => ("580d_trustee_sale", 4, Bar, "CCP 580d(a)", "sold under the power of sale in this loan's deed of trust: no deficiency"),
    SameHolderSimon => ("580d_same_holder", 4, Bar, "CCP 580d, Simon v. Superior Court (1992) 4 Cal.App.4th 63", "the holder of both liens sold out its own junior (Simon reading): no deficiency"),
    ShortSale => ("580e_short_sale", 4, Bar, "CCP 580e(a)", "a short sale of a 1-4 unit dwelling with the holder's written consent: no deficiency"),
    NoWrittenConsent => ("no_written_consent", 4, Review, "CCP 580e(a)(1)", "the holder did not consent to the short sale in writing: whether 580e applies needs review"),
    ShortSaleIncomplete => ("short_sale_incomplete", 4, Review, "CCP 580e(a)(1)(A)-(B)", "title did not pass by recorded deed or the proceeds were not tendered: review"),
    BorrowerTypeUnclear => ("borrower_type_unclear", 4, Review, "CCP 580b(a)(3), CCP 580e(d)(1)", "the borrower's type leaves the statute's reach unsettled (an entity occupant, a trust): review"),
    DeedInLieuWaiver => ("deed_in_lieu_waiver", 4, Bar, "deed-in-lieu agreement (no statute, docs/law.md)", "the deed-in-lieu agreement waives the deficiency"),
    DeedInLieuTerms => ("deed_in_lieu_terms", 4, Review, "deed-in-lieu agreement (no statute, UNVERIFIED)", "the deed-in-lieu agreement says nothing of a deficiency: review"),
    JudicialWaived => ("726b_waived", 4, Bar, "CCP 726(b), (e)", "the lender waived the deficiency in the judicial foreclosure"),
    SameSecurity => ("580d_same_security", 4, Bar, "CCP 580d(a), Union Bank v. Wendland (1976) 54 Cal.App.3d 393", "the senior deed of trust sold under its power of sale also secured this note"),
    SameSecurityJudicialSenior => ("same_security_judicial_senior", 4, Review, "CCP 726(a), (b), Union Bank v. Wendland (1976) 54 Cal.App.3d 393", "the senior mortgage judicially foreclosed also secured this note: review"),
    SameHolderContemporaneous => ("same_holder_contemporaneous", 4, Review, "Black Sky Capital, LLC v. Cobb (2019) 7 Cal.5th 156, Simon v. Superior Court (1992) 4 Cal.App.4th 63", "the same holder held both liens, made in one transaction: Black Sky's reach is unsettled"),
    BankruptcyDischarge => ("bankruptcy_discharge", 5, Bar, "11 U.S.C. 524(a)(2)", "personal liability was discharged in bankruptcy"),
    BankruptcyPending => ("bankruptcy_pending", 5, Review, "11 U.S.C. 362 (UNVERIFIED)", "a bankruptcy case is open: collection is stayed until it ends"),
    Reaffirmed524c => ("reaffirmed_524c", 5, Listed, "11 U.S.C. 524(c)", "the debt was reaffirmed: the discharge does not reach it"),
    Chapter13CureAndMaintain => ("ch13_1322b5_not_discharged", 5, Listed, "11 U.S.C. 1328(a)(1), 1322(b)(5)", "a Chapter 13 discharge does not reach a cured-and-maintained mortgage"),
    JudicialThreeMonths => ("726b_three_months", 6, Deadline, "CCP 726(b), Paykar Construction, Inc. v. Bedrosian (1999) 71 Cal.App.4th 803", "the deficiency application was not filed within 3 months of the sale"),
    NonjudicialThreeMonths => ("580a_three_months", 6, Deadline, "CCP 580a, CCP 337(a)", "the 580a action was not brought within 3 months of the trustee's sale"),
    NoteFourYears => ("337_four_years", 6, Deadline, "CCP 337(a), (d)", "the action on the note was not brought within 4 years of accrual"),
    NoteSixYears => ("3118_six_years", 6, Deadline, "Com. Code 3118(a)", "the action on a negotiable note was not brought within 6 years of the due dates"),
    InstallmentsTimeBarred => ("337_installments_time_barred", 6, Deadline, "CCP 337(a), CCP 360, Com. Code 3118(a)", "installments due more than the limitations period before the action are time-barred; the rest is not"),
    DecedentOneYear => ("366_2_one_year", 6, Deadline, "CCP 366.2", "the borrower died: one year from death replaces the note's period"),
    RejectedClaimNinetyDays => ("9353_ninety_days", 6, Deadline, "Probate Code 9352, 9353(a)", "the creditor's claim was rejected: suit was due within 90 days of the notice"),
    BankruptcyExtension => ("108c_extension", 6, Listed, "11 U.S.C. 108(c)", "a bankruptcy stay extended the deadline to 30 days after it ended"),
    ScraTolling => ("scra_tolling", 6, Listed, "50 U.S.C. 3936, Mil. & Vet. Code 404", "military service is not counted in the period"),
    EmergencyRule2 => ("emergency_rule_2_extension", 6, Review, "Cal. Rules of Court, emergency rule 2 (2020)", "whether and how rule 2 extended the 726(b) application is unsettled"),
    AcknowledgmentRevival => ("written_acknowledgment_revival", 6, Review, "CCP 360, CCP 337(d)", "a signed acknowledgment came after the period ran: whether it revives the claim is unsettled"),
    LateCreditorClaim => ("late_creditor_claim", 6, Review, "Probate Code 9002(b), 9100, 9103", "the creditor's claim was filed after the claim period: it may be barred"),
    DecedentJudicialCheck => ("decedent_366_2_check", 6, Review, "CCP 366.2, Probate Code 9351, 9391", "the borrower died before the judicial sale: the deficiency needed a claim and 366.2's year"),
    NonjudicialDecedentConflict => ("580a_366_2_conflict", 6, Review, "CCP 580a, CCP 337(a), CCP 366.2", "366.2 would lengthen the 580a three months, which the 337(a) proviso forbids: review"),
    JudicialFairValue => ("726b_fair_value", 7, Limit, "CCP 726(b), Rainer Mortgage v. Silverwood (1985) 163 Cal.App.3d 359", "the deficiency is limited to the debt over the fair value (and never more than the debt over the sale price)"),
    NonjudicialFairValue => ("580a_fair_value", 7, Limit, "CCP 580a", "the deficiency is limited to the debt over the fair market value (and never more than the debt over the sale price)"),
    JudicialDeficiency => ("726b_deficiency", 8, Path, "CCP 726(b)", "a deficiency judgment may follow the judicial foreclosure"),
    NonjudicialDeficiency => ("580a_deficiency", 8, Path, "CCP 580a, CCP 580d(c)", "a bond or public-utility lien: 580d does not apply, and 580a allows a fair-value-limited action"),
    SoldOutJunior => ("sold_out_junior", 8, Path, "Roseleaf Corp. v. Chierighino (1963) 59 Cal.2d 35, Black Sky Capital, LLC v. Cobb (2019) 7 Cal.5th 156", "a junior wiped out by another's sale may sue on its note"),
    ShortSaleNotApplicable => ("580e_not_applicable", 8, Path, "CCP 580e(d), CCP 337(a)", "a short sale outside 580e: the deficiency may be recovered by an action on the note"),
    DeedInLieuReserved => ("deed_in_lieu_reserved", 8, Path, "deed-in-lieu agreement, CCP 337(a) (UNVERIFIED)", "the deed-in-lieu agreement reserves the deficiency"),
}

impl Rule {
    /// Rules whose presence means a person must decide.
    pub fn is_review(self) -> bool {
        self.kind() == RuleKind::Review
    }
}

/// Why a loan got its outcome: a rule, or a fact the decision needed and the
/// input did not give (`missing:<column>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    Rule(Rule),
    Missing(Field),
}

impl Reason {
    /// Appends [`Reason::code`] to `out` without allocating.
    pub fn write_code(self, out: &mut Vec<u8>) {
        match self {
            Reason::Rule(r) => out.extend_from_slice(r.code().as_bytes()),
            Reason::Missing(f) => {
                out.extend_from_slice(b"missing:");
                out.extend_from_slice(f.name().as_bytes());
            }
        }
    }
    /// The code as written in `reasons` (`580d_trustee_sale`, `missing:fair_value`).
    pub fn code(self) -> std::borrow::Cow<'static, str> {
        match self {
            Reason::Rule(r) => r.code().into(),
            Reason::Missing(f) => format!("missing:{}", f.name()).into(),
        }
    }
    /// The citation holds a comma.
    pub fn citation_has_comma(self) -> bool {
        match self {
            Reason::Rule(r) => r.citation_has_comma(),
            Reason::Missing(f) => has_comma(missing_citation(f)),
        }
    }
    /// The citation written in `citations`.
    pub fn citation(self) -> &'static str {
        match self {
            Reason::Rule(r) => r.citation(),
            Reason::Missing(f) => missing_citation(f),
        }
    }
    /// A review reason: the loan needs a person.
    pub fn is_review(self) -> bool {
        match self {
            Reason::Rule(r) => r.is_review(),
            Reason::Missing(_) => true,
        }
    }
    /// Its place in the decision order, for choosing between answers: a
    /// rule's step, or its question's rank for a missing fact.
    pub fn rank(self) -> u8 {
        match self {
            Reason::Rule(r) => r.step(),
            Reason::Missing(f) => Question::missing(f).map_or(4, |q| q.def().rank),
        }
    }
    /// [`Reason::rank`], then the order within the step (rules of one step
    /// in the order they are declared; a missing fact first).
    pub fn order(self) -> (u8, usize) {
        match self {
            // `Rule::ALL` lists the rules in the order they are declared.
            Reason::Rule(r) => (r.step(), r as usize + 1),
            Reason::Missing(_) => (self.rank(), 0),
        }
    }
    /// Parses a reason code.
    pub fn from_code(code: &str) -> Option<Reason> {
        if let Some(col) = code.strip_prefix("missing:") {
            return Field::from_name(col).map(Reason::Missing);
        }
        Rule::from_code(code).map(Reason::Rule)
    }
}

/// The provision that makes a missing fact matter: its question's citation.
fn missing_citation(f: Field) -> &'static str {
    match Question::missing(f) {
        Some(q) => q.def().citation,
        None => "an unknown fact (docs/law.md, missing:<column>)",
    }
}

/// The flags of one row: a few at most, kept inline.
pub type Flags = smallvec::SmallVec<[Flag; 4]>;
/// A few rules (the codes a clock lists, the other bars that apply), kept
/// inline.
pub type Rules = smallvec::SmallVec<[Rule; 6]>;

macro_rules! flags {
    ($( $variant:ident => ($code:literal, $meaning:literal) ),* $(,)?) => {
        /// Advisory flags: they never change the outcome.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Flag { $( $variant, )* Assumed(Field) }
        impl Flag {
            /// Every fixed flag (without `assumed:<column>`).
            pub const FIXED: &'static [Flag] = &[ $( Flag::$variant ),* ];
            /// The code as written in `flags`.
            pub fn code(self) -> std::borrow::Cow<'static, str> {
                match self { $( Flag::$variant => $code.into(), )* Flag::Assumed(f) => format!("assumed:{}", f.name()).into() }
            }
            /// Appends [`Flag::code`] to `out` without allocating.
            pub fn write_code(self, out: &mut Vec<u8>) {
                match self {
                    $( Flag::$variant => out.extend_from_slice($code.as_bytes()), )*
                    Flag::Assumed(f) => {
                        out.extend_from_slice(b"assumed:");
                        out.extend_from_slice(f.name().as_bytes());
                    }
                }
            }
            /// Looks a fixed flag up by its code (`assumed:<column>` gives `None`).
            pub fn from_code(code: &str) -> Option<Flag> {
                match code { $( $code => Some(Flag::$variant), )* _ => None }
            }
            /// What it tells the reader.
            pub fn meaning(self) -> &'static str {
                match self { $( Flag::$variant => $meaning, )* Flag::Assumed(_) => "this fact came from an --assume, not from the input" }
            }
        }
    };
}

flags! {
    GuarantorSeparateAnalysis => ("guarantor_separate_analysis", "a guarantor's liability survives these bars (CCP 580b(c), 580d(b)) and needs its own analysis"),
    OtherCollateralMayBePursued => ("other_collateral_may_be_pursued", "the note is not secured solely by the dwelling: other collateral may be pursued (CCP 580b(c), 580d(b), 580e(a)(2))"),
    OneActionWaiverAssumed => ("one_action_waiver_assumed", "recovery outside foreclosure assumes the borrower waived security-first (CCP 726(a); Wozab) (UNVERIFIED)"),
    NoteMayBeNegotiable => ("note_may_be_negotiable", "a negotiable note may have 6 years (Com. Code 3118) rather than 4 (CCP 337)"),
    SeniorSaleJudicial => ("senior_sale_judicial", "the senior sale was judicial: whether the junior had to claim in that action is unsettled"),
    AccrualDateDefaulted => ("accrual_date_defaulted", "accrual_date was blank, so the event date was used"),
    DischargeExceptionApplied => ("discharge_exception_applied", "a court held this debt non-dischargeable (11 U.S.C. 523), so the discharge does not bar it"),
    RefinanceAmountsInconsistent => ("refinance_amounts_inconsistent", "purchase_money_payoff + refinance_costs_financed + new_advance differs from unpaid_principal + principal_paid"),
    DischargeBeforeLoan => ("discharge_predates_loan", "the bankruptcy petition was filed before this loan was made, so the discharge does not reach it"),
    AccrualDateBounded => ("accrual_date_bounded", "accrual_date blank: accrual was tried both ways (no acceleration, and the earliest date the note could have accrued); a decided time_barred row shows the latest branch's deadline, other rows the earliest"),
    PaymentRestartedClock => ("payment_restarted_clock", "a payment restarted the period (CCP 360); barred installments were not revived"),
    WrittenAcknowledgmentRestart => ("written_acknowledgment_restart", "a signed written acknowledgment (or a modification) restarted the period for what was not barred at its date (CCP 360, writing clause)"),
    MaturityDateUnknown => ("maturity_date_unknown", "never accelerated and maturity_date blank: the balance is treated as not yet due; a matured note may be time-barred"),
    DecedentEstateClaimRequired => ("decedent_estate_claim_required", "the borrower died: recovery from the estate needs a creditor's claim (Probate Code 9000 ff., 9351)"),
    ProbateClaimRejection90Days => ("probate_claim_rejection_90_days", "a creditor's claim was filed: after a rejection, suit within 90 days (Probate Code 9353)"),
    ScraServicemember => ("scra_servicemember", "a judicial sale during or within a year after military service: stay and affidavit rules apply (50 U.S.C. 3931, 3953(b))"),
    ScraInterestCap => ("scra_interest_cap", "pre-service mortgage: interest above 6 % during service and a year after is forgiven (50 U.S.C. 3937, Mil. & Vet. Code 405): accrued_interest may be overstated"),
    ScraServiceOngoing => ("scra_service_ongoing", "military service has no end date: a period is tolled indefinitely, so its date is blank"),
    EmergencyRule2Redemption => ("emergency_rule_2_redemption", "the redemption end depends on how emergency rule 2 extended it: shown blank"),
    BankruptcyRedemption => ("108b_redemption", "a bankruptcy petition inside the redemption period: the trustee or debtor has at least 60 days after the order for relief (11 U.S.C. 108(b))"),
    VaGuarantyClaimPossible => ("va_guaranty_claim_possible", "VA loan closed before 1990: VA may claim indemnity from the veteran whatever state law says (Shimer)"),
    VaClaimFraudOnly => ("va_claim_fraud_only", "VA loan closed after 1989: VA may claim only for fraud, misrepresentation or bad faith (38 U.S.C. 3703(e))"),
    HudMayRequireDeficiency => ("hud_may_require_and_take_deficiency", "FHA loan insured from 1988-03-28: HUD may require the deficiency judgment and its assignment (24 CFR 203.369)"),
    UsdaTreasuryCollection => ("usda_treasury_collection_possible", "USDA loan: the government may pursue the balance by Treasury offset (not verified)"),
    RefinanceVsModificationCheck => ("refinance_vs_modification_check", "a modified loan entered as a refinance without a payoff: if that refinance was the modification, enter the original purpose"),
    WorkoutWaiver580dUnsettled => ("workout_waiver_580d_unsettled", "a workout waiver of 580d: its validity is unsettled (no statute, DeBerard for 580b)"),
    SeniorMaySecureThisNote => ("senior_may_secure_this_note", "same holder of both liens: check whether the senior deed of trust also secured this note (Wendland)"),
    DoNotCollect => ("do_not_collect", "part or all is barred for a reason other than a note or 580a limitations period (580b, 580d, 580e, a discharge, a fair-value limit, a missed 726(b) application, waiver, nonrecourse, 9391): collect nothing beyond recoverable"),
    NoSuitTimeBarred => ("no_suit_time_barred", "time-barred by a note or 580a period: no suit or threat of suit (CCP 337(d), Civ. Code 1788.56, 12 CFR 1006.26(b) binding FDCPA debt collectors)"),
    RosenthalTimeBarredNotice => ("rosenthal_time_barred_notice", "an individual borrower: the first collection letter after the bar needs the Civ. Code 1788.14(d) notice"),
    Civ292413JuniorLien => ("civ2924_13_junior_lien", "junior-lien foreclosure on or after 2025-06-30: Civ. Code 2924.13 certification or defense"),
    Form1099cEvent => ("form_1099c_event", "an identifiable event for Form 1099-C (600.00 or more of principal cancelled) may have occurred in the event year (advisory, not tax advice)"),
    Form1099cWhenCollectionStops => ("form_1099c_when_collection_stops", "a junior barred by 580b after a senior sale: the Form 1099-C event is when the holder agrees or decides to stop collecting, not the event year (advisory)"),
    Form1099aEvent => ("form_1099a_event", "the holder may have acquired the property: Form 1099-A (advisory)"),
    Civ2924mPostAuctionBidding => ("civ2924m_post_auction_bidding", "the trustee's sale became final after post-auction bidding (Civ. Code 2924m)"),
    ExtraCompensation580e => ("580e_b_extra_compensation", "on a 580e-barred short sale: the holder demanded a payment for its short-sale consent (CCP 580e(b) forbids it)"),
    HolidayCalendarExceeded => ("holiday_calendar_exceeded", "a deadline falls after the holiday calendar's last year: only weekends were skipped"),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_lower_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for r in Rule::ALL {
            assert!(seen.insert(r.code()), "duplicate code {}", r.code());
            assert_eq!(r.code(), r.code().to_lowercase());
            assert_eq!(Rule::from_code(r.code()), Some(*r));
            assert!(!r.citation().is_empty() && !r.summary().is_empty());
        }
        assert_eq!(Reason::from_code("missing:fair_value"), Some(Reason::Missing(Field::FairValue)));
    }

    #[test]
    fn no_citation_contains_the_list_separator() {
        for r in Rule::ALL {
            assert!(!r.citation().contains(';'), "{}", r.code());
        }
        for f in Field::ALL {
            assert!(!Reason::Missing(*f).citation().contains(';'), "{}", f.name());
        }
    }

    #[test]
    fn rules_are_listed_in_decision_order() {
        let steps: Vec<u8> = Rule::ALL.iter().map(|r| r.step()).collect();
        let mut sorted = steps.clone();
        sorted.sort();
        assert_eq!(steps, sorted);
        // `Reason::order` reads a rule's place from its discriminant.
        assert!(Rule::ALL.iter().enumerate().all(|(i, r)| *r as usize == i));
    }

    #[test]
    fn spec_codes_exist() {
        for code in [
            "580b_a2_seller_financed",
            "580b_a3_purchase_money",
            "580b_b_refinance",
            "580d_trustee_sale",
            "580e_short_sale",
            "726b_fair_value",
            "726b_waived",
            "deed_in_lieu_waiver",
            "bankruptcy_discharge",
            "726b_three_months",
            "580a_three_months",
            "337_four_years",
            "726b_deficiency",
            "580a_deficiency",
            "sold_out_junior",
            "580e_not_applicable",
            "deed_in_lieu_reserved",
            "sale_covers_debt",
            "580a_fair_value",
            "fraud_or_waste",
            "same_holder_contemporaneous",
            "refinance_chain_pre2013",
            "no_written_consent",
            "short_sale_incomplete",
            "borrower_type_unclear",
            "deed_in_lieu_terms",
            "bankruptcy_pending",
            "out_of_state",
        ] {
            assert!(Rule::from_code(code).is_some(), "{code}");
        }
    }
}
