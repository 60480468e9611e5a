//! What the engine knows, as data: every rule, flag, open question,
//! setting, input column and results column, and the holiday calendar —
//! the JSON `deficiency rules --json` prints (README "Rule codes",
//! "Flags", "Settings") and the Python package's `rules()` returns.

use crate::holidays::HolidayCalendar;
use crate::rules::{Flag, Rule};
use crate::settings::Settings;
use serde_json::{Value, json};

/// The catalogue with the values of `settings`.
pub fn rules_json(settings: &Settings) -> Value {
    let cal = HolidayCalendar::embedded();
    json!({
        "rules": Rule::ALL.iter().map(|r| json!({"code": r.code(), "step": r.step(), "kind": r.kind(), "citation": r.citation(), "summary": r.summary()})).collect::<Vec<_>>(),
        "missing_fact": {"code": "missing:<column>", "summary": "a fact the decision depends on is blank"},
        "flags": Flag::FIXED.iter().map(|f| json!({"code": f.code(), "meaning": f.meaning()})).collect::<Vec<_>>(),
        "settings": settings.docs().iter().map(|d| json!({"name": d.name, "value": d.value, "default": d.default, "meaning": d.meaning, "basis": d.basis})).collect::<Vec<_>>(),
        "input_columns": crate::loan::Field::ALL.iter().map(|f| json!({
            "name": f.name(),
            "kind": f.kind(),
            "required": crate::loan::Field::REQUIRED.contains(f),
            "extension": crate::loan::Field::EXTENSIONS.contains(f),
        })).collect::<Vec<_>>(),
        "result_columns": crate::output::Column::ALL.iter().map(|c| json!({"name": c.name(), "kind": c.kind()})).collect::<Vec<_>>(),
        "questions": crate::rules::Question::ALL.iter().map(|q| json!({
            "reason": q.reason().code(),
            "rank": q.def().rank,
            "citation": q.def().citation,
            "answers": q.labels(),
        })).collect::<Vec<_>>(),
        "holiday_calendar": {"version": cal.version(), "first_year": cal.first_year(), "last_year": cal.last_year()},
    })
}
