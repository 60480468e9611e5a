//! The Markdown report: the JSON report's tables, for people.

use super::watch::{Entry, LIST_LIMIT, Watch};
use super::{Group, Report};
use crate::money;
use std::fmt::Write;

/// One table row; with `agency`, the agency's own net loss beside ours.
fn row(out: &mut String, key: &str, g: &Group, agency: bool) {
    let _ = write!(
        out,
        "| {} | {} | {} | {} | {} | {} |",
        key.replace('|', "\\|"),
        g.loans,
        money::fmt(g.gross),
        money::fmt(g.recoverable),
        money::fmt(g.barred),
        money::fmt(g.undetermined)
    );
    if agency {
        let _ = write!(out, " {} | {} |", g.agency_loans, money::fmt(g.agency_net_loss));
    }
    out.push('\n');
}

/// The deadline watch: windows, the loans to act on, the loans lost.
fn watch(out: &mut String, w: &Watch) {
    let _ = writeln!(out, "\n## Deadline watch\n");
    let _ = writeln!(out, "| within | loans | amount at stake |");
    let _ = writeln!(out, "|---|---:|---:|");
    for x in w.windows() {
        let _ = writeln!(out, "| {} days | {} | {} |", x.days, x.loans, money::fmt(x.amount));
    }
    let lost = w.lost_total();
    let _ = writeln!(out, "| lost in the last {} days | {} | {} |", lost.days, lost.loans, money::fmt(lost.amount));
    let list = |out: &mut String, title: &str, entries: Vec<&Entry>| {
        if entries.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n### {title}\n");
        let _ = writeln!(out, "| loan_id | outcome | primary reason | amount at stake | action deadline | days left |");
        let _ = writeln!(out, "|---|---|---|---:|---|---:|");
        for e in entries.iter().take(LIST_LIMIT) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                e.loan_id.replace('|', "\\|"),
                e.outcome.name(),
                e.primary.code(),
                money::fmt(e.amount),
                e.deadline,
                w.days_left(e)
            );
        }
        if entries.len() > LIST_LIMIT {
            let _ = writeln!(out, "\nand {} more (the JSON report lists every one).", entries.len() - LIST_LIMIT);
        }
    };
    list(out, "To act on", w.upcoming().collect());
    list(out, "Lost this month", w.lost().collect());
}

/// Renders the Markdown report.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Deficiency screening report\n");
    let _ = writeln!(out, "- as of: {}", r.as_of.map(|d| d.to_string()).unwrap_or_else(|| "(merged results)".into()));
    let _ = writeln!(out, "- tool version: {}", env!("CARGO_PKG_VERSION"));
    for i in &r.inputs {
        let _ = writeln!(out, "- input: `{}` ({} rows)", i.path, i.rows);
    }
    let _ = writeln!(out, "- rows read {}, assessed {}, rejected {}", r.rows.read, r.rows.assessed, r.rows.rejected);
    if let Some((v, a, b)) = &r.calendar {
        let _ = writeln!(out, "- holiday calendar {v} ({a}-{b})");
    }
    if r.watch.as_of.is_some() {
        watch(&mut out, &r.watch);
    }
    let t = &r.totals;
    let _ = writeln!(out, "\n## Totals\n");
    let _ = writeln!(out, "| loans | total debt | gross deficiency | recoverable | barred | undetermined |");
    let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} |",
        t.loans,
        money::fmt(t.total_debt),
        money::fmt(t.gross),
        money::fmt(t.recoverable),
        money::fmt(t.barred),
        money::fmt(t.undetermined)
    );
    for (name, rows) in r.dimensions() {
        let title = name.trim_start_matches("by_").replace('_', " ");
        let _ = writeln!(out, "\n## By {title}\n");
        let agency = r.totals.agency_loans > 0;
        if agency {
            let _ = writeln!(
                out,
                "| {title} | loans | gross deficiency | recoverable | barred | undetermined | loans with agency loss | agency net loss |"
            );
            let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|");
        } else {
            let _ = writeln!(out, "| {title} | loans | gross deficiency | recoverable | barred | undetermined |");
            let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
        }
        for (k, g) in &rows {
            row(&mut out, k, g, agency);
        }
    }
    if !r.not_assessed.is_empty() {
        let _ = writeln!(out, "\n## Read but not assessed\n");
        for (k, n) in &r.not_assessed {
            let _ = writeln!(out, "- {k}: {n}");
        }
    }
    if !r.settings.is_empty() {
        let _ = writeln!(out, "\n## Settings\n");
        for (k, v) in &r.settings {
            let _ = writeln!(out, "- `{k}` = `{v}`");
        }
    }
    let _ = writeln!(out, "\nThis is a screening aid, not legal advice.");
    out
}
