//! authspec: a conformance suite for agent-auth API deployments (RFC 9728, RFC 8414, JWKS, auth.md).
//!
//! Capture, then judge: [`capture`] records exchanges, [`checks`] judges them as pure functions,
//! [`report`] renders one result model. [`mock`] is the reference deployment the suite tests itself with.

pub mod capture;
pub mod capturefile;
pub mod checks;
pub mod config;
pub mod evidence;
pub mod finding;
pub mod identifier;
pub mod mock;
pub mod parse;
pub mod profile;
pub mod redact;
pub mod report;
pub mod requirements;
pub mod run;
pub mod scan;
pub mod secret;
pub mod select;
