//! A report in a form that travels: each partition of a distributed job
//! (Spark, README "From Python and Spark") builds the report of its own
//! rows, sends it to the driver as one line of JSON ([`encode`]), and the
//! driver reads them back ([`decode`]) and merges them with
//! [`Report::merge`], the merge `deficiency report` does for shards. Money
//! travels as exact decimal strings, so the merged report is the one a
//! single run gives.

use super::watch::{Entry, Watch};
use super::{Group, InputInfo, Report, RowCounts};
use crate::loan::EventType;
use crate::money::{self, Money};
use crate::rules::{Flag, Outcome, Reason};
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn group(g: &Group) -> Value {
    json!([
        g.loans,
        money::fmt(g.total_debt),
        money::fmt(g.gross),
        money::fmt(g.recoverable),
        money::fmt(g.barred),
        money::fmt(g.undetermined),
        g.agency_loans,
        money::fmt(g.agency_net_loss)
    ])
}

fn dim<K>(m: &BTreeMap<K, Group>, key: impl Fn(&K) -> Value) -> Value {
    Value::Array(m.iter().map(|(k, g)| json!([key(k), group(g)])).collect())
}

/// The report as one line of JSON (every field [`Report::merge`] reads,
/// and the as-of date, settings and calendar).
pub fn encode(r: &Report) -> String {
    let entries: Vec<Value> = r
        .watch
        .entries
        .iter()
        .map(|e| {
            json!([e.loan_id, e.row, e.outcome.name(), e.primary.code(), money::fmt(e.amount), e.deadline.to_string()])
        })
        .collect();
    let v = json!({
        "as_of": r.as_of.map(|d| d.to_string()),
        "inputs": r.inputs,
        "rows": r.rows,
        "totals": group(&r.totals),
        "by_outcome": dim(&r.by_outcome, |k| json!(k.name())),
        "by_reason": dim(&r.by_reason, |k| json!(k.code())),
        "by_event_type": dim(&r.by_event_type, |k| json!(k.name())),
        "by_lien_position": dim(&r.by_lien_position, |k| json!(k)),
        "by_event_year": dim(&r.by_event_year, |k| json!(k)),
        "by_flag": dim(&r.by_flag, |k| json!(k.code())),
        "not_assessed": r.not_assessed,
        "settings": r.settings,
        "calendar": r.calendar,
        "watch": {"as_of": r.watch.as_of.map(|d| d.to_string()), "days": r.watch.days, "entries": entries},
    });
    v.to_string()
}

/// Why a partial report could not be read.
#[derive(Debug, thiserror::Error)]
#[error("not a partial report: {0}")]
pub struct PartialError(String);

fn bad(what: &str) -> PartialError {
    PartialError(format!("{what} is missing or invalid"))
}

fn money_of(v: &Value, what: &str) -> Result<Money, PartialError> {
    v.as_str().and_then(|s| money::parse_signed(s.as_bytes()).ok()).ok_or_else(|| bad(what))
}

fn date_of(v: &Value, what: &str) -> Result<Option<chrono::NaiveDate>, PartialError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => crate::input::values::parse_date(s).map(Some).map_err(|_| bad(what)),
        _ => Err(bad(what)),
    }
}

fn group_of(v: &Value) -> Result<Group, PartialError> {
    let a = v.as_array().filter(|a| a.len() == 8).ok_or_else(|| bad("a group"))?;
    let n = |i: usize| a[i].as_u64().ok_or_else(|| bad("a count"));
    Ok(Group {
        loans: n(0)?,
        total_debt: money_of(&a[1], "total_debt")?,
        gross: money_of(&a[2], "gross_deficiency")?,
        recoverable: money_of(&a[3], "recoverable")?,
        barred: money_of(&a[4], "barred")?,
        undetermined: money_of(&a[5], "undetermined")?,
        agency_loans: n(6)?,
        agency_net_loss: money_of(&a[7], "agency_net_loss")?,
    })
}

fn dim_of<K: Ord>(
    v: &Value,
    name: &str,
    key: impl Fn(&Value) -> Option<K>,
) -> Result<BTreeMap<K, Group>, PartialError> {
    let mut m = BTreeMap::new();
    for pair in v[name].as_array().ok_or_else(|| bad(name))? {
        let k = key(&pair[0]).ok_or_else(|| bad(&format!("a key of {name}")))?;
        m.insert(k, group_of(&pair[1])?);
    }
    Ok(m)
}

fn serde_of<T: serde::de::DeserializeOwned>(v: &Value, name: &str) -> Result<T, PartialError> {
    serde_json::from_value(v[name].clone()).map_err(|_| bad(name))
}

/// Reads a report [`encode`] wrote.
pub fn decode(s: &str) -> Result<Report, PartialError> {
    let v: Value = serde_json::from_str(s).map_err(|e| PartialError(e.to_string()))?;
    let w = &v["watch"];
    let mut entries = Vec::new();
    for e in w["entries"].as_array().ok_or_else(|| bad("watch entries"))? {
        let a = e.as_array().filter(|a| a.len() == 6).ok_or_else(|| bad("a watch entry"))?;
        entries.push(Entry {
            loan_id: a[0].as_str().ok_or_else(|| bad("loan_id"))?.to_string(),
            row: a[1].as_u64().ok_or_else(|| bad("row"))?,
            outcome: a[2].as_str().and_then(Outcome::parse).ok_or_else(|| bad("outcome"))?,
            primary: a[3].as_str().and_then(Reason::from_code).ok_or_else(|| bad("primary_reason"))?,
            amount: money_of(&a[4], "amount")?,
            deadline: date_of(&a[5], "action_deadline")?.ok_or_else(|| bad("action_deadline"))?,
        });
    }
    let mut watch = Watch { as_of: date_of(&w["as_of"], "watch as_of")?, days: serde_of(w, "days")?, entries: vec![] };
    watch.extend(entries);
    Ok(Report {
        as_of: date_of(&v["as_of"], "as_of")?,
        inputs: serde_of::<Vec<InputInfo>>(&v, "inputs")?,
        rows: serde_of::<RowCounts>(&v, "rows")?,
        totals: group_of(&v["totals"])?,
        by_outcome: dim_of(&v, "by_outcome", |k| k.as_str().and_then(Outcome::parse))?,
        by_reason: dim_of(&v, "by_reason", |k| k.as_str().and_then(Reason::from_code))?,
        by_event_type: dim_of(&v, "by_event_type", |k| k.as_str().and_then(EventType::parse))?,
        by_lien_position: dim_of(&v, "by_lien_position", |k| match k {
            Value::Null => Some(None),
            k => k.as_u64().and_then(|n| u32::try_from(n).ok()).map(Some),
        })?,
        by_event_year: dim_of(&v, "by_event_year", |k| k.as_i64().and_then(|n| i32::try_from(n).ok()))?,
        by_flag: dim_of(&v, "by_flag", |k| k.as_str().and_then(Flag::from_code))?,
        not_assessed: serde_of(&v, "not_assessed")?,
        settings: serde_of(&v, "settings")?,
        calendar: serde_of(&v, "calendar")?,
        warnings: Vec::new(),
        watch,
        mapping: None,
    })
}

/// Merges partial reports in order with [`Report::merge`] into a report as
/// of `as_of` (with the deadline watch of `watch_days`), as `deficiency
/// report --as-of` merges shards; consecutive inputs of the same name (the
/// partitions of one table) count as one input.
pub fn merge(partials: &[Report], as_of: Option<chrono::NaiveDate>, watch_days: &[u32]) -> Report {
    let mut merged = Report::default();
    if let Some(d) = as_of {
        merged.as_of = Some(d);
        merged.watch = Watch::new(d, watch_days);
    }
    for p in partials {
        merged.merge(p);
    }
    let mut inputs: Vec<InputInfo> = Vec::new();
    for i in std::mem::take(&mut merged.inputs) {
        match inputs.last_mut() {
            Some(last) if last.path == i.path => last.rows += i.rows,
            _ => inputs.push(i),
        }
    }
    merged.inputs = inputs;
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_survives_encode_and_decode() {
        let d = crate::dates::ymd(2026, 1, 15);
        let mut r = Report { as_of: Some(d), watch: Watch::new(d, &[30, 60]), ..Report::default() };
        let g = Group {
            loans: 2,
            total_debt: Money::new(123456, 2),
            gross: Money::new(-5, 2),
            agency_loans: 1,
            agency_net_loss: Money::new(-99, 2),
            ..Group::default()
        };
        r.totals = g;
        r.by_outcome.insert(Outcome::Recoverable, g);
        r.by_reason.insert(Reason::Rule(crate::rules::Rule::ALL[0]), g);
        r.by_event_type.insert(EventType::SeniorSale, g);
        r.by_lien_position.insert(None, g);
        r.by_lien_position.insert(Some(2), g);
        r.by_event_year.insert(2024, g);
        r.by_flag.insert(Flag::FIXED[0], g);
        r.inputs.push(InputInfo { path: "a".into(), rows: 3 });
        r.rows = RowCounts { read: 3, assessed: 2, rejected: 1 };
        r.settings.push(("x".into(), "y".into()));
        r.calendar = Some(("v1".into(), 2000, 2030));
        r.watch.extend([Entry {
            loan_id: "L".into(),
            row: 2,
            outcome: Outcome::Recoverable,
            primary: r.by_reason.keys().next().copied().unwrap(),
            amount: Money::new(100, 2),
            deadline: crate::dates::ymd(2026, 2, 1),
        }]);
        let back = decode(&encode(&r)).unwrap();
        assert_eq!(back, r);
        let merged = merge(&[back.clone(), back], Some(d), &[30, 60]);
        assert_eq!(merged.inputs, [InputInfo { path: "a".into(), rows: 6 }]);
        assert_eq!(merged.totals.loans, 4);
        assert_eq!(merged.watch.entries.len(), 2);
        assert!(decode("{}").is_err());
    }
}
