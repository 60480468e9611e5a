//! The California rules: one file per statute or provision, each rule with a
//! stable code (SPEC §4), its citation and a one-line summary.
//!
//! This module holds the vocabulary every rule shares: [`Rule`] (codes and
//! citations), [`Reason`] (a rule or a missing fact), [`Flag`] (advisories),
//! [`Outcome`] and [`Question`] (an unknown fact or an unsettled point the
//! engine must not guess). The order in which rules are applied lives in
//! [`crate::engine`] alone.

pub mod bankruptcy;
pub mod deed_in_lieu;
pub mod fraud_waste;
pub mod r337;
pub mod r580a;
pub mod r580b;
pub mod r580d;
pub mod r580e;
pub mod r726;
pub mod r729;
pub mod scope;
pub mod sold_out_junior;

use crate::loan::Field;

/// The outcome of a loan (SPEC §4).
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

macro_rules! rules {
    ($( $variant:ident => ($code:literal, $step:literal, $cite:literal, $summary:literal) ),* $(,)?) => {
        /// Every rule the engine applies, with its stable code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule { $( $variant ),* }
        impl Rule {
            /// Every rule, in decision order.
            pub const ALL: &'static [Rule] = &[ $( Rule::$variant ),* ];
            /// The stable code (SPEC §4).
            pub fn code(self) -> &'static str { match self { $( Rule::$variant => $code ),* } }
            /// The step of SPEC §4's decision order this rule belongs to (1–8).
            pub fn step(self) -> u8 { match self { $( Rule::$variant => $step ),* } }
            /// The statute or case, e.g. `CCP 580b(a)(3)`.
            pub fn citation(self) -> &'static str { match self { $( Rule::$variant => $cite ),* } }
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
    OutOfState => ("out_of_state", 1, "CCP 580b, 580d, 580e, 726 (California property only)", "the property is outside California; other states' rules are not built"),
    SaleCoversDebt => ("sale_covers_debt", 2, "CCP 726(b), CCP 727", "the sale price or credit covers the whole debt: no deficiency"),
    FraudOrWaste => ("fraud_or_waste", 3, "CCP 580e(c), CCP 726(f)-(h), Cornelison v. Kornbluth (1975) 15 Cal.3d 590", "fraud or waste by the borrower may support a damages claim: a person must decide"),
    SellerFinanced => ("580b_a2_seller_financed", 4, "CCP 580b(a)(2)", "a note given to the seller for the price of the property: no deficiency, any property, any borrower"),
    PurchaseMoney => ("580b_a3_purchase_money", 4, "CCP 580b(a)(3)", "a lender's loan used to buy (or build) an owner-occupied dwelling of 1-4 units: no deficiency"),
    RefinanceChainPre2013 => ("refinance_chain_pre2013", 4, "CCP 580b(b) (SB 1069, Stats. 2012 ch. 64)", "a refinance chain straddling 2013-01-01: whether 580b(b) protects it is unsettled"),
    Refinance => ("580b_b_refinance", 4, "CCP 580b(b)", "a post-2012 refinance of a purchase-money loan: no deficiency except the new advance still owed"),
    TrusteeSale => ("580d_trustee_sale", 4, "CCP 580d(a)", "sold under the power of sale in this loan's deed of trust: no deficiency"),
    SameHolderSimon => ("580d_same_holder", 4, "CCP 580d, Simon v. Superior Court (1992) 4 Cal.App.4th 63", "the holder of both liens sold out its own junior (Simon reading): no deficiency"),
    ShortSale => ("580e_short_sale", 4, "CCP 580e(a)", "a short sale of a 1-4 unit dwelling with the holder's written consent: no deficiency"),
    NoWrittenConsent => ("no_written_consent", 4, "CCP 580e(a)(1)", "the holder did not consent to the short sale in writing: whether 580e applies needs review"),
    ShortSaleIncomplete => ("short_sale_incomplete", 4, "CCP 580e(a)(1)(A)-(B)", "title did not pass by recorded deed or the proceeds were not tendered: review"),
    BorrowerTypeUnclear => ("borrower_type_unclear", 4, "CCP 580b(a)(3), CCP 580e(d)(1)", "the borrower's type leaves the statute's reach unsettled (an entity occupant, a trust): review"),
    DeedInLieuWaiver => ("deed_in_lieu_waiver", 4, "deed-in-lieu agreement (no statute, LEGAL-RULES 1.9)", "the deed-in-lieu agreement waives the deficiency"),
    DeedInLieuTerms => ("deed_in_lieu_terms", 4, "deed-in-lieu agreement (no statute, UNVERIFIED)", "the deed-in-lieu agreement says nothing of a deficiency: review"),
    JudicialWaived => ("726b_waived", 4, "CCP 726(b), (e)", "the lender waived the deficiency in the judicial foreclosure"),
    SameHolderContemporaneous => ("same_holder_contemporaneous", 4, "Black Sky Capital, LLC v. Cobb (2019) 7 Cal.5th 156, Simon v. Superior Court (1992) 4 Cal.App.4th 63", "the same holder held both liens, made in one transaction: Black Sky's reach is unsettled"),
    BankruptcyDischarge => ("bankruptcy_discharge", 5, "11 U.S.C. 524(a)(2)", "personal liability was discharged in bankruptcy"),
    BankruptcyPending => ("bankruptcy_pending", 5, "11 U.S.C. 362 (UNVERIFIED)", "a bankruptcy case is open: collection is stayed until it ends"),
    JudicialThreeMonths => ("726b_three_months", 6, "CCP 726(b), Paykar Construction, Inc. v. Bedrosian (1999) 71 Cal.App.4th 803", "the deficiency application was not filed within 3 months of the sale"),
    NonjudicialThreeMonths => ("580a_three_months", 6, "CCP 580a, CCP 337(a)", "the 580a action was not brought within 3 months of the trustee's sale"),
    NoteFourYears => ("337_four_years", 6, "CCP 337(a), (d)", "the action on the note was not brought within 4 years of accrual"),
    JudicialFairValue => ("726b_fair_value", 7, "CCP 726(b), Rainer Mortgage v. Silverwood (1985) 163 Cal.App.3d 359", "the deficiency is limited to the debt over the fair value (and never more than the debt over the sale price)"),
    NonjudicialFairValue => ("580a_fair_value", 7, "CCP 580a", "the deficiency is limited to the debt over the fair market value (and never more than the debt over the sale price)"),
    JudicialDeficiency => ("726b_deficiency", 8, "CCP 726(b)", "a deficiency judgment may follow the judicial foreclosure"),
    NonjudicialDeficiency => ("580a_deficiency", 8, "CCP 580a, CCP 580d(c)", "a bond or public-utility lien: 580d does not apply, and 580a allows a fair-value-limited action"),
    SoldOutJunior => ("sold_out_junior", 8, "Roseleaf Corp. v. Chierighino (1963) 59 Cal.2d 35, Black Sky Capital, LLC v. Cobb (2019) 7 Cal.5th 156", "a junior wiped out by another's sale may sue on its note"),
    ShortSaleNotApplicable => ("580e_not_applicable", 8, "CCP 580e(d), CCP 337(a)", "a short sale outside 580e: the deficiency may be recovered by an action on the note"),
    DeedInLieuReserved => ("deed_in_lieu_reserved", 8, "deed-in-lieu agreement, CCP 337(a) (UNVERIFIED)", "the deed-in-lieu agreement reserves the deficiency"),
}

impl Rule {
    /// Rules whose presence means a person must decide.
    pub fn is_review(self) -> bool {
        matches!(
            self,
            Rule::FraudOrWaste
                | Rule::RefinanceChainPre2013
                | Rule::NoWrittenConsent
                | Rule::ShortSaleIncomplete
                | Rule::BorrowerTypeUnclear
                | Rule::DeedInLieuTerms
                | Rule::SameHolderContemporaneous
                | Rule::BankruptcyPending
        )
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
    /// Parses a reason code.
    pub fn from_code(code: &str) -> Option<Reason> {
        if let Some(col) = code.strip_prefix("missing:") {
            return Field::from_name(col).map(Reason::Missing);
        }
        Rule::from_code(code).map(Reason::Rule)
    }
}

/// The provision that makes a missing fact matter.
fn missing_citation(f: Field) -> &'static str {
    match f {
        Field::FairValue => "CCP 726(b), CCP 580a",
        Field::OwnerOccupied | Field::PropertyUnits | Field::LoanPurpose => "CCP 580b(a)(3)",
        Field::RefinancesPurchaseMoney | Field::OriginationDate | Field::NewAdvance | Field::PurchaseMoneyPayoff => {
            "CCP 580b(b)"
        }
        Field::WrittenConsent | Field::LienPosition => "CCP 580e(a)",
        Field::BorrowerType => "CCP 580e(d)(1)",
        Field::DeedInLieuTerms => "deed-in-lieu agreement",
        Field::ForeclosureMethod => "CCP 580d(a), CCP 726(b)",
        _ => "SPEC 3 (unknown fact)",
    }
}

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
            /// What it tells the reader.
            pub fn meaning(self) -> &'static str {
                match self { $( Flag::$variant => $meaning, )* Flag::Assumed(_) => "this fact came from an --assume, not from the input" }
            }
        }
    };
}

flags! {
    GuarantorSeparateAnalysis => ("guarantor_separate_analysis", "a guarantor's liability survives these bars (CCP 580b(c), 580d(b)) and needs its own analysis"),
    OtherCollateralMayBePursued => ("other_collateral_may_be_pursued", "the note is not secured solely by the dwelling: other collateral may be pursued (CCP 580e(a)(2))"),
    OneActionWaiverAssumed => ("one_action_waiver_assumed", "recovery outside foreclosure assumes the borrower waived security-first (CCP 726(a); Wozab) (UNVERIFIED)"),
    NoteMayBeNegotiable => ("note_may_be_negotiable", "a negotiable note may have 6 years (Com. Code 3118) rather than 4 (CCP 337)"),
    SeniorSaleJudicial => ("senior_sale_judicial", "the senior sale was judicial: whether the junior had to claim in that action is unsettled"),
    AccrualDateDefaulted => ("accrual_date_defaulted", "accrual_date was blank, so the event date was used"),
    DischargeExceptionApplied => ("discharge_exception_applied", "a court held this debt non-dischargeable (11 U.S.C. 523), so the discharge does not bar it"),
    RefinanceAmountsInconsistent => ("refinance_amounts_inconsistent", "purchase_money_payoff + refinance_costs_financed + new_advance differs from unpaid_principal + principal_paid"),
    DischargeBeforeLoan => ("discharge_predates_loan", "the bankruptcy petition was filed before this loan was made, so the discharge does not reach it"),
    HolidayCalendarExceeded => ("holiday_calendar_exceeded", "a deadline falls after the holiday calendar's last year: only weekends were skipped"),
}

/// Something the engine needs and must not guess: an unknown fact (labelled
/// `missing:<column>`) or an unsettled point of law (labelled with its review
/// code). The engine tries each answer and compares the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Question {
    LoanPurpose,
    OwnerOccupied,
    PropertyUnits,
    BorrowerType,
    LienPosition,
    OriginationEra,
    RefinancesPurchaseMoney,
    NewAdvance,
    PurchaseMoneyPayoff,
    ForeclosureMethod,
    WrittenConsent,
    DeedInLieuTerms,
    FairValue,
    // unsettled law: answer 0 = the holder's reading, 1 = the borrower's
    Pre2013Chain,
    EntityBorrower,
    NoWrittenConsent,
    ShortSaleIncomplete,
    DeedInLieuSilent,
    DeedInLieuPurchaseMoney,
    SameHolderContemporaneous,
}

impl Question {
    pub const COUNT: usize = 20;

    /// Index into an answer table.
    pub fn index(self) -> usize {
        self as usize
    }

    /// How many distinct answers matter to the rules (classes, not values).
    pub fn answers(self) -> u8 {
        match self {
            Question::LoanPurpose => 3,     // purchase-like, refinance-like, other
            Question::PropertyUnits => 3,   // 0 (not a dwelling), 1-4, 5+
            Question::BorrowerType => 5,    // individual, corporation, llc/lp, general partnership, trust
            Question::DeedInLieuTerms => 3, // waived, reserved, silent
            _ => 2,
        }
    }

    /// The reason written when the answer changes the result.
    pub fn reason(self) -> Reason {
        match self {
            Question::LoanPurpose => Reason::Missing(Field::LoanPurpose),
            Question::OwnerOccupied => Reason::Missing(Field::OwnerOccupied),
            Question::PropertyUnits => Reason::Missing(Field::PropertyUnits),
            Question::BorrowerType => Reason::Missing(Field::BorrowerType),
            Question::LienPosition => Reason::Missing(Field::LienPosition),
            Question::OriginationEra => Reason::Missing(Field::OriginationDate),
            Question::RefinancesPurchaseMoney => Reason::Missing(Field::RefinancesPurchaseMoney),
            Question::NewAdvance => Reason::Missing(Field::NewAdvance),
            Question::PurchaseMoneyPayoff => Reason::Missing(Field::PurchaseMoneyPayoff),
            Question::ForeclosureMethod => Reason::Missing(Field::ForeclosureMethod),
            Question::WrittenConsent => Reason::Missing(Field::WrittenConsent),
            Question::DeedInLieuTerms => Reason::Missing(Field::DeedInLieuTerms),
            Question::FairValue => Reason::Missing(Field::FairValue),
            Question::Pre2013Chain => Reason::Rule(Rule::RefinanceChainPre2013),
            Question::EntityBorrower => Reason::Rule(Rule::BorrowerTypeUnclear),
            Question::NoWrittenConsent => Reason::Rule(Rule::NoWrittenConsent),
            Question::ShortSaleIncomplete => Reason::Rule(Rule::ShortSaleIncomplete),
            Question::DeedInLieuSilent | Question::DeedInLieuPurchaseMoney => Reason::Rule(Rule::DeedInLieuTerms),
            Question::SameHolderContemporaneous => Reason::Rule(Rule::SameHolderContemporaneous),
        }
    }

    /// A person-readable label for answer `a`, for `explain`.
    pub fn answer_label(self, a: u8) -> &'static str {
        match (self, a) {
            (Question::LoanPurpose, 0) => "purchase or construction",
            (Question::LoanPurpose, 1) => "refinance or cash-out refinance",
            (Question::LoanPurpose, _) => "home equity or other",
            (Question::PropertyUnits, 0) => "not a dwelling (0 units)",
            (Question::PropertyUnits, 1) => "a dwelling of 1-4 units",
            (Question::PropertyUnits, _) => "5 or more units",
            (Question::BorrowerType, 0) => "individual",
            (Question::BorrowerType, 1) => "corporation or public entity",
            (Question::BorrowerType, 2) => "llc or limited partnership",
            (Question::BorrowerType, 3) => "general partnership",
            (Question::BorrowerType, _) => "trust",
            (Question::LienPosition, 0) => "first lien",
            (Question::LienPosition, _) => "junior lien",
            (Question::OriginationEra, 0) => "executed before 2013-01-01",
            (Question::OriginationEra, _) => "executed on or after 2013-01-01",
            (Question::NewAdvance, 0) | (Question::PurchaseMoneyPayoff, 0) => "the largest new advance the facts allow",
            (Question::NewAdvance, _) | (Question::PurchaseMoneyPayoff, _) => {
                "the smallest new advance the facts allow"
            }
            (Question::ForeclosureMethod, 0) => "judicial sale",
            (Question::ForeclosureMethod, _) => "trustee's sale",
            (Question::DeedInLieuTerms, 0) => "waived",
            (Question::DeedInLieuTerms, 1) => "reserved",
            (Question::DeedInLieuTerms, _) => "silent",
            (Question::FairValue, 0) => "fair value at or below the sale price",
            (Question::FairValue, _) => "fair value covering the debt",
            (Question::OwnerOccupied | Question::RefinancesPurchaseMoney | Question::WrittenConsent, 0) => "true",
            (Question::OwnerOccupied | Question::RefinancesPurchaseMoney | Question::WrittenConsent, _) => "false",
            (_, 0) => "read for the holder",
            (_, _) => "read for the borrower",
        }
    }
}

/// The holder's answer to an unsettled point of law.
pub const HOLDER: u8 = 0;
/// The borrower's answer to an unsettled point of law.
pub const BORROWER: u8 = 1;

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

    #[test]
    fn question_index_fits_table() {
        assert_eq!(Question::SameHolderContemporaneous.index() + 1, Question::COUNT);
    }
}
