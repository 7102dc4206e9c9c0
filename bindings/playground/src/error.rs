//! What the playground refuses, with a stable code the page can switch on.

/// A refused call: bad scenario JSON, an invalid scenario, a malformed or diverging trace, or
/// a call the session's state does not allow. The session is unchanged after one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaygroundError {
    /// `scenario_json`, `scenario_invalid`, `trace_malformed`, `trace_diverged` or `finished`.
    pub code: &'static str,
    /// What is wrong, for a person.
    pub message: String,
}

impl PlaygroundError {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> PlaygroundError {
        PlaygroundError { code, message: message.into() }
    }
}

impl core::fmt::Display for PlaygroundError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for PlaygroundError {}
