//! The questions the engine may not guess: an unknown fact (reason
//! `missing:<column>`) or an unsettled point of law (reason: its review
//! code). Each is declared once below with its answers, their labels, its
//! reason, its rank among the decision steps and its citation. A rule asks
//! one by name and gets a named answer: `cx.ask(q::OwnerOccupied)?` is a
//! `bool`, `cx.ask(q::PropertyUnits)?` a [`Units`]. The engine tries every
//! answer and combines the results (docs/law.md, "missing:<column>").
//!
//! Answer 0 is the holder's reading wherever the answers are readings.

use super::{Reason, Rule};
use crate::loan::{DeedInLieuTerms, Field, ForeclosureMethod};

/// A question's answers, by name, in the order the engine tries them.
pub trait Answers: Copy + 'static {
    /// What `explain` prints for each answer, in order.
    const LABELS: &'static [&'static str];
    /// Answer number `i` (clamped to the last).
    fn from_index(i: u8) -> Self;
}

/// A question asked by name (see [`q`]).
pub trait Asks: Copy {
    type Answer: Answers;
    const ID: Question;
}

macro_rules! answers {
    ($(#[$m:meta])* $ty:ident { $( $v:ident => $label:literal ),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $ty { $( $v ),+ }
        impl Answers for $ty {
            const LABELS: &'static [&'static str] = &[ $( $label ),+ ];
            fn from_index(i: u8) -> Self {
                const ALL: &[$ty] = &[ $( $ty::$v ),+ ];
                ALL[usize::from(i).min(ALL.len() - 1)]
            }
        }
    };
}

/// A fact that is either true or false.
impl Answers for bool {
    const LABELS: &'static [&'static str] = &["true", "false"];
    fn from_index(i: u8) -> bool {
        i == 0
    }
}

impl Answers for ForeclosureMethod {
    const LABELS: &'static [&'static str] = &["judicial sale", "trustee's sale"];
    fn from_index(i: u8) -> Self {
        if i == 0 { ForeclosureMethod::Judicial } else { ForeclosureMethod::Trustee }
    }
}

impl Answers for DeedInLieuTerms {
    const LABELS: &'static [&'static str] = &["waived", "reserved", "silent"];
    fn from_index(i: u8) -> Self {
        match i {
            0 => DeedInLieuTerms::Waived,
            1 => DeedInLieuTerms::Reserved,
            _ => DeedInLieuTerms::Silent,
        }
    }
}

answers!(
    /// How an unsettled point of law is read.
    Reading { Holder => "read for the holder", Borrower => "read for the borrower" }
);
answers!(
    /// The purpose classes the rules distinguish.
    PurposeClass {
        Purchase => "purchase or construction",
        Refinance => "refinance or cash-out refinance",
        Other => "home equity or other",
    }
);
answers!(
    /// Dwelling units, as the statutes count them.
    Units { NotDwelling => "not a dwelling (0 units)", OneToFour => "a dwelling of 1-4 units", FiveOrMore => "5 or more units" }
);
answers!(
    /// The borrower classes 580e(d)(1) and SB 931 distinguish.
    BorrowerClass {
        Individual => "individual",
        Corporation => "corporation or public entity",
        LlcOrLp => "llc or limited partnership",
        GeneralPartnership => "general partnership",
        Trust => "trust",
    }
);
answers!(
    /// First or junior lien.
    LienClass { First => "first lien", Junior => "junior lien" }
);
answers!(
    /// When a refinance was executed, against SB 1069's gate.
    Era { Before2013 => "executed before 2013-01-01", From2013 => "executed on or after 2013-01-01" }
);
answers!(
    /// The bound of an amount the input leaves blank.
    AdvanceBound { Largest => "the largest new advance the facts allow", Smallest => "the smallest new advance the facts allow" }
);
answers!(
    /// A blank accrual: no acceleration, or the earliest the note could have accrued.
    Accrual {
        NotAccelerated => "no acceleration: the balance falls due at maturity, if known",
        Earliest => "accelerated at the earliest date the note could have accrued",
    }
);
answers!(
    /// A blank first unpaid installment.
    FirstUnpaid {
        None => "no installment unpaid before the event",
        SinceOrigination => "unpaid since the first due date after origination",
    }
);
answers!(
    /// A blank scheduled payment, at its two bounds.
    Payment { Nothing => "installments of 0.00", Everything => "installments as large as the whole shortfall" }
);
answers!(
    /// A blank petition date, against the deadline.
    Petition { BeforeDeadline => "petition filed before the deadline", AfterDeadline => "petition filed after the deadline" }
);
answers!(
    /// A blank stay end.
    StayEnd { AtJudgedDate => "the stay ended at the judged date", AtPetition => "the stay ended at the petition" }
);
answers!(
    /// Emergency rule 2 on the 726(b) application.
    Rule2 { Applied => "the rule-2 window extended the application", NotApplied => "rule 2 did not extend it" }
);
answers!(
    /// 366.2 against the 580a three months.
    OneYearOrThreeMonths { OneYear => "the 366.2 year", ThreeMonths => "the 580a three months" }
);
answers!(
    /// Whether a mixed-use building is a dwelling.
    Dwelling { NotDwelling => "not a dwelling", Dwelling => "a dwelling" }
);
answers!(
    /// How the senior lien was foreclosed, when blank.
    SeniorSale { Trustee => "a trustee's sale", Judicial => "a judicial sale" }
);
answers!(
    /// A blank fair value, at its two bounds.
    FairValueBound { AtSalePrice => "fair value at or below the sale price", CoversDebt => "fair value covering the debt" }
);

/// A question's reason, rank and citation.
#[derive(Debug, Clone, Copy)]
pub struct Def {
    pub reason: Reason,
    /// Its place among the decision steps, for choosing between answers.
    pub rank: u8,
    pub citation: &'static str,
}

/// An unknown fact: `missing:<column>`, ranked at `rank`, made to matter by
/// `citation`.
const fn missing(field: Field, rank: u8, citation: &'static str) -> Def {
    Def { reason: Reason::Missing(field), rank, citation }
}

/// An unsettled point of law, labelled and ranked by its review rule.
const fn review(rule: Rule) -> Def {
    Def { reason: Reason::Rule(rule), rank: rule.step(), citation: rule.citation() }
}

macro_rules! questions {
    ($( $(#[$m:meta])* $q:ident: $answer:ty = $def:expr; )*) => {
        /// Every question, as the engine tracks it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Question { $( $q ),* }

        impl Question {
            pub const ALL: &'static [Question] = &[ $( Question::$q ),* ];
            pub const COUNT: usize = Question::ALL.len();

            /// Its reason, rank and citation.
            pub const fn def(self) -> Def {
                match self { $( Question::$q => $def ),* }
            }
            /// How many answers the engine tries.
            pub fn answers(self) -> u8 {
                self.labels().len() as u8
            }
            /// What `explain` prints for each answer.
            pub fn labels(self) -> &'static [&'static str] {
                match self { $( Question::$q => <$answer as Answers>::LABELS ),* }
            }
        }

        /// Each question by name, for [`super::Ctx::ask`].
        pub mod q {
            use super::*;
            $(
                $(#[$m])*
                #[derive(Debug, Clone, Copy)]
                pub struct $q;
                impl Asks for $q {
                    type Answer = $answer;
                    const ID: Question = Question::$q;
                }
            )*
        }
    };
}

questions! {
    LoanPurpose: PurposeClass = missing(Field::LoanPurpose, 4, "CCP 580b(a)(3)");
    OwnerOccupied: bool = missing(Field::OwnerOccupied, 4, "CCP 580b(a)(3)");
    PropertyUnits: Units = missing(Field::PropertyUnits, 4, "CCP 580b(a)(3)");
    BorrowerType: BorrowerClass = missing(Field::BorrowerType, 4, "CCP 580e(d)(1)");
    LienPosition: LienClass = missing(Field::LienPosition, 4, "CCP 580e(a)");
    /// Whether a refinance of unknown date was executed from 2013 (SB 1069).
    OriginationEra: Era = missing(Field::OriginationDate, 4, "CCP 580b(b)");
    RefinancesPurchaseMoney: bool = missing(Field::RefinancesPurchaseMoney, 4, "CCP 580b(b)");
    NewAdvance: AdvanceBound = missing(Field::NewAdvance, 4, "CCP 580b(b)");
    PurchaseMoneyPayoff: AdvanceBound = missing(Field::PurchaseMoneyPayoff, 4, "CCP 580b(b)");
    ForeclosureMethod: crate::loan::ForeclosureMethod = missing(Field::ForeclosureMethod, 4, "CCP 580d(a), CCP 726(b)");
    WrittenConsent: bool = missing(Field::WrittenConsent, 4, "CCP 580e(a)");
    DeedInLieuTerms: crate::loan::DeedInLieuTerms = missing(Field::DeedInLieuTerms, 4, "deed-in-lieu agreement");
    FairValue: FairValueBound = missing(Field::FairValue, 7, "CCP 726(b), CCP 580a");
    /// A refinance chain straddling 2013-01-01.
    Pre2013Chain: Reading = review(Rule::RefinanceChainPre2013);
    /// An entity occupant of a purchase-money dwelling, or a trust on a short sale.
    EntityBorrower: Reading = review(Rule::BorrowerTypeUnclear);
    NoWrittenConsent: Reading = review(Rule::NoWrittenConsent);
    ShortSaleIncomplete: Reading = review(Rule::ShortSaleIncomplete);
    /// A deed-in-lieu agreement silent on the deficiency.
    DeedInLieuSilent: Reading = review(Rule::DeedInLieuTerms);
    /// Whether 580b bars a deficiency after a deed in lieu.
    DeedInLieuPurchaseMoney: Reading = review(Rule::DeedInLieuTerms);
    SameHolderContemporaneous: Reading = review(Rule::SameHolderContemporaneous);
    /// Q-REVERSE: a proprietary reverse mortgage outside Civ. Code 1923.
    ReverseMortgage: Reading = review(Rule::ReverseMortgageTerms);
    /// Q-MIXED: whether a mixed-use 1-4 unit building is a dwelling.
    MixedUse: Dwelling = review(Rule::MixedUseDwelling);
    /// Q-MOD: new cash in a modification of a purchase-money loan.
    ModificationNewMoney: Reading = review(Rule::ModificationNewMoney);
    /// Q-SENIOR-TYPE: how the senior that also secured this note was sold.
    SeniorSaleType: SeniorSale = missing(Field::SeniorSaleType, 4, "CCP 580d(a), CCP 726(a)");
    /// Q-SAMESEC: a judicially foreclosed senior that also secured this note.
    SameSecurityJudicial: Reading = review(Rule::SameSecurityJudicialSenior);
    /// Q-LATE-CLAIM: a creditor's claim filed after the claim period.
    LateClaim: Reading = review(Rule::LateCreditorClaim);
    /// Q-366-2-JUDICIAL: a judicial foreclosure after the borrower's death.
    DecedentJudicial: Reading = review(Rule::DecedentJudicialCheck);
    /// Q-ACCRUAL.
    AccrualDate: Accrual = missing(Field::AccrualDate, 6, "CCP 337(a), CCP 360");
    /// Q-FIRST-UNPAID.
    FirstUnpaidDueDate: FirstUnpaid = missing(Field::FirstUnpaidDueDate, 6, "CCP 337(a), Com. Code 3118(a)");
    /// Q-PAYMENT.
    ScheduledPayment: Payment = missing(Field::ScheduledPayment, 6, "CCP 337(a), Com. Code 3118(a)");
    /// Q-ER2.
    EmergencyRule2: Rule2 = review(Rule::EmergencyRule2);
    /// Q-REVIVAL: a writing after a block was barred.
    Revival: Reading = review(Rule::AcknowledgmentRevival);
    /// Q-580A-366-2.
    Decedent580a: OneYearOrThreeMonths = review(Rule::NonjudicialDecedentConflict);
    /// Q-PETITION.
    PetitionDate: Petition = missing(Field::BankruptcyPetitionDate, 6, "11 U.S.C. 108(c)");
    /// Q-STAY-END.
    StayEndDate: StayEnd = missing(Field::BankruptcyStayEndDate, 6, "11 U.S.C. 108(c)");
}

impl Question {
    /// The reason written when the answer changes the result.
    pub fn reason(self) -> Reason {
        self.def().reason
    }
    /// A person-readable label for answer `a`, for `explain`.
    pub fn answer_label(self, a: u8) -> &'static str {
        let labels = self.labels();
        labels[usize::from(a).min(labels.len() - 1)]
    }
    /// The question whose reason is `missing:<field>`, if any.
    pub fn missing(field: Field) -> Option<Question> {
        BY_REASON[slot(Reason::Missing(field))]
    }
    /// A question whose reason is `r`, if any (the engine asks this of every
    /// reason of every answer when answers differ).
    pub fn of_reason(r: Reason) -> Option<Question> {
        BY_REASON[slot(r)]
    }
}

/// Where a reason sits in [`BY_REASON`]: the fields, then the rules.
const fn slot(r: Reason) -> usize {
    match r {
        Reason::Missing(f) => f as usize,
        Reason::Rule(rule) => Field::ALL.len() + rule as usize,
    }
}

/// The first question asked for each reason, worked out once at compile
/// time (the engine looks one up for every unknown fact of every loan).
static BY_REASON: [Option<Question>; Field::ALL.len() + Rule::ALL.len()] = {
    let mut table = [None; Field::ALL.len() + Rule::ALL.len()];
    let mut i = 0;
    while i < Question::ALL.len() {
        let at = slot(Question::ALL[i].def().reason);
        if table[at].is_none() {
            table[at] = Some(Question::ALL[i]);
        }
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_is_found_from_its_reason() {
        for q in Question::ALL {
            let found = Question::of_reason(q.reason()).expect("every question's reason finds a question");
            assert_eq!(found.reason(), q.reason());
        }
        for r in Rule::ALL {
            let asked = Question::ALL.iter().any(|q| q.reason() == Reason::Rule(*r));
            assert_eq!(Question::of_reason(Reason::Rule(*r)).is_some(), asked, "{r:?}");
        }
        for f in Field::ALL {
            let asked = Question::ALL.iter().any(|q| q.reason() == Reason::Missing(*f));
            assert_eq!(Question::of_reason(Reason::Missing(*f)).is_some(), asked, "{f:?}");
        }
    }

    #[test]
    fn every_question_has_two_or_more_labelled_answers() {
        for q in Question::ALL {
            assert!(q.answers() >= 2, "{q:?}");
            assert!(q.labels().iter().all(|l| !l.is_empty()));
            assert!(!q.def().citation.contains(';'));
        }
    }
}
