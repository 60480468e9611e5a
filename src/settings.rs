//! Legal settings: every point LEGAL-RULES marks UNVERIFIED that the engine
//! decides is a named setting here, whose default is what the public
//! scenarios assume. `deficiency rules` lists them; `--settings FILE` (TOML)
//! overrides them; the JSON report records the values used.

use serde::{Deserialize, Serialize};

/// How a 580b(b) refinance's legal deficiency is split between its protected
/// (purchase-money) part and its new advance. LEGAL-RULES §2.3, §6 item 1.
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
/// LEGAL-RULES §2.4 step 2, §6 item 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthEnd {
    /// Use the last day of the target month (2022-11-30 + 3 → 2023-02-28).
    Clip,
    /// Count the missing days into the next month (2022-11-30 + 3 → 2023-03-02).
    Overflow,
}

/// What a deed in lieu whose agreement reserves a deficiency gives, for a
/// loan no statute protects. LEGAL-RULES §1.9, §6 item 3.
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
/// 2011-07-14) excluded. LEGAL-RULES §1.4, SPEC §4 "the SB 931 entity rule".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sb931Entities {
    /// As enacted: only "a corporation or political subdivision".
    CorporationOrPublicOnly,
    /// As later amended: corporations, LLCs, limited partnerships, public entities.
    AsAmended,
}

/// Every UNVERIFIED point the engine decides. Field names are the TOML keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub refinance_allocation: RefinanceAllocation,
    /// Whether interest on a 580b(b) new advance is recoverable (the text
    /// protects all but "the principal amount of a new advance").
    pub refinance_interest_on_new_advance_recoverable: bool,
    /// A refinance chain whose first link predates 2013-01-01 and whose later
    /// link is on or after it: `true` routes it to review
    /// (`refinance_chain_pre2013`); `false` treats it as unprotected.
    pub refinance_chain_pre2013_review: bool,
    pub month_end: MonthEnd,
    /// Whether CCP 12a roll-forward applies to the end of the redemption period.
    pub redemption_roll_forward: bool,
    /// Years for an action on the note: 4 (CCP 337(a)) or 6 (Com. Code 3118,
    /// negotiable notes). The flag `note_may_be_negotiable` is added either way.
    pub note_limitations_years: u32,
    /// Emergency rule 9 tolling of the CCP 337 and 580a periods (2020).
    pub emergency_rule_9_tolling: bool,
    /// Whether emergency rule 9 also tolls the 726(b) three-month application.
    pub emergency_rule_9_tolls_726b: bool,
    pub deed_in_lieu_reserved: DeedInLieuReserved,
    /// A purchase-money deed in lieu is barred by 580b (Coker's reasoning,
    /// non-waivable per DeBerard); `false` routes it to review instead.
    pub deed_in_lieu_purchase_money_barred: bool,
    pub sb931_entities: Sb931Entities,
    /// A non-individual borrower on an otherwise 580b(a)(3) loan, or a trust
    /// on a 580e short sale, goes to review (`borrower_type_unclear`).
    pub entity_borrower_review: bool,
    /// Same holder of both liens, contemporaneous liens: review
    /// (`same_holder_contemporaneous`) rather than recoverable.
    pub same_holder_contemporaneous_review: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            refinance_allocation: RefinanceAllocation::Cap,
            refinance_interest_on_new_advance_recoverable: false,
            refinance_chain_pre2013_review: true,
            month_end: MonthEnd::Clip,
            redemption_roll_forward: true,
            note_limitations_years: 4,
            emergency_rule_9_tolling: true,
            emergency_rule_9_tolls_726b: false,
            deed_in_lieu_reserved: DeedInLieuReserved::Recoverable,
            deed_in_lieu_purchase_money_barred: true,
            sb931_entities: Sb931Entities::CorporationOrPublicOnly,
            entity_borrower_review: true,
            same_holder_contemporaneous_review: true,
        }
    }
}

/// A setting's name, value and what it decides, for `deficiency rules`.
pub struct SettingDoc {
    pub name: &'static str,
    pub value: String,
    pub meaning: &'static str,
}

/// Why a settings file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: note_limitations_years must be 4 or 6, not {value}")]
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
        if s.note_limitations_years != 4 && s.note_limitations_years != 6 {
            return Err(SettingsError::Years { path: String::new(), value: s.note_limitations_years });
        }
        Ok(s)
    }

    /// The settings with their current values, documented.
    pub fn docs(&self) -> Vec<SettingDoc> {
        let v = |x: &dyn erased::Show| x.show();
        vec![
            SettingDoc {
                name: "refinance_allocation",
                value: v(&self.refinance_allocation),
                meaning: "580b(b) split model: cap = min(legal, new advance outstanding); pro_rata = legal x new advance / unpaid principal (UNVERIFIED, LEGAL-RULES 6.1)",
            },
            SettingDoc {
                name: "refinance_interest_on_new_advance_recoverable",
                value: v(&self.refinance_interest_on_new_advance_recoverable),
                meaning: "whether interest attributable to a 580b(b) new advance is recoverable (UNVERIFIED, 6.1)",
            },
            SettingDoc {
                name: "refinance_chain_pre2013_review",
                value: v(&self.refinance_chain_pre2013_review),
                meaning: "a refinance chain straddling 2013-01-01 goes to review; false treats it as unprotected (UNVERIFIED, 6.2)",
            },
            SettingDoc {
                name: "month_end",
                value: v(&self.month_end),
                meaning: "a day missing from the target month: clip to its last day, or overflow to the next month (UNVERIFIED, 6.6)",
            },
            SettingDoc {
                name: "redemption_roll_forward",
                value: v(&self.redemption_roll_forward),
                meaning: "CCP 12a roll-forward of the CCP 729.030 redemption end (UNVERIFIED, 6.6)",
            },
            SettingDoc {
                name: "note_limitations_years",
                value: v(&self.note_limitations_years),
                meaning: "years for an action on the note: 4 (CCP 337(a)) or 6 (Com. Code 3118, negotiable notes) (UNVERIFIED, 6.7)",
            },
            SettingDoc {
                name: "emergency_rule_9_tolling",
                value: v(&self.emergency_rule_9_tolling),
                meaning: "Cal. Rules of Court emergency rule 9 tolls the CCP 337 and 580a periods in 2020 (LEGAL-RULES 1.14)",
            },
            SettingDoc {
                name: "emergency_rule_9_tolls_726b",
                value: v(&self.emergency_rule_9_tolls_726b),
                meaning: "whether emergency rule 9 also tolls the CCP 726(b) application (UNVERIFIED, 1.14)",
            },
            SettingDoc {
                name: "deed_in_lieu_reserved",
                value: v(&self.deed_in_lieu_reserved),
                meaning: "a deed in lieu reserving a deficiency on an unprotected loan: recoverable or review (UNVERIFIED, 6.3)",
            },
            SettingDoc {
                name: "deed_in_lieu_purchase_money_barred",
                value: v(&self.deed_in_lieu_purchase_money_barred),
                meaning: "CCP 580b bars a deficiency after a deed in lieu on a purchase-money loan; false routes it to review (UNVERIFIED, 6.3)",
            },
            SettingDoc {
                name: "sb931_entities",
                value: v(&self.sb931_entities),
                meaning: "borrowers excluded from 580e for closings 2011-01-01..2011-07-14: the SB 931 text (corporation or public entity) or as amended (UNVERIFIED, 6.4)",
            },
            SettingDoc {
                name: "entity_borrower_review",
                value: v(&self.entity_borrower_review),
                meaning: "an entity borrower on an owner-occupied purchase loan, or a trust on a 580e short sale, goes to review (UNVERIFIED, 6.4)",
            },
            SettingDoc {
                name: "same_holder_contemporaneous_review",
                value: v(&self.same_holder_contemporaneous_review),
                meaning: "same holder of senior and contemporaneous junior: review; false follows Black Sky and allows recovery (UNVERIFIED, 6.5)",
            },
        ]
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
