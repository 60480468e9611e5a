//! `deficiency explain`: every rule considered for one loan, the facts it
//! used, what it decided and its citation, then the arithmetic — so a person
//! can check the decision by hand.

use crate::engine::{Assessment, Explanation, Step};
use crate::loan::Loan;
use crate::money;
use std::fmt::Write;

/// Renders an explanation as text.
pub fn render_text(
    loan: &Loan,
    row: u64,
    file: &str,
    as_of: chrono::NaiveDate,
    a: &Assessment,
    e: &Explanation,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Loan {} ({} row {}), {} on {}, judged as of {}",
        loan.loan_id,
        file,
        row,
        loan.event_type.name(),
        loan.event_date,
        as_of
    );
    let _ = writeln!(out, "\nRules considered, in decision order:");
    let mut n = 0;
    tree(&mut out, e, 1, &mut n);
    let _ = writeln!(out, "\nDecision: {} (primary reason {})", a.outcome.name(), a.primary().code());
    for r in &a.reasons {
        let _ = writeln!(out, "  - {}: {}", r.code(), r.citation());
    }
    if !a.flags.is_empty() {
        let _ = writeln!(out, "Flags:");
        for f in &a.flags {
            let _ = writeln!(out, "  - {}: {}", f.code(), f.meaning());
        }
    }
    let _ = writeln!(out, "\nArithmetic (money exact; results truncated to the cent, CCP 577.5):");
    let _ = writeln!(
        out,
        "  total_debt       = {} + {} + {} + {} = {}",
        money::fmt(loan.unpaid_principal),
        money::fmt(loan.accrued_interest),
        money::fmt(loan.advances),
        money::fmt(loan.costs),
        money::fmt(a.amounts.total_debt)
    );
    match loan.sale_price {
        Some(p) => {
            let _ = writeln!(
                out,
                "  gross_deficiency = max(0, {} - sale price {}) = {}",
                money::fmt(a.amounts.total_debt),
                money::fmt(p),
                money::fmt(a.amounts.gross)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  gross_deficiency = max(0, {} - surplus received {}) = {}",
                money::fmt(a.amounts.total_debt),
                money::fmt(loan.surplus_received),
                money::fmt(a.amounts.gross)
            );
        }
    }
    let _ = writeln!(out, "  recoverable      = {}", money::fmt(a.recoverable));
    let _ = writeln!(out, "  undetermined     = {}", money::fmt(a.undetermined));
    let _ = writeln!(
        out,
        "  barred           = gross {} - recoverable {} - undetermined {} = {}",
        money::fmt(a.amounts.gross),
        money::fmt(a.recoverable),
        money::fmt(a.undetermined),
        money::fmt(a.barred)
    );
    let _ = writeln!(out, "  surplus          = {}", money::fmt(a.amounts.surplus));
    let _ = writeln!(
        out,
        "  action_deadline  = {}",
        a.action_deadline.map(|d| d.to_string()).unwrap_or_else(|| "(none)".into())
    );
    let _ = writeln!(
        out,
        "  redemption_ends  = {}",
        a.redemption_ends.map(|d| d.to_string()).unwrap_or_else(|| "(none)".into())
    );
    out
}

fn step(out: &mut String, s: &Step, depth: usize, n: &mut usize) {
    *n += 1;
    let pad = "  ".repeat(depth);
    match (s.rule, s.citation) {
        (Some(code), Some(cite)) => {
            let _ = writeln!(out, "{pad}{n}. [{code}] {cite}");
        }
        _ => {
            let _ = writeln!(out, "{pad}{n}. [arithmetic]");
        }
    }
    let _ = writeln!(out, "{pad}   facts: {}", s.facts);
    let _ = writeln!(out, "{pad}   found: {}", s.finding);
}

fn tree(out: &mut String, e: &Explanation, depth: usize, n: &mut usize) {
    match e {
        Explanation::Steps { steps, result } => {
            for s in steps {
                step(out, s, depth, n);
            }
            let _ = writeln!(out, "{}=> {result}", "  ".repeat(depth));
        }
        Explanation::Branch { steps, question, answers, result } => {
            for s in steps {
                step(out, s, depth, n);
            }
            let pad = "  ".repeat(depth);
            let _ = writeln!(out, "{pad}?  {question}");
            for (label, sub) in answers {
                let _ = writeln!(out, "{pad}   if {label}:");
                let mut m = 0;
                tree(out, sub, depth + 2, &mut m);
            }
            let _ = writeln!(out, "{pad}=> {result}");
        }
    }
}

/// Renders an explanation as JSON.
pub fn render_json(loan: &Loan, row: u64, a: &Assessment, e: &Explanation) -> String {
    let v = serde_json::json!({
        "loan_id": loan.loan_id,
        "row": row,
        "outcome": a.outcome.name(),
        "primary_reason": a.primary().code(),
        "reasons": a.reasons.iter().map(|r| serde_json::json!({"code": r.code(), "citation": r.citation()})).collect::<Vec<_>>(),
        "flags": a.flags.iter().map(|f| f.code()).collect::<Vec<_>>(),
        "total_debt": money::fmt(a.amounts.total_debt),
        "gross_deficiency": money::fmt(a.amounts.gross),
        "recoverable": money::fmt(a.recoverable),
        "barred": money::fmt(a.barred),
        "undetermined": money::fmt(a.undetermined),
        "surplus": money::fmt(a.amounts.surplus),
        "action_deadline": a.action_deadline.map(|d| d.to_string()),
        "redemption_ends": a.redemption_ends.map(|d| d.to_string()),
        "steps": e,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// One loan explained: what `deficiency explain` prints as text and with
/// `--json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    pub text: String,
    pub json: String,
}

/// Why a loan could not be explained.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error("{0}")]
    Input(#[from] crate::input::InputError),
    /// The loan's row is rejected, as `assess` would reject it.
    #[error("{0}")]
    Rejected(Box<crate::input::Reject>),
    #[error("internal error (please report): {0}")]
    Internal(String),
}

/// Finds the first row of `src` whose `loan_id` is `loan_id` and explains
/// it as `deficiency explain` does; `None` when no row has that id.
pub fn find_and_explain(
    src: &mut dyn crate::input::RecordSource,
    loan_id: &str,
    env: crate::engine::Env,
    row_cx: crate::input::RowContext,
) -> Result<Option<Explained>, ExplainError> {
    use crate::input::Cells;
    use crate::input::values::Cell;
    let mut batch = crate::input::Batch::default();
    let mut fields = crate::input::Fields::default();
    let header = src.header().clone();
    let Some(id_col) = header.position(crate::loan::Field::LoanId) else { return Ok(None) };
    loop {
        let n = src.next_batch(&mut batch, 4096)?;
        if n == 0 {
            return Ok(None);
        }
        for i in 0..n {
            let rec = batch.get(i, &mut fields);
            if !matches!(rec.cell(id_col), Ok(Cell::Text(s)) if s == loan_id.trim()) {
                continue;
            }
            let parsed = header
                .parse_row(&rec, rec.row(), rec.line(), row_cx)
                .map_err(|r| ExplainError::Rejected(Box::new(r)))?;
            // On a thread with the workers' stack (see pipeline::WORKER_STACK).
            let (a, tree) = std::thread::scope(|s| {
                std::thread::Builder::new()
                    .stack_size(crate::pipeline::WORKER_STACK)
                    .spawn_scoped(s, || crate::engine::explain(&parsed.loan, env))
                    .map_err(|e| ExplainError::Internal(format!("cannot start a thread: {e}")))?
                    .join()
                    .map_err(|_| ExplainError::Internal("the explanation failed".into()))
            })?
            .map_err(|e| ExplainError::Internal(e.to_string()))?;
            return Ok(Some(Explained {
                text: render_text(&parsed.loan, rec.row(), &header.path, env.as_of, &a, &tree),
                json: render_json(&parsed.loan, rec.row(), &a, &tree),
            }));
        }
    }
}
