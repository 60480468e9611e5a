//! The JSON report (README "Reports"): money as strings with two decimals.

use super::watch::{Entry, Watch};
use super::{Group, Report};
use crate::money;
use serde_json::{Map, Value, json};

/// The schema version of the JSON report.
pub const SCHEMA_VERSION: u32 = 1;

fn group(key: Option<&str>, g: &Group) -> Value {
    let mut m = Map::new();
    if let Some(k) = key {
        m.insert("key".into(), json!(k));
    }
    m.insert("loans".into(), json!(g.loans));
    if key.is_none() {
        m.insert("total_debt".into(), json!(money::fmt(g.total_debt)));
    }
    m.insert("gross_deficiency".into(), json!(money::fmt(g.gross)));
    m.insert("recoverable".into(), json!(money::fmt(g.recoverable)));
    m.insert("barred".into(), json!(money::fmt(g.barred)));
    m.insert("undetermined".into(), json!(money::fmt(g.undetermined)));
    if g.agency_loans > 0 {
        m.insert("agency_loans".into(), json!(g.agency_loans));
        m.insert("agency_net_loss".into(), json!(money::fmt(g.agency_net_loss)));
    }
    Value::Object(m)
}

/// The deadline watch: each window's loans and amount at stake, every
/// watched loan, and the loans lost this month.
fn watch(w: &Watch) -> Value {
    let loan = |e: &Entry| {
        json!({
            "loan_id": e.loan_id,
            "row": e.row,
            "outcome": e.outcome.name(),
            "primary_reason": e.primary.code(),
            "amount_at_stake": money::fmt(e.amount),
            "action_deadline": e.deadline.to_string(),
            "days_left": w.days_left(e),
            "window_days": w.window_of(e),
        })
    };
    let lost = w.lost_total();
    json!({
        "as_of": w.as_of.map(|d| d.to_string()),
        "windows": w.windows().iter().map(|x| json!({
            "days": x.days,
            "loans": x.loans,
            "amount_at_stake": money::fmt(x.amount),
        })).collect::<Vec<_>>(),
        "loans": w.upcoming().map(loan).collect::<Vec<_>>(),
        "lost_this_month": {
            "days": lost.days,
            "loans": lost.loans,
            "amount_barred": money::fmt(lost.amount),
            "list": w.lost().map(loan).collect::<Vec<_>>(),
        },
    })
}

/// Renders the JSON report (pretty, with a trailing newline).
pub fn render(r: &Report) -> String {
    let mut m = Map::new();
    m.insert("schema_version".into(), json!(SCHEMA_VERSION));
    m.insert("tool_version".into(), json!(env!("CARGO_PKG_VERSION")));
    m.insert("as_of".into(), json!(r.as_of.map(|d| d.to_string())));
    m.insert("inputs".into(), json!(r.inputs));
    m.insert("rows".into(), json!(r.rows));
    m.insert("totals".into(), group(None, &r.totals));
    if r.watch.as_of.is_some() {
        m.insert("deadline_watch".into(), watch(&r.watch));
    }
    for (name, rows) in r.dimensions() {
        m.insert(name.into(), Value::Array(rows.iter().map(|(k, g)| group(Some(k), g)).collect()));
    }
    if !r.not_assessed.is_empty() {
        m.insert("not_assessed".into(), json!(r.not_assessed));
    }
    if !r.settings.is_empty() {
        m.insert("settings".into(), Value::Object(r.settings.iter().map(|(k, v)| (k.clone(), json!(v))).collect()));
    }
    if let Some(mapping) = &r.mapping {
        m.insert("mapping".into(), mapping.clone());
    }
    if let Some((version, first, last)) = &r.calendar {
        m.insert("holiday_calendar".into(), json!({"version": version, "first_year": first, "last_year": last}));
    }
    let mut s = serde_json::to_string_pretty(&Value::Object(m)).unwrap_or_default();
    s.push('\n');
    s
}
