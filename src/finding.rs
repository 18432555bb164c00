//! What one judge says about one subject: an outcome plus the Expected/Actual pair behind it.

use crate::evidence::Exchange;
use serde::{Deserialize, Serialize};

/// The outcome of a check (or of one finding within it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    Skip,
    Error,
}

/// Why a check was skipped: the difference between "not asked" and "could not be judged".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipKind {
    /// The input did not arrive (download failed, budget exhausted): a MUST skipped so is `incomplete`.
    NoInput,
    /// Skipped on purpose: not opted in, or an optional subject is absent.
    Chosen,
    /// The profile does not apply the row at all (hidden from default human output).
    NotApplied,
}

/// One judgement of one subject (a document, a key, an exchange).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub outcome: Outcome,
    pub skip: Option<SkipKind>,
    pub message: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
    /// Ids of the exchanges read.
    pub evidence: Vec<usize>,
    /// JSON pointer of the offending member, when there is one.
    pub pointer: Option<String>,
    /// The check whose failure this one follows from, when that check failed in the same run
    /// (root-cause attribution: a consequence is reported, not counted as another failure).
    pub because: Option<&'static str>,
}

impl Finding {
    fn new(outcome: Outcome, message: impl Into<String>) -> Self {
        Finding {
            outcome,
            skip: None,
            message: message.into(),
            expected: None,
            actual: None,
            evidence: Vec::new(),
            pointer: None,
            because: None,
        }
    }
    pub fn pass(message: impl Into<String>) -> Self {
        Self::new(Outcome::Pass, message)
    }
    pub fn fail(message: impl Into<String>) -> Self {
        Self::new(Outcome::Fail, message)
    }
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Outcome::Error, message)
    }
    /// The input this check needs did not arrive.
    pub fn no_input(message: impl Into<String>) -> Self {
        Finding {
            skip: Some(SkipKind::NoInput),
            ..Self::new(Outcome::Skip, message)
        }
    }
    /// Skipped on purpose (optional subject absent, not opted in, not applied).
    pub fn skip(message: impl Into<String>) -> Self {
        Finding {
            skip: Some(SkipKind::Chosen),
            ..Self::new(Outcome::Skip, message)
        }
    }
    pub fn expected(mut self, v: impl Into<String>) -> Self {
        self.expected = Some(v.into());
        self
    }
    pub fn actual(mut self, v: impl Into<String>) -> Self {
        self.actual = Some(v.into());
        self
    }
    /// Names an exchange this finding read.
    pub fn on(mut self, ex: &Exchange) -> Self {
        if !self.evidence.contains(&ex.id) {
            self.evidence.push(ex.id);
        }
        self
    }
    pub fn at(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }
    /// Names the check whose failure would explain this one; the run decides whether it did fail.
    pub fn because(mut self, check_id: &'static str) -> Self {
        self.because = Some(check_id);
        self
    }
    /// [`Finding::because`] when `cond` holds.
    pub fn because_if(self, cond: bool, check_id: &'static str) -> Self {
        if cond { self.because(check_id) } else { self }
    }

    /// How bad this finding is when several are combined into one result (worst wins).
    pub fn severity(&self) -> u8 {
        match (self.outcome, self.skip) {
            (Outcome::Fail, _) => 5,
            (Outcome::Error, _) => 4,
            (Outcome::Skip, Some(SkipKind::NoInput)) => 3,
            (Outcome::Pass, _) => 2,
            (Outcome::Skip, _) => 1,
        }
    }
}

/// A pass when `problems` is empty, else one failure per problem.
pub fn pass_or(problems: Vec<Finding>, pass: impl FnOnce() -> Finding) -> Vec<Finding> {
    if problems.is_empty() {
        vec![pass()]
    } else {
        problems
    }
}
