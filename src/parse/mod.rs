//! Total parsers for the wire formats authspec reads; none panics, each error carries a byte offset.

pub mod challenge;
pub mod dpop_nonce;
#[doc(hidden)]
pub mod fuzz;
pub mod json;
pub mod jsonpos;
pub mod link;
pub mod mediatype;
pub mod oas;
pub mod openapi;
pub mod ratelimit;
pub mod retry;
pub mod yaml;

/// Where and why a parser stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at byte {offset}")]
pub struct ParseError {
    /// Byte offset into the input where parsing stopped.
    pub offset: usize,
    /// What was expected there.
    pub message: String,
}

impl ParseError {
    pub(crate) fn at(offset: usize, message: impl Into<String>) -> Self {
        ParseError {
            offset,
            message: message.into(),
        }
    }
}
