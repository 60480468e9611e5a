//! The loan model: one row of the native layout (SPEC §3), typed.
//!
//! `Option` means the fact is unknown (a blank cell with no default). Columns
//! with a default are plain values: the default is part of the layout's
//! definition, not a guess.

use crate::money::Money;
use chrono::NaiveDate;

macro_rules! fields {
    ($( $variant:ident => $name:literal ),* $(,)?) => {
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
            /// Looks a column up by its (lower-cased, trimmed) header name.
            pub fn from_name(name: &str) -> Option<Field> {
                match name { $( $name => Some(Field::$variant), )* _ => None }
            }
        }
    };
}

fields! {
    LoanId => "loan_id",
    EventType => "event_type",
    EventDate => "event_date",
    UnpaidPrincipal => "unpaid_principal",
    SalePrice => "sale_price",
    State => "state",
    LienPosition => "lien_position",
    LoanPurpose => "loan_purpose",
    SellerFinanced => "seller_financed",
    OriginationDate => "origination_date",
    PropertyUnits => "property_units",
    OwnerOccupied => "owner_occupied",
    BorrowerType => "borrower_type",
    AccruedInterest => "accrued_interest",
    Advances => "advances",
    Costs => "costs",
    FairValue => "fair_value",
    SurplusReceived => "surplus_received",
    RefinancesPurchaseMoney => "refinances_purchase_money",
    FirstRefinanceDate => "first_refinance_date",
    PurchaseMoneyPayoff => "purchase_money_payoff",
    RefinanceCostsFinanced => "refinance_costs_financed",
    NewAdvance => "new_advance",
    PrincipalPaid => "principal_paid",
    SameHolderAsSenior => "same_holder_as_senior",
    LiensContemporaneous => "liens_contemporaneous",
    SeniorSaleType => "senior_sale_type",
    WrittenConsent => "written_consent",
    DeedRecorded => "deed_recorded",
    ProceedsTendered => "proceeds_tendered",
    SecuredSolely => "secured_solely",
    FraudOrWaste => "fraud_or_waste",
    DeficiencyWaived => "deficiency_waived",
    DeedInLieuTerms => "deed_in_lieu_terms",
    BondOrUtilityLien => "bond_or_utility_lien",
    Guarantor => "guarantor",
    DeficiencyFiledDate => "deficiency_filed_date",
    AccrualDate => "accrual_date",
    Bankruptcy => "bankruptcy",
    BankruptcyPetitionDate => "bankruptcy_petition_date",
    BankruptcyDischargeDate => "bankruptcy_discharge_date",
    DischargeException => "discharge_exception",
    // Not a SPEC §3 column: the foreclosure method of a `foreclosure_sale`,
    // normally supplied by `--assume foreclosure_method=...` for public data.
    ForeclosureMethod => "foreclosure_method",
    // Not a SPEC §3 column: the agency's own net loss on the loan (Fannie
    // Mae / Freddie Mac published formula), carried to the report only.
    AgencyNetLoss => "agency_net_loss",
}

impl Field {
    /// Columns a row must have (SPEC §3). `sale_price` is required for every
    /// event except `senior_sale`, which the reader checks per row.
    pub const REQUIRED: &'static [Field] =
        &[Field::LoanId, Field::EventType, Field::EventDate, Field::UnpaidPrincipal, Field::SalePrice];
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
