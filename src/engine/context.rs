//! What a rule may ask of the engine while it decides one loan.

use crate::holidays::HolidayCalendar;
use crate::rules::{Question, Rule};
use crate::settings::Settings;
use chrono::NaiveDate;

/// What the engine needs besides the loan: the law's settings, the court
/// calendar and the date deadlines are judged against.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub settings: &'a Settings,
    pub calendar: &'a HolidayCalendar,
    pub as_of: NaiveDate,
}

/// A rule needs the answer to a question the input leaves open. The engine
/// tries every answer and compares the results (SPEC §3 "Unknown facts").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ask(pub Question);

/// One line of an explanation: the rule considered, the facts it used, what
/// it found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    pub rule: Option<&'static str>,
    pub citation: Option<&'static str>,
    pub facts: String,
    pub finding: String,
}

/// The state of one evaluation: the environment, the answers assumed on this
/// branch, and (for `explain`) the steps taken.
pub struct Ctx<'a> {
    pub env: Env<'a>,
    answers: [Option<u8>; Question::COUNT],
    tracing: bool,
    quiet: u32,
    steps: Vec<Step>,
}

impl<'a> Ctx<'a> {
    pub fn new(env: Env<'a>, tracing: bool) -> Ctx<'a> {
        Ctx { env, answers: [None; Question::COUNT], tracing, quiet: 0, steps: Vec::new() }
    }

    pub fn settings(&self) -> &'a Settings {
        self.env.settings
    }

    /// The answer this branch assumes for `q`, or `Err(Ask(q))` so the engine
    /// can try each answer.
    pub fn ask(&self, q: Question) -> Result<u8, Ask> {
        self.answers[q.index()].ok_or(Ask(q))
    }

    /// Fixes (or clears) the answer to `q` on this branch.
    pub fn set_answer(&mut self, q: Question, a: Option<u8>) {
        self.answers[q.index()] = a;
    }

    /// Runs `f` to look at a fact without branching on it: an open question
    /// gives `None`. Used to list secondary reasons, never to decide.
    pub fn peek<T>(&mut self, f: impl FnOnce(&mut Ctx<'a>) -> Result<T, Ask>) -> Option<T> {
        self.quiet += 1;
        let r = f(self).ok();
        self.quiet -= 1;
        r
    }

    /// Records an explanation step (only built when explaining).
    pub fn note(&mut self, rule: Option<Rule>, facts: impl FnOnce() -> String, finding: impl FnOnce() -> String) {
        if self.tracing && self.quiet == 0 {
            self.steps.push(Step {
                rule: rule.map(Rule::code),
                citation: rule.map(Rule::citation),
                facts: facts(),
                finding: finding(),
            });
        }
    }

    /// Takes the steps recorded so far.
    pub fn take_steps(&mut self) -> Vec<Step> {
        std::mem::take(&mut self.steps)
    }
}
