//! What a rule may ask of the engine while it decides one loan: the
//! environment ([`Env`]), the answers assumed on this branch and the
//! explanation being recorded ([`Ctx`]), and what a rule reports back
//! ([`Found`]). It lives below the rules so imports run one way:
//! engine → rules → loan, money, deadlines, settings.

use super::bankruptcy::Status;
use super::clock::TimeBar;
use super::questions::{Answers, Asks, Question};
use super::{Flag, Rule};
use crate::holidays::HolidayCalendar;
use crate::settings::Settings;
use chrono::NaiveDate;
use std::cell::Cell;

/// What the engine needs besides the loan: the law's settings, the court
/// calendar and the date deadlines are judged against.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub settings: &'a Settings,
    pub calendar: &'a HolidayCalendar,
    pub as_of: NaiveDate,
}

/// A rule needs the answer to a question the input leaves open. The engine
/// tries every answer and compares the results (docs/law.md, "missing:<column>").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ask(pub Question);

/// What a rule found: its code and what it does to the deficiency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found<T = ()> {
    pub rule: Rule,
    pub effect: Effect<T>,
    /// An advisory flag the finding carries, if any.
    pub flag: Option<Flag>,
}

/// What a finding does to the deficiency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect<T = ()> {
    /// Bars the whole deficiency (outcome `barred`).
    Bars,
    /// Leaves the deficiency to the rules after it, with what the rule
    /// worked out (e.g. the 580b(b) split that caps recovery).
    Limits(T),
    /// Opens a path of recovery named by the rule (an action on the note,
    /// a 726(b) application, a 580a action).
    Recovers,
}

impl<T> Found<T> {
    pub fn bars(rule: Rule) -> Found<T> {
        Found { rule, effect: Effect::Bars, flag: None }
    }
    pub fn recovers(rule: Rule) -> Found<T> {
        Found { rule, effect: Effect::Recovers, flag: None }
    }
    pub fn limits(rule: Rule, what: T) -> Found<T> {
        Found { rule, effect: Effect::Limits(what), flag: None }
    }
    pub fn with_flag(mut self, flag: Flag) -> Found<T> {
        self.flag = Some(flag);
        self
    }
    /// The finding bars the whole deficiency.
    pub fn is_bar(&self) -> bool {
        matches!(self.effect, Effect::Bars)
    }
}

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
    /// The questions read (one bit each) since [`Ctx::remember`] started
    /// watching.
    reads: Cell<u64>,
    /// What [`Ctx::remember`] keeps across the evaluations of one loan.
    kept: Vec<Kept>,
}

/// Every question fits in the bit set of [`Ctx`]'s reads.
const _: () = assert!(Question::COUNT <= 64);

/// A step's result kept for one key, with the questions the step read and
/// the answers it found to them.
struct Kept {
    key: Key,
    reads: u64,
    answers: [Option<u8>; Question::COUNT],
    result: Result<TimeBar, Ask>,
}

/// What a path's clock depends on besides the loan and the answers it reads:
/// which clock (a small number the engine chooses), the bankruptcy status
/// and the date the claim is judged at.
pub type Key = (u8, Status, NaiveDate);

impl<'a> Ctx<'a> {
    pub fn new(env: Env<'a>, tracing: bool) -> Ctx<'a> {
        Ctx {
            env,
            answers: [None; Question::COUNT],
            tracing,
            quiet: 0,
            steps: Vec::new(),
            reads: Cell::new(0),
            kept: Vec::new(),
        }
    }

    /// Runs the clock step `f` for `key`, or returns what an earlier
    /// evaluation of the same loan got for the same key when every question
    /// that evaluation's step read has the same answer now. The engine
    /// re-evaluates a loan once per answer to each open question; the
    /// clock (a note's installments, one period each) is the costly step,
    /// and most questions asked before it do not reach it. Exact: `f` sees
    /// nothing but the loan, the environment, `key` and the answers it
    /// asks for. Not used while explaining (the steps must be recorded) or
    /// before any question is open (the step runs once).
    pub fn remember(&mut self, key: Key, f: impl FnOnce(&mut Ctx<'a>) -> Result<TimeBar, Ask>) -> Result<TimeBar, Ask> {
        if self.tracing || self.answers.iter().all(Option::is_none) {
            return f(self);
        }
        let answers = &self.answers;
        let same = |k: &Kept| {
            k.key == key && (0..Question::COUNT).all(|i| k.reads & (1 << i) == 0 || k.answers[i] == answers[i])
        };
        if let Some(k) = self.kept.iter().find(|k| same(k)) {
            let (reads, result) = (k.reads, k.result.clone());
            self.reads.set(self.reads.get() | reads);
            return result;
        }
        let outer = self.reads.replace(0);
        let result = f(self);
        let reads = self.reads.get();
        self.reads.set(outer | reads);
        self.kept.push(Kept { key, reads, answers: self.answers, result: result.clone() });
        result
    }

    pub fn settings(&self) -> &'a Settings {
        self.env.settings
    }

    /// The answer this branch assumes for question `Q`, by name, or
    /// `Err(Ask(..))` so the engine can try each answer.
    pub fn ask<Q: Asks>(&self, _q: Q) -> Result<Q::Answer, Ask> {
        self.reads.set(self.reads.get() | 1u64 << Q::ID as u32);
        match self.answers[Q::ID as usize] {
            Some(i) => Ok(<Q::Answer as Answers>::from_index(i)),
            None => Err(Ask(Q::ID)),
        }
    }

    /// Fixes (or clears) answer number `a` to `q` on this branch.
    pub fn set_answer(&mut self, q: Question, a: Option<u8>) {
        self.answers[q as usize] = a;
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

    /// Whether steps are being recorded (build explanation text only then).
    pub fn tracing(&self) -> bool {
        self.tracing && self.quiet == 0
    }

    /// Takes the steps recorded so far.
    pub fn take_steps(&mut self) -> Vec<Step> {
        std::mem::take(&mut self.steps)
    }
}
