//! Legal settings: every unsettled point the engine decides is a named
//! setting here (docs/law.md, "Settings"), whose default is what the public
//! scenarios assume. `deficiency rules` lists them; `--settings FILE` (TOML)
//! overrides them; the JSON report records the values used.

use serde::{Deserialize, Serialize};

/// How a 580b(b) refinance's legal deficiency is split between its protected
/// (purchase-money) part and its new advance. docs/law.md#refinance_allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefinanceAllocation {
    /// recoverable = min(legal deficiency, new advance outstanding): the
    /// lender-favourable reading that matches the article's "$20,000 exposure".
    Cap,
    /// recoverable = legal deficiency × new advance outstanding ÷ unpaid principal.
    ProRata,
}

/// What to do when "N months later" has no such day (e.g. Nov 30 + 3 months).
/// docs/law.md#month_end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthEnd {
    /// Use the last day of the target month (2022-11-30 + 3 → 2023-02-28).
    Clip,
    /// Count the missing days into the next month (2022-11-30 + 3 → 2023-03-02).
    Overflow,
}

/// What a deed in lieu whose agreement reserves a deficiency gives, for a
/// loan no statute protects. docs/law.md#deed_in_lieu_reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeedInLieuReserved {
    /// Recoverable by an action on the note (the borrower's voluntary
    /// conveyance taken as a waiver of security-first).
    Recoverable,
    /// Routed to review (`deed_in_lieu_terms`).
    Review,
}

/// Which borrowers the original SB 931 text of 580e (closings 2011-01-01 to
/// 2011-07-14) excluded. docs/law.md#sb931_entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sb931Entities {
    /// As enacted: only "a corporation or political subdivision".
    CorporationOrPublicOnly,
    /// As later amended: corporations, LLCs, limited partnerships, public entities.
    AsAmended,
}

/// A senior sale whose `accrual_date` and `accelerated` are blank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlankAccrualDate {
    /// An unknown fact: tried both ways (Q-ACCRUAL).
    UnknownForSeniorSale,
    /// The senior sale's date, flagged `accrual_date_defaulted` (version 1).
    EventDate,
}

/// How emergency rule 2 (2020) extended the 726(b) application and the
/// redemption period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyRule2Model {
    /// Where the window changes the result, a person decides.
    Review,
    /// The rule-2 window tolls both periods.
    Toll,
    /// Not applied (version 1).
    None,
}

/// A setting's name, value and what it decides, for `deficiency rules`.
pub struct SettingDoc {
    pub name: &'static str,
    pub value: String,
    /// The default value.
    pub default: String,
    pub meaning: &'static str,
    /// Where its legal basis is written down (a heading of docs/law.md).
    pub basis: &'static str,
}

/// Declares every setting once: its TOML key and type, its default, what it
/// decides and where its legal basis is written. The struct, its defaults,
/// `deficiency rules`, `--settings` and the JSON report all come from here.
macro_rules! settings {
    ($( $(#[$m:meta])* $name:ident: $ty:ty = $default:expr, $meaning:literal, $basis:literal; )*) => {
        /// Every unsettled point the engine decides. Field names are the TOML keys.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct Settings { $( $(#[$m])* pub $name: $ty, )* }

        impl Default for Settings {
            fn default() -> Self {
                Settings { $( $name: $default, )* }
            }
        }

        impl Settings {
            /// The settings with their current values, documented, in declared order.
            pub fn docs(&self) -> Vec<SettingDoc> {
                let d = Settings::default();
                vec![ $( SettingDoc {
                    name: stringify!($name),
                    value: erased::Show::show(&self.$name),
                    default: erased::Show::show(&d.$name),
                    meaning: $meaning,
                    basis: $basis,
                }, )* ]
            }
        }
    };
}

settings! {
    refinance_allocation: RefinanceAllocation = RefinanceAllocation::Cap,
        "580b(b) split model: cap = min(legal, new advance outstanding); pro_rata = legal x new advance / unpaid principal (unsettled)",
        "docs/law.md#refinance_allocation";
    /// Whether interest on a 580b(b) new advance is recoverable (the text
    /// protects all but "the principal amount of a new advance").
    refinance_interest_on_new_advance_recoverable: bool = false,
        "whether interest attributable to a 580b(b) new advance is recoverable (unsettled)",
        "docs/law.md#refinance_interest_on_new_advance_recoverable";
    /// A refinance chain whose first link predates 2013-01-01 and whose later
    /// link is on or after it: `true` routes it to review
    /// (`refinance_chain_pre2013`); `false` treats it as unprotected.
    refinance_chain_pre2013_review: bool = true,
        "a refinance chain straddling 2013-01-01 goes to review; false treats it as unprotected (SB 1069, unsettled)",
        "docs/law.md#refinance_chain_pre2013_review";
    month_end: MonthEnd = MonthEnd::Clip,
        "a day missing from the target month: clip to its last day, or overflow to the next month (CCP 17(b)(4), unsettled)",
        "docs/law.md#month_end";
    /// Whether CCP 12a roll-forward applies to the end of the redemption period.
    redemption_roll_forward: bool = true,
        "CCP 12a roll-forward of the CCP 729.030 redemption end (unsettled)",
        "docs/law.md#redemption_roll_forward";
    /// Years for an action on the note: 4 (CCP 337(a)) or 6 (Com. Code 3118,
    /// negotiable notes). The flag `note_may_be_negotiable` is added either way.
    note_limitations_years: u32 = 4,
        "years for an action on the note: 4 (CCP 337(a)) or 6 (Com. Code 3118, negotiable notes)",
        "docs/law.md#note_limitations_years";
    /// Emergency rule 9 tolling of the CCP 337 and 580a periods (2020).
    emergency_rule_9_tolling: bool = true,
        "Cal. Rules of Court emergency rule 9 tolls the CCP 337 and 580a periods in 2020",
        "docs/law.md#emergency_rule_9_tolling";
    /// Whether emergency rule 9 also tolls the 726(b) three-month application.
    emergency_rule_9_tolls_726b: bool = false,
        "whether emergency rule 9 also tolls the CCP 726(b) application (unsettled)",
        "docs/law.md#emergency_rule_9_tolls_726b";
    deed_in_lieu_reserved: DeedInLieuReserved = DeedInLieuReserved::Recoverable,
        "a deed in lieu reserving a deficiency on an unprotected loan: recoverable or review (no statute, unsettled)",
        "docs/law.md#deed_in_lieu_reserved-setting";
    /// A purchase-money deed in lieu is barred by 580b (Coker's reasoning,
    /// non-waivable per DeBerard); `false` routes it to review instead.
    deed_in_lieu_purchase_money_barred: bool = true,
        "CCP 580b bars a deficiency after a deed in lieu on a purchase-money loan; false routes it to review (Coker, DeBerard, unsettled)",
        "docs/law.md#deed_in_lieu_purchase_money_barred";
    sb931_entities: Sb931Entities = Sb931Entities::CorporationOrPublicOnly,
        "borrowers excluded from 580e for closings 2011-01-01..2011-07-14: the SB 931 text (corporation or public entity) or as amended (unsettled)",
        "docs/law.md#sb931_entities";
    /// A non-individual borrower on an otherwise 580b(a)(3) loan, or a trust
    /// on a 580e short sale, goes to review (`borrower_type_unclear`).
    entity_borrower_review: bool = true,
        "an entity borrower on an owner-occupied purchase loan, or a trust on a 580e short sale, goes to review (unsettled)",
        "docs/law.md#entity_borrower_review";
    /// Same holder of both liens, contemporaneous liens: review
    /// (`same_holder_contemporaneous`) rather than recoverable.
    same_holder_contemporaneous_review: bool = true,
        "same holder of senior and contemporaneous junior: review; false follows Black Sky and allows recovery (unsettled)",
        "docs/law.md#same_holder_contemporaneous_review";
    /// A senior sale with accrual_date and accelerated blank.
    blank_accrual_date: BlankAccrualDate = BlankAccrualDate::UnknownForSeniorSale,
        "a senior_sale with accrual_date and accelerated blank: unknown (tried both ways) or event_date (version 1)",
        "docs/law.md#blank_accrual_date";
    /// Years for a negotiable note (note_negotiable = true).
    negotiable_note_limitations_years: u32 = 6,
        "years for a note with note_negotiable = true (Com. Code 3118(a))",
        "docs/law.md#negotiable_note_limitations_years";
    /// Whether rule 9(a) also tolls the CCP 366.2 year.
    emergency_rule_9_tolls_366_2: bool = true,
        "emergency rule 9(a) tolls the CCP 366.2 year (\"notwithstanding any other law\") despite 366.2(b) (unsettled)",
        "docs/law.md#emergency_rule_9_tolls_366_2";
    emergency_rule_2_model: EmergencyRule2Model = EmergencyRule2Model::Review,
        "review, toll or none (version 1): how emergency rule 2 extended 726(b) and redemption (unsettled)",
        "docs/law.md#emergency_rule_2_model";
    /// Apply 11 U.S.C. 108(c) and 108(b).
    bankruptcy_108c: bool = true,
        "apply 11 U.S.C. 108(c) and 108(b) (false = version 1)",
        "docs/law.md#bankruptcy_108c";
    /// Toll note periods for the whole bankruptcy stay (CCP 356).
    ccp356_bankruptcy_tolling: bool = false,
        "toll note periods for the whole stay (CCP 356, Kertesz v. Ostrovsky), which CCP 337(d) may exclude (unsettled)",
        "docs/law.md#ccp356_bankruptcy_tolling";
    /// Months after service in which a sale needs a court order.
    scra_post_service_months: u32 = 12,
        "months after service in which a sale needs a court order (50 U.S.C. 3953(c), Mil. & Vet. Code 408(c))",
        "docs/law.md#scra_post_service_months";
    /// Compute the collection-law flags (do_not_collect, no_suit_time_barred, ...).
    collection_flags: bool = true,
        "compute the collection-law flags (do_not_collect, no_suit_time_barred, rosenthal_time_barred_notice, civ2924_13_junior_lien, other collateral) (false = version 1 flags)",
        "docs/law.md#collection_flags";
    /// Compute the reporting flags (Forms 1099-C and 1099-A).
    reporting_flags: bool = true,
        "compute the reporting flags (form_1099c_event, form_1099c_when_collection_stops, form_1099a_event)",
        "docs/law.md#reporting_flags";
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: note_limitations_years and negotiable_note_limitations_years must be 4 or 6, not {value}")]
    Years { path: String, value: u32 },
}

impl Settings {
    /// Reads a TOML settings file; unknown keys are an error.
    pub fn from_file(path: &std::path::Path) -> Result<Settings, SettingsError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read { path: p.clone(), source })?;
        Settings::from_toml(&text).map_err(|e| match e {
            SettingsError::Parse { message, .. } => SettingsError::Parse { path: p.clone(), message },
            SettingsError::Years { value, .. } => SettingsError::Years { path: p.clone(), value },
            other => other,
        })
    }

    /// Parses settings from TOML text.
    pub fn from_toml(text: &str) -> Result<Settings, SettingsError> {
        let s: Settings =
            toml::from_str(text).map_err(|e| SettingsError::Parse { path: String::new(), message: e.to_string() })?;
        for years in [s.note_limitations_years, s.negotiable_note_limitations_years] {
            if years != 4 && years != 6 {
                return Err(SettingsError::Years { path: String::new(), value: years });
            }
        }
        Ok(s)
    }
}

mod erased {
    use serde::Serialize;
    /// Renders a setting value as its TOML scalar.
    pub trait Show {
        fn show(&self) -> String;
    }
    impl<T: Serialize> Show for T {
        fn show(&self) -> String {
            match serde_json::to_value(self) {
                Ok(serde_json::Value::String(s)) => s,
                Ok(v) => v.to_string(),
                Err(_) => String::new(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_through_toml() {
        let text = toml::to_string(&Settings::default()).unwrap();
        assert_eq!(Settings::from_toml(&text).unwrap(), Settings::default());
    }

    #[test]
    fn overrides_and_rejects_unknown_keys() {
        let s = Settings::from_toml("refinance_allocation = \"pro_rata\"\nnote_limitations_years = 6\n").unwrap();
        assert_eq!(s.refinance_allocation, RefinanceAllocation::ProRata);
        assert_eq!(s.note_limitations_years, 6);
        assert!(Settings::from_toml("no_such_setting = true").is_err());
        assert!(Settings::from_toml("note_limitations_years = 5").is_err());
    }

    #[test]
    fn docs_list_every_setting() {
        let docs = Settings::default().docs();
        let text = toml::to_string(&Settings::default()).unwrap();
        assert_eq!(docs.len(), text.lines().filter(|l| l.contains('=')).count());
        assert_eq!(docs[0].value, "cap");
    }
}
