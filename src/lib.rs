//! `deficiency`: screens portfolios of foreclosed California mortgage loans
//! under California anti-deficiency law (CCP 580a, 580b, 580d, 580e, 726,
//! 337, the sold-out-junior cases, bankruptcy) and reports what may be
//! recovered, what is barred, and what needs a person.
//!
//! Layout: [`input`] reads rows into [`loan::Loan`]s; [`engine`] decides each
//! loan with the [`rules`]; [`deficiency`] does the arithmetic; [`output`]
//! writes per-loan results; [`report`] aggregates them; [`pipeline`] alone
//! knows the order of a run. [`cli`] turns arguments into [`pipeline`]
//! settings; `main.rs` only calls it.

pub mod allocator;
pub mod catalog;
pub mod cli;
pub mod dates;
pub mod deadlines;
pub mod deficiency;
pub mod diff;
pub mod engine;
pub mod explain;
pub mod formats;
pub mod generate;
pub mod hint;
pub mod holidays;
pub mod input;
pub mod loan;
pub mod money;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod rules;
pub mod settings;
