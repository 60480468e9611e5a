//! The loan model: one row of the native layout (README "Input: the native layout"), typed.
//!
//! `Option` means the fact is unknown (a blank cell with no default). Columns
//! with a default are plain values: the default is part of the layout's
//! definition, not a guess.

use crate::money::Money;
use chrono::NaiveDate;

/// What a column holds (README "Input: the native layout" value syntax). Readers, `generate` and
/// `deficiency rules` take a column's kind from its declaration below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Free text (the loan id).
    Text,
    /// One of a list of lower-case values.
    Enum,
    /// A two-letter state code.
    State,
    /// A non-negative amount.
    Money,
    /// An amount that may be negative (a gain).
    SignedMoney,
    /// `YYYY-MM-DD`.
    Date,
    /// true/false, yes/no, y/n, 1/0.
    Bool,
    /// A whole number.
    Count,
}

macro_rules! fields {
    ($( $variant:ident => ($name:literal, $kind:ident) ),* $(,)?) => {
        /// Every column of the native input layout.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field { $( $variant ),* }
        impl Field {
            /// All columns in the documented order (required first).
            pub const ALL: &'static [Field] = &[ $( Field::$variant ),* ];
            /// The column name as it appears in a header.
            pub fn name(self) -> &'static str {
                match self { $( Field::$variant => $name ),* }
            }
            /// What the column holds.
            pub fn kind(self) -> Kind {
                match self { $( Field::$variant => Kind::$kind ),* }
            }
            /// Looks a column up by its (lower-cased, trimmed) header name.
            pub fn from_name(name: &str) -> Option<Field> {
                match name { $( $name => Some(Field::$variant), )* _ => None }
            }
        }
    };
}

fields! {
    LoanId => ("loan_id", Text),
    EventType => ("event_type", Enum),
    EventDate => ("event_date", Date),
    UnpaidPrincipal => ("unpaid_principal", Money),
    SalePrice => ("sale_price", Money),
    State => ("state", State),
    LienPosition => ("lien_position", Count),
    LoanPurpose => ("loan_purpose", Enum),
    SellerFinanced => ("seller_financed", Bool),
    OriginationDate => ("origination_date", Date),
    PropertyUnits => ("property_units", Count),
    OwnerOccupied => ("owner_occupied", Bool),
    BorrowerType => ("borrower_type", Enum),
    AccruedInterest => ("accrued_interest", Money),
    Advances => ("advances", Money),
    Costs => ("costs", Money),
    FairValue => ("fair_value", Money),
    SurplusReceived => ("surplus_received", Money),
    RefinancesPurchaseMoney => ("refinances_purchase_money", Bool),
    FirstRefinanceDate => ("first_refinance_date", Date),
    PurchaseMoneyPayoff => ("purchase_money_payoff", Money),
    RefinanceCostsFinanced => ("refinance_costs_financed", Money),
    NewAdvance => ("new_advance", Money),
    PrincipalPaid => ("principal_paid", Money),
    SameHolderAsSenior => ("same_holder_as_senior", Bool),
    LiensContemporaneous => ("liens_contemporaneous", Bool),
    SeniorSaleType => ("senior_sale_type", Enum),
    WrittenConsent => ("written_consent", Bool),
    DeedRecorded => ("deed_recorded", Bool),
    ProceedsTendered => ("proceeds_tendered", Bool),
    SecuredSolely => ("secured_solely", Bool),
    FraudOrWaste => ("fraud_or_waste", Bool),
    DeficiencyWaived => ("deficiency_waived", Bool),
    DeedInLieuTerms => ("deed_in_lieu_terms", Enum),
    BondOrUtilityLien => ("bond_or_utility_lien", Bool),
    Guarantor => ("guarantor", Bool),
    DeficiencyFiledDate => ("deficiency_filed_date", Date),
    AccrualDate => ("accrual_date", Date),
    Bankruptcy => ("bankruptcy", Enum),
    BankruptcyPetitionDate => ("bankruptcy_petition_date", Date),
    BankruptcyDischargeDate => ("bankruptcy_discharge_date", Date),
    DischargeException => ("discharge_exception", Bool),
    // Round 2, part A (clocks).
    Accelerated => ("accelerated", Bool),
    FirstUnpaidDueDate => ("first_unpaid_due_date", Date),
    ScheduledPayment => ("scheduled_payment", Money),
    LastPaymentDate => ("last_payment_date", Date),
    WrittenAcknowledgmentDate => ("written_acknowledgment_date", Date),
    MaturityDate => ("maturity_date", Date),
    NoteNegotiable => ("note_negotiable", Bool),
    BankruptcyStayEndDate => ("bankruptcy_stay_end_date", Date),
    Chapter13CureAndMaintain => ("chapter13_cure_and_maintain", Bool),
    BorrowerDeathDate => ("borrower_death_date", Date),
    CreditorClaimFiledDate => ("creditor_claim_filed_date", Date),
    CreditorClaimRejectedDate => ("creditor_claim_rejected_date", Date),
    LettersIssuedDate => ("letters_issued_date", Date),
    ActionCommencedDate => ("action_commenced_date", Date),
    Probate9391Waiver => ("probate_9391_waiver", Bool),
    MilitaryServiceStart => ("military_service_start", Date),
    MilitaryServiceEnd => ("military_service_end", Date),
    ScraCourtOrder => ("scra_court_order", Bool),
    ScraWaiverAgreement => ("scra_waiver_agreement", Bool),
    SaleFinalDate => ("sale_final_date", Date),
    // Round 2, part B (who and what).
    LoanProgram => ("loan_program", Enum),
    HolderType => ("holder_type", Enum),
    Modified => ("modified", Bool),
    ModificationDate => ("modification_date", Date),
    ModificationNewMoney => ("modification_new_money", Money),
    WorkoutWaiver => ("workout_waiver", Bool),
    SeniorSecuresThisNote => ("senior_secures_this_note", Bool),
    CollateralType => ("collateral_type", Enum),
    MixedUse => ("mixed_use", Bool),
    LienReleased => ("lien_released", Bool),
    ConsentPaymentRequired => ("consent_payment_required", Bool),
    // Not a README "Input: the native layout" column: the foreclosure method of a `foreclosure_sale`,
    // normally supplied by `--assume foreclosure_method=...` for public data.
    ForeclosureMethod => ("foreclosure_method", Enum),
    // Not a README "Input: the native layout" column: the agency's own net loss on the loan (Fannie
    // Mae / Freddie Mac published formula), carried to the report only.
    AgencyNetLoss => ("agency_net_loss", SignedMoney),
}

impl Field {
    /// Columns a row must have (README "Input: the native layout"). `sale_price` is required for every
    /// event except `senior_sale`, which the reader checks per row.
    pub const REQUIRED: &'static [Field] =
        &[Field::LoanId, Field::EventType, Field::EventDate, Field::UnpaidPrincipal, Field::SalePrice];

    /// Columns outside README "Input: the native layout" (foreclosure method, agency net loss), last in
    /// [`Field::ALL`]: read when present, never generated.
    pub const EXTENSIONS: &'static [Field] = &[Field::ForeclosureMethod, Field::AgencyNetLoss];
}

macro_rules! enumeration {
    ($(#[$m:meta])* $ty:ident { $( $variant:ident => $name:literal ),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $ty { $( $variant ),* }
        impl $ty {
            /// Every value, in documented order.
            pub const ALL: &'static [$ty] = &[ $( $ty::$variant ),* ];
            /// The value as written in the layout.
            pub fn name(self) -> &'static str {
                match self { $( $ty::$variant => $name ),* }
            }
            /// Parses a value case-insensitively (the cell is already trimmed).
            pub fn parse(s: &str) -> Option<$ty> {
                $( if s.eq_ignore_ascii_case($name) { return Some($ty::$variant); } )*
                None
            }
            /// The accepted values, for error messages.
            pub fn expected() -> String {
                [$($name),*].join(", ")
            }
        }
    };
}

enumeration!(
    /// What ended this loan's security (README "Input: the native layout" event table).
    EventType {
        JudicialSale => "judicial_sale",
        TrusteeSale => "trustee_sale",
        ForeclosureSale => "foreclosure_sale",
        ShortSale => "short_sale",
        DeedInLieu => "deed_in_lieu",
        SeniorSale => "senior_sale",
    }
);

enumeration!(
    /// What the loan was for.
    LoanPurpose {
        Purchase => "purchase",
        Construction => "construction",
        Refinance => "refinance",
        CashOutRefinance => "cash_out_refinance",
        HomeEquity => "home_equity",
        Other => "other",
    }
);

enumeration!(
    /// Who the borrower is.
    BorrowerType {
        Individual => "individual",
        Corporation => "corporation",
        Llc => "llc",
        LimitedPartnership => "limited_partnership",
        GeneralPartnership => "general_partnership",
        Trust => "trust",
        PublicEntity => "public_entity",
    }
);

enumeration!(
    /// How the senior lien was foreclosed (advisory for `senior_sale`).
    SeniorSaleType {
        Judicial => "judicial",
        Trustee => "trustee",
    }
);

enumeration!(
    /// What a deed-in-lieu agreement says about a deficiency.
    DeedInLieuTerms {
        Waived => "waived",
        Reserved => "reserved",
        Silent => "silent",
    }
);

enumeration!(
    /// The borrower's bankruptcy status.
    Bankruptcy {
        None => "none",
        Pending => "pending",
        Discharged => "discharged",
        Dismissed => "dismissed",
        Reaffirmed => "reaffirmed",
    }
);

enumeration!(
    /// A federal program the loan belongs to.
    LoanProgram {
        Conventional => "conventional",
        Fha => "fha",
        Va => "va",
        Usda => "usda",
        Hecm => "hecm",
        ReverseOther => "reverse_other",
        PartialClaim => "partial_claim",
    }
);

enumeration!(
    /// Who holds the note.
    HolderType {
        Private => "private",
        Federal => "federal",
    }
);

enumeration!(
    /// What the security is.
    CollateralType {
        RealProperty => "real_property",
        ManufacturedHomeReal => "manufactured_home_real",
        ManufacturedHomeChattel => "manufactured_home_chattel",
    }
);

enumeration!(
    /// How a `foreclosure_sale` was carried out, when known or assumed.
    ForeclosureMethod {
        Judicial => "judicial_sale",
        Trustee => "trustee_sale",
    }
);

/// One loan, typed. Built by a reader from one input row.
#[derive(Debug, Clone, PartialEq)]
pub struct Loan {
    pub loan_id: String,
    pub event_type: EventType,
    pub event_date: NaiveDate,
    pub unpaid_principal: Money,
    /// `None` only for `senior_sale` (where it is not used).
    pub sale_price: Option<Money>,
    /// Upper-case two-letter code; `CA` by default.
    pub state: [u8; 2],
    pub lien_position: Option<u32>,
    pub loan_purpose: Option<LoanPurpose>,
    pub seller_financed: bool,
    pub origination_date: Option<NaiveDate>,
    pub property_units: Option<u32>,
    pub owner_occupied: Option<bool>,
    pub borrower_type: Option<BorrowerType>,
    pub accrued_interest: Money,
    pub advances: Money,
    pub costs: Money,
    pub fair_value: Option<Money>,
    pub surplus_received: Money,
    pub refinances_purchase_money: Option<bool>,
    /// As read; blank means "this loan is the first refinance" (see [`Loan::first_refinance`]).
    pub first_refinance_date: Option<NaiveDate>,
    pub purchase_money_payoff: Option<Money>,
    pub refinance_costs_financed: Money,
    pub new_advance: Option<Money>,
    /// As read; blank means "derive it" (see the 580b(b) rule).
    pub principal_paid: Option<Money>,
    pub same_holder_as_senior: bool,
    pub liens_contemporaneous: bool,
    pub senior_sale_type: Option<SeniorSaleType>,
    pub written_consent: Option<bool>,
    pub deed_recorded: bool,
    pub proceeds_tendered: bool,
    pub secured_solely: bool,
    pub fraud_or_waste: bool,
    pub deficiency_waived: bool,
    pub deed_in_lieu_terms: Option<DeedInLieuTerms>,
    pub bond_or_utility_lien: bool,
    pub guarantor: bool,
    pub deficiency_filed_date: Option<NaiveDate>,
    /// As read; blank defaults to `event_date` with a flag.
    pub accrual_date: Option<NaiveDate>,
    pub bankruptcy: Bankruptcy,
    pub bankruptcy_petition_date: Option<NaiveDate>,
    pub bankruptcy_discharge_date: Option<NaiveDate>,
    pub discharge_exception: bool,
    pub accelerated: Option<bool>,
    pub first_unpaid_due_date: Option<NaiveDate>,
    pub scheduled_payment: Option<Money>,
    pub last_payment_date: Option<NaiveDate>,
    pub written_acknowledgment_date: Option<NaiveDate>,
    pub maturity_date: Option<NaiveDate>,
    pub note_negotiable: Option<bool>,
    pub bankruptcy_stay_end_date: Option<NaiveDate>,
    pub chapter13_cure_and_maintain: bool,
    pub borrower_death_date: Option<NaiveDate>,
    pub creditor_claim_filed_date: Option<NaiveDate>,
    pub creditor_claim_rejected_date: Option<NaiveDate>,
    pub letters_issued_date: Option<NaiveDate>,
    pub action_commenced_date: Option<NaiveDate>,
    pub probate_9391_waiver: bool,
    pub military_service_start: Option<NaiveDate>,
    pub military_service_end: Option<NaiveDate>,
    pub scra_court_order: bool,
    pub scra_waiver_agreement: bool,
    pub sale_final_date: Option<NaiveDate>,
    pub loan_program: Option<LoanProgram>,
    pub holder_type: HolderType,
    pub modified: bool,
    pub modification_date: Option<NaiveDate>,
    pub modification_new_money: Money,
    pub workout_waiver: bool,
    pub senior_secures_this_note: bool,
    pub collateral_type: CollateralType,
    pub mixed_use: bool,
    pub lien_released: bool,
    pub consent_payment_required: bool,
    pub foreclosure_method: Option<ForeclosureMethod>,
    /// The agency's net loss (public data sets only); reported, never decided on.
    pub agency_net_loss: Option<Money>,
    /// Columns whose value came from an `--assume` rather than the input.
    pub assumed: Vec<Field>,
}

impl Loan {
    /// A loan with the required facts and every optional column at its
    /// layout default (unknown where there is none). Used by tests and readers.
    pub fn new(
        loan_id: impl Into<String>,
        event_type: EventType,
        event_date: NaiveDate,
        unpaid_principal: Money,
        sale_price: Option<Money>,
    ) -> Loan {
        Loan {
            loan_id: loan_id.into(),
            event_type,
            event_date,
            unpaid_principal,
            sale_price,
            state: *b"CA",
            lien_position: None,
            loan_purpose: None,
            seller_financed: false,
            origination_date: None,
            property_units: None,
            owner_occupied: None,
            borrower_type: None,
            accrued_interest: Money::ZERO,
            advances: Money::ZERO,
            costs: Money::ZERO,
            fair_value: None,
            surplus_received: Money::ZERO,
            refinances_purchase_money: None,
            first_refinance_date: None,
            purchase_money_payoff: None,
            refinance_costs_financed: Money::ZERO,
            new_advance: None,
            principal_paid: None,
            same_holder_as_senior: false,
            liens_contemporaneous: false,
            senior_sale_type: None,
            written_consent: None,
            deed_recorded: true,
            proceeds_tendered: true,
            secured_solely: true,
            fraud_or_waste: false,
            deficiency_waived: false,
            deed_in_lieu_terms: None,
            bond_or_utility_lien: false,
            guarantor: false,
            deficiency_filed_date: None,
            accrual_date: None,
            bankruptcy: Bankruptcy::None,
            bankruptcy_petition_date: None,
            bankruptcy_discharge_date: None,
            discharge_exception: false,
            accelerated: None,
            first_unpaid_due_date: None,
            scheduled_payment: None,
            last_payment_date: None,
            written_acknowledgment_date: None,
            maturity_date: None,
            note_negotiable: None,
            bankruptcy_stay_end_date: None,
            chapter13_cure_and_maintain: false,
            borrower_death_date: None,
            creditor_claim_filed_date: None,
            creditor_claim_rejected_date: None,
            letters_issued_date: None,
            action_commenced_date: None,
            probate_9391_waiver: false,
            military_service_start: None,
            military_service_end: None,
            scra_court_order: false,
            scra_waiver_agreement: false,
            sale_final_date: None,
            loan_program: None,
            holder_type: HolderType::Private,
            modified: false,
            modification_date: None,
            modification_new_money: Money::ZERO,
            workout_waiver: false,
            senior_secures_this_note: false,
            collateral_type: CollateralType::RealProperty,
            mixed_use: false,
            lien_released: true,
            consent_payment_required: false,
            foreclosure_method: None,
            agency_net_loss: None,
            assumed: Vec::new(),
        }
    }

    /// The property is in California.
    pub fn in_california(&self) -> bool {
        &self.state == b"CA"
    }

    /// The state as text.
    pub fn state_str(&self) -> &str {
        std::str::from_utf8(&self.state).unwrap_or("??")
    }

    /// Execution date of the first refinance in the chain: the column, or
    /// this loan's own `origination_date` when blank.
    pub fn first_refinance(&self) -> Option<NaiveDate> {
        self.first_refinance_date.or(self.origination_date)
    }
}

/// A 64-bit fingerprint of a loan id (std's SipHash with its fixed default
/// keys), so the duplicate checks hold 8 bytes per loan however long the ids
/// are. Two different ids share a fingerprint with probability about n²/2^65
/// (3 in a million at 10 million loans); such a row would be rejected as a
/// duplicate, never lost.
pub fn id_fingerprint(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}
