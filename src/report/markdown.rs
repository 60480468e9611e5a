//! The Markdown report: the JSON report's tables, for people.

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
