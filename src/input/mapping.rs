//! `--map FILE.toml` (README "Your own exports: --map"): a servicing
//! system's export read as the native layout. The mapping renames the
//! export's columns to native columns, translates its values (per column,
//! and one table for every true/false column) and reads its dates in its own
//! format (`%m/%d/%Y`, or `excel` for Excel serial day numbers), before the
//! native validation. A value the mapping does not translate reaches the
//! validation as written, so a reject names the export's own column and
//! value.
//!
//! ```toml
//! date_format = "%m/%d/%Y"          # every date column; "excel" for serials
//! [columns]                         # export column = native column
//! "Loan Number" = "loan_id"
//! "FC Sale Date" = "event_date"
//! [values.event_type]               # export value = native value
//! "FC Sale" = "trustee_sale"
//! [booleans]                        # every true/false column
//! Y = true
//! N = false
//! [dates]                           # a column with its own format
//! maturity_date = "%Y%m%d"
//! ```

use super::values::{Cell, ValueError};
use super::{BadValue, Cells};
use crate::loan::{Field, Kind};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A mapping as written in its TOML file.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The date format of every date column (chrono `strftime` syntax, or
    /// `excel`); `YYYY-MM-DD` when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_format: Option<String>,
    /// Export column name → native column name.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Native column → (export value → native value).
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// Export value → true/false, for every true/false column.
    #[serde(default)]
    pub booleans: BTreeMap<String, bool>,
    /// Native date column → its own date format.
    #[serde(default)]
    pub dates: BTreeMap<String, String>,
}

/// A mapping file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct MappingError {
    pub path: String,
    pub message: String,
}

/// How a date column's text is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateFormat {
    /// chrono `strftime` syntax, e.g. `%m/%d/%Y`.
    Pattern(String),
    /// Excel's serial day numbers (1 = 1900-01-01; 45818 = 2025-06-10).
    Excel,
}

impl DateFormat {
    fn parse(s: &str) -> Result<DateFormat, String> {
        if s.eq_ignore_ascii_case("excel") {
            return Ok(DateFormat::Excel);
        }
        use chrono::format::{Item, StrftimeItems};
        if StrftimeItems::new(s).any(|i| matches!(i, Item::Error)) {
            return Err(format!("{s:?} is not a date format (chrono strftime syntax such as %m/%d/%Y, or excel)"));
        }
        if NaiveDate::parse_from_str(&NaiveDate::from_ymd_opt(2025, 6, 10).unwrap_or_default().format(s).to_string(), s)
            .is_err()
        {
            return Err(format!("{s:?} does not give a whole date (it needs a year, a month and a day)"));
        }
        Ok(DateFormat::Pattern(s.to_string()))
    }

    /// The date `text` means, if it is one.
    pub fn read(&self, text: &str) -> Option<NaiveDate> {
        match self {
            DateFormat::Pattern(p) => NaiveDate::parse_from_str(text, p).ok(),
            DateFormat::Excel => {
                // Whole days; a time of day (".5") is dropped only when zero.
                let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
                if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b == b'0') {
                    return None;
                }
                let n: i64 = whole.parse().ok()?;
                // Excel counts 1900-02-29, which never was: serial 60. From
                // serial 61 (1900-03-01) on, days since 1899-12-30.
                match n {
                    1..=59 => NaiveDate::from_ymd_opt(1899, 12, 31)?.checked_add_days(chrono::Days::new(n as u64)),
                    61..=2_958_465 => {
                        NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(n as u64))
                    }
                    _ => None,
                }
            }
        }
    }

    fn describe(&self) -> String {
        match self {
            DateFormat::Pattern(p) => format!("a date in the form {p}"),
            DateFormat::Excel => "an Excel serial day number".into(),
        }
    }
}

/// What the mapping does to one native column.
#[derive(Debug, Clone, Default, PartialEq)]
struct ColumnRule {
    /// Export value (compared without case) → native value.
    vocabulary: Vec<(String, String)>,
    date: Option<DateFormat>,
}

/// A mapping checked against the native layout, ready for a file's header.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    pub file: String,
    pub mapping: Mapping,
    /// By [`Field`].
    rules: Vec<Option<ColumnRule>>,
}

impl Mapping {
    /// Reads and checks a mapping file.
    pub fn load(path: &std::path::Path) -> Result<Arc<Compiled>, MappingError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| MappingError { path: file.clone(), message: format!("cannot read: {e}") })?;
        let mapping: Mapping =
            toml::from_str(&text).map_err(|e| MappingError { path: file.clone(), message: e.to_string() })?;
        mapping.compile(&file).map(Arc::new)
    }

    /// Checks every name against the native layout.
    pub fn compile(self, file: &str) -> Result<Compiled, MappingError> {
        let err = |message: String| MappingError { path: file.into(), message };
        let field = |name: &str, what: &str| {
            Field::from_name(name)
                .ok_or_else(|| err(format!("{what}: {name:?} is not a native column (see deficiency rules)")))
        };
        let mut targets: BTreeMap<&str, &str> = BTreeMap::new();
        for (export, native) in &self.columns {
            field(native, &format!("[columns] {export:?}"))?;
            if let Some(other) = targets.insert(native, export) {
                return Err(err(format!("[columns]: {other:?} and {export:?} both map to {native}")));
            }
        }
        let mut rules: Vec<Option<ColumnRule>> = vec![None; Field::ALL.len()];
        let default_date = self.date_format.as_deref().map(DateFormat::parse).transpose().map_err(err)?;
        for f in Field::ALL {
            let mut rule = ColumnRule::default();
            match f.kind() {
                Kind::Date => rule.date = default_date.clone(),
                Kind::Bool => {
                    rule.vocabulary = self.booleans.iter().map(|(k, v)| (k.trim().to_string(), v.to_string())).collect()
                }
                _ => {}
            }
            if rule != ColumnRule::default() {
                rules[*f as usize] = Some(rule);
            }
        }
        for (native, vocabulary) in &self.values {
            let f = field(native, "[values]")?;
            if matches!(f.kind(), Kind::Money | Kind::SignedMoney | Kind::Date | Kind::Count) {
                return Err(err(format!(
                    "[values.{native}]: values are translated for text, code and true/false columns; {native} holds {}",
                    match f.kind() {
                        Kind::Date => "dates (use date_format or [dates])",
                        Kind::Count => "a whole number",
                        _ => "an amount",
                    }
                )));
            }
            let rule = rules[f as usize].get_or_insert_with(ColumnRule::default);
            // A column's own values come before the booleans table.
            let mut own: Vec<(String, String)> =
                vocabulary.iter().map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
            own.append(&mut rule.vocabulary);
            rule.vocabulary = own;
        }
        for (native, format) in &self.dates {
            let f = field(native, "[dates]")?;
            if f.kind() != Kind::Date {
                return Err(err(format!("[dates]: {native} is not a date column")));
            }
            let fmt = DateFormat::parse(format).map_err(|m| err(format!("[dates] {native}: {m}")))?;
            rules[f as usize].get_or_insert_with(ColumnRule::default).date = Some(fmt);
        }
        Ok(Compiled { file: file.into(), mapping: self, rules })
    }
}

impl Compiled {
    /// The native name an export column stands for (the name itself when
    /// the mapping does not rename it).
    pub fn rename<'a>(&'a self, export: &'a str) -> &'a str {
        let trimmed = export.trim();
        self.mapping
            .columns
            .iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(trimmed))
            .map_or(trimmed, |(_, v)| v.as_str())
    }

    /// A date of column `f` as the mapping reads it.
    pub fn read_date(&self, f: Field, text: &str) -> Option<NaiveDate> {
        self.rules[f as usize].as_ref()?.date.as_ref()?.read(text)
    }

    /// The mapping file and what it says, for the JSON report (`mapping`).
    pub fn describe(&self) -> serde_json::Value {
        serde_json::json!({ "file": self.file, "mapping": self.mapping })
    }
}

/// A header's view of a mapping: each position's rule, and the export's
/// own column names for messages.
#[derive(Debug, Clone)]
pub struct Applied {
    /// By position in the file.
    rules: Vec<Option<ColumnRule>>,
    /// By [`Field`]: the export's name of the column, when it has one.
    pub labels: Vec<Option<String>>,
}

impl Applied {
    /// `names`: the export's header; `fields`: the native column at each position.
    pub fn new(compiled: &Compiled, names: &[String], fields: &[Option<Field>]) -> Applied {
        let mut labels = vec![None; Field::ALL.len()];
        let rules = names
            .iter()
            .zip(fields)
            .map(|(name, f)| {
                let f = (*f)?;
                labels[f as usize] = Some(name.trim().to_string());
                compiled.rules[f as usize].clone()
            })
            .collect();
        Applied { rules, labels }
    }

    /// The export's name for a native column.
    pub fn label(&self, f: Field) -> Option<&str> {
        self.labels.get(f as usize).and_then(|l| l.as_deref())
    }
}

/// A record read through a mapping.
pub struct Mapped<'a, C: ?Sized> {
    pub inner: &'a C,
    pub applied: &'a Applied,
}

impl<C: Cells + ?Sized> Cells for Mapped<'_, C> {
    fn cell(&self, i: usize) -> Result<Cell<'_>, ValueError> {
        let cell = self.inner.cell(i)?;
        let Some(Some(rule)) = self.applied.rules.get(i) else { return Ok(cell) };
        let Cell::Text(text) = cell else { return Ok(cell) };
        if let Some((_, native)) = rule.vocabulary.iter().find(|(k, _)| k.eq_ignore_ascii_case(text)) {
            return Ok(Cell::Text(native));
        }
        match &rule.date {
            // Native YYYY-MM-DD is still read as such.
            Some(fmt) => match fmt.read(text) {
                Some(d) => Ok(Cell::Date(d)),
                None if crate::dates::parse_ymd(text).is_some() => Ok(cell),
                None => Err(ValueError::Mapped(fmt.describe())),
            },
            None => Ok(cell),
        }
    }
    fn len(&self) -> usize {
        self.inner.len()
    }
    fn raw(&self, i: usize) -> String {
        self.inner.raw(i)
    }
    fn bad_value(&self) -> Option<&BadValue> {
        self.inner.bad_value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn excel_serials_are_days_from_1899_12_30() {
        let x = DateFormat::Excel;
        assert_eq!(x.read("45818"), Some(d("2025-06-10")));
        assert_eq!(x.read("45818.0"), Some(d("2025-06-10")));
        assert_eq!(x.read("61"), Some(d("1900-03-01")));
        assert_eq!(x.read("1"), Some(d("1900-01-01")));
        assert_eq!(x.read("60"), None, "1900-02-29 never was");
        assert_eq!(x.read("45818.5"), None);
        assert_eq!(x.read("-3"), None);
        assert_eq!(x.read("06/10/2025"), None);
    }

    #[test]
    fn patterns_are_checked_when_the_mapping_loads() {
        assert!(DateFormat::parse("%m/%d/%Y").is_ok());
        assert!(DateFormat::parse("%m/%Y").is_err(), "no day");
        assert!(DateFormat::parse("%Q").is_err());
        assert_eq!(DateFormat::parse("%m/%d/%Y").unwrap().read("06/10/2025"), Some(d("2025-06-10")));
    }

    #[test]
    fn names_are_checked_against_the_native_layout() {
        let m = |t: &str| toml::from_str::<Mapping>(t).expect("toml").compile("m.toml");
        assert!(m("[columns]\n\"Loan Number\" = \"loan_id\"").is_ok());
        let e = m("[columns]\n\"Loan Number\" = \"loan_number\"").unwrap_err();
        assert!(e.to_string().contains("\"loan_number\" is not a native column"), "{e}");
        let e = m("[columns]\nA = \"loan_id\"\nB = \"loan_id\"").unwrap_err();
        assert!(e.to_string().contains("both map to loan_id"), "{e}");
        let e = m("[values.unpaid_principal]\nx = \"1\"").unwrap_err();
        assert!(e.to_string().contains("an amount"), "{e}");
        let e = m("[dates]\nloan_id = \"%Y\"").unwrap_err();
        assert!(e.to_string().contains("not a date column"), "{e}");
        assert!(toml::from_str::<Mapping>("colums = {}").is_err(), "unknown keys are refused");
    }
}
