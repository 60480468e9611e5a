//! The reports of `deficiency diff` (README "deficiency diff"): JSON (every
//! changed loan, streamed), Markdown and a self-contained HTML page (the
//! first [`super::LISTED`] changed loans, then "and N more").

use super::{Change, DiffSummary, Kind, Totals, cents, change_cell};
use crate::report::read::Compact;
use serde_json::{Value, json};
use std::fmt::Write;

/// The schema version of the diff JSON report.
pub const SCHEMA_VERSION: u32 = 1;

fn side(path: &str, as_of: Option<chrono::NaiveDate>, t: &Totals) -> Value {
    json!({
        "path": path,
        "as_of": as_of.map(|d| d.to_string()),
        "loans": t.loans,
        "gross_deficiency": cents(t.gross),
        "recoverable": cents(t.recoverable),
        "barred": cents(t.barred),
        "undetermined": cents(t.undetermined),
    })
}

fn row(c: &Option<Compact>) -> Value {
    match c {
        None => Value::Null,
        Some(c) => json!({
            "outcome": c.outcome.name(),
            "primary_reason": c.primary.code(),
            "action_deadline": c.deadline.map(|d| d.to_string()),
            "gross_deficiency": cents(c.gross.into()),
            "recoverable": cents(c.recoverable.into()),
            "barred": cents(c.barred.into()),
            "undetermined": cents(c.undetermined.into()),
        }),
    }
}

/// The JSON report up to its `changes` array, which the changes follow
/// ([`json_change`]) and [`json_tail`] closes.
pub fn json_head(s: &DiffSummary) -> String {
    let by_kind: serde_json::Map<String, Value> =
        Kind::ALL.iter().zip(s.by_kind).map(|(k, n)| (k.name().to_string(), json!(n))).collect();
    let v = json!({
        "schema_version": SCHEMA_VERSION,
        "tool_version": env!("CARGO_PKG_VERSION"),
        "old": side(&s.old_path, s.old_as_of, &s.old),
        "new": side(&s.new_path, s.new_as_of, &s.new),
        "deadline_passed_judged": s.old_as_of.is_some() && s.new_as_of.is_some(),
        "changed": s.changed,
        "by_change": by_kind,
    });
    let mut t = serde_json::to_string_pretty(&v).unwrap_or_default();
    // `...\n}`: reopen the object for the array.
    t.truncate(t.len().saturating_sub(2));
    t.push_str(",\n  \"changes\": [");
    t
}

/// One changed loan in the JSON report's `changes` array.
pub fn json_change(ch: &Change, first: bool) -> String {
    let v = json!({
        "loan_id": ch.loan_id(),
        "change": super::kinds_of(ch.kinds).map(Kind::name).collect::<Vec<_>>(),
        "old": row(&ch.old),
        "new": row(&ch.new),
    });
    format!("{}\n    {}", if first { "" } else { "," }, serde_json::to_string(&v).unwrap_or_default())
}

/// Closes the JSON report after `n` changes.
pub fn json_tail(n: u64) -> &'static str {
    if n == 0 { "]\n}\n" } else { "\n  ]\n}\n" }
}

fn side_cells(c: &Option<Compact>) -> [String; 4] {
    match c {
        None => Default::default(),
        Some(c) => [
            c.outcome.name().to_string(),
            c.primary.code().into_owned(),
            c.deadline.map(|d| d.to_string()).unwrap_or_default(),
            cents(c.recoverable.into()),
        ],
    }
}

/// The totals table rows: (label, old, new, change).
fn totals_rows(s: &DiffSummary) -> Vec<[String; 4]> {
    let money = |label: &str, a: i128, b: i128| [label.to_string(), cents(a), cents(b), cents(b - a)];
    let (o, n) = (&s.old, &s.new);
    vec![
        ["loans".into(), o.loans.to_string(), n.loans.to_string(), (n.loans as i128 - o.loans as i128).to_string()],
        money("gross deficiency", o.gross, n.gross),
        money("recoverable", o.recoverable, n.recoverable),
        money("barred", o.barred, n.barred),
        money("undetermined", o.undetermined, n.undetermined),
    ]
}

fn as_of_text(d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "not given".into(), |d| d.to_string())
}

const LISTED_HEADER: [&str; 10] = [
    "loan_id",
    "change",
    "old outcome",
    "new outcome",
    "old primary reason",
    "new primary reason",
    "old deadline",
    "new deadline",
    "old recoverable",
    "new recoverable",
];

fn listed_cells(ch: &Change) -> Vec<String> {
    let (o, n) = (side_cells(&ch.old), side_cells(&ch.new));
    let mut v = vec![ch.loan_id().to_string(), change_cell(ch.kinds)];
    for (a, b) in o.into_iter().zip(n) {
        v.push(a);
        v.push(b);
    }
    v
}

fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The Markdown report.
pub fn markdown(s: &DiffSummary, listed: &[Change]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Deficiency results: what changed\n");
    let _ = writeln!(out, "- old: `{}` (as of {})", s.old_path, as_of_text(s.old_as_of));
    let _ = writeln!(out, "- new: `{}` (as of {})", s.new_path, as_of_text(s.new_as_of));
    let _ = writeln!(out, "- tool version: {}", env!("CARGO_PKG_VERSION"));
    if s.old_as_of.zip(s.new_as_of).is_none() {
        let _ = writeln!(out, "- deadlines passed between the runs are not judged (both as-of dates are needed)");
    }
    let _ = writeln!(out, "\n## Totals\n\n| | old | new | change |\n|---|---:|---:|---:|");
    for r in totals_rows(s) {
        let _ = writeln!(out, "| {} | {} | {} | {} |", r[0], r[1], r[2], r[3]);
    }
    let _ = writeln!(out, "\n## Changes\n\n| change | loans |\n|---|---:|");
    for (k, n) in Kind::ALL.iter().zip(s.by_kind) {
        let _ = writeln!(out, "| {} | {n} |", k.name());
    }
    let _ = writeln!(out, "| any | {} |", s.changed);
    let _ = writeln!(out, "\n## Changed loans\n");
    if listed.is_empty() {
        let _ = writeln!(out, "None.");
    } else {
        let _ = writeln!(out, "| {} |", LISTED_HEADER.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(LISTED_HEADER.len()));
        for ch in listed {
            let cells: Vec<String> = listed_cells(ch).iter().map(|c| md_cell(c)).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        let more = s.changed.saturating_sub(listed.len() as u64);
        if more > 0 {
            let _ = writeln!(out, "\n…and {more} more (the CSV and JSON outputs list every changed loan).");
        }
    }
    let _ = writeln!(out, "\nThis is a screening aid, not legal advice.");
    out
}

/// `s` escaped for HTML text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:80em}\
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}\
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f2f2f2}\
p.note{color:#555}";

/// The HTML report: one self-contained page (no script, no external file).
pub fn html(s: &DiffSummary, listed: &[Change]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Deficiency results: what changed</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>Deficiency results: what changed</h1>\n"
    );
    let _ = writeln!(
        out,
        "<ul>\n<li>old: <code>{}</code> (as of {})</li>\n<li>new: <code>{}</code> (as of {})</li>\n<li>tool version: {}</li>\n</ul>",
        escape(&s.old_path),
        as_of_text(s.old_as_of),
        escape(&s.new_path),
        as_of_text(s.new_as_of),
        env!("CARGO_PKG_VERSION")
    );
    if s.old_as_of.zip(s.new_as_of).is_none() {
        let _ = writeln!(
            out,
            "<p class=\"note\">Deadlines passed between the runs are not judged (both as-of dates are needed).</p>"
        );
    }
    let _ = writeln!(out, "<h2>Totals</h2>\n<table>\n<tr><th></th><th>old</th><th>new</th><th>change</th></tr>");
    for r in totals_rows(s) {
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            r[0], r[1], r[2], r[3]
        );
    }
    let _ = writeln!(out, "</table>\n<h2>Changes</h2>\n<table>\n<tr><th>change</th><th>loans</th></tr>");
    for (k, n) in Kind::ALL.iter().zip(s.by_kind) {
        let _ = writeln!(out, "<tr><td>{}</td><td class=\"n\">{n}</td></tr>", k.name());
    }
    let _ = writeln!(out, "<tr><th>any</th><td class=\"n\">{}</td></tr>\n</table>", s.changed);
    let _ = writeln!(out, "<h2>Changed loans</h2>");
    if listed.is_empty() {
        let _ = writeln!(out, "<p>None.</p>");
    } else {
        let head: String = LISTED_HEADER.iter().map(|h| format!("<th>{h}</th>")).collect();
        let _ = writeln!(out, "<table>\n<tr>{head}</tr>");
        for ch in listed {
            let cells: String = listed_cells(ch).iter().map(|c| format!("<td>{}</td>", escape(c))).collect();
            let _ = writeln!(out, "<tr>{cells}</tr>");
        }
        let _ = writeln!(out, "</table>");
        let more = s.changed.saturating_sub(listed.len() as u64);
        if more > 0 {
            let _ = writeln!(out, "<p>…and {more} more (the CSV and JSON outputs list every changed loan).</p>");
        }
    }
    let _ = writeln!(out, "<p class=\"note\">This is a screening aid, not legal advice.</p>\n</body>\n</html>");
    out
}
