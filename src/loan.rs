//! The loan model: one row of the native layout (SPEC §3), typed.
//!
//! `Option` means the fact is unknown (a blank cell with no default). Columns
//! with a default are plain values: the default is part of the layout's
//! definition, not a guess.

use crate::money::Money;
use chrono::NaiveDate;

/// What a column holds (SPEC §3 value syntax). Readers, `generate` and
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
    // Not a SPEC §3 column: the foreclosure method of a `foreclosure_sale`,
    // normally supplied by `--assume foreclosure_method=...` for public data.
    ForeclosureMethod => ("foreclosure_method", Enum),
    // Not a SPEC §3 column: the agency's own net loss on the loan (Fannie
    // Mae / Freddie Mac published formula), carried to the report only.
    AgencyNetLoss => ("agency_net_loss", SignedMoney),
}

impl Field {
    /// Columns a row must have (SPEC §3). `sale_price` is required for every
    /// event except `senior_sale`, which the reader checks per row.
    pub const REQUIRED: &'static [Field] =
        &[Field::LoanId, Field::EventType, Field::EventDate, Field::UnpaidPrincipal, Field::SalePrice];

    /// Columns outside SPEC §3 (foreclosure method, agency net loss), last in
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
    /// What ended this loan's security (SPEC §3 event table).
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
