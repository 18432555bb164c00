//! What the mock's AS remembers: registered clients, codes, grants with their refresh tokens,
//! and revoked access tokens. In memory, for the life of one mock.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// A client registered at `/oauth/register` (RFC 7591).
#[derive(Debug, Clone)]
pub struct Client {
    pub redirect_uris: Vec<String>,
    /// The client secret of a confidential client; `None` for a public one.
    pub secret: Option<String>,
}

/// An authorization code and the request it answered (OAuth 2.1 §4.1.3 binds them).
#[derive(Debug, Clone)]
pub struct Code {
    pub client_id: String,
    /// The `redirect_uri` the request named (OAuth 2.1 §4.1.1 lets a client with one registered
    /// URI leave it out; then the token request need not repeat it).
    pub redirect_uri: Option<String>,
    /// The S256 `code_challenge`, when the request carried one.
    pub challenge: Option<String>,
    pub scope: Vec<String>,
    /// The RFC 8707 resources the request named (all the AS serves when it named none).
    pub resources: Vec<String>,
    pub used: bool,
    /// When it was issued (seconds since the epoch): codes live [`CODE_TTL`] seconds.
    pub issued_at: u64,
}

/// How long a code may wait to be redeemed, in seconds (OAuth 2.1 §4.1.2: "A maximum
/// authorization code lifetime of 10 minutes is RECOMMENDED").
pub const CODE_TTL: u64 = 600;

/// One authorization grant: the tokens a code (or a client credentials request) led to.
#[derive(Debug, Clone)]
pub struct Grant {
    pub client_id: String,
    /// The user, or the client itself for `client_credentials`.
    pub subject: String,
    pub scope: Vec<String>,
    pub resources: Vec<String>,
    /// Revoked by a replayed refresh token or by RFC 7009 revocation.
    pub revoked: bool,
    /// The DPoP key its refresh tokens are bound to (RFC 9449 §5), when they are.
    pub jkt: Option<String>,
}

/// A refresh token: its grant, and whether it was already exchanged.
#[derive(Debug, Clone)]
pub struct Refresh {
    pub grant: usize,
    pub used: bool,
}

/// An issued access token, by `jti`: its grant and the resources it was issued for (what the
/// resource server consults when it checks the intended recipient otherwise than by `aud`).
#[derive(Debug, Clone)]
pub struct Access {
    pub grant: usize,
    pub resources: Vec<String>,
    pub revoked: bool,
}

/// The AS's tables, under one lock.
#[derive(Debug, Default)]
pub struct Tables {
    pub codes: HashMap<String, Code>,
    pub grants: Vec<Grant>,
    pub refresh: HashMap<String, Refresh>,
    pub access: HashMap<String, Access>,
}

impl Tables {
    /// Adds `grant` and returns its index.
    pub fn add_grant(&mut self, grant: Grant) -> usize {
        self.grants.push(grant);
        self.grants.len() - 1
    }

    /// Revokes grant `g`: its refresh tokens stop working, and with `access` its access tokens too.
    pub fn revoke_grant(&mut self, g: usize, access: bool) {
        if let Some(grant) = self.grants.get_mut(g) {
            grant.revoked = true;
        }
        if access {
            for a in self.access.values_mut().filter(|a| a.grant == g) {
                a.revoked = true;
            }
        }
    }
}

/// The AS's whole memory.
#[derive(Debug, Default)]
pub struct Store {
    /// Registered clients by `client_id`.
    pub clients: Mutex<HashMap<String, Client>>,
    pub tables: Mutex<Tables>,
    /// `jti`s of the DPoP proofs seen, at the token endpoint and the resource server alike.
    pub proofs: Mutex<HashSet<String>>,
}
