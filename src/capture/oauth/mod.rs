//! authspec's own OAuth client (issue 19): with `--allow-side-effects` it registers a client,
//! obtains authorization codes and tokens from the authorization server the PRM names, uses them
//! at the resource, refreshes, and revokes what it minted. It records exchanges like every other
//! capture and judges nothing.
//!
//! Every value it is issued (client secret, code, access and refresh token) is registered as a
//! secret the moment its answer arrives (`capture::issued`), before anything records it; the clear
//! values live only in the [`Vault`], which the next request reads. Every request goes through the
//! capture engine, so the budget, the SSRF guard and the no-redirect rule hold for it too, and a
//! credential goes only to the origin it belongs to: tokens to the resource, client
//! authentication and grants to the authorization server's origin.

pub mod dpop;
mod flow;
mod grant;
pub mod login;
mod vault;

pub use flow::{follow_ups, revocations};
pub use vault::Vault;

use url::Url;

/// The redirect URI of authspec's OAuth client: loopback, as RFC 8252 §7.3 lets native clients
/// use. Nothing listens there: the authorization response is read from the `Location` of the
/// authorization server's redirect, which is recorded and never followed.
pub const REDIRECT: &str = "http://127.0.0.1/authspec-oauth/callback";

/// The redirect URI the registration probe asks for: neither https nor loopback, on a host that
/// can never resolve (RFC 6761 `.invalid`).
pub const INSECURE_REDIRECT: &str = "http://authspec-redirect-probe.invalid/callback";

/// First `seq` of the OAuth client's requests (distinct from every other repeat's range).
const SEQ: u32 = 3_000_000;

/// What the user told the OAuth client (`--client-id`, `--client-secret`, `--other-resource`).
/// Its `Debug` shows the secret as a fingerprint.
#[derive(Clone, Default)]
pub struct ClientOptions {
    /// A client registered beforehand (`--client-id`): no registration request is made.
    pub client_id: Option<String>,
    /// Its secret (`--client-secret`): a confidential client, which also asks for a
    /// `client_credentials` token.
    pub client_secret: Option<String>,
    /// Another resource of the same authorization server, for the other-audience token
    /// (`--other-resource`; else one the resource's api-catalog names).
    pub other_resource: Option<Url>,
    /// `--login`: sign in interactively through a loopback redirect listener, waiting this long.
    pub login: Option<std::time::Duration>,
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self
                    .client_secret
                    .as_deref()
                    .map(crate::secret::fingerprint),
            )
            .field("other_resource", &self.other_resource)
            .field("login", &self.login)
            .finish()
    }
}

/// Which grant an exchange serves: each is an authorization code of its own, so that no probe
/// (a reused code, a refused verifier) can spoil the tokens another one judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Purpose {
    /// The token for the resource: used, refreshed, its old refresh token replayed.
    Main,
    /// A code redeemed once, then again (OAuth 2.1 §4.1.3).
    CodeReuse,
    /// A code issued with a `code_challenge`, redeemed without `code_verifier`.
    PkceMissing,
    /// A code issued with a `code_challenge`, redeemed with another verifier.
    PkceWrong,
    /// A token for another resource of the same authorization server (RFC 8707), sent here.
    OtherAudience,
    /// A token with less scope than the probed methods need.
    LowScope,
    /// A DPoP-bound token (RFC 9449).
    Dpop,
    /// An authorization request whose `redirect_uri` has an extra path segment.
    RedirectPath,
    /// An authorization request whose `redirect_uri` has an added query.
    RedirectQuery,
    /// An authorization request whose `redirect_uri` names another host.
    RedirectHost,
    /// The registered client's proper authorization request, beside the redirect probes it makes
    /// when the main grant's client is known by its metadata document (no code is redeemed).
    RedirectControl,
    /// A `client_credentials` token (a confidential client only).
    ClientCredentials,
    /// An authorization request of the public client without `code_challenge` (OAuth 2.1 -13
    /// §4.1.2.1); its code, if one is issued, is never redeemed.
    PkceAbsent,
    /// A registration whose redirect URI is neither https nor loopback (MCP §Communication
    /// Security); the client it may create is never used.
    InsecureRedirect,
    /// The redirect-control grant's code (issued to the registered client) redeemed by the main
    /// client (OAuth 2.1 -13 §4.1.3).
    OtherClient,
}

impl Purpose {
    /// Every purpose, in report order.
    pub const ALL: [Purpose; 15] = [
        Purpose::Main,
        Purpose::CodeReuse,
        Purpose::PkceMissing,
        Purpose::PkceWrong,
        Purpose::OtherAudience,
        Purpose::LowScope,
        Purpose::Dpop,
        Purpose::RedirectPath,
        Purpose::RedirectQuery,
        Purpose::RedirectHost,
        Purpose::ClientCredentials,
        Purpose::RedirectControl,
        Purpose::PkceAbsent,
        Purpose::InsecureRedirect,
        Purpose::OtherClient,
    ];

    /// The name evidence roles use.
    pub fn slug(self) -> &'static str {
        match self {
            Purpose::Main => "main",
            Purpose::CodeReuse => "code-reuse",
            Purpose::PkceMissing => "pkce-missing",
            Purpose::PkceWrong => "pkce-wrong",
            Purpose::OtherAudience => "other-audience",
            Purpose::LowScope => "low-scope",
            Purpose::Dpop => "dpop",
            Purpose::RedirectPath => "redirect-path",
            Purpose::RedirectQuery => "redirect-query",
            Purpose::RedirectHost => "redirect-host",
            Purpose::ClientCredentials => "client-credentials",
            Purpose::RedirectControl => "redirect-control",
            Purpose::PkceAbsent => "pkce-absent",
            Purpose::InsecureRedirect => "dcr-insecure-redirect",
            Purpose::OtherClient => "other-client",
        }
    }

    /// The purpose named `slug`.
    pub fn from_slug(slug: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.slug() == slug)
    }

    /// Whether this purpose is an authorization request that must not be redirected.
    pub fn is_redirect_variant(self) -> bool {
        matches!(
            self,
            Purpose::RedirectPath | Purpose::RedirectQuery | Purpose::RedirectHost
        )
    }

    /// The `redirect_uri` this purpose's authorization request names.
    pub fn redirect_uri(self) -> String {
        match self {
            Purpose::RedirectPath => format!("{REDIRECT}/extra"),
            Purpose::RedirectQuery => format!("{REDIRECT}?authspec=extra"),
            Purpose::RedirectHost => "http://authspec.invalid/authspec-oauth/callback".into(),
            Purpose::InsecureRedirect => INSECURE_REDIRECT.into(),
            _ => REDIRECT.into(),
        }
    }

    fn index(self) -> u32 {
        Purpose::ALL
            .iter()
            .position(|p| *p == self)
            .and_then(|i| u32::try_from(i).ok())
            .unwrap_or(99)
    }
}

/// One exchange of the flow, as its role names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Register,
    Authorize,
    Token,
    Refresh,
    OldRefresh,
    CodeReuse,
    Use,
    Revoke,
}

impl Step {
    pub const ALL: [Step; 8] = [
        Step::Register,
        Step::Authorize,
        Step::Token,
        Step::Refresh,
        Step::OldRefresh,
        Step::CodeReuse,
        Step::Use,
        Step::Revoke,
    ];

    /// The name evidence roles use.
    pub fn slug(self) -> &'static str {
        match self {
            Step::Register => "register",
            Step::Authorize => "authorize",
            Step::Token => "token",
            Step::Refresh => "refresh",
            Step::OldRefresh => "old-refresh",
            Step::CodeReuse => "code-reuse",
            Step::Use => "use",
            Step::Revoke => "revoke",
        }
    }

    /// The step named `slug`.
    pub fn from_slug(slug: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.slug() == slug)
    }

    fn index(self) -> u32 {
        Step::ALL
            .iter()
            .position(|s| *s == self)
            .and_then(|i| u32::try_from(i).ok())
            .unwrap_or(9)
    }
}

/// The evidence role of `step` for `purpose`.
pub fn role(step: Step, purpose: Purpose) -> crate::evidence::Role {
    crate::evidence::Role::OAuth {
        step: step.slug().into(),
        purpose: purpose.slug().into(),
    }
}

/// The step and purpose an OAuth role names.
pub fn parse_role(role: &crate::evidence::Role) -> Option<(Step, Purpose)> {
    match role {
        crate::evidence::Role::OAuth { step, purpose } => {
            Some((Step::from_slug(step)?, Purpose::from_slug(purpose)?))
        }
        _ => None,
    }
}

/// The `seq` that keeps one request of the flow apart from every other to the same URL.
fn seq(step: Step, purpose: Purpose, n: u32) -> u32 {
    SEQ + purpose.index() * 1000 + step.index() * 100 + n.min(99)
}
