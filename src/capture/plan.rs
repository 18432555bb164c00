//! What to fetch first and what each answer leads to: only URL extraction, never judgement.

use super::CaptureOptions;
use super::client::{Cred, Fetch};
use super::forge::Forgery;
use crate::checks::{McpVersion, Profile};
use crate::evidence::{Exchange, Role};
use crate::identifier::{ASM_SUFFIX, PRM_SUFFIX, well_known, well_known_unstripped};
use crate::parse::challenge;
use serde_json::Value;
use std::time::Duration;
use url::Url;

/// A protected endpoint given as `METHOD /path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub method: String,
    pub path: String,
}

impl std::str::FromStr for Endpoint {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (m, p) = s
            .trim()
            .split_once(' ')
            .ok_or_else(|| format!("{s:?} is not \"METHOD /path\""))?;
        let method = m.trim().to_ascii_uppercase();
        let path = p.trim().to_string();
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!("{m:?} is not an HTTP method"));
        }
        if !path.starts_with('/') {
            return Err(format!("{path:?} must start with '/'"));
        }
        Ok(Endpoint { method, path })
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// First `seq` of the MCP method probes (the burst uses 100 and up).
const MCP_METHOD_SEQ: u32 = 1_000_000;

/// `seq` of a keyed probe re-sent after a 429 (its repeat uses the next one).
const KEYED_RETRY_SEQ: u32 = 50;

/// Most operations taken from an OpenAPI description for unauthenticated probes.
const MAX_OPENAPI_PROBES: usize = 5;
/// Well-known suffix of the API catalog (RFC 9727).
pub const CATALOG_SUFFIX: &str = "api-catalog";
/// The well-known suffix of the A2A agent card (A2A v1.0 §8.2).
pub const AGENT_CARD_SUFFIX: &str = "agent-card.json";
const LINKSET: &str = "application/linkset+json, application/json;q=0.5";

/// The plan's view of one run.
pub struct Plan<'a> {
    pub resource: &'a Url,
    pub opts: &'a CaptureOptions,
    /// The base URL of the served client documents, when the CIMD probe runs.
    pub cimd: Option<Url>,
    /// This run's PKCE pair, `state` and nonce (registered secrets); without them (no OS
    /// randomness) no authorization request is made.
    pub minted: Option<crate::secret::Minted>,
    /// What authspec's OAuth client holds (`--allow-side-effects`).
    pub oauth: std::sync::Arc<super::oauth::Vault>,
}

fn origin_url(u: &Url) -> Url {
    let mut o = u.clone();
    o.set_path("/");
    o.set_query(None);
    o.set_fragment(None);
    o
}

fn origin_label(u: &Url) -> String {
    u.origin().ascii_serialization()
}

impl Plan<'_> {
    /// The fetches that need nothing but the resource URL; all of them start at once.
    pub fn initial(&self) -> Vec<Fetch> {
        let r = self.resource;
        let mut out = vec![Fetch::get(Role::Prm, well_known(r, PRM_SUFFIX))];
        let path = r.path();
        let origin = origin_url(r);
        if path != "/" && !path.is_empty() {
            out.push(Fetch::get(Role::PrmRoot, well_known(&origin, PRM_SUFFIX)));
            if path.ends_with('/') {
                out.push(Fetch::get(
                    Role::PrmUnstripped,
                    well_known_unstripped(r, PRM_SUFFIX),
                ));
            }
        }
        if self.opts.profile == Profile::AuthMd {
            out.push(Fetch::get(
                Role::AsmAtOrigin,
                well_known(&origin, ASM_SUFFIX),
            ));
        }
        let mut card = Fetch::get(Role::AgentCard, well_known(&origin, AGENT_CARD_SUFFIX));
        card.accept = Some("application/json");
        out.push(card);
        let mut origins = vec![origin];
        origins.extend(
            self.opts
                .site
                .iter()
                .map(origin_url)
                .filter(|o| o.origin() != r.origin()),
        );
        for o in origins {
            let url = well_known(&o, CATALOG_SUFFIX);
            let mut get = Fetch::get(
                Role::Catalog {
                    origin: origin_label(&o),
                },
                url.clone(),
            );
            get.accept = Some(LINKSET);
            let mut head = Fetch::get(
                Role::CatalogHead {
                    origin: origin_label(&o),
                },
                url,
            );
            head.method = "HEAD".into();
            head.accept = Some(LINKSET);
            out.extend([get, head]);
        }
        if let Some(u) = &self.opts.openapi {
            out.push(Fetch::get(
                Role::OpenApi {
                    found_via: "--openapi".into(),
                },
                u.clone(),
            ));
        }
        if self.opts.profile == Profile::Mcp && self.opts.endpoints.is_empty() {
            // The MCP probe: an unauthenticated initialize, as a Streamable HTTP client sends it.
            out.extend(self.mcp_probe());
            out.extend(self.transport_initial());
            return out;
        }
        let endpoints = self.user_endpoints();
        let named = !self.opts.endpoints.is_empty();
        for (i, (method, url)) in endpoints.into_iter().enumerate() {
            out.extend(self.probes(&method, url, None, named, i == 0));
        }
        out
    }

    /// The MCP probes: each JSON-RPC method as a Streamable HTTP client sends it, without
    /// credentials and with an invalid token.
    fn mcp_probe(&self) -> Vec<Fetch> {
        self.mcp_methods()
            .iter()
            .enumerate()
            .flat_map(|(i, m)| self.mcp_method_probe(m, i))
            .collect()
    }

    /// `--mcp-method`, or what a client of the version sends first.
    pub(super) fn mcp_methods(&self) -> Vec<String> {
        if self.opts.mcp_methods.is_empty() {
            super::default_mcp_methods(self.opts.mcp_version)
                .map(String::from)
                .to_vec()
        } else {
            self.opts.mcp_methods.clone()
        }
    }

    /// The unauthenticated POST of `method`, as a client of the version sends it; `n` tells it
    /// from the other methods' POSTs to the same URL.
    pub(super) fn mcp_request(&self, method: &str, n: usize) -> Fetch {
        let (body, headers) = mcp_message(self.opts.mcp_version, method, n + 1);
        let endpoint = crate::evidence::mcp_endpoint(self.resource.path(), method);
        Fetch {
            method: "POST".into(),
            body: Some(body),
            accept: Some("application/json, text/event-stream"),
            headers,
            // Requests are one fetch when method, URL, credential and seq agree: each JSON-RPC
            // method is its own request, in a range no other repeat uses.
            seq: MCP_METHOD_SEQ + u32::try_from(n).unwrap_or(u32::MAX - MCP_METHOD_SEQ),
            ..Fetch::get(Role::ProbeUnauth { endpoint }, self.resource.clone())
        }
    }

    /// One method's probes: without credentials, with an invalid token and, when one was given,
    /// with the valid credential (a refusal proves something only where it is accepted).
    fn mcp_method_probe(&self, method: &str, n: usize) -> Vec<Fetch> {
        let base = self.mcp_request(method, n);
        let endpoint = crate::evidence::mcp_endpoint(self.resource.path(), method);
        let mut out = vec![
            base.clone(),
            Fetch {
                role: Role::ProbeBadKey {
                    endpoint: endpoint.clone(),
                },
                cred: Cred::BadKey,
                ..base.clone()
            },
        ];
        if self.opts.api_key.is_some() {
            out.push(Fetch {
                role: Role::ProbeValidToken { endpoint },
                cred: Cred::Key,
                ..base
            });
        }
        out
    }

    fn user_endpoints(&self) -> Vec<(String, Url)> {
        if self.opts.endpoints.is_empty() {
            return vec![("GET".into(), self.resource.clone())];
        }
        self.opts
            .endpoints
            .iter()
            .filter_map(|e| {
                self.resource
                    .join(&e.path)
                    .ok()
                    .map(|u| (e.method.clone(), u))
            })
            .collect()
    }

    /// The unauthenticated, bad-key and (for the first endpoint) keyed probes of one endpoint.
    fn probes(
        &self,
        method: &str,
        url: Url,
        example: Option<Vec<u8>>,
        described: bool,
        keyed: bool,
    ) -> Vec<Fetch> {
        // Without a known endpoint the resource URL itself is probed; judges treat it as a guess.
        let endpoint = if described {
            format!("{method} {}", url.path())
        } else {
            format!("{method} {}{}", url.path(), crate::evidence::GUESSED)
        };
        let body = matches!(method, "POST" | "PUT" | "PATCH")
            .then(|| example.unwrap_or_else(|| b"{}".to_vec()));
        let base = Fetch {
            method: method.to_string(),
            body: body.clone(),
            ..Fetch::get(
                Role::ProbeUnauth {
                    endpoint: endpoint.clone(),
                },
                url,
            )
        };
        let mut out = vec![
            base.clone(),
            Fetch {
                role: Role::ProbeBadKey {
                    endpoint: endpoint.clone(),
                },
                cred: Cred::BadKey,
                ..base.clone()
            },
        ];
        // A body goes with the real key only to endpoints the user named or the API describes.
        if keyed && self.opts.api_key.is_some() && (body.is_none() || described) {
            out.push(Fetch {
                role: Role::ProbeAuth { endpoint },
                cred: Cred::Key,
                ..base
            });
        }
        out
    }

    /// The first endpoint keyed requests go to, as a fetch template.
    fn keyed_endpoint(&self) -> Option<Fetch> {
        let (method, url) = self.user_endpoints().into_iter().next()?;
        let body = matches!(method.as_str(), "POST" | "PUT" | "PATCH").then(|| b"{}".to_vec());
        if body.is_some() && self.opts.endpoints.is_empty() {
            return None;
        }
        Some(Fetch {
            method,
            body,
            cred: Cred::Key,
            ..Fetch::get(Role::BurstRetry, url)
        })
    }

    /// Fetches that wait until the discovery graph is done, stage by stage: first the token
    /// probes, whose forged tokens borrow the issuer and resource discovery found; then the burst,
    /// which spends quota and so must not starve anything else. `None` when no stage is left.
    pub fn after_discovery(&self, stage: usize, found: &[Exchange]) -> Option<Vec<Fetch>> {
        match stage {
            0 => Some(self.token_probes(found)),
            1 => Some(self.burst_start()),
            // authspec's OAuth client revokes what it minted once nothing uses it any more.
            2 => Some(super::oauth::revocations(self)),
            _ => None,
        }
    }

    fn burst_start(&self) -> Vec<Fetch> {
        if !self.opts.burst || self.opts.api_key.is_none() {
            return Vec::new();
        }
        self.keyed_endpoint()
            .map(|f| {
                vec![Fetch {
                    role: Role::Burst { n: 0 },
                    seq: 100,
                    ..f
                }]
            })
            .unwrap_or_default()
    }

    /// The endpoint token probes go to, as its unauthenticated fetch: the first endpoint that
    /// refused a request without credentials (401 or 403), a known one before the guessed resource
    /// URL; without one, the first endpoint probed, so the rows can say why nothing was proven.
    pub(super) fn token_target(&self, found: &[Exchange]) -> Option<(String, Fetch)> {
        let refused: Vec<(&Exchange, &str)> = found
            .iter()
            .filter(|e| matches!(e.status, Some(401 | 403)))
            .filter_map(|e| {
                e.roles.iter().find_map(|r| match r {
                    Role::ProbeUnauth { endpoint } => Some((e, endpoint.as_str())),
                    _ => None,
                })
            })
            .collect();
        let pick = refused
            .iter()
            .find(|(_, ep)| !ep.ends_with(crate::evidence::GUESSED))
            .or(refused.first());
        match pick {
            Some((ex, endpoint)) => self.replay_unauth(ex, endpoint),
            None => self.first_probe(),
        }
    }

    /// The unauthenticated request `ex` made to `endpoint`, to send again with other credentials.
    fn replay_unauth(&self, ex: &Exchange, endpoint: &str) -> Option<(String, Fetch)> {
        if let Some(m) = crate::evidence::mcp_method_of(endpoint) {
            let n = self.mcp_methods().iter().position(|x| x == m)?;
            return Some((endpoint.to_string(), self.mcp_request(m, n)));
        }
        let url = Url::parse(&ex.url).ok()?;
        let body = matches!(ex.method.as_str(), "POST" | "PUT" | "PATCH").then(|| b"{}".to_vec());
        let role = Role::ProbeUnauth {
            endpoint: endpoint.to_string(),
        };
        Some((
            endpoint.to_string(),
            Fetch {
                method: ex.method.clone(),
                body,
                ..Fetch::get(role, url)
            },
        ))
    }

    /// The first endpoint the plan probes without credentials.
    fn first_probe(&self) -> Option<(String, Fetch)> {
        let f = if self.opts.profile == Profile::Mcp && self.opts.endpoints.is_empty() {
            let methods = self.mcp_methods();
            let n = methods.len().checked_sub(1)?;
            self.mcp_request(&methods[n], n)
        } else {
            let (method, url) = self.user_endpoints().into_iter().next()?;
            let named = !self.opts.endpoints.is_empty();
            self.probes(&method, url, None, named, false)
                .into_iter()
                .next()?
        };
        match &f.role {
            Role::ProbeUnauth { endpoint } => Some((endpoint.clone(), f)),
            _ => None,
        }
    }

    /// The negative token probes (forged tokens, the key in the query string) and the
    /// low-scope probes of every MCP method.
    /// Sent early (the token gate) and asked again after discovery, they return only what a
    /// later answer added.
    fn token_probes(&self, found: &[Exchange]) -> Vec<Fetch> {
        if let Some(late) = self.late_token_probes(found) {
            return late;
        }
        let Some((endpoint, base)) = self.token_target(found) else {
            return Vec::new();
        };
        self.token_probes_at(found, endpoint, base)
    }

    /// The token probes sent to `endpoint`, whose unauthenticated fetch is `base`, borrowing the
    /// claims `found` holds so far.
    pub(super) fn token_probes_at(
        &self,
        found: &[Exchange],
        endpoint: String,
        base: Fetch,
    ) -> Vec<Fetch> {
        let claims = forge_claims(self.resource, found);
        let mut out: Vec<Fetch> = Forgery::ALL
            .into_iter()
            .map(|forgery| Fetch {
                role: Role::ProbeForged {
                    endpoint: endpoint.clone(),
                    forgery: forgery.slug().into(),
                },
                cred: Cred::Forged(forgery),
                forged: Some(super::forge::authorization(forgery, &claims)),
                ..base.clone()
            })
            .collect();
        if takes_dpop(found) {
            out.extend(dpop_probe(&endpoint, &base, &claims, Forgery::Dpop, None));
        }
        if self.opts.probe_query_key && self.opts.api_key.is_some() {
            out.push(Fetch {
                role: Role::ProbeQueryKey {
                    endpoint: endpoint.clone(),
                },
                cred: Cred::QueryKey,
                ..base.clone()
            });
        }
        if self.opts.low_scope_key.is_some() && self.opts.profile == Profile::Mcp {
            out.extend(self.mcp_methods().iter().enumerate().map(|(n, m)| {
                let f = self.mcp_request(m, n);
                Fetch {
                    role: Role::ProbeLowScope {
                        endpoint: crate::evidence::mcp_endpoint(self.resource.path(), m),
                    },
                    cred: Cred::LowScope,
                    ..f
                }
            }));
        }
        out
    }

    /// When the token probes went out before discovery was done: the DPoP forgery, if an answer
    /// that came after them (an OpenAPI-described endpoint's DPoP challenge) says the resource
    /// takes DPoP and it was not sent; `None` when no token probe was sent yet.
    /// Probes sent speculatively (beside their endpoint's unauthenticated probe) to an endpoint
    /// that then did not refuse it prove nothing: the whole set goes once more to the target the
    /// rule picks now, unless that is where they already went.
    fn late_token_probes(&self, found: &[Exchange]) -> Option<Vec<Fetch>> {
        let sent: Vec<(&Exchange, &str, &str)> = found
            .iter()
            .flat_map(|e| {
                e.roles.iter().filter_map(move |r| match r {
                    Role::ProbeForged { endpoint, forgery } => {
                        Some((e, endpoint.as_str(), forgery.as_str()))
                    }
                    _ => None,
                })
            })
            .collect();
        sent.first()?;
        let (ex, endpoint) = match sent.iter().find(|(_, ep, _)| refused(found, ep)) {
            Some(&(ex, ep, _)) => (ex, ep),
            None => match self.token_target(found) {
                Some((target, base)) => match sent.iter().find(|(_, ep, _)| *ep == target) {
                    Some(&(ex, ep, _)) => (ex, ep),
                    // The fallback: a 4th round trip, only when the speculation missed.
                    None => return Some(self.token_probes_at(found, target, base)),
                },
                None => return Some(Vec::new()),
            },
        };
        let dpop_sent = sent
            .iter()
            .any(|(_, ep, f)| *ep == endpoint && *f == Forgery::Dpop.slug());
        if dpop_sent || !takes_dpop(found) {
            return Some(Vec::new());
        }
        let claims = forge_claims(self.resource, found);
        let probe = self
            .replay_unauth(ex, endpoint)
            .and_then(|(_, base)| dpop_probe(endpoint, &base, &claims, Forgery::Dpop, None));
        Some(probe.into_iter().collect())
    }

    /// The DPoP forgery once more with the nonce the server asked for (RFC 9449 §9), so that a
    /// server that wants nonces still has to judge the token itself.
    fn dpop_retry(&self, endpoint: &str, ex: &Exchange) -> Option<Fetch> {
        if ex.status != Some(401)
            || !crate::parse::dpop_nonce::asks_for_nonce(ex.headers("www-authenticate"))
        {
            return None;
        }
        let nonce = crate::parse::dpop_nonce::supplied(ex.headers("dpop-nonce"))?;
        let claims = ex
            .request_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            .and_then(|(_, v)| super::forge::claims_of(v))?;
        let (_, base) = self.replay_unauth(ex, endpoint)?;
        dpop_probe(endpoint, &base, &claims, Forgery::DpopNonce, Some(nonce))
    }

    /// The authorization request of the client the DCR probe registered (its answer `ex`), as an
    /// MCP client makes it: PKCE S256, and under MCP the RFC 8707 `resource`.
    fn authz_probe(&self, issuer: &str, authorize: &str, ex: &Exchange) -> Option<Fetch> {
        if !ex.status.is_some_and(|s| (200..300).contains(&s)) {
            return None;
        }
        // RFC 7591 §3.2.1 answers 201, which `object` (200 only) would not read.
        let json = ex.json().ok()?;
        let client_id = json.value.get("client_id")?.as_str()?;
        let minted = self.minted.as_ref()?;
        let mut url = Url::parse(authorize).ok()?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", client_id)
                .append_pair("redirect_uri", AUTHZ_REDIRECT)
                .append_pair("state", minted.state.expose())
                .append_pair("code_challenge", &minted.pkce.challenge)
                .append_pair("code_challenge_method", "S256");
            if self.opts.profile == Profile::Mcp {
                q.append_pair("resource", self.resource.as_str());
            }
        }
        Some(Fetch {
            no_follow: true,
            accept: Some("text/html, application/json;q=0.9, */*;q=0.5"),
            ..Fetch::get(
                Role::AuthzProbe {
                    issuer: issuer.to_string(),
                },
                url,
            )
        })
    }

    /// The URLs an answer in `role` names, as further fetches.
    pub fn follow_ups(&self, role: &Role, ex: &Exchange) -> Vec<Fetch> {
        match role {
            Role::ProbeUnauth { .. } if ex.status == Some(401) => hinted(ex),
            Role::ProbeAuth { endpoint } if ex.status.is_some_and(|s| (200..300).contains(&s)) => {
                self.repeat(endpoint, ex)
            }
            // A keyed probe whose purpose is not the 429 waits out Retry-After once (a shared key
            // under parallel runs meets other runs' quota).
            Role::ProbeAuth { .. } | Role::ProbeAuthRepeat { .. } if ex.status == Some(429) => {
                self.retry_after_429(role, ex)
            }
            Role::Prm | Role::PrmHinted { .. } | Role::PrmRoot
                if self.opts.profile == Profile::Mcp =>
            {
                let mut out = issuers(ex);
                out.extend(oidc_locations(ex));
                out.extend(jwks(ex));
                out.extend(super::transport::cors_probes(ex));
                out
            }
            Role::Prm | Role::PrmHinted { .. } => {
                let mut out = issuers(ex);
                out.extend(jwks(ex));
                out
            }
            // An OIDC discovery document is AS metadata too: its jwks_uri is followed like any other.
            Role::AsmOidc { .. } => jwks(ex),
            Role::Asm { .. } | Role::AsmAtOrigin => {
                let mut out = jwks(ex);
                if self.opts.profile == Profile::AuthMd {
                    out.extend(skill(ex));
                }
                if let (Some(base), Some(minted), Role::Asm { issuer }) =
                    (&self.cimd, &self.minted, role)
                {
                    out.extend(cimd_probes(base, issuer, ex, minted));
                }
                if let (true, Role::Asm { issuer }) = (self.opts.allow_side_effects, role) {
                    out.extend(dcr_probe(issuer, ex));
                }
                out.extend(self.side_effects(role, ex));
                if self.opts.profile == Profile::Mcp {
                    out.extend(super::transport::cors_probes(ex));
                }
                out
            }
            Role::DcrProbe { issuer, authorize } => self
                .authz_probe(issuer, authorize, ex)
                .into_iter()
                .collect(),
            Role::Catalog { .. } => service_descs(ex),
            // Under the MCP profile the protected endpoint is the MCP server URL itself.
            Role::OpenApi { .. } if self.opts.profile != Profile::Mcp => self.openapi_probes(ex),
            Role::Burst { n } => self.burst_next(*n, ex),
            Role::ProbeForged { endpoint, forgery } if forgery == Forgery::Dpop.slug() => {
                self.dpop_retry(endpoint, ex).into_iter().collect()
            }
            Role::Revoke if ex.status.is_some_and(|s| (200..300).contains(&s)) => {
                self.revoked_probe()
            }
            Role::Transport { probe, .. } => self.transport_follow_ups(probe, ex),
            _ => Vec::new(),
        }
    }

    /// The second keyed request, paced by the first one's RateLimit fields when they say the
    /// window is spent (HARNESS-BUDGET).
    fn repeat(&self, endpoint: &str, ex: &Exchange) -> Vec<Fetch> {
        let Ok(url) = Url::parse(&ex.url) else {
            return Vec::new();
        };
        let rl = crate::parse::ratelimit::parse(&ex.response_headers);
        let spent = rl.limits.iter().any(|l| l.remaining == Some(0));
        let wait = rl
            .limits
            .iter()
            .filter_map(|l| l.reset)
            .max()
            .unwrap_or(1)
            .max(0) as u64;
        let asked_delay = if spent {
            Duration::from_secs(wait)
        } else {
            Duration::ZERO
        };
        vec![Fetch {
            role: Role::ProbeAuthRepeat {
                endpoint: endpoint.to_string(),
            },
            method: ex.method.clone(),
            body: matches!(ex.method.as_str(), "POST" | "PUT" | "PATCH").then(|| b"{}".to_vec()),
            cred: Cred::Key,
            seq: 1,
            delay: self.capped(asked_delay),
            asked_delay,
            ..Fetch::get(Role::BurstRetry, url)
        }]
    }

    /// The one re-send of a keyed probe that met a 429, after its Retry-After (default 1 s),
    /// capped by `--max-wait`. Its seq keeps it apart from the first send; a second 429 is final.
    fn retry_after_429(&self, role: &Role, ex: &Exchange) -> Vec<Fetch> {
        let Ok(url) = Url::parse(&ex.url) else {
            return Vec::new();
        };
        let wait = ex
            .header("retry-after")
            .and_then(crate::parse::retry::secs)
            .unwrap_or(1);
        let asked_delay = Duration::from_secs(wait);
        let seq = match role {
            Role::ProbeAuthRepeat { .. } => KEYED_RETRY_SEQ + 1,
            _ => KEYED_RETRY_SEQ,
        };
        vec![Fetch {
            role: role.clone(),
            method: ex.method.clone(),
            body: matches!(ex.method.as_str(), "POST" | "PUT" | "PATCH").then(|| b"{}".to_vec()),
            cred: Cred::Key,
            seq,
            delay: self.capped(asked_delay),
            asked_delay,
            ..Fetch::get(Role::BurstRetry, url)
        }]
    }

    fn capped(&self, d: Duration) -> Duration {
        d.min(self.opts.max_wait)
    }

    fn burst_next(&self, n: u32, ex: &Exchange) -> Vec<Fetch> {
        let Some(template) = self.keyed_endpoint() else {
            return Vec::new();
        };
        if ex.status == Some(429) {
            let wait = ex
                .header("retry-after")
                .and_then(crate::parse::retry::secs)
                .unwrap_or(1);
            return vec![Fetch {
                role: Role::BurstRetry,
                seq: 100 + n + 1,
                delay: self.capped(Duration::from_secs(wait)),
                asked_delay: Duration::from_secs(wait),
                ..template
            }];
        }
        if ex.status.is_none() || n + 1 >= self.opts.max_requests as u32 {
            return Vec::new();
        }
        vec![Fetch {
            role: Role::Burst { n: n + 1 },
            seq: 100 + n + 1,
            ..template
        }]
    }

    /// The register and revoke requests the agent_auth member of `ex` names. The disposable key
    /// goes with the revocation request only to the resource's origin or to the origin of the
    /// issuer whose metadata this is, which a PRM named (the engine refuses any other).
    fn side_effects(&self, role: &Role, ex: &Exchange) -> Vec<Fetch> {
        let Some(aa) = object(ex)
            .and_then(|o| o.get("agent_auth"))
            .and_then(Value::as_object)
        else {
            return Vec::new();
        };
        let url = |m: &str| {
            aa.get(m)
                .and_then(Value::as_str)
                .and_then(|s| Url::parse(s).ok())
                .filter(|u| matches!(u.scheme(), "http" | "https"))
        };
        let mut out = Vec::new();
        if self.opts.allow_side_effects {
            if let Some(u) = url("register_uri") {
                out.push(Fetch {
                    method: "POST".into(),
                    body: Some(br#"{"identity_type":"identity_assertion"}"#.to_vec()),
                    ..Fetch::get(Role::Register, u)
                });
            }
            if let (Some(u), true) = (url("revocation_uri"), self.opts.revocable_key.is_some()) {
                let issuer = match role {
                    Role::Asm { issuer } => Url::parse(issuer).ok(),
                    _ => None,
                };
                out.push(Fetch {
                    method: "POST".into(),
                    body: Some(b"{}".to_vec()),
                    cred: Cred::Revocable,
                    scope: issuer,
                    ..Fetch::get(Role::Revoke, u)
                });
            }
        }
        out
    }

    fn revoked_probe(&self) -> Vec<Fetch> {
        let Some(t) = self.keyed_endpoint() else {
            return Vec::new();
        };
        let endpoint = format!("{} {}", t.method, t.url.path());
        vec![Fetch {
            role: Role::RevokedProbe { endpoint },
            cred: Cred::Revocable,
            ..t
        }]
    }

    /// Unauthenticated and bad-key probes of secured GET/HEAD operations (others only with side
    /// effects allowed); no request here carries the real key.
    pub(super) fn openapi_probes(&self, ex: &Exchange) -> Vec<Fetch> {
        let Some(doc) = object(ex) else {
            return Vec::new();
        };
        let ops = crate::parse::openapi::secured_operations(doc);
        let server = server_base(doc, ex);
        let mut key_one = self.opts.endpoints.is_empty() && self.opts.api_key.is_some();
        ops.into_iter()
            .filter(|op| {
                matches!(op.method.as_str(), "GET" | "HEAD") || self.opts.allow_side_effects
            })
            .filter(|op| !op.path.contains('{'))
            .take(MAX_OPENAPI_PROBES)
            .filter_map(|op| {
                Url::parse(&format!("{}{}", server.trim_end_matches('/'), op.path))
                    .ok()
                    .map(|u| (op, u))
            })
            // Probes stay on the resource's origin: a description may not send us elsewhere.
            .filter(|(_, u)| u.origin() == self.resource.origin())
            .flat_map(|(op, url)| {
                // Without --endpoint the key also goes to the first secured GET the description
                // names (no body), so its acceptance can be told when the resource URL is no
                // endpoint at all.
                let keyed = key_one && op.method == "GET";
                key_one &= !keyed;
                self.probes(&op.method, url, op.example, true, keyed)
                    .into_iter()
                    .take(if keyed { 3 } else { 2 })
            })
            .collect()
    }
}

/// The first server URL of a description, resolved against where it was fetched (default "/").
fn server_base(doc: &serde_json::Map<String, Value>, ex: &Exchange) -> String {
    let first = doc
        .get("servers")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(|s| s.get("url"))
        .and_then(Value::as_str)
        .unwrap_or("/");
    Url::parse(&ex.url)
        .and_then(|b| b.join(first))
        .map(|u| u.to_string())
        .unwrap_or_default()
}

fn object(ex: &Exchange) -> Option<&serde_json::Map<String, Value>> {
    if ex.status != Some(200) {
        return None;
    }
    ex.json().ok()?.value.as_object()
}

fn hinted(ex: &Exchange) -> Vec<Fetch> {
    let Ok(challenges) = challenge::parse_fields(ex.headers("www-authenticate")) else {
        return Vec::new();
    };
    challenges
        .iter()
        .flat_map(|c| c.params.iter())
        .filter(|p| p.name.eq_ignore_ascii_case("resource_metadata"))
        .filter_map(|p| Url::parse(&p.value).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| {
            Fetch::get(
                Role::PrmHinted {
                    hinted_by: ex.url.clone(),
                },
                u,
            )
        })
        .collect()
}

/// The issuers a PRM names (at most eight, http(s) only), parsed.
fn named_issuers(ex: &Exchange) -> Vec<(String, Url)> {
    let Some(list) = object(ex)
        .and_then(|o| o.get("authorization_servers"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    list.iter()
        .filter_map(Value::as_str)
        .take(8)
        .filter_map(|i| {
            Url::parse(i)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .map(|u| (i.to_string(), u))
        })
        .collect()
}

fn issuers(ex: &Exchange) -> Vec<Fetch> {
    let mut out = Vec::new();
    for (issuer, u) in named_issuers(ex) {
        out.push(Fetch::get(
            Role::Asm {
                issuer: issuer.clone(),
            },
            well_known(&u, ASM_SUFFIX),
        ));
        if u.path() != "/" && u.path().ends_with('/') {
            out.push(Fetch::get(
                Role::AsmUnstripped { issuer },
                well_known_unstripped(&u, ASM_SUFFIX),
            ));
        }
    }
    out
}

/// OpenID Connect discovery for each issuer: the path-inserted and the appended form (for an
/// issuer without a path they are one URL).
fn oidc_locations(ex: &Exchange) -> Vec<Fetch> {
    let mut out = Vec::new();
    for (issuer, u) in named_issuers(ex) {
        let inserted = well_known(&u, "openid-configuration");
        let appended = Url::parse(&format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        ))
        .unwrap_or_else(|_| inserted.clone());
        out.push(Fetch::get(
            Role::AsmOidc {
                issuer: issuer.clone(),
                form: "inserted".into(),
            },
            inserted,
        ));
        out.push(Fetch::get(
            Role::AsmOidc {
                issuer,
                form: "appended".into(),
            },
            appended,
        ));
    }
    out
}

fn jwks(ex: &Exchange) -> Vec<Fetch> {
    object(ex)
        .and_then(|o| o.get("jwks_uri"))
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| {
            vec![Fetch::get(
                Role::Jwks {
                    named_by: ex.url.clone(),
                },
                u,
            )]
        })
        .unwrap_or_default()
}

/// Authorization requests naming the served client documents, to an AS that advertises
/// `client_id_metadata_document_supported: true`. Redirects are recorded, not followed: a redirect
/// to the requested redirect_uri is the evidence.
fn cimd_probes(
    base: &Url,
    issuer: &str,
    ex: &Exchange,
    minted: &crate::secret::Minted,
) -> Vec<Fetch> {
    use super::cimd::{Wrong, client_id, redirect_uri};
    let Some(doc) = object(ex) else {
        return Vec::new();
    };
    if doc.get("client_id_metadata_document_supported") != Some(&Value::Bool(true)) {
        return Vec::new();
    }
    let Some(endpoint) = doc
        .get("authorization_endpoint")
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
    else {
        return Vec::new();
    };
    Wrong::ALL
        .into_iter()
        .map(|w| {
            let mut url = endpoint.clone();
            url.query_pairs_mut()
                .append_pair("response_type", "code")
                .append_pair("client_id", client_id(base, w).as_str())
                .append_pair("redirect_uri", redirect_uri(base).as_str())
                .append_pair("state", minted.state.expose())
                .append_pair("code_challenge", &minted.pkce.challenge)
                .append_pair("code_challenge_method", "S256");
            Fetch {
                no_follow: true,
                accept: Some("text/html, application/json;q=0.9, */*;q=0.5"),
                ..Fetch::get(
                    Role::CimdProbe {
                        issuer: issuer.to_string(),
                        wrong: w.slug().into(),
                    },
                    url,
                )
            }
        })
        .collect()
}

/// The redirect URI of the authorization probe's client: loopback, as RFC 8252 §7.3 lets native
/// clients use. Nothing listens there; the redirect to it is recorded and never followed.
pub const AUTHZ_REDIRECT: &str = "http://127.0.0.1/authspec-authz/callback";

/// With `--allow-side-effects`, a public client registered at the AS the metadata `ex` describes
/// (RFC 7591), so that one authorization request can show what the AS answers (RFC 9207 `iss`).
fn dcr_probe(issuer: &str, ex: &Exchange) -> Vec<Fetch> {
    let Some(doc) = object(ex) else {
        return Vec::new();
    };
    let url = |m: &str| {
        doc.get(m)
            .and_then(Value::as_str)
            .and_then(|s| Url::parse(s).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
    };
    let (Some(register), Some(authorize)) =
        (url("registration_endpoint"), url("authorization_endpoint"))
    else {
        return Vec::new();
    };
    let body = serde_json::json!({
        "client_name": "authspec conformance probe",
        "redirect_uris": [AUTHZ_REDIRECT],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "application_type": "native",
    });
    vec![Fetch {
        method: "POST".into(),
        body: Some(body.to_string().into_bytes()),
        ..Fetch::get(
            Role::DcrProbe {
                issuer: issuer.to_string(),
                authorize: authorize.to_string(),
            },
            register,
        )
    }]
}

/// The auth.md document `agent_auth.skill` names (AA-URIS), when it is an http(s) URL.
fn skill(ex: &Exchange) -> Vec<Fetch> {
    object(ex)
        .and_then(|o| o.get("agent_auth"))
        .and_then(|a| a.get("skill"))
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| {
            let mut f = Fetch::get(
                Role::AgentSkill {
                    named_by: ex.url.clone(),
                },
                u,
            );
            f.accept = Some("text/markdown, text/plain;q=0.9, */*;q=0.1");
            vec![f]
        })
        .unwrap_or_default()
}

/// `service-desc` targets of a linkset catalog (at most two), resolved against the catalog URL.
fn service_descs(ex: &Exchange) -> Vec<Fetch> {
    let Some(sets) = object(ex)
        .and_then(|o| o.get("linkset"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let Ok(base) = Url::parse(&ex.url) else {
        return Vec::new();
    };
    sets.iter()
        .filter_map(|c| c.get("service-desc").and_then(Value::as_array))
        .flatten()
        .filter_map(|t| t.get("href").and_then(Value::as_str))
        .filter_map(|h| base.join(h).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .take(2)
        .map(|u| {
            Fetch::get(
                Role::OpenApi {
                    found_via: ex.url.clone(),
                },
                u,
            )
        })
        .collect()
}

/// Whether the resource says it takes DPoP-bound tokens: its PRM requires them or lists proof
/// algorithms, or one of its 401s challenges with the DPoP scheme. An AS that merely supports
/// DPoP says nothing about this resource, and a resource that does not speak DPoP may answer the
/// scheme any way it likes, so nothing else starts the DPoP probes.
fn takes_dpop(found: &[Exchange]) -> bool {
    let prm = |r: &Role| matches!(r, Role::Prm | Role::PrmHinted { .. } | Role::PrmRoot);
    let in_prm = found
        .iter()
        .filter(|e| e.roles.iter().any(prm))
        .filter_map(object)
        .any(|o| {
            o.get("dpop_bound_access_tokens_required") == Some(&Value::Bool(true))
                || o.contains_key("dpop_signing_alg_values_supported")
        });
    let challenged = refusal_challenges(found).any(|cs| cs.iter().any(|c| c.is("dpop")));
    in_prm || challenged
}

/// The challenges of each 401 that answered a request without credentials: what the resource
/// asks of a client (its schemes, `scope`, `resource_metadata`). A header that does not parse
/// gives none.
pub(crate) fn refusal_challenges(
    found: &[Exchange],
) -> impl Iterator<Item = Vec<challenge::Challenge>> + '_ {
    found
        .iter()
        .filter(|e| e.status == Some(401))
        .filter(|e| {
            e.roles
                .iter()
                .any(|r| matches!(r, Role::ProbeUnauth { .. }))
        })
        .filter_map(|e| challenge::parse_fields(e.headers("www-authenticate")).ok())
}

/// Whether `endpoint` refused its request without credentials (401 or 403) in `found`.
pub(super) fn refused(found: &[Exchange], endpoint: &str) -> bool {
    found
        .iter()
        .filter(|e| matches!(e.status, Some(401 | 403)))
        .any(|e| {
            e.roles
                .iter()
                .any(|r| matches!(r, Role::ProbeUnauth { endpoint: ep } if ep == endpoint))
        })
}

/// `base` sent with a DPoP-bound forgery and its proof.
fn dpop_probe(
    endpoint: &str,
    base: &Fetch,
    claims: &super::forge::Claims,
    forgery: Forgery,
    nonce: Option<&str>,
) -> Option<Fetch> {
    let (authorization, proof) = super::forge::dpop(claims, &base.method, &base.url, nonce)?;
    let mut headers = base.headers.clone();
    headers.push(("dpop", proof));
    Some(Fetch {
        role: Role::ProbeForged {
            endpoint: endpoint.to_string(),
            forgery: forgery.slug().into(),
        },
        cred: Cred::Forged(forgery),
        forged: Some(authorization),
        headers,
        ..base.clone()
    })
}

/// The claims forged tokens borrow: the issuer of the AS metadata discovery found (else the
/// first one a PRM names, else the resource's origin) and the resource the PRM names.
fn forge_claims(resource: &Url, found: &[Exchange]) -> super::forge::Claims {
    let docs = |pick: fn(&Role) -> bool| {
        found
            .iter()
            .filter(move |e| e.roles.iter().any(pick))
            .filter_map(object)
    };
    let text = |o: &serde_json::Map<String, Value>, m: &str| {
        o.get(m).and_then(Value::as_str).map(String::from)
    };
    let prm = |r: &Role| matches!(r, Role::Prm | Role::PrmHinted { .. } | Role::PrmRoot);
    let issuer = docs(|r| matches!(r, Role::Asm { .. } | Role::AsmOidc { .. }))
        .find_map(|o| text(o, "issuer"))
        .or_else(|| {
            docs(prm).find_map(|o| {
                o.get("authorization_servers")?
                    .as_array()?
                    .first()?
                    .as_str()
                    .map(String::from)
            })
        })
        .unwrap_or_else(|| origin_label(resource));
    let audience = docs(prm)
        .find_map(|o| text(o, "resource"))
        .unwrap_or_else(|| resource.to_string());
    super::forge::Claims { issuer, audience }
}

/// The JSON-RPC body and headers of an MCP request, as a client of `version` sends it.
///
/// 2026-07-28 (SEP-2575, SEP-2243) is stateless: no `initialize`, every request carries its
/// protocol version and client capabilities in `params._meta` and mirrors the method into the
/// `Mcp-Method` header beside `MCP-Protocol-Version`. From 2025-06-18 to 2025-11-25 a client opens
/// with `initialize` and sends `MCP-Protocol-Version` on the requests that follow it.
pub fn mcp_message(
    version: McpVersion,
    method: &str,
    id: usize,
) -> (Vec<u8>, Vec<(&'static str, String)>) {
    let client = serde_json::json!({"name": "authspec", "version": env!("CARGO_PKG_VERSION")});
    let v = version.as_str();
    let (params, headers) = if version >= McpVersion::V2026_07_28 {
        let meta = serde_json::json!({
            "io.modelcontextprotocol/protocolVersion": v,
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": client,
        });
        (
            serde_json::json!({ "_meta": meta }),
            vec![
                ("mcp-protocol-version", v.to_string()),
                ("mcp-method", method.to_string()),
            ],
        )
    } else if method == "initialize" {
        (
            serde_json::json!({"protocolVersion": v, "capabilities": {}, "clientInfo": client}),
            Vec::new(),
        )
    } else {
        (
            serde_json::json!({}),
            vec![("mcp-protocol-version", v.to_string())],
        )
    };
    let body = serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    (serde_json::to_vec(&body).unwrap_or_default(), headers)
}

/// Report order of roles.
pub fn role_rank(r: &Role) -> usize {
    match r {
        Role::ProbeUnauth { .. } => 0,
        Role::ProbeBadKey { .. } => 1,
        Role::ProbeAuth { .. } => 2,
        Role::ProbeAuthRepeat { .. } => 3,
        Role::Prm => 4,
        Role::PrmHinted { .. } => 5,
        Role::PrmRoot => 6,
        Role::PrmUnstripped => 7,
        Role::AsmAtOrigin => 8,
        Role::Asm { .. } => 9,
        Role::AsmUnstripped { .. } => 10,
        Role::Jwks { .. } => 11,
        Role::Catalog { .. } => 12,
        Role::CatalogHead { .. } => 13,
        Role::OpenApi { .. } => 14,
        Role::Register => 15,
        Role::Revoke => 16,
        Role::RevokedProbe { .. } => 17,
        Role::AsmOidc { .. } => 10,
        Role::Burst { .. } => 18,
        Role::BurstRetry => 19,
        Role::ProbeLowScope { .. } => 20,
        Role::ProbeForged { .. } => 21,
        Role::ProbeQueryKey { .. } => 22,
        Role::AgentSkill { .. } => 23,
        Role::CimdProbe { .. } => 24,
        Role::DcrProbe { .. } => 25,
        Role::AuthzProbe { .. } => 26,
        Role::ProbeValidToken { .. } => 27,
        Role::Transport { .. } => 28,
        Role::Cors { .. } => 29,
        Role::AgentCard => 30,
        Role::OAuth { .. } => 31,
    }
}

/// Orders exchanges of one rank, URL and method: bursts by their number, the rest by label, so
/// that probes sent at once (the forged tokens) are reported in one order run after run.
pub fn role_tiebreak(r: &Role) -> (u32, String) {
    match r {
        Role::Burst { n } => (*n, String::new()),
        other => (0, other.label()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_endpoints() {
        let e: Endpoint = "post /v1/jobs/search".parse().unwrap();
        assert_eq!(
            e,
            Endpoint {
                method: "POST".into(),
                path: "/v1/jobs/search".into()
            }
        );
        assert!("POST v1".parse::<Endpoint>().is_err());
        assert!("/v1".parse::<Endpoint>().is_err());
        assert!("G3T /v1".parse::<Endpoint>().is_err());
    }

    #[test]
    fn initial_plan_for_a_path_resource() {
        let opts = CaptureOptions {
            profile: Profile::Rfc,
            ..CaptureOptions::default()
        };
        let r = Url::parse("https://a.example/api/").unwrap();
        let plan = Plan {
            resource: &r,
            opts: &opts,
            cimd: None,
            minted: None,
            oauth: Default::default(),
        };
        let urls: Vec<String> = plan
            .initial()
            .iter()
            .map(|f| format!("{} {}", f.method, f.url))
            .collect();
        assert_eq!(
            urls,
            [
                "GET https://a.example/.well-known/oauth-protected-resource/api",
                "GET https://a.example/.well-known/oauth-protected-resource",
                "GET https://a.example/.well-known/oauth-protected-resource/api/",
                "GET https://a.example/.well-known/agent-card.json",
                "GET https://a.example/.well-known/api-catalog",
                "HEAD https://a.example/.well-known/api-catalog",
                "GET https://a.example/api/",
                "GET https://a.example/api/",
            ]
        );
    }
}
