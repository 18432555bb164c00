//! What each answer of the flow leads to, so that every request waits only for what it needs:
//! AS metadata → register → authorize → token → {use, refresh, code reuse, other-audience use}
//! → old refresh, with every other grant (PKCE, redirect URIs, low scope, DPoP) beside it.

use super::dpop::{Presentation, present};
use super::grant::{self, Ask, Redeem};
use super::vault::{Client, ClientAuth, Server};
use super::{Purpose, Step, Vault, parse_role};
use crate::capture::client::{Cred, Fetch};
use crate::capture::plan::Plan;
use crate::checks::Profile;
use crate::evidence::{Exchange, Role};
use crate::identifier::same_origin;
use crate::secret::Secret;
use serde_json::Value;
use url::Url;

/// The fetches the answer `ex` (in role `role`, among `found`) leads the OAuth client to.
pub fn follow_ups(plan: &Plan, role: &Role, ex: &Exchange, found: &[Exchange]) -> Vec<Fetch> {
    if !plan.opts.allow_side_effects {
        return Vec::new();
    }
    let vault = &plan.oauth;
    if let Role::Asm { issuer } = role {
        return start(plan, issuer, ex, found);
    }
    let Some((step, purpose)) = parse_role(role) else {
        return Vec::new();
    };
    let (Some(server), Some(client)) = (vault.server(), vault.client()) else {
        return Vec::new();
    };
    let flow = Flow {
        plan,
        vault,
        server,
        client,
        found,
    };
    match step {
        Step::Register if purpose == Purpose::RedirectControl => flow.redirect_probes(),
        // The insecure-redirect probe leads nowhere: its client, if any, is never used.
        Step::Register if purpose == Purpose::InsecureRedirect => Vec::new(),
        Step::Register => flow.authorizations(),
        Step::Authorize => flow.redeem(purpose),
        Step::Token if purpose == Purpose::Dpop && flow.vault.tokens(purpose).is_none() => {
            flow.dpop_nonce_retry(ex)
        }
        Step::Token => flow.after_token(purpose),
        Step::Refresh if purpose == Purpose::Main => flow.old_refresh(),
        _ => Vec::new(),
    }
}

/// The nonce a refused token request was asked to repeat with: a 400 `use_dpop_nonce` and one
/// `DPoP-Nonce` header (RFC 9449 §8).
fn nonce_asked(ex: &Exchange) -> Option<String> {
    if ex.status != Some(400) {
        return None;
    }
    let body: serde_json::Value = serde_json::from_slice(&ex.body).ok()?;
    if body.get("error").and_then(serde_json::Value::as_str) != Some("use_dpop_nonce") {
        return None;
    }
    let mut nonces = ex.headers("dpop-nonce");
    let nonce = nonces.next()?.trim().to_string();
    let nqchar = |c: char| matches!(c, '\x21' | '\x23'..='\x5B' | '\x5D'..='\x7E');
    (nonces.next().is_none() && !nonce.is_empty() && nonce.chars().all(nqchar)).then_some(nonce)
}

/// The revocation of every token minted (RFC 7009), once the run is otherwise done.
pub fn revocations(plan: &Plan) -> Vec<Fetch> {
    let vault = &plan.oauth;
    let (Some(server), Some(client)) = (vault.server(), vault.client()) else {
        return Vec::new();
    };
    let Some(url) = server.revoke else {
        return Vec::new();
    };
    let mut n = 0;
    vault
        .minted()
        .iter()
        .flat_map(|(p, t)| grant::revoke(vault, &url, &client, *p, t, &mut n))
        .collect()
}

/// The flow starts at the first AS metadata that names authorization and token endpoints on the
/// issuer's own origin (the client's secrets go nowhere else), with a client to run as.
fn start(plan: &Plan, issuer: &str, ex: &Exchange, found: &[Exchange]) -> Vec<Fetch> {
    let Some(doc) = object(ex) else {
        return Vec::new();
    };
    let Ok(iss) = Url::parse(issuer) else {
        return Vec::new();
    };
    let endpoint = |m: &str| {
        doc.get(m)
            .and_then(Value::as_str)
            .and_then(|s| Url::parse(s).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
    };
    let own = |m: &str| endpoint(m).filter(|u| same_origin(u, &iss));
    let (Some(authorize), Some(token)) =
        (endpoint("authorization_endpoint"), own("token_endpoint"))
    else {
        return Vec::new();
    };
    let list = |m: &str| -> Vec<String> {
        doc.get(m)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    };
    let server = Server {
        issuer: issuer.to_string(),
        authorize,
        token,
        revoke: own("revocation_endpoint"),
        dpop: list("dpop_signing_alg_values_supported")
            .iter()
            .any(|a| a == "ES256"),
        auth_methods: list("token_endpoint_auth_methods_supported"),
    };
    let Some(state) = plan.minted.as_ref().map(|m| m.state.clone()) else {
        return Vec::new();
    };
    let o = &plan.opts.oauth;
    let registration = own("registration_endpoint");
    let cimd = doc.get("client_id_metadata_document_supported") == Some(&Value::Bool(true));
    // MCP 2025-11-25 §Client Registration Approaches, in its order: pre-registered client
    // information, then a client ID metadata document where the AS supports them, then Dynamic
    // Client Registration "as a fallback" (MCP 2025-06-18 knows only DCR).
    // `--login` redirects to a listener's port, which the served document does not list.
    let cimd_first = (plan.opts.profile != Profile::Mcp
        || plan.opts.mcp_version >= crate::checks::McpVersion::V2025_11_25)
        && !plan.oauth.interactive();
    let document = plan.cimd.as_ref().filter(|_| cimd).map(|base| Client {
        id: crate::capture::cimd::client_document(base).to_string(),
        secret: None,
        auth: ClientAuth::None,
    });
    let client = match (&o.client_id, document, &registration) {
        (Some(id), _, _) => Some(given_client(id, o.client_secret.as_deref(), &server)),
        (None, Some(_), Some(_)) if !cimd_first => None,
        (None, Some(doc), _) => Some(doc),
        (None, None, Some(_)) => None,
        (None, None, None) => return Vec::new(),
    };
    if !plan.oauth.start(server.clone(), state) {
        return Vec::new();
    }
    // "All redirect URIs MUST be either `localhost` or use HTTPS" (MCP §Communication
    // Security): one registration asks for a URI that is neither, beside everything else.
    let insecure = registration.clone().map(|r| {
        grant::register(
            r,
            &Purpose::InsecureRedirect.redirect_uri(),
            Purpose::InsecureRedirect,
        )
    });
    let Some(client) = client else {
        let redirect = plan.oauth.redirect_uri(Purpose::Main);
        return registration
            .map(|r| grant::register(r, &redirect, Purpose::Main))
            .into_iter()
            .chain(insecure)
            .collect();
    };
    plan.oauth.set_client(client.clone());
    // "Authorization servers MUST validate exact redirect URIs against pre-registered values"
    // (MCP §Open Redirection): where the AS registers clients too, the redirect probes run as a
    // registered client, off the main grant's path; a document's own redirect URIs are
    // asm.cimd-validates' to judge.
    let mut out: Vec<Fetch> = insecure.into_iter().collect();
    if client.id.starts_with("http")
        && o.client_id.is_none()
        && let Some(r) = registration
    {
        plan.oauth.register_for_redirects();
        out.push(grant::register(
            r,
            &plan.oauth.redirect_uri(Purpose::Main),
            Purpose::RedirectControl,
        ));
    }
    let flow = Flow {
        plan,
        vault: &plan.oauth,
        server,
        client,
        found,
    };
    out.extend(flow.authorizations());
    out
}

/// A pre-registered client: confidential with a secret, authenticating as the AS lists
/// (`client_secret_basic` unless only `client_secret_post` is listed; RFC 8414 §2's default).
fn given_client(id: &str, secret: Option<&str>, server: &Server) -> Client {
    let post_only = server
        .auth_methods
        .iter()
        .any(|m| m == "client_secret_post")
        && !server
            .auth_methods
            .iter()
            .any(|m| m == "client_secret_basic");
    let secret = secret.filter(|s| !s.is_empty()).map(Secret::new);
    let auth = match (&secret, post_only) {
        (None, _) => ClientAuth::None,
        (Some(_), true) => ClientAuth::Post,
        (Some(_), false) => ClientAuth::Basic,
    };
    Client {
        id: id.to_string(),
        secret,
        auth,
    }
}

struct Flow<'a> {
    plan: &'a Plan<'a>,
    vault: &'a Vault,
    server: Server,
    client: Client,
    found: &'a [Exchange],
}

impl Flow<'_> {
    /// The resource identifier tokens are asked for: under MCP the server's own URL (its
    /// canonical URI: "MCP clients SHOULD provide the most specific URI that they can for the
    /// MCP server they intend to access", 2025-11-25 §Canonical Server URI), as the authorization
    /// probe sends it; otherwise the PRM's `resource`, else the URL checked.
    fn resource(&self) -> String {
        if self.plan.opts.profile == Profile::Mcp {
            return self.plan.resource.to_string();
        }
        prm_docs(self.found)
            .find_map(|o| o.get("resource").and_then(Value::as_str).map(String::from))
            .unwrap_or_else(|| self.plan.resource.to_string())
    }

    /// Every authorization request, all at once: the main grant and each probe's own.
    fn authorizations(&self) -> Vec<Fetch> {
        let Some(state) = self.vault.state_param() else {
            return Vec::new();
        };
        let resource = self.resource();
        let needed = needed_scope(self.found);
        let mut out = Vec::new();
        for purpose in self.purposes() {
            let Some(pkce) = self.vault.fresh_pkce(purpose) else {
                continue;
            };
            let other = (purpose == Purpose::OtherAudience)
                .then(|| self.other_resource())
                .flatten();
            let low = (purpose == Purpose::LowScope).then(|| reduced_scope(self.found));
            let ask = Ask {
                resource: other.as_deref().unwrap_or(&resource),
                scope: match &low {
                    Some(l) => l.as_deref(),
                    None => needed.as_deref(),
                },
                challenge: (purpose != Purpose::PkceAbsent).then_some(pkce.challenge.as_str()),
                state: &state,
            };
            out.push(grant::authorize(
                self.vault,
                &self.server,
                &self.client,
                purpose,
                &ask,
            ));
        }
        if self.client.secret.is_some() {
            out.push(grant::client_credentials(
                self.vault,
                &self.server,
                &self.client,
                &resource,
            ));
        }
        out
    }

    /// The registered client's proper authorization request and its redirect probes.
    fn redirect_probes(&self) -> Vec<Fetch> {
        let (Some(client), Some(state)) = (self.vault.registered(), self.vault.state_param())
        else {
            return Vec::new();
        };
        let resource = self.resource();
        let needed = needed_scope(self.found);
        [
            Purpose::RedirectControl,
            Purpose::RedirectPath,
            Purpose::RedirectQuery,
            Purpose::RedirectHost,
        ]
        .into_iter()
        .filter_map(|purpose| {
            let pkce = self.vault.fresh_pkce(purpose)?;
            let ask = Ask {
                resource: &resource,
                scope: needed.as_deref(),
                challenge: Some(&pkce.challenge),
                state: &state,
            };
            Some(grant::authorize(
                self.vault,
                &self.server,
                &client,
                purpose,
                &ask,
            ))
        })
        .collect()
    }

    /// The grants this run asks for: each probe only where its precondition holds.
    fn purposes(&self) -> Vec<Purpose> {
        // Signing in by hand gives one code: the main grant's. The probes need codes of their own.
        if self.vault.interactive() {
            return vec![Purpose::Main];
        }
        Purpose::ALL
            .into_iter()
            .filter(|p| match p {
                Purpose::OtherAudience => self.other_resource().is_some(),
                Purpose::LowScope => {
                    self.plan.opts.profile == Profile::Mcp && reduced_scope(self.found).is_some()
                }
                Purpose::Dpop => self.server.dpop,
                // OAuth 2.1 -13 §4.1.2.1 binds the AS for public clients without condition.
                Purpose::PkceAbsent => self.client.secret.is_none(),
                Purpose::ClientCredentials
                | Purpose::RedirectControl
                | Purpose::InsecureRedirect
                | Purpose::OtherClient => false,
                p if p.is_redirect_variant() => !self.vault.registers_for_redirects(),
                _ => true,
            })
            .collect()
    }

    /// `--other-resource`, else another resource the authorization server names: its metadata's
    /// `protected_resources` (RFC 9728 §4), then the APIs the resource's api-catalog lists
    /// (RFC 9727: each linkset context is an API the publisher offers).
    fn other_resource(&self) -> Option<String> {
        if let Some(u) = &self.plan.opts.oauth.other_resource {
            return Some(u.to_string());
        }
        let mine = self.resource();
        let trim = |s: &str| s.trim_end_matches('/').to_string();
        let issuer = &self.server.issuer;
        let named = self
            .found
            .iter()
            .filter(|e| {
                e.roles
                    .iter()
                    .any(|r| matches!(r, Role::Asm { issuer: i } if i == issuer))
            })
            .filter_map(object)
            .filter_map(|o| o.get("protected_resources")?.as_array().cloned())
            .flatten()
            .filter_map(|v| v.as_str().map(String::from));
        let listed = self
            .found
            .iter()
            .filter(|e| e.roles.iter().any(|r| matches!(r, Role::Catalog { .. })))
            .filter_map(object)
            .filter_map(|o| o.get("linkset")?.as_array().cloned())
            .flatten()
            .filter_map(|c| c.get("anchor")?.as_str().map(String::from));
        named
            .chain(listed)
            .filter(|a| Url::parse(a).is_ok_and(|u| matches!(u.scheme(), "http" | "https")))
            .find(|a| trim(a) != trim(&mine) && trim(a) != trim(self.plan.resource.as_str()))
    }

    /// The token request that redeems `purpose`'s code, as that purpose's probe redeems it.
    fn redeem(&self, purpose: Purpose) -> Vec<Fetch> {
        if purpose.is_redirect_variant() || purpose == Purpose::PkceAbsent {
            return Vec::new();
        }
        if purpose == Purpose::RedirectControl {
            return self.other_client_redeem();
        }
        let (Some(code), Some(pkce)) = (self.vault.code(purpose), self.vault.pkce(purpose)) else {
            return Vec::new();
        };
        let wrong = crate::secret::Pkce::fresh();
        let verifier = match purpose {
            Purpose::PkceMissing => None,
            Purpose::PkceWrong => match &wrong {
                Some(w) => {
                    self.vault.register(w.verifier.expose());
                    Some(w.verifier.expose())
                }
                None => return Vec::new(),
            },
            _ => Some(pkce.verifier.expose()),
        };
        let resource = match purpose {
            Purpose::OtherAudience => self.other_resource().unwrap_or_else(|| self.resource()),
            _ => self.resource(),
        };
        let dpop = match purpose {
            Purpose::Dpop => {
                let key = self.vault.dpop_key();
                let proof =
                    key.and_then(|k| super::dpop::proof(&k, "POST", &self.server.token, None));
                match proof {
                    Some(p) => Some(p),
                    None => return Vec::new(),
                }
            }
            _ => None,
        };
        let r = Redeem {
            code: &code,
            verifier,
            resource: &resource,
            dpop,
        };
        vec![grant::redeem(
            self.vault,
            &self.server,
            &self.client,
            purpose,
            Step::Token,
            &r,
        )]
    }

    /// The DPoP token request once more, with the nonce the AS asked for: RFC 9449 §8 "Upon
    /// receiving the nonce, the client is expected to retry its token request using a DPoP
    /// proof including the supplied nonce value". Once only: a second refusal stands.
    fn dpop_nonce_retry(&self, ex: &Exchange) -> Vec<Fetch> {
        let retried = ex
            .request_headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("dpop") && super::dpop::has_nonce(v));
        let Some(nonce) = nonce_asked(ex).filter(|_| !retried) else {
            return Vec::new();
        };
        let (Some(code), Some(pkce), Some(key)) = (
            self.vault.code(Purpose::Dpop),
            self.vault.pkce(Purpose::Dpop),
            self.vault.dpop_key(),
        ) else {
            return Vec::new();
        };
        let Some(proof) = super::dpop::proof_with_nonce(&key, "POST", &self.server.token, &nonce)
        else {
            return Vec::new();
        };
        let mut f = self.redeem_with(&code, &pkce, Purpose::Dpop, Step::Token, Some(proof));
        f.seq += 1;
        vec![f]
    }

    /// What a token answer leads to, by the grant it served.
    fn after_token(&self, purpose: Purpose) -> Vec<Fetch> {
        let Some(tokens) = self.vault.tokens(purpose) else {
            return Vec::new();
        };
        let token = tokens.access.expose();
        match purpose {
            Purpose::Main => {
                let mut out = self.valid_uses(token);
                if let Some(r) = &tokens.refresh {
                    out.push(grant::refresh(
                        self.vault,
                        &self.server,
                        &self.client,
                        r,
                        &self.resource(),
                        Step::Refresh,
                    ));
                }
                out
            }
            Purpose::CodeReuse => self.code_reuse(),
            Purpose::OtherAudience => {
                self.target_use("other-audience", 0, &format!("Bearer {token}"), None)
            }
            Purpose::LowScope => self.low_scope_uses(token),
            Purpose::Dpop => self.dpop_uses(token),
            _ => Vec::new(),
        }
    }

    /// The main token on each probed method: the valid-token probes (MCP), else one use of the
    /// first protected endpoint.
    fn valid_uses(&self, token: &str) -> Vec<Fetch> {
        if self.plan.opts.profile != Profile::Mcp {
            return self.target_use("main", 1, &format!("Bearer {token}"), None);
        }
        self.each_method(token, |endpoint| Role::ProbeValidToken { endpoint }, 0)
    }

    fn low_scope_uses(&self, token: &str) -> Vec<Fetch> {
        self.each_method(token, |endpoint| Role::ProbeLowScope { endpoint }, 1)
    }

    /// `token` as Bearer on each MCP method the run probes, in the role `role` makes.
    fn each_method(&self, token: &str, role: fn(String) -> Role, lane: u32) -> Vec<Fetch> {
        self.plan
            .mcp_methods()
            .iter()
            .enumerate()
            .map(|(n, m)| {
                let base = self.plan.mcp_request(m, n);
                let endpoint = crate::evidence::mcp_endpoint(self.plan.resource.path(), m);
                let n = u32::try_from(n).unwrap_or(0);
                Fetch {
                    role: role(endpoint),
                    cred: Cred::Minted,
                    forged: Some(format!("Bearer {token}")),
                    scope: None,
                    seq: super::seq(Step::Use, Purpose::Main, lane * 10 + n),
                    ..base
                }
            })
            .collect()
    }

    /// One use of the token target (the endpoint the token probes go to) with `authorization`.
    fn target_use(
        &self,
        what: &str,
        lane: u32,
        authorization: &str,
        dpop: Option<String>,
    ) -> Vec<Fetch> {
        let Some((_, base)) = self.plan.token_target(self.found) else {
            return Vec::new();
        };
        let mut headers = base.headers.clone();
        headers.extend(dpop.map(|p| ("dpop", p)));
        vec![Fetch {
            role: Role::OAuth {
                step: Step::Use.slug().into(),
                purpose: what.into(),
            },
            cred: Cred::Minted,
            forged: Some(authorization.to_string()),
            scope: None,
            headers,
            seq: super::seq(Step::Use, Purpose::OtherAudience, lane),
            ..base
        }]
    }

    /// The DPoP-bound token presented each way (RFC 9449 §4.3, §7.2) at the token target.
    fn dpop_uses(&self, token: &str) -> Vec<Fetch> {
        let (Some(key), Some((_, base))) =
            (self.vault.dpop_key(), self.plan.token_target(self.found))
        else {
            return Vec::new();
        };
        Presentation::ALL
            .into_iter()
            .zip(2..)
            .filter_map(|(how, lane)| {
                let (auth, proof) = present(how, &key, token, &base.method, &base.url)?;
                self.target_use(&format!("dpop-{}", how.slug()), lane, &auth, proof)
                    .into_iter()
                    .next()
            })
            .collect()
    }

    /// The registered client's redirect-control code (with its right verifier), redeemed by the
    /// main client: "ensure that the code was issued to `client_id` in the request" (OAuth 2.1
    /// -13 §4.1.3). Only where the main client is another one (a document's).
    fn other_client_redeem(&self) -> Vec<Fetch> {
        let (Some(code), Some(pkce), Some(owner)) = (
            self.vault.code(Purpose::RedirectControl),
            self.vault.pkce(Purpose::RedirectControl),
            self.vault.registered(),
        ) else {
            return Vec::new();
        };
        if owner.id == self.client.id {
            return Vec::new();
        }
        vec![self.redeem_with(&code, &pkce, Purpose::OtherClient, Step::Token, None)]
    }

    /// A token request for `code` with its right verifier, for this run's resource, labelled
    /// `purpose` and `step`: the requests that differ from a proper redemption only in who sends
    /// it, how often, or with which DPoP proof.
    fn redeem_with(
        &self,
        code: &Secret,
        pkce: &crate::secret::Pkce,
        purpose: Purpose,
        step: Step,
        dpop: Option<String>,
    ) -> Fetch {
        let resource = self.resource();
        let r = Redeem {
            code,
            verifier: Some(pkce.verifier.expose()),
            resource: &resource,
            dpop,
        };
        grant::redeem(self.vault, &self.server, &self.client, purpose, step, &r)
    }

    /// The reuse grant's code, redeemed a second time exactly as the first.
    fn code_reuse(&self) -> Vec<Fetch> {
        let (Some(code), Some(pkce)) = (
            self.vault.code(Purpose::CodeReuse),
            self.vault.pkce(Purpose::CodeReuse),
        ) else {
            return Vec::new();
        };
        vec![self.redeem_with(&code, &pkce, Purpose::CodeReuse, Step::CodeReuse, None)]
    }

    /// The main grant's first refresh token, replayed after its refresh answered.
    fn old_refresh(&self) -> Vec<Fetch> {
        let Some(first) = self.vault.tokens(Purpose::Main).and_then(|t| t.refresh) else {
            return Vec::new();
        };
        if self.vault.refreshed().is_none() {
            return Vec::new();
        }
        vec![grant::refresh(
            self.vault,
            &self.server,
            &self.client,
            &first,
            &self.resource(),
            Step::OldRefresh,
        )]
    }
}

fn object(ex: &Exchange) -> Option<&serde_json::Map<String, Value>> {
    if ex.status != Some(200) {
        return None;
    }
    ex.json().ok()?.value.as_object()
}

fn prm_docs(found: &[Exchange]) -> impl Iterator<Item = &serde_json::Map<String, Value>> {
    found
        .iter()
        .filter(|e| {
            e.roles
                .iter()
                .any(|r| matches!(r, Role::Prm | Role::PrmHinted { .. } | Role::PrmRoot))
        })
        .filter_map(object)
}

/// The scope the protected methods need: the 401 challenge's `scope` (what an MCP client asks
/// for first), else the PRM's `scopes_supported`.
fn needed_scope(found: &[Exchange]) -> Option<String> {
    challenge_scope(found).or_else(|| {
        prm_docs(found).find_map(|o| {
            let list: Vec<&str> = o
                .get("scopes_supported")?
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .collect();
            (!list.is_empty()).then(|| list.join(" "))
        })
    })
}

fn challenge_scope(found: &[Exchange]) -> Option<String> {
    crate::capture::plan::refusal_challenges(found)
        .find_map(|cs| {
            cs.iter()
                .flat_map(|c| c.params.iter())
                .find(|p| p.name.eq_ignore_ascii_case("scope"))
                .map(|p| p.value.clone())
        })
        .filter(|s| !s.trim().is_empty())
}

/// A scope the resource advertises that the challenge does not ask for: a token holding only it
/// lacks what the methods need. `None` when the challenge names no scope or every advertised
/// scope is needed.
fn reduced_scope(found: &[Exchange]) -> Option<String> {
    let needed = challenge_scope(found)?;
    let needed: Vec<&str> = needed.split_whitespace().collect();
    prm_docs(found).find_map(|o| {
        o.get("scopes_supported")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .find(|s| !needed.contains(s) && *s != "offline_access" && *s != "openid")
            .map(String::from)
    })
}
