//! Faults: each breaks the mock in one way and names the catalogue requirements that must fail.

use super::site::{
    DpopNonce, ErrorStyle, IssInRedirect, JwtTrust, RateLimitStyle, ScopeRefusal, Served, Site,
    fixture_key,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

/// One way to break the reference deployment.
pub struct Fault {
    pub name: &'static str,
    /// Catalogue IDs whose checks must fail under this fault (and no other MUST row).
    pub breaks: &'static [&'static str],
    pub about: &'static str,
    pub apply: fn(&mut Site),
}

impl Fault {
    /// The MCP version an `mcp-…` fault runs at (named in it, else the newest); `None` for the
    /// faults of the REST mock.
    pub fn mcp_version(&self) -> Option<crate::checks::McpVersion> {
        use crate::checks::McpVersion;
        let rest = self.name.strip_prefix("mcp-")?;
        Some(match rest {
            r if r.starts_with("2025-06-18") => McpVersion::V2025_06_18,
            r if r.starts_with("2025-11-25") => McpVersion::V2025_11_25,
            _ => McpVersion::V2026_07_28,
        })
    }

    /// Whether the fault shows only with `--burst`: it breaks what a 429 says.
    pub fn needs_burst(&self) -> bool {
        self.breaks.iter().any(|b| {
            [
                "AUTHMD-429-RETRY-AFTER",
                "HTTP-429",
                "RL-RETRY-AFTER-ALIGN",
                "RL-PROBLEM-TYPES",
            ]
            .contains(b)
        })
    }

    /// The command that shows the fault failing its rows, with the flags the suite runs it with
    /// (side effects are allowed: the mock is ours).
    pub fn command(&self) -> String {
        let mut cmd = String::from("authspec check --mock");
        if let Some(v) = self.mcp_version() {
            cmd.push_str(&format!(" --profile mcp --mcp-version {}", v.as_str()));
        } else if self.needs_burst() {
            cmd.push_str(" --burst");
        }
        cmd.push_str(&format!(" --allow-side-effects --fault {}", self.name));
        cmd
    }
}

impl std::fmt::Debug for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// The fault or layout named `name`.
pub fn find(name: &str) -> Option<&'static Fault> {
    FAULTS
        .iter()
        .chain(LAYOUTS)
        .chain(AS_FAULTS)
        .find(|f| f.name == name)
}

/// Serves a PRM at the root well-known URL naming the origin, as RFC 9728 §3.3 has a root PRM do.
fn serve_root_prm_naming_origin(s: &mut Site) {
    let mut root = s.prm.value.clone();
    root["resource"] = json!(s.base);
    s.extra.insert(
        "/.well-known/oauth-protected-resource".into(),
        Served {
            status: 200,
            content_type: "application/json".into(),
            body: root.to_string(),
            headers: Vec::new(),
        },
    );
}

/// Moves the AS metadata to the OpenID Connect location, with the members OIDC requires.
fn serve_asm_as_oidc_only(s: &mut Site) {
    s.asm.path = "/.well-known/openid-configuration".into();
    set(&mut s.asm, "subject_types_supported", json!(["public"]));
    set(
        &mut s.asm,
        "id_token_signing_alg_values_supported",
        json!(["RS256"]),
    );
}

/// Requires DPoP-bound tokens the healthy way: the PRM says so, the AS advertises proof
/// algorithms, and 401s carry a DPoP challenge with algs beside the Bearer one.
fn require_dpop(s: &mut Site) {
    set(&mut s.prm, "dpop_bound_access_tokens_required", json!(true));
    set(
        &mut s.prm,
        "dpop_signing_alg_values_supported",
        json!(["ES256", "PS256"]),
    );
    set(
        &mut s.asm,
        "dpop_signing_alg_values_supported",
        json!(["ES256", "PS256"]),
    );
    s.dpop_challenge = Some("DPoP algs=\"ES256 PS256\"".into());
    s.dpop_nonce = DpopNonce::Supplied;
}

/// Makes the OpenAPI description 3.2 with an `oauth2` scheme beside the API key: `flows`, and an
/// `oauth2MetadataUrl` (the discovered one when `None`).
fn openapi_32_oauth2(s: &mut Site, flows: Value, metadata_url: Option<String>) {
    let url = metadata_url
        .unwrap_or_else(|| format!("{}/.well-known/oauth-authorization-server", s.base));
    s.openapi.obj().insert("openapi".into(), json!("3.2.0"));
    s.openapi.value["components"]["securitySchemes"]["oauth"] =
        json!({"type": "oauth2", "oauth2MetadataUrl": url, "flows": flows});
}

/// Valid MCP deployments laid out otherwise than the mock's default, each mirroring an auth
/// scenario of the MCP conformance suite. MCP 2025-11-25 introduced every alternative they use, so
/// `check --profile mcp` must pass each of them from that version on; `breaks` is always empty.
pub static LAYOUTS: &[Fault] = &[
    Fault {
        name: "mcp-prm-root-only",
        breaks: &[],
        about: "no hint, no path-inserted PRM; the root PRM names the origin (conformance auth/metadata-var2)",
        apply: |s| {
            s.hint = None;
            serve_root_prm_naming_origin(s);
            s.prm.path = "/.well-known/oauth-protected-resource.moved".into();
        },
    },
    Fault {
        name: "mcp-prm-hint-only",
        breaks: &[],
        about: "the PRM is only at the URL the challenge names (conformance auth/metadata-var3)",
        apply: |s| {
            s.prm.path = "/custom/metadata/location.json".into();
            s.hint = Some(format!("{}{}", s.base, s.prm.path));
        },
    },
    Fault {
        name: "mcp-prm-hint-root",
        breaks: &[],
        about: "the 401 names the root well-known PRM, which names the origin; the path-inserted URL answers 404 (MCP 2025-06-18 sequence diagram)",
        apply: |s| {
            serve_root_prm_naming_origin(s);
            s.prm.path = "/.well-known/oauth-protected-resource.moved".into();
            s.hint = Some(format!("{}/.well-known/oauth-protected-resource", s.base));
        },
    },
    Fault {
        name: "mcp-no-hint",
        breaks: &[],
        about: "the 401 names no PRM; the path-inserted well-known URL serves it (conformance auth/metadata-var1)",
        apply: |s| s.hint = None,
    },
    Fault {
        name: "mcp-oidc-discovery",
        breaks: &[],
        about: "the AS metadata is only at the OpenID Connect location, with OIDC's required members (conformance auth/metadata-var1)",
        apply: serve_asm_as_oidc_only,
    },
    Fault {
        name: "mcp-initialize-open",
        breaks: &[],
        about: "the opening request (initialize; server/discover from 2026-07-28) is answered without credentials; tools/list and what follows need a token (conformance auth/scope-step-up)",
        apply: |s| s.open_methods = vec!["initialize".into(), "server/discover".into()],
    },
    Fault {
        name: "mcp-dpop-required",
        breaks: &[],
        about: "the PRM requires DPoP-bound tokens; the AS advertises DPoP and 401s carry DPoP algs beside Bearer",
        apply: require_dpop,
    },
    Fault {
        name: "mcp-dpop-only",
        breaks: &[],
        about: "the resource takes DPoP-bound tokens only: 401s carry a DPoP challenge (algs, resource_metadata) and no Bearer one, RFC 9449 §7.1 (conformance auth/dpop)",
        apply: |s| {
            require_dpop(s);
            s.dpop_only = true;
        },
    },
];

const RSA: &str = "mock-rs256-1";
const EC: &str = "mock-es256-1";
const ED: &str = "mock-eddsa-1";

fn jwt(payload: Value, alg: &str) -> String {
    let h = URL_SAFE_NO_PAD.encode(json!({"alg": alg, "typ": "JWT"}).to_string());
    let p = URL_SAFE_NO_PAD.encode(payload.to_string());
    let sig = if alg == "none" {
        String::new()
    } else {
        URL_SAFE_NO_PAD.encode("not-a-real-signature")
    };
    format!("{h}.{p}.{sig}")
}

fn set(doc: &mut super::site::Doc, member: &str, v: Value) {
    doc.obj().insert(member.into(), v);
}

fn unset(doc: &mut super::site::Doc, member: &str) {
    doc.obj().remove(member);
}

fn agent_auth(s: &mut Site) -> &mut serde_json::Map<String, Value> {
    let aa = s.asm.obj().entry("agent_auth").or_insert_with(|| json!({}));
    aa.as_object_mut()
        .expect("agent_auth is an object in the mock")
}

fn b64(v: &[u8]) -> Value {
    Value::String(URL_SAFE_NO_PAD.encode(v))
}

fn decoded(s: &mut Site, kid: &str, m: &str) -> Vec<u8> {
    s.key(kid)
        .get(m)
        .and_then(Value::as_str)
        .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
        .unwrap_or_default()
}

/// Every fault, grouped by area.
pub static FAULTS: &[Fault] = &[
    // --- protected-resource metadata ---
    Fault {
        name: "prm-not-found",
        breaks: &[
            "PRM-WELLKNOWN-INSERT",
            "WWWA-RM-FETCH",
            "AUTHMD-WELLKNOWN-DOCS",
            "AUTHMD-401-HINT",
            "AUTHMD-401-INVALID-KEY",
            "AUTHMD-DISCOVERY-CHAIN",
        ],
        about: "the PRM is served under another path, so its well-known URL answers 404",
        apply: |s| s.prm.path = "/.well-known/oauth-protected-resource.json".into(),
    },
    Fault {
        name: "prm-slash-unstripped",
        breaks: &[
            "PRM-WELLKNOWN-SLASH",
            "PRM-WELLKNOWN-INSERT",
            "AUTHMD-WELLKNOWN-DOCS",
        ],
        about: "resource is …/api/ and its PRM is served only at the URL that keeps the '/'",
        apply: |s| {
            s.move_resource("/api/");
            s.prm.path = "/.well-known/oauth-protected-resource/api/".into();
            s.hint = Some(format!("{}{}", s.base, s.prm.path));
            s.endpoints = vec!["POST /api/v1/jobs/search".into()];
        },
    },
    Fault {
        name: "prm-root-with-path",
        breaks: &["PRM-WELLKNOWN-INSERT"],
        about: "resource is …/api and the root well-known URL serves that path resource's PRM too",
        apply: |s| {
            s.move_resource("/api");
            s.endpoints = vec!["POST /api/v1/jobs/search".into()];
            let root = Served {
                status: 200,
                content_type: "application/json".into(),
                body: s.prm.value.to_string(),
                headers: Vec::new(),
            };
            s.extra
                .insert("/.well-known/oauth-protected-resource".into(), root);
        },
    },
    Fault {
        name: "prm-html",
        breaks: &[
            "PRM-RESP-200-JSON",
            "PRM-ERROR-STATUS",
            "WWWA-RM-FETCH",
            "AUTHMD-WELLKNOWN-DOCS",
            "AUTHMD-401-HINT",
            "AUTHMD-401-INVALID-KEY",
            "AUTHMD-DISCOVERY-CHAIN",
        ],
        about: "the PRM URL answers 200 with an HTML page",
        apply: |s| {
            s.prm.content_type = "text/html; charset=utf-8".into();
            s.prm.raw = Some("<!doctype html><title>JobsPipe</title><p>Not found</p>".into());
        },
    },
    Fault {
        name: "prm-text-plain",
        breaks: &["PRM-RESP-200-JSON"],
        about: "the PRM is JSON but served as text/plain",
        apply: |s| s.prm.content_type = "text/plain".into(),
    },
    Fault {
        name: "prm-json-suffix-type",
        breaks: &["PRM-RESP-200-JSON"],
        about: "the PRM is served as application/vnd.jobspipe+json instead of application/json",
        apply: |s| s.prm.content_type = "application/vnd.jobspipe+json".into(),
    },
    Fault {
        name: "prm-scopes-string",
        breaks: &["PRM-ARRAYS"],
        about: "scopes_supported is a space-separated string, not an array",
        apply: |s| {
            set(
                &mut s.prm,
                "scopes_supported",
                json!("jobs:read jobs:search"),
            )
        },
    },
    Fault {
        name: "prm-empty-member",
        breaks: &["PRM-NO-EMPTY"],
        about: "resource_signing_alg_values_supported is []",
        apply: |s| {
            set(
                &mut s.prm,
                "resource_signing_alg_values_supported",
                json!([]),
            )
        },
    },
    Fault {
        name: "prm-no-resource",
        breaks: &[
            "PRM-RESOURCE-PRESENT",
            "AUTHMD-401-HINT",
            "AUTHMD-401-INVALID-KEY",
            "AUTHMD-DISCOVERY-CHAIN",
        ],
        about: "the PRM has no resource member",
        apply: |s| unset(&mut s.prm, "resource"),
    },
    Fault {
        name: "prm-resource-fragment",
        breaks: &["PRM-RESOURCE-HTTPS", "PRM-RESOURCE-MATCH"],
        about: "resource carries a #fragment",
        apply: |s| {
            let r = format!("{}#api", s.resource);
            set(&mut s.prm, "resource", json!(r));
        },
    },
    Fault {
        name: "prm-resource-query",
        breaks: &["PRM-RESOURCE-HTTPS", "PRM-RESOURCE-MATCH"],
        about: "resource carries a ?query",
        apply: |s| {
            let r = format!("{}?tenant=acme", s.resource);
            set(&mut s.prm, "resource", json!(r));
        },
    },
    Fault {
        name: "prm-resource-mismatch",
        breaks: &["PRM-RESOURCE-MATCH"],
        about: "resource differs from the identifier by a trailing slash",
        apply: |s| {
            let r = format!("{}/", s.resource);
            set(&mut s.prm, "resource", json!(r));
        },
    },
    Fault {
        name: "prm-resource-other-origin",
        breaks: &[
            "PRM-RESOURCE-MATCH",
            "PRM-RESOURCE-MATCH-WWWA",
            "AUTHMD-401-HINT",
            "AUTHMD-401-INVALID-KEY",
            "AUTHMD-DISCOVERY-CHAIN",
        ],
        about: "resource names another origin",
        apply: |s| {
            set(
                &mut s.prm,
                "resource",
                json!("https://api.jobspipe.example"),
            )
        },
    },
    Fault {
        name: "prm-resource-not-covering",
        breaks: &[
            "PRM-RESOURCE-MATCH-WWWA",
            "AUTHMD-401-HINT",
            "AUTHMD-401-INVALID-KEY",
            "AUTHMD-DISCOVERY-CHAIN",
        ],
        about: "the 401 of /v1/jobs/search names the PRM of …/admin, which does not cover it",
        apply: |s| {
            s.move_resource("/admin");
            let base = s.base.clone();
            s.openapi
                .obj()
                .insert("servers".into(), json!([{ "url": base }]));
        },
    },
    Fault {
        name: "prm-jwks-relative",
        breaks: &["PRM-JWKS-HTTPS"],
        about: "jwks_uri is a relative reference",
        apply: |s| set(&mut s.prm, "jwks_uri", json!("/api/auth/jwks")),
    },
    Fault {
        name: "prm-signing-alg-none",
        breaks: &["PRM-SIGNALG-NO-NONE"],
        about: "resource_signing_alg_values_supported lists none",
        apply: |s| {
            set(
                &mut s.prm,
                "resource_signing_alg_values_supported",
                json!(["RS256", "none"]),
            )
        },
    },
    Fault {
        name: "prm-bearer-unknown",
        breaks: &["PRM-BEARER-VALUES"],
        about: "bearer_methods_supported lists cookie",
        apply: |s| {
            set(
                &mut s.prm,
                "bearer_methods_supported",
                json!(["header", "cookie"]),
            )
        },
    },
    Fault {
        name: "prm-bearer-query",
        breaks: &["BEARER-NO-QUERY"],
        about: "bearer_methods_supported offers query",
        apply: |s| {
            set(
                &mut s.prm,
                "bearer_methods_supported",
                json!(["header", "query"]),
            )
        },
    },
    Fault {
        name: "prm-as-issuer-query",
        breaks: &[
            "PRM-AS-ISSUER-FORM",
            "ASM-ISSUER-MATCH",
            "AUTHMD-DISCOVERY-CHAIN",
        ],
        about: "authorization_servers names an issuer with a query",
        apply: |s| {
            let i = format!("{}?tenant=acme", s.base);
            set(&mut s.prm, "authorization_servers", json!([i]));
        },
    },
    Fault {
        name: "prm-i18n-orphan",
        breaks: &["PRM-I18N"],
        about: "resource_name#fr is sent without an untagged resource_name",
        apply: |s| {
            unset(&mut s.prm, "resource_name");
            set(&mut s.prm, "resource_name#fr", json!("API JobsPipe"));
        },
    },
    Fault {
        name: "prm-signed-none",
        breaks: &["PRM-SIGNED-JWT"],
        about: "signed_metadata is an unsecured JWT (alg none)",
        apply: |s| {
            let t = jwt(json!({"iss": s.base, "resource": s.resource}), "none");
            set(&mut s.prm, "signed_metadata", json!(t));
        },
    },
    Fault {
        name: "prm-signed-nested",
        breaks: &["PRM-SIGNED-NO-NEST"],
        about: "the signed metadata JWT itself carries signed_metadata",
        apply: |s| {
            let t = jwt(
                json!({"iss": s.base, "resource": s.resource, "signed_metadata": "x.y.z"}),
                "RS256",
            );
            set(&mut s.prm, "signed_metadata", json!(t));
        },
    },
    Fault {
        name: "prm-signed-conflict",
        breaks: &["PRM-SIGNED-PRECEDENCE"],
        about: "signed resource_name differs from the plain one",
        apply: |s| {
            let t = jwt(
                json!({"iss": s.base, "resource_name": "JobsPipe (signed)"}),
                "RS256",
            );
            set(&mut s.prm, "signed_metadata", json!(t));
        },
    },
    Fault {
        name: "asm-protected-resources-other",
        breaks: &["PRM-AS-CROSSCHECK"],
        about: "the AS lists protected_resources without this resource",
        apply: |s| {
            set(
                &mut s.asm,
                "protected_resources",
                json!(["https://other.jobspipe.example"]),
            )
        },
    },
    // --- resource_metadata challenges ---
    Fault {
        name: "wwwa-no-hint",
        breaks: &[
            "WWWA-RESOURCE-METADATA",
            "AUTHMD-401-HINT",
            "AUTHMD-401-INVALID-KEY",
            "AUTHMD-DISCOVERY-CHAIN",
        ],
        about: "401s carry a Bearer challenge without resource_metadata",
        apply: |s| s.hint = None,
    },
    Fault {
        name: "wwwa-hint-relative",
        breaks: &["WWWA-RM-SYNTAX"],
        about: "resource_metadata is a relative reference",
        apply: |s| s.hint = Some("/.well-known/oauth-protected-resource".into()),
    },
    Fault {
        name: "wwwa-hint-unquoted",
        breaks: &[
            "WWWA-RESOURCE-METADATA",
            "WWWA-RM-SYNTAX",
            "WWWA-PARSE",
            "WWWA-BEARER-CHALLENGE",
            "AUTHMD-401-HINT",
            "AUTHMD-401-INVALID-KEY",
            "AUTHMD-DISCOVERY-CHAIN",
        ],
        about: "resource_metadata is sent without quotes (a URL is not a token)",
        apply: |s| {
            s.challenge_override = Some(format!(
                "Bearer resource_metadata={}/.well-known/oauth-protected-resource",
                s.base
            ))
        },
    },
    Fault {
        name: "wwwa-hint-404",
        breaks: &[
            "WWWA-RM-FETCH",
            "AUTHMD-401-HINT",
            "AUTHMD-401-INVALID-KEY",
            "AUTHMD-DISCOVERY-CHAIN",
        ],
        about: "the hint names a path-inserted PRM URL that answers 404 while the root one works",
        apply: |s| {
            s.hint = Some(format!(
                "{}/.well-known/oauth-protected-resource/v1/jobs/search",
                s.base
            ))
        },
    },
    // --- authorization-server metadata ---
    Fault {
        name: "asm-not-found",
        breaks: &[
            "ASM-WELLKNOWN-INSERT",
            "AUTHMD-WELLKNOWN-DOCS",
            "AUTHMD-DISCOVERY-CHAIN",
        ],
        about: "the AS metadata URL answers 404",
        apply: |s| s.asm.path = "/.well-known/openid-configuration".into(),
    },
    Fault {
        name: "asm-slash-unstripped",
        breaks: &[
            "ASM-WELLKNOWN-SLASH",
            "ASM-WELLKNOWN-INSERT",
            "AUTHMD-WELLKNOWN-DOCS",
            "AUTHMD-DISCOVERY-CHAIN",
        ],
        about: "issuer is …/auth/ and its metadata is served only at the URL that keeps the '/'",
        apply: |s| {
            let issuer = format!("{}/auth/", s.base);
            set(&mut s.prm, "authorization_servers", json!([issuer]));
            set(&mut s.asm, "issuer", json!(issuer));
            s.asm.path = "/.well-known/oauth-authorization-server/auth/".into();
        },
    },
    Fault {
        name: "asm-text-html",
        breaks: &["ASM-RESP-200-JSON"],
        about: "the AS metadata is JSON served as text/html",
        apply: |s| s.asm.content_type = "text/html".into(),
    },
    Fault {
        name: "asm-json-suffix-type",
        breaks: &["ASM-RESP-200-JSON"],
        about: "the AS metadata is served as application/vnd.oauth+json",
        apply: |s| s.asm.content_type = "application/vnd.oauth+json".into(),
    },
    Fault {
        name: "asm-grant-types-string",
        breaks: &["ASM-MEMBER-TYPES"],
        about: "grant_types_supported is a string",
        apply: |s| {
            set(
                &mut s.asm,
                "grant_types_supported",
                json!("authorization_code"),
            )
        },
    },
    Fault {
        name: "asm-empty-member",
        breaks: &["ASM-NO-EMPTY"],
        about: "scopes_supported is []",
        apply: |s| set(&mut s.asm, "scopes_supported", json!([])),
    },
    Fault {
        name: "asm-no-issuer",
        breaks: &[
            "ASM-ISSUER-PRESENT",
            "AA-ASM-STILL-8414",
            "AUTHMD-DISCOVERY-CHAIN",
        ],
        about: "the AS metadata has no issuer (as in the auth.md reference sample)",
        apply: |s| unset(&mut s.asm, "issuer"),
    },
    Fault {
        name: "asm-issuer-http",
        breaks: &[
            "ASM-ISSUER-HTTPS",
            "ASM-ISSUER-MATCH",
            "AUTHMD-DISCOVERY-CHAIN",
        ],
        about: "issuer is a plain-http URL on a public host",
        apply: |s| set(&mut s.asm, "issuer", json!("http://api.jobspipe.example")),
    },
    Fault {
        name: "asm-issuer-fragment",
        breaks: &[
            "ASM-ISSUER-NO-QUERY-FRAGMENT",
            "ASM-ISSUER-MATCH",
            "AUTHMD-DISCOVERY-CHAIN",
        ],
        about: "issuer carries a #fragment",
        apply: |s| {
            let i = format!("{}#as", s.base);
            set(&mut s.asm, "issuer", json!(i));
        },
    },
    Fault {
        name: "asm-issuer-trailing-slash",
        breaks: &["ASM-ISSUER-MATCH", "AUTHMD-DISCOVERY-CHAIN"],
        about: "issuer differs from the authorization_servers entry by a trailing slash",
        apply: |s| {
            let i = format!("{}/", s.base);
            set(&mut s.asm, "issuer", json!(i));
        },
    },
    Fault {
        name: "asm-no-response-types",
        breaks: &["ASM-RESPONSE-TYPES", "AA-ASM-STILL-8414"],
        about: "response_types_supported is missing",
        apply: |s| unset(&mut s.asm, "response_types_supported"),
    },
    Fault {
        name: "asm-no-authorization-endpoint",
        breaks: &["ASM-AUTHZ-EP-COND"],
        about: "authorization_endpoint is missing while authorization_code is supported",
        apply: |s| unset(&mut s.asm, "authorization_endpoint"),
    },
    Fault {
        name: "asm-no-token-endpoint",
        breaks: &["ASM-TOKEN-EP-COND"],
        about: "token_endpoint is missing",
        apply: |s| unset(&mut s.asm, "token_endpoint"),
    },
    Fault {
        name: "asm-jwks-relative",
        breaks: &["ASM-JWKS-HTTPS"],
        about: "jwks_uri is a relative reference",
        apply: |s| set(&mut s.asm, "jwks_uri", json!("/api/auth/jwks")),
    },
    Fault {
        name: "asm-alg-none",
        breaks: &["ASM-ALG-NO-NONE"],
        about: "token_endpoint_auth_signing_alg_values_supported lists none",
        apply: |s| {
            set(
                &mut s.asm,
                "token_endpoint_auth_signing_alg_values_supported",
                json!(["RS256", "none"]),
            )
        },
    },
    Fault {
        name: "asm-jwt-auth-without-algs",
        breaks: &["ASM-AUTH-ALG-COND"],
        about: "private_key_jwt is offered without an algorithm list",
        apply: |s| {
            unset(
                &mut s.asm,
                "token_endpoint_auth_signing_alg_values_supported",
            )
        },
    },
    Fault {
        name: "asm-no-rs256",
        breaks: &["ASM-RS256"],
        about: "the token endpoint's JWT algorithms lack RS256",
        apply: |s| {
            set(
                &mut s.asm,
                "token_endpoint_auth_signing_alg_values_supported",
                json!(["ES256"]),
            )
        },
    },
    Fault {
        name: "asm-no-pkce",
        breaks: &["ASM-PKCE"],
        about: "code_challenge_methods_supported is missing",
        apply: |s| unset(&mut s.asm, "code_challenge_methods_supported"),
    },
    Fault {
        name: "asm-signed-none",
        breaks: &["ASM-SIGNED"],
        about: "signed_metadata is an unsecured JWT",
        apply: |s| {
            let t = jwt(json!({"iss": s.base}), "none");
            set(&mut s.asm, "signed_metadata", json!(t));
        },
    },
    Fault {
        name: "asm-signed-nested",
        breaks: &["ASM-SIGNED"],
        about: "the signed metadata JWT nests signed_metadata",
        apply: |s| {
            let t = jwt(json!({"iss": s.base, "signed_metadata": "a.b.c"}), "RS256");
            set(&mut s.asm, "signed_metadata", json!(t));
        },
    },
    Fault {
        name: "asm-endpoint-http",
        breaks: &["ASM-ENDPOINTS-HTTPS"],
        about: "authorization_endpoint is plain http on a public host",
        apply: |s| {
            set(
                &mut s.asm,
                "authorization_endpoint",
                json!("http://login.jobspipe.example/authorize"),
            )
        },
    },
    Fault {
        name: "asm-id-jag-without-jwt-bearer",
        breaks: &["IDJAG-RAS-META"],
        about: "the ID-JAG grant profile is advertised but jwt-bearer is not a grant type",
        apply: |s| {
            set(
                &mut s.asm,
                "grant_types_supported",
                json!(["authorization_code", "refresh_token"]),
            )
        },
    },
    // --- JWK Set ---
    Fault {
        name: "jwks-not-found",
        breaks: &[
            "AUTHMD-WELLKNOWN-DOCS",
            "AUTHMD-DISCOVERY-CHAIN",
            "JWKS-SERVED",
        ],
        about: "the jwks_uri answers 404",
        apply: |s| s.jwks.path = "/api/auth/jwks.json".into(),
    },
    Fault {
        name: "jwks-no-keys",
        breaks: &["JWKS-KEYS-MEMBER", "AUTHMD-DISCOVERY-CHAIN"],
        about: "the set's array is named jwks instead of keys",
        apply: |s| {
            let k = s.jwks.obj().remove("keys").unwrap_or(json!([]));
            s.jwks.obj().insert("jwks".into(), k);
        },
    },
    Fault {
        name: "jwks-text-plain",
        breaks: &["JWKS-MEDIA-TYPE"],
        about: "the set is served as text/plain",
        apply: |s| s.jwks.content_type = "text/plain".into(),
    },
    Fault {
        name: "jwks-duplicate-member",
        breaks: &["JWKS-UNIQUE-NAMES"],
        about: "a key repeats its kid member",
        apply: |s| {
            let body = serde_json::to_string(&s.jwks.value).unwrap_or_default();
            s.jwks.raw = Some(body.replacen(
                "\"kid\":\"mock-es256-1\"",
                "\"kid\":\"mock-es256-1\",\"kid\":\"mock-es256-2\"",
                1,
            ));
        },
    },
    Fault {
        name: "jwks-no-kty",
        breaks: &["JWK-KTY", "JWK-ALG-KTY"],
        about: "the EC key has no kty",
        apply: |s| {
            s.key(EC).remove("kty");
        },
    },
    Fault {
        name: "jwks-unknown-kty",
        breaks: &["JWK-KTY"],
        about: "an extra key has an unregistered kty",
        apply: |s| {
            s.add_key(json!({"kty": "ML-DSA", "kid": "mock-pq-1", "use": "sig", "pub": "AAAA"}))
        },
    },
    Fault {
        name: "jwks-use-unknown",
        breaks: &["JWK-USE"],
        about: "the EC key's use is \"signature\"",
        apply: |s| {
            s.key(EC).insert("use".into(), json!("signature"));
        },
    },
    Fault {
        name: "jwks-key-ops-duplicate",
        breaks: &["JWK-KEYOPS"],
        about: "key_ops repeats verify",
        apply: |s| {
            let k = s.key(EC);
            k.remove("use");
            k.insert("key_ops".into(), json!(["verify", "verify"]));
        },
    },
    Fault {
        name: "jwks-key-ops-unrelated",
        breaks: &[
            "JWK-KEYOPS",
            "JWKS-USE-MIXED",
            "PRM-JWKS-USE-MIXED",
            "ASM-JWKS-USE-MIXED",
        ],
        about: "key_ops mixes verify and encrypt (which also mixes purposes in the set)",
        apply: |s| {
            let k = s.key(EC);
            k.remove("use");
            k.insert("key_ops".into(), json!(["verify", "encrypt"]));
        },
    },
    Fault {
        name: "jwks-use-key-ops-conflict",
        breaks: &["JWK-USE-KEYOPS"],
        about: "use is sig while key_ops says encrypt",
        apply: |s| {
            s.key(EC).insert("key_ops".into(), json!(["encrypt"]));
        },
    },
    Fault {
        name: "jwks-use-and-key-ops",
        breaks: &["JWK-USE-KEYOPS"],
        about: "a key carries both use and (agreeing) key_ops",
        apply: |s| {
            s.key(EC).insert("key_ops".into(), json!(["verify"]));
        },
    },
    Fault {
        name: "jwks-mixed-without-use",
        breaks: &["JWKS-USE-MIXED", "PRM-JWKS-USE-MIXED", "ASM-JWKS-USE-MIXED"],
        about: "an encryption key joins the set and a signing key has no use",
        apply: |s| {
            let mut enc = fixture_key("rsa2048");
            if let Some(o) = enc.as_object_mut() {
                for m in ["x5c", "x5t", "x5t#S256"] {
                    o.remove(m);
                }
                o.insert("kid".into(), json!("mock-enc-1"));
                o.insert("use".into(), json!("enc"));
                o.insert("alg".into(), json!("RSA-OAEP-256"));
            }
            s.add_key(enc);
            s.key(ED).remove("use");
        },
    },
    Fault {
        name: "jwks-alg-none",
        breaks: &["JWK-ALG"],
        about: "the EC key declares alg none",
        apply: |s| {
            s.key(EC).insert("alg".into(), json!("none"));
        },
    },
    Fault {
        name: "jwks-alg-unknown",
        breaks: &["JWK-ALG"],
        about: "the OKP key declares an unregistered alg",
        apply: |s| {
            s.key(ED).insert("alg".into(), json!("Ed25519ph"));
        },
    },
    Fault {
        name: "jwks-alg-kty-mismatch",
        breaks: &["JWK-ALG-KTY"],
        about: "the EC key declares RS256",
        apply: |s| {
            s.key(EC).insert("alg".into(), json!("RS256"));
        },
    },
    Fault {
        name: "jwks-kid-duplicate",
        breaks: &["JWKS-KID-DISTINCT"],
        about: "two EC keys share a kid",
        apply: |s| {
            let k = Value::Object(s.key(EC).clone());
            s.add_key(k);
        },
    },
    Fault {
        name: "jwks-rsa-65536-bits",
        breaks: &["JWK-RSA-MAX"],
        about: "a fourth key, RSA with a 65,536-bit modulus",
        apply: |s| {
            let mut n = vec![0x5a_u8; 8192];
            n[0] = 0xc5;
            n[8191] = 0x01;
            let n = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(n);
            s.add_key(json!({"kty": "RSA", "kid": "mock-rs256-huge", "use": "sig", "alg": "RS256", "n": n, "e": "AQAB"}));
        },
    },
    Fault {
        name: "jwks-kid-missing",
        breaks: &["JWKS-KID-PRESENT"],
        about: "the OKP key has no kid in a set of three",
        apply: |s| {
            s.key(ED).remove("kid");
        },
    },
    Fault {
        name: "jwks-private-key",
        breaks: &["JWKS-NO-PRIVATE"],
        about: "the EC key publishes its private scalar d",
        apply: |s| {
            let d = fixture_key("ec_p256_d");
            s.key(EC).insert("d".into(), d);
        },
    },
    Fault {
        name: "jwks-symmetric-key",
        breaks: &["JWKS-NO-PRIVATE"],
        about: "an HMAC secret (kty oct) is published",
        apply: |s| {
            s.add_key(json!({"kty": "oct", "kid": "mock-hs256-1", "use": "sig", "alg": "HS256", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyYg"}))
        },
    },
    Fault {
        name: "jwks-padded-base64",
        breaks: &["JWK-B64URL"],
        about: "the RSA modulus keeps its '=' padding",
        apply: |s| {
            let n = decoded(s, RSA, "n");
            s.key(RSA).insert(
                "n".into(),
                json!(base64::engine::general_purpose::URL_SAFE.encode(n)),
            );
        },
    },
    Fault {
        name: "jwks-uint-leading-zero",
        breaks: &["JWK-UINT-MINIMAL"],
        about: "the RSA modulus has a leading zero octet",
        apply: |s| {
            let n = decoded(s, RSA, "n");
            s.key(RSA)
                .insert("n".into(), b64(&[&[0u8][..], &n].concat()));
        },
    },
    Fault {
        name: "jwks-rsa-no-e",
        breaks: &["JWK-RSA-MEMBERS"],
        about: "the RSA key has no e",
        apply: |s| {
            s.key(RSA).remove("e");
        },
    },
    Fault {
        name: "jwks-rsa-1024",
        breaks: &["JWK-RSA-2048"],
        about: "the RSA signing key has a 1024-bit modulus",
        apply: |s| {
            let k = fixture_key("rsa1024");
            *s.key(RSA) = k.as_object().cloned().unwrap_or_default();
        },
    },
    Fault {
        name: "jwks-rsa-1024-enc",
        breaks: &["JWK-RSA-2048-ENC"],
        about: "a 1024-bit RSA key labelled for encryption (RSA-OAEP) joins the set",
        apply: |s| {
            let mut k = fixture_key("rsa1024");
            if let Some(o) = k.as_object_mut() {
                o.insert("kid".into(), json!("mock-rsa-oaep-weak"));
                o.insert("use".into(), json!("enc"));
                o.insert("alg".into(), json!("RSA-OAEP"));
                for m in ["x5c", "x5t", "x5t#S256"] {
                    o.remove(m);
                }
            }
            s.add_key(k);
        },
    },
    Fault {
        name: "jwks-enc-alg-rs256",
        breaks: &["JWK-USE-ALG"],
        about: "the RSA key says use: enc but alg: RS256",
        apply: |s| {
            s.key(RSA).insert("use".into(), json!("enc"));
        },
    },
    Fault {
        name: "jwks-no-signing-key",
        breaks: &["JWKS-SIGNING-KEY"],
        about: "every key of the AS's set is for encryption",
        apply: |s| {
            let keys = s.jwks.obj().entry("keys").or_insert_with(|| json!([]));
            for k in keys.as_array_mut().into_iter().flatten() {
                let Some(o) = k.as_object_mut() else { continue };
                let alg = match o.get("kty").and_then(|v| v.as_str()) {
                    Some("RSA") => "RSA-OAEP",
                    _ => "ECDH-ES",
                };
                o.insert("use".into(), json!("enc"));
                o.insert("alg".into(), json!(alg));
            }
        },
    },
    Fault {
        name: "jwks-rsa-even-e",
        breaks: &["JWK-RSA-E"],
        about: "the RSA exponent is even (65536)",
        apply: |s| {
            s.key(RSA).insert("e".into(), json!("AQAA"));
        },
    },
    Fault {
        name: "jwks-ec-no-y",
        breaks: &["JWK-EC-MEMBERS", "JWK-EC-LEN"],
        about: "the EC key has no y (compressed points are not allowed)",
        apply: |s| {
            s.key(EC).remove("y");
        },
    },
    Fault {
        name: "jwks-ec-short-x",
        breaks: &["JWK-EC-LEN", "JWK-EC-ONCURVE"],
        about: "the EC x coordinate lost its first octet",
        apply: |s| {
            let x = decoded(s, EC, "x");
            s.key(EC).insert("x".into(), b64(&x[1.min(x.len())..]));
        },
    },
    Fault {
        name: "jwks-ec-off-curve",
        breaks: &["JWK-EC-ONCURVE"],
        about: "the EC point is not on P-256",
        apply: |s| {
            let mut y = decoded(s, EC, "y");
            if let Some(b) = y.last_mut() {
                *b ^= 1;
            }
            s.key(EC).insert("y".into(), b64(&y));
        },
    },
    Fault {
        name: "jwks-okp-short-x",
        breaks: &["JWK-OKP-MEMBERS"],
        about: "the Ed25519 x is 31 octets",
        apply: |s| {
            let x = decoded(s, ED, "x");
            s.key(ED).insert("x".into(), b64(&x[1.min(x.len())..]));
        },
    },
    Fault {
        name: "jwks-x5c-base64url",
        breaks: &["JWK-X5C"],
        about: "x5c[0] is base64url instead of standard base64",
        apply: |s| {
            let der = s
                .key(RSA)
                .get("x5c")
                .and_then(|a| a[0].as_str())
                .and_then(|c| STANDARD.decode(c).ok())
                .unwrap_or_default();
            s.key(RSA)
                .insert("x5c".into(), json!([URL_SAFE_NO_PAD.encode(der)]));
        },
    },
    Fault {
        name: "jwks-x5c-wrong-key",
        breaks: &["JWK-X5C"],
        about: "the EC key carries the RSA key's certificate",
        apply: |s| {
            let c = s.key(RSA).get("x5c").cloned().unwrap_or(json!([]));
            s.key(EC).insert("x5c".into(), c);
        },
    },
    Fault {
        name: "jwks-x5t-wrong",
        breaks: &["JWK-X5T"],
        about: "x5t#S256 is not the thumbprint of x5c[0]",
        apply: |s| {
            s.key(RSA)
                .insert("x5t#S256".into(), json!(URL_SAFE_NO_PAD.encode([7u8; 32])));
        },
    },
    // --- agent_auth ---
    Fault {
        name: "agent-auth-missing",
        breaks: &["AUTHMD-AGENT-AUTH-BLOCK", "AA-LOCATION"],
        about: "the AS metadata has no agent_auth block",
        apply: |s| unset(&mut s.asm, "agent_auth"),
    },
    Fault {
        name: "agent-auth-skill-html",
        breaks: &["AA-URIS"],
        about: "agent_auth.skill answers with an HTML page instead of the auth.md document",
        apply: |s| {
            if let Some(d) = s.extra.get_mut("/auth.md") {
                d.content_type = "text/html".into();
                d.body = "<html><body>Sign in</body></html>".into();
            }
        },
    },
    Fault {
        name: "agent-auth-anonymous-no-claim",
        breaks: &["AA-URIS", "AUTHMD-AGENT-AUTH-BLOCK"],
        about: "agent_auth offers anonymous registration, which is claimed later, but has no claim_uri",
        apply: |s| {
            agent_auth(s).remove("claim_uri");
            agent_auth(s).insert("identity_types_supported".into(), json!(["anonymous"]));
            agent_auth(s).insert(
                "anonymous".into(),
                json!({"credential_types_supported": ["api_key"]}),
            );
            agent_auth(s).remove("identity_assertion");
        },
    },
    Fault {
        name: "agent-auth-incomplete",
        breaks: &["AUTHMD-AGENT-AUTH-BLOCK", "AA-URIS"],
        about: "agent_auth has no claim_uri",
        apply: |s| {
            agent_auth(s).remove("claim_uri");
        },
    },
    Fault {
        name: "agent-auth-relative-uri",
        breaks: &["AUTHMD-AGENT-AUTH-BLOCK", "AA-URIS"],
        about: "register_uri is a relative reference",
        apply: |s| {
            agent_auth(s).insert("register_uri".into(), json!("/agent/auth"));
        },
    },
    Fault {
        name: "agent-auth-unknown-identity-type",
        breaks: &["AA-IDENTITY-TYPES"],
        about: "identity_types_supported lists oauth_device",
        apply: |s| {
            agent_auth(s).insert(
                "identity_types_supported".into(),
                json!(["identity_assertion", "oauth_device"]),
            );
        },
    },
    Fault {
        name: "agent-auth-id-jag-typo",
        breaks: &["AA-ASSERTION-TYPES"],
        about: "the ID-JAG URN is misspelled",
        apply: |s| {
            agent_auth(s).insert("identity_assertion".into(), json!({"assertion_types_supported": ["urn:ietf:params:oauth:token-type:id_jag"], "credential_types_supported": ["api_key"]}));
        },
    },
    Fault {
        name: "agent-auth-unknown-credential",
        breaks: &["AA-CREDENTIAL-TYPES"],
        about: "credential_types_supported lists password",
        apply: |s| {
            agent_auth(s).insert("identity_assertion".into(), json!({"assertion_types_supported": ["verified_email"], "credential_types_supported": ["api_key", "password"]}));
        },
    },
    // --- Bearer challenges ---
    Fault {
        name: "401-without-challenge",
        breaks: &[
            "WWWA-401-PRESENT",
            "WWWA-BEARER-CHALLENGE",
            "WWWA-RESOURCE-METADATA",
            "AUTHMD-401-HINT",
            "AUTHMD-401-INVALID-KEY",
            "AUTHMD-DISCOVERY-CHAIN",
            "WWWA-ERROR-ON-BADTOKEN",
        ],
        about: "401s carry no WWW-Authenticate at all",
        apply: |s| s.api.omit_challenge = true,
    },
    Fault {
        name: "challenge-bare-bearer",
        breaks: &[
            "WWWA-BEARER-HAS-PARAM",
            "WWWA-RESOURCE-METADATA",
            "AUTHMD-401-HINT",
            "AUTHMD-401-INVALID-KEY",
            "AUTHMD-DISCOVERY-CHAIN",
            "WWWA-ERROR-ON-BADTOKEN",
        ],
        about: "401s say just \"Bearer\"",
        apply: |s| s.challenge_override = Some("Bearer".into()),
    },
    Fault {
        name: "challenge-duplicate-param",
        breaks: &["WWWA-PARAM-ONCE"],
        about: "the challenge repeats resource_metadata",
        apply: |s| {
            let h = format!("{}/.well-known/oauth-protected-resource", s.base);
            s.challenge_override = Some(format!(
                "Bearer resource_metadata=\"{h}\", resource_metadata=\"{h}\""
            ));
        },
    },
    Fault {
        name: "challenge-realm-token",
        breaks: &["WWWA-REALM-QUOTED"],
        about: "realm is sent as a token",
        apply: |s| {
            let h = format!("{}/.well-known/oauth-protected-resource", s.base);
            s.challenge_override =
                Some(format!("Bearer realm=jobspipe, resource_metadata=\"{h}\""));
        },
    },
    Fault {
        name: "challenge-error-when-anonymous",
        breaks: &["WWWA-NO-ERROR-ANON"],
        about: "requests without credentials get error=\"invalid_token\"",
        apply: |s| s.api.error_when_anonymous = true,
    },
    Fault {
        name: "bad-key-without-error",
        breaks: &["WWWA-ERROR-ON-BADTOKEN"],
        about: "a refused key gets a challenge without error",
        apply: |s| s.api.bad_key_error = None,
    },
    Fault {
        name: "bad-key-400",
        breaks: &[
            "BEARER-HEADER-SUPPORT",
            "AUTHMD-401-INVALID-KEY",
            "WWWA-ERROR-ON-BADTOKEN",
            "AUTHMD-REVOKE-IMMEDIATE",
        ],
        about: "a refused key gets 400 as if the header method were unsupported",
        apply: |s| s.api.bad_key_status = 400,
    },
    Fault {
        name: "bad-key-403",
        breaks: &[
            "AUTHMD-401-INVALID-KEY",
            "WWWA-ERROR-ON-BADTOKEN",
            "AUTHMD-REVOKE-IMMEDIATE",
        ],
        about: "a refused key gets 403 instead of 401",
        apply: |s| s.api.bad_key_status = 403,
    },
    Fault {
        name: "challenge-bad-charset",
        breaks: &["WWWA-CHARSET"],
        about: "scope holds a non-ASCII character",
        apply: |s| s.api.bad_key_extra = Some("scope=\"jobs:r\u{e9}ad\"".into()),
    },
    Fault {
        name: "challenge-error-uri-relative",
        breaks: &["WWWA-ERROR-URI"],
        about: "error_uri is a relative reference",
        apply: |s| s.api.bad_key_extra = Some("error_uri=\"/docs/errors#invalid_token\"".into()),
    },
    Fault {
        name: "key-echoed",
        breaks: &["AUTHMD-KEY-NOT-ECHOED"],
        about: "the 401 body repeats the key it refused",
        apply: |s| s.api.echo_key = true,
    },
    // --- registration and revocation ---
    Fault {
        name: "register-broken",
        breaks: &["AUTHMD-REGISTER-ANSWERS"],
        about: "POST register_uri answers 500 with HTML",
        apply: |s| s.api.register_broken = true,
    },
    Fault {
        name: "revoked-key-still-works",
        breaks: &["AUTHMD-REVOKE-IMMEDIATE"],
        about: "revocation answers 200 but the key keeps working",
        apply: |s| s.api.revocation_ignored = true,
    },
    // --- rate limits ---
    Fault {
        name: "ratelimit-missing",
        breaks: &["AUTHMD-RATELIMIT-HEADERS"],
        about: "authenticated responses carry no RateLimit fields",
        apply: |s| s.api.ratelimit = RateLimitStyle::Missing,
    },
    Fault {
        name: "ratelimit-structured-no-policy",
        breaks: &["AUTHMD-RATELIMIT-HEADERS"],
        about: "a -08+ RateLimit field without RateLimit-Policy: the limit and the policy the seed lists are never said",
        apply: |s| s.api.ratelimit = RateLimitStyle::StructuredNoPolicy,
    },
    Fault {
        name: "ratelimit-reset-epoch",
        breaks: &["RL-RESET-DELTA"],
        about: "RateLimit-Reset is an epoch timestamp",
        apply: |s| s.api.ratelimit = RateLimitStyle::ResetEpoch,
    },
    Fault {
        name: "ratelimit-remaining-above-limit",
        breaks: &["RL-REMAINING-LE-LIMIT"],
        about: "RateLimit-Remaining exceeds RateLimit-Limit",
        apply: |s| s.api.ratelimit = RateLimitStyle::RemainingAboveLimit,
    },
    Fault {
        name: "ratelimit-no-reset",
        breaks: &["RL-RESET-REQUIRED", "AUTHMD-RATELIMIT-HEADERS"],
        about: "RateLimit-Limit is sent without RateLimit-Reset (or -Policy)",
        apply: |s| s.api.ratelimit = RateLimitStyle::NoReset,
    },
    Fault {
        name: "ratelimit-duplicate-field",
        breaks: &["RL-SINGLE-FIELD"],
        about: "RateLimit-Remaining is sent twice",
        apply: |s| s.api.ratelimit = RateLimitStyle::DuplicateField,
    },
    Fault {
        name: "ratelimit-duplicate-quota",
        breaks: &["RL-POLICY-UNIQUE-QUOTA"],
        about: "two legacy policies share one quota",
        apply: |s| s.api.ratelimit = RateLimitStyle::DuplicateQuota,
    },
    Fault {
        name: "ratelimit-negative",
        breaks: &["RL-NONNEG-INT"],
        about: "RateLimit-Remaining is -1",
        apply: |s| s.api.ratelimit = RateLimitStyle::Negative,
    },
    Fault {
        name: "ratelimit-no-countdown",
        breaks: &["AUTHMD-RATELIMIT-COUNTS-DOWN"],
        about: "RateLimit-Remaining never falls (with a 30 s window)",
        apply: |s| s.api.ratelimit = RateLimitStyle::Constant,
    },
    Fault {
        name: "ratelimit-unknown-policy",
        breaks: &["RL-POLICY-NAME-REF"],
        about: "the structured RateLimit names a policy RateLimit-Policy does not advertise",
        apply: |s| s.api.ratelimit = RateLimitStyle::UnknownPolicyName,
    },
    Fault {
        name: "ratelimit-integer-policy",
        breaks: &["RL-POLICY-ITEM-STRING"],
        about: "a -08+ RateLimit comes with a -07 Integer policy",
        apply: |s| s.api.ratelimit = RateLimitStyle::IntegerPolicy,
    },
    Fault {
        name: "ratelimit-policy-unstable",
        breaks: &["RL-POLICY-STABLE"],
        about: "RateLimit-Policy changes from response to response",
        apply: |s| s.api.ratelimit = RateLimitStyle::Unstable,
    },
    Fault {
        name: "429-without-retry-after",
        breaks: &["AUTHMD-429-RETRY-AFTER"],
        about: "the 429 has no Retry-After",
        apply: |s| s.api.ratelimit = RateLimitStyle::NoRetryAfter,
    },
    Fault {
        name: "429-retry-after-misaligned",
        breaks: &["RL-RETRY-AFTER-ALIGN"],
        about: "the 429's Retry-After is 10 s later than its reset",
        apply: |s| s.api.ratelimit = RateLimitStyle::Misaligned,
    },
    Fault {
        name: "429-bare",
        breaks: &["HTTP-429"],
        about: "the 429 has an empty, cacheable body",
        apply: |s| s.api.ratelimit = RateLimitStyle::BareTooMany,
    },
    Fault {
        name: "quota-retry-soon",
        breaks: &["AUTHMD-402-QUOTA"],
        about: "the monthly quota is spent and the 402 says to retry in a second",
        apply: |s| {
            s.api.monthly_quota = Some(0);
            s.api.quota_retry_after = Some("1".into());
        },
    },
    Fault {
        name: "retry-after-garbled",
        breaks: &["RA-SYNTAX"],
        about: "the 402 sends Retry-After: soon",
        apply: |s| {
            s.api.monthly_quota = Some(0);
            s.api.quota_retry_after = Some("soon".into());
        },
    },
    Fault {
        name: "ratelimit-bad-params",
        breaks: &["RL-PARAM-TYPES"],
        about: "structured RateLimit fields with qu as a Token and pk as a String (draft -12: a String and a Byte Sequence)",
        apply: |s| s.api.ratelimit = RateLimitStyle::StructuredBadParams,
    },
    Fault {
        name: "ratelimit-problem-no-violated-policies",
        breaks: &["RL-PROBLEM-TYPES"],
        about: "the 429 uses the quota-exceeded problem type without violated-policies",
        apply: |s| s.api.ratelimit = RateLimitStyle::StructuredNoViolated,
    },
    // --- error bodies ---
    Fault {
        name: "error-body-leaks-stack-trace",
        breaks: &["PD-NO-LEAK"],
        about: "error details carry a Java stack trace",
        apply: |s| s.api.errors = ErrorStyle::LeakStackTrace,
    },
    Fault {
        name: "problem-as-plain-json",
        breaks: &["PD-MEDIA"],
        about: "problem details are served as application/json",
        apply: |s| s.api.errors = ErrorStyle::PlainJson,
    },
    Fault {
        name: "problem-status-mismatch",
        breaks: &["PD-STATUS-MATCH"],
        about: "the problem says status 400 on a 401",
        apply: |s| s.api.errors = ErrorStyle::StatusMismatch,
    },
    Fault {
        name: "problem-type-number",
        breaks: &["PD-TYPE"],
        about: "the problem's type is a number",
        apply: |s| s.api.errors = ErrorStyle::TypeNotString,
    },
    Fault {
        name: "problem-wrong-title",
        breaks: &["PD-ABOUT-BLANK-TITLE"],
        about: "an about:blank problem is titled Oops",
        apply: |s| s.api.errors = ErrorStyle::WrongTitle,
    },
    Fault {
        name: "problem-bad-extension",
        breaks: &["PD-EXT-NAMES"],
        about: "the problem has an extension member named x",
        apply: |s| s.api.errors = ErrorStyle::BadExtensionName,
    },
    Fault {
        name: "errors-not-problem-details",
        breaks: &["PD-USED"],
        about: "error bodies are the API's own JSON, not problem details",
        apply: |s| s.api.errors = ErrorStyle::NotProblem,
    },
    Fault {
        name: "upstream-502-html",
        breaks: &["AUTHMD-5XX-BODY"],
        about: "keyed requests get a 502 HTML page",
        apply: |s| {
            s.api.upstream_failure = Some(502);
            s.api.upstream_html = true;
        },
    },
    // --- api-catalog ---
    Fault {
        name: "catalog-missing",
        breaks: &["AUTHMD-API-CATALOG", "OAS-FOUND"],
        about: "/.well-known/api-catalog answers 404",
        apply: |s| s.catalog.path = "/catalog.json".into(),
    },
    Fault {
        name: "catalog-server-error",
        breaks: &["CAT-GET", "AUTHMD-API-CATALOG", "OAS-FOUND"],
        about: "/.well-known/api-catalog answers 500",
        apply: |s| s.catalog.status = 500,
    },
    Fault {
        name: "catalog-guarded",
        breaks: &["AUTHMD-API-CATALOG", "OAS-FOUND"],
        about: "auth middleware answers 401 at /.well-known/api-catalog to GET and HEAD, and no catalog is advertised (RFC 9727 §2 binds only a Publisher supporting this URI)",
        apply: |s| {
            s.catalog.status = 401;
            s.catalog.headers = vec![(
                "www-authenticate".into(),
                "Bearer realm=\"jobspipe\"".into(),
            )];
        },
    },
    Fault {
        name: "catalog-guarded-advertised",
        breaks: &["CAT-GET", "AUTHMD-API-CATALOG", "OAS-FOUND"],
        about: "HEAD of /.well-known/api-catalog advertises the catalog with its Link, but GET answers 401",
        apply: |s| {
            s.catalog.status = 401;
            s.catalog.headers.push((
                "www-authenticate".into(),
                "Bearer realm=\"jobspipe\"".into(),
            ));
        },
    },
    Fault {
        name: "catalog-head-without-link",
        breaks: &["CAT-HEAD-LINK"],
        about: "the catalog is served without its Link header",
        apply: |s| s.catalog.headers.clear(),
    },
    Fault {
        name: "catalog-wrong-media-type",
        breaks: &["CAT-FORMAT"],
        about: "the catalog is served as application/json",
        apply: |s| s.catalog.content_type = "application/json".into(),
    },
    Fault {
        name: "catalog-html-catch-all",
        breaks: &["CAT-GET", "CAT-FORMAT", "AUTHMD-API-CATALOG", "OAS-FOUND"],
        about: "the catalog URL answers 200 with an HTML page, as a single-page app does on every path",
        apply: |s| {
            s.catalog.content_type = "text/html; charset=utf-8".into();
            s.catalog.raw =
                Some("<!doctype html><html><body><div id=\"app\"></div></body></html>".into());
        },
    },
    Fault {
        name: "catalog-no-profile",
        breaks: &["CAT-PROFILE"],
        about: "the catalog media type has no profile",
        apply: |s| s.catalog.content_type = "application/linkset+json".into(),
    },
    Fault {
        name: "catalog-bom",
        breaks: &["LS-UTF8"],
        about: "the catalog starts with a byte order mark",
        apply: |s| {
            let body = s.catalog.value.to_string();
            s.catalog.raw = Some(format!("\u{feff}{body}"));
        },
    },
    Fault {
        name: "catalog-not-a-linkset",
        breaks: &[
            "LS-SOLE-MEMBER",
            "LS-ARRAY",
            "CAT-HYPERLINKS",
            "CAT-METADATA",
            "AUTHMD-API-CATALOG",
            "OAS-FOUND",
        ],
        about: "the catalog is {\"links\": …} instead of a linkset",
        apply: |s| {
            let v = s.catalog.obj().remove("linkset").unwrap_or(json!([]));
            s.catalog.obj().insert("links".into(), v);
        },
    },
    Fault {
        name: "catalog-target-without-href",
        breaks: &["LS-HREF", "AUTHMD-API-CATALOG", "OAS-FOUND"],
        about: "the service-desc target has url instead of href",
        apply: |s| {
            s.catalog.value["linkset"][0]["service-desc"] = json!([{"url": "/openapi.json"}]);
        },
    },
    Fault {
        name: "catalog-no-metadata",
        breaks: &["CAT-METADATA", "AUTHMD-API-CATALOG", "OAS-FOUND"],
        about: "the catalog lists the API without service-desc or service-doc",
        apply: |s| {
            let b = s.base.clone();
            s.catalog.value = json!({"linkset": [{"anchor": format!("{b}/v1"), "item": [{"href": format!("{b}/v1")}]}]});
        },
    },
    Fault {
        name: "catalog-empty",
        breaks: &[
            "CAT-HYPERLINKS",
            "CAT-METADATA",
            "AUTHMD-API-CATALOG",
            "OAS-FOUND",
        ],
        about: "the catalog's linkset is empty",
        apply: |s| s.catalog.value = json!({"linkset": []}),
    },
    // --- OpenAPI ---
    Fault {
        name: "openapi-invalid",
        breaks: &["OAS-PARSE"],
        about: "the description is Swagger 2.0",
        apply: |s| {
            s.openapi.obj().remove("openapi");
            s.openapi.obj().insert("swagger".into(), json!("2.0"));
        },
    },
    Fault {
        name: "openapi-typed-refused",
        breaks: &["OAS-PARSE"],
        about: "a response description is a number: the structure holds, the typed 3.1 model (oas3) refuses it",
        apply: |s| {
            s.openapi.value["paths"]["/v1/usage"]["get"]["responses"]["200"]["description"] =
                json!(5);
        },
    },
    Fault {
        name: "openapi-device-flow-incomplete",
        breaks: &["OAS-OAUTH2-FLOWS"],
        about: "an OpenAPI 3.2 oauth2 scheme's deviceAuthorization flow lacks deviceAuthorizationUrl",
        apply: |s| {
            let b = s.base.clone();
            openapi_32_oauth2(
                s,
                json!({"deviceAuthorization": {"tokenUrl": format!("{b}/oauth/token"), "scopes": {"jobs:read": "read jobs"}}}),
                None,
            );
        },
    },
    Fault {
        name: "openapi-metadata-url-elsewhere",
        breaks: &["OAS-OAUTH2-METADATA-URL"],
        about: "an OpenAPI 3.2 oauth2 scheme's oauth2MetadataUrl names metadata discovery never reached",
        apply: |s| {
            let b = s.base.clone();
            let flows = json!({"clientCredentials": {"tokenUrl": format!("{b}/oauth/token"), "scopes": {}}});
            openapi_32_oauth2(
                s,
                flows,
                Some(format!(
                    "{b}/.well-known/oauth-authorization-server/elsewhere"
                )),
            );
        },
    },
    Fault {
        name: "openapi-deprecated-scheme",
        breaks: &["OAS-DEPRECATED-SCHEME"],
        about: "in an OpenAPI 3.2 description, the only scheme protected operations use is deprecated",
        apply: |s| {
            s.openapi.obj().insert("openapi".into(), json!("3.2.0"));
            s.openapi.value["components"]["securitySchemes"]["apiKey"]["deprecated"] = json!(true);
        },
    },
    Fault {
        name: "openapi-query-key",
        breaks: &["OAS-BEARER-SCHEME"],
        about: "the security scheme is an apiKey in the query",
        apply: |s| {
            s.openapi.value["components"]["securitySchemes"]["apiKey"] =
                json!({"type": "apiKey", "in": "query", "name": "api_key"});
        },
    },
    Fault {
        name: "openapi-servers-elsewhere",
        breaks: &["OAS-SERVER-MATCH"],
        about: "servers names another host",
        apply: |s| {
            s.openapi.obj().insert(
                "servers".into(),
                json!([{"url": "https://api.jobspipe.example"}]),
            );
        },
    },
    Fault {
        name: "openapi-errors-undocumented",
        breaks: &["AUTHMD-ERRORS-DOCUMENTED"],
        about: "protected operations document no 401 or 429",
        apply: |s| {
            for (p, m) in [("/v1/jobs/search", "post"), ("/v1/usage", "get")] {
                if let Some(r) = s
                    .openapi
                    .value
                    .pointer_mut(&format!("/paths/{}/{m}/responses", p.replace('/', "~1")))
                    .and_then(Value::as_object_mut)
                {
                    r.remove("401");
                    r.remove("429");
                }
            }
        },
    },
    Fault {
        name: "usage-unprotected",
        breaks: &[
            "OAS-PROTECTED-401",
            "WWWA-BEARER-CHALLENGE",
            "AUTHMD-401-HINT",
            "AUTHMD-401-INVALID-KEY",
            "BEARER-HEADER-SUPPORT",
            "WWWA-ERROR-ON-BADTOKEN",
        ],
        about: "GET /v1/usage is declared protected but answers 200 without credentials",
        apply: |s| s.api.usage_unprotected = true,
    },
    // --- MCP (run against the mock's MCP mode with --profile mcp; a version in the name pins it) ---
    Fault {
        name: "mcp-no-authorization-servers",
        breaks: &["MCP-PRM-AS-NONEMPTY"],
        about: "the MCP server's PRM names no authorization server",
        apply: |s| unset(&mut s.prm, "authorization_servers"),
    },
    Fault {
        name: "mcp-hint-404-root-only",
        breaks: &["MCP-PRM-DISCOVERY", "PRM-WELLKNOWN-INSERT", "WWWA-RM-FETCH"],
        about: "the challenge's hint and the path-inserted PRM answer 404 (clients use a hint when present), and only the root serves a PRM",
        apply: |s| {
            s.prm.path = "/.well-known/oauth-protected-resource.json".into();
            serve_root_prm_naming_origin(s);
        },
    },
    Fault {
        name: "mcp-no-challenge-scope",
        breaks: &["MCP-WWWA-SCOPE"],
        about: "the MCP server's challenge has no scope",
        apply: |s| s.challenge_scope = None,
    },
    Fault {
        name: "mcp-offline-scope",
        breaks: &["MCP-NO-OFFLINE-SCOPE"],
        about: "scopes_supported lists offline_access",
        apply: |s| {
            set(
                &mut s.prm,
                "scopes_supported",
                json!(["mcp:tools", "offline_access"]),
            )
        },
    },
    Fault {
        name: "mcp-no-registration",
        breaks: &["MCP-CLIENT-REG"],
        about: "the AS advertises neither DCR nor client ID metadata documents",
        apply: |s| {
            unset(&mut s.asm, "registration_endpoint");
            unset(&mut s.asm, "client_id_metadata_document_supported");
        },
    },
    Fault {
        name: "mcp-oidc-only-incomplete",
        breaks: &["ASM-OIDC-COMPAT", "ASM-WELLKNOWN-INSERT"],
        about: "the AS metadata is only at the OIDC location and lacks OIDC's required members",
        apply: |s| s.asm.path = "/.well-known/openid-configuration".into(),
    },
    Fault {
        name: "mcp-no-pkce",
        breaks: &["ASM-PKCE", "MCP-PKCE"],
        about: "the AS does not advertise PKCE (MCP clients stop)",
        apply: |s| unset(&mut s.asm, "code_challenge_methods_supported"),
    },
    Fault {
        name: "mcp-resource-trailing-slash",
        breaks: &["MCP-RESOURCE-PARAM", "PRM-RESOURCE-MATCH"],
        about: "the PRM names the server https://host/mcp/",
        apply: |s| {
            let r = format!("{}/mcp/", s.base);
            set(&mut s.prm, "resource", json!(r));
        },
    },
    Fault {
        name: "mcp-no-iss-parameter",
        breaks: &["MCP-ISS-PARAM"],
        about: "the AS does not advertise authorization_response_iss_parameter_supported",
        apply: |s| unset(&mut s.asm, "authorization_response_iss_parameter_supported"),
    },
    Fault {
        name: "mcp-2025-06-18-no-hint",
        breaks: &["MCP-401-WWWA", "WWWA-RESOURCE-METADATA"],
        about: "under MCP 2025-06-18 the 401 must carry resource_metadata, and it does not",
        apply: |s| s.hint = None,
    },
    Fault {
        name: "mcp-2025-06-18-oidc-only",
        breaks: &["MCP-ASM-REQUIRED", "ASM-WELLKNOWN-INSERT"],
        about: "the AS metadata is only at the OIDC location, which MCP 2025-06-18 clients do not try",
        apply: serve_asm_as_oidc_only,
    },
    Fault {
        name: "mcp-bad-token-500",
        breaks: &["MCP-AUDIENCE", "WWWA-ERROR-ON-BADTOKEN"],
        about: "the MCP server answers an invalid token with 500 (the SDK example's introspection failure); wwwa.error-on-bad-token is its consequence",
        apply: |s| s.api.bad_key_status = 500,
    },
    Fault {
        name: "mcp-invalid-token-403",
        breaks: &["MCP-AUDIENCE", "WWWA-ERROR-ON-BADTOKEN"],
        about: "the MCP server answers an invalid token with 403",
        apply: |s| s.api.bad_key_status = 403,
    },
    Fault {
        name: "mcp-dcr-only",
        breaks: &["MCP-CIMD"],
        about: "the AS offers only Dynamic Client Registration, deprecated in 2026-07-28, and no client ID metadata documents",
        apply: |s| unset(&mut s.asm, "client_id_metadata_document_supported"),
    },
    Fault {
        name: "mcp-cimd-unchecked",
        breaks: &["CIMD-VALIDATE"],
        about: "the authorization endpoint redirects with a code whatever client_id and redirect_uris the client document names",
        apply: |s| s.api.cimd_unchecked = true,
    },
    Fault {
        name: "mcp-iss-omitted",
        breaks: &["ISS-RESPONSE"],
        about: "authorization responses carry no iss, though the metadata advertises authorization_response_iss_parameter_supported (conformance auth/iss-supported-missing)",
        apply: |s| s.api.iss_in_redirect = IssInRedirect::Omitted,
    },
    Fault {
        name: "mcp-iss-normalized",
        breaks: &["ISS-RESPONSE"],
        about: "authorization responses carry iss = the issuer plus '/', equal only after normalising (conformance auth/iss-normalized)",
        apply: |s| s.api.iss_in_redirect = IssInRedirect::Normalized,
    },
    Fault {
        name: "mcp-iss-unadvertised",
        breaks: &["ISS-RESPONSE"],
        about: "authorization responses carry iss, but the metadata does not advertise authorization_response_iss_parameter_supported (conformance auth/iss-unexpected)",
        apply: |s| unset(&mut s.asm, "authorization_response_iss_parameter_supported"),
    },
    Fault {
        name: "mcp-403-no-scope",
        breaks: &["MCP-403-SCOPE"],
        about: "a token without the needed scope gets 403 insufficient_scope but no scope parameter",
        apply: |s| s.scope_refusal = ScopeRefusal::NoScope,
    },
    Fault {
        name: "mcp-insufficient-scope-401",
        breaks: &["MCP-403-SCOPE"],
        about: "a live token without the needed scope gets 401, as if it were invalid",
        apply: |s| s.scope_refusal = ScopeRefusal::Unauthorized,
    },
    Fault {
        name: "mcp-scope-unchecked",
        breaks: &["MCP-403-SCOPE"],
        about: "a live token without the needed scope is served anyway",
        apply: |s| s.scope_refusal = ScopeRefusal::Ignored,
    },
    Fault {
        name: "mcp-forged-token-403",
        breaks: &["TOKEN-FORGED-401"],
        about: "the MCP server answers JWTs it did not issue with 403 instead of 401",
        apply: |s| s.api.forged_status = 403,
    },
    // --- MCP transport security ---
    Fault {
        name: "mcp-origin-unchecked",
        breaks: &["MCP-ORIGIN-403"],
        about: "the MCP endpoint serves requests from any Origin (no DNS-rebinding guard)",
        apply: |s| s.transport.origin_checked = false,
    },
    Fault {
        name: "mcp-version-unchecked",
        breaks: &["MCP-PROTOCOL-VERSION-400"],
        about: "the MCP endpoint serves any MCP-Protocol-Version, implemented or not",
        apply: |s| s.transport.version_checked = false,
    },
    Fault {
        name: "mcp-header-mismatch-unchecked",
        breaks: &["MCP-HEADER-MISMATCH"],
        about: "the MCP endpoint does not compare MCP-Protocol-Version with the body's _meta version",
        apply: |s| s.transport.header_match_checked = false,
    },
    Fault {
        name: "mcp-2025-11-25-session-as-credential",
        breaks: &["MCP-SESSION-NOT-AUTH"],
        about: "a request carrying a session ID the server issued is served without a token",
        apply: |s| s.transport.session_is_credential = true,
    },
    Fault {
        name: "mcp-2025-11-25-session-constant",
        breaks: &["MCP-SESSION-ID-UNIQUE"],
        about: "every initialize gets the same Mcp-Session-Id",
        apply: |s| s.transport.session_ids = super::transport::SessionIds::Constant,
    },
    Fault {
        name: "mcp-discovery-no-cors",
        breaks: &["CORS-DISCOVERY"],
        about: "the PRM and AS metadata answer no CORS preflight and carry no Access-Control-Allow-Origin",
        apply: |s| s.transport.discovery_cors = false,
    },
    Fault {
        name: "mcp-2025-06-18-session-sequential",
        breaks: &["MCP-SESSION-ID-RANDOM"],
        about: "session IDs count up: session-1, session-2, …",
        apply: |s| s.transport.session_ids = super::transport::SessionIds::Sequential,
    },
    // --- DPoP ---
    Fault {
        name: "dpop-alg-none",
        breaks: &["DPOP-ALGS"],
        about: "the AS lists none and HS256 among its DPoP proof algorithms",
        apply: |s| {
            require_dpop(s);
            set(
                &mut s.asm,
                "dpop_signing_alg_values_supported",
                json!(["ES256", "none", "HS256"]),
            );
        },
    },
    Fault {
        name: "dpop-as-silent",
        breaks: &["DPOP-AS-SUPPORT"],
        about: "the PRM requires DPoP-bound tokens but the AS metadata does not advertise DPoP",
        apply: |s| {
            require_dpop(s);
            unset(&mut s.asm, "dpop_signing_alg_values_supported");
        },
    },
    Fault {
        name: "dpop-no-challenge",
        breaks: &["DPOP-CHALLENGE"],
        about: "the PRM requires DPoP-bound tokens but 401s carry only a Bearer challenge",
        apply: |s| {
            require_dpop(s);
            s.dpop_challenge = None;
        },
    },
    Fault {
        name: "dpop-challenge-no-algs",
        breaks: &["DPOP-CHALLENGE"],
        about: "401s carry a DPoP challenge that does not say which proof algorithms it takes (RFC 9449 §7.1: algs SHOULD be included)",
        apply: |s| {
            require_dpop(s);
            s.dpop_challenge = Some("DPoP realm=\"jobspipe\"".into());
        },
    },
    Fault {
        name: "dpop-nonce-withheld",
        breaks: &["DPOP-NONCE"],
        about: "a DPoP proof without a nonce gets 401 DPoP error=\"use_dpop_nonce\" but no DPoP-Nonce field to retry with",
        apply: |s| {
            require_dpop(s);
            s.dpop_nonce = DpopNonce::Withheld;
        },
    },
    Fault {
        name: "dpop-proof-only",
        breaks: &["TOKEN-FORGED-REFUSED"],
        about: "the API checks the DPoP proof but not the token it binds: any cnf-bound JWT with a proof (and the nonce asked for) is taken",
        apply: |s| {
            require_dpop(s);
            s.api.jwt_trust = JwtTrust::DpopProofOnly;
        },
    },
    // --- negative token probes ---
    Fault {
        name: "token-alg-none-accepted",
        breaks: &["TOKEN-FORGED-REFUSED"],
        about: "the API takes a JWT with alg \"none\" (no signature) as a credential",
        apply: |s| s.api.jwt_trust = JwtTrust::AlgNone,
    },
    Fault {
        name: "token-signature-unchecked",
        breaks: &["TOKEN-FORGED-REFUSED"],
        about: "the API takes any signed-looking JWT for its audience: signature and expiry unchecked (self-signed and expired tokens pass)",
        apply: |s| s.api.jwt_trust = JwtTrust::SignatureUnchecked,
    },
    Fault {
        name: "token-malformed-403",
        breaks: &["TOKEN-FORGED-401"],
        about: "a malformed Authorization header gets 403 (RFC 6750 §3.1: 400 invalid_request)",
        apply: |s| s.api.malformed_status = Some(403),
    },
    Fault {
        name: "token-query-key-accepted",
        breaks: &["TOKEN-QUERY-REFUSED"],
        about: "the API also takes the key from the access_token query parameter",
        apply: |s| s.api.query_key_accepted = true,
    },
    // --- auth.md contract ---
    Fault {
        name: "key-rejected",
        breaks: &["AUTHMD-BEARER-KEY", "AUTHMD-REVOKE-IMMEDIATE"],
        about: "the protected endpoint refuses the valid API key",
        apply: |s| s.reject_key = true,
    },
    Fault {
        name: "mcp-token-rejected",
        breaks: &["MCP-VALID-TOKEN"],
        about: "the MCP server refuses the valid token with 401 on every method (key-rejected's MCP twin)",
        apply: |s| s.reject_key = true,
    },
    // --- A2A agent card (A2A v1.0.1) ---
    Fault {
        name: "agent-card-members-missing",
        breaks: &["A2A-CARD-MEMBERS"],
        about: "the agent card has no skills and writes supported_interfaces in snake_case (A2A §5.5 wants camelCase, §5.7 the REQUIRED members)",
        apply: |s| {
            let card = s.card.obj();
            card.remove("skills");
            if let Some(v) = card.remove("supportedInterfaces") {
                card.insert("supported_interfaces".into(), v);
            }
        },
    },
    Fault {
        name: "agent-card-scheme-v03",
        breaks: &["A2A-CARD-SCHEMES"],
        about: "the agent card's OAuth2 scheme is in the A2A 0.3 OpenAPI form ({\"type\": \"oauth2\", \"flows\": …}), which v1.0 clients cannot read",
        apply: |s| {
            s.card_follows_as = false;
            let b = s.base.clone();
            s.card.value["securitySchemes"][super::agent_card::SCHEME] = json!({
                "type": "oauth2",
                "flows": {"authorizationCode": {
                    "authorizationUrl": format!("{b}/oauth/authorize"),
                    "tokenUrl": format!("{b}/oauth/token"),
                    "scopes": {"jobs:read": "Read job listings"}
                }}
            });
        },
    },
    Fault {
        name: "agent-card-http-interface",
        breaks: &["A2A-CARD-TLS"],
        about: "the agent card's JSON-RPC interface is a plain-http URL on a public host (A2A §7.1: HTTPS for HTTP-based bindings)",
        apply: |s| {
            s.card.value["supportedInterfaces"][0]["url"] =
                json!("http://a2a.jobspipe.example/a2a/v1");
        },
    },
    Fault {
        name: "agent-card-undeclared-scheme",
        breaks: &["A2A-CARD-REQUIREMENTS"],
        about: "the agent card's security requirements name a scheme (\"jobspipe-oidc\") that securitySchemes does not declare",
        apply: |s| {
            s.card.obj().insert(
                "securityRequirements".into(),
                json!([{"schemes": {"jobspipe-oidc": {"list": ["openid"]}}}]),
            );
        },
    },
    Fault {
        name: "agent-card-other-as",
        breaks: &["A2A-CARD-AS-AGREE"],
        about: "the agent card sends clients to another authorization server than the one the PRM names (oauth2MetadataUrl and tokenUrl at as.partner.example)",
        apply: |s| {
            s.card_follows_as = false;
            let scheme = super::agent_card::scheme(&mut s.card);
            scheme.insert(
                "oauth2MetadataUrl".into(),
                json!("https://as.partner.example/.well-known/oauth-authorization-server"),
            );
            scheme["flows"]["authorizationCode"]["tokenUrl"] =
                json!("https://as.partner.example/oauth/token");
        },
    },
    Fault {
        name: "agent-card-uncached",
        breaks: &["A2A-CARD-CACHE"],
        about: "the agent card is served without Cache-Control max-age or ETag (A2A §8.6.1)",
        apply: |s| s.card.headers.clear(),
    },
];

/// The faults of the mock's authorization server and of its resource server's token checks
/// (issue 19). Each breaks a requirement whose row the OAuth client's branch adds; until those
/// rows are in the catalogue these stay out of [`FAULTS`] (tests/catalogue.rs and
/// tests/conformance.rs would fail them), and move there, unchanged, with the rows.
/// `check --mock --fault NAME` finds them already.
pub static AS_FAULTS: &[Fault] = &[
    Fault {
        name: "mcp-rs-audience-unchecked",
        breaks: &["TOKEN-AUDIENCE-REFUSED"],
        about: "the MCP server takes a token its AS minted for another resource (aud unchecked)",
        apply: |s| s.oauth.rs_audience_unchecked = true,
    },
    Fault {
        name: "mcp-rs-dpop-as-bearer",
        breaks: &["DPOP-BOUND-AS-BEARER"],
        about: "the MCP server takes a DPoP-bound token sent as Bearer, without a proof (RFC 9449 §7.1)",
        apply: |s| s.oauth.rs_dpop_as_bearer = true,
    },
    Fault {
        name: "mcp-rs-dpop-any-key",
        breaks: &["DPOP-PROOF-KEY"],
        about: "the MCP server takes a bound token with a proof from any key: the proof's jwk thumbprint is not compared with cnf.jkt (RFC 9449 §7.1)",
        apply: |s| s.oauth.rs_dpop_any_key = true,
    },
    Fault {
        name: "mcp-rs-dpop-htu-unchecked",
        breaks: &["DPOP-PROOF-HTM-HTU"],
        about: "the MCP server takes a DPoP proof made for another method or URL (htm and htu unchecked, RFC 9449 §4.3)",
        apply: |s| s.oauth.rs_dpop_htu_unchecked = true,
    },
    Fault {
        name: "mcp-as-pkce-ignored",
        breaks: &["OAUTH-PKCE-ENFORCED"],
        about: "the AS redeems a code without its code_verifier, or with a wrong one (RFC 7636 §4.6)",
        apply: |s| s.oauth.pkce_ignored = true,
    },
    Fault {
        name: "mcp-as-code-reusable",
        breaks: &["OAUTH-CODE-ONCE"],
        about: "the AS redeems an authorization code more than once (OAuth 2.1 §4.1.3)",
        apply: |s| s.oauth.code_reusable = true,
    },
    Fault {
        name: "mcp-as-redirect-prefix",
        breaks: &["OAUTH-REDIRECT-EXACT"],
        about: "the AS matches redirect URIs by prefix: an extra path segment or an added query is redirected to",
        apply: |s| s.oauth.redirect_prefix = true,
    },
    Fault {
        name: "mcp-as-refresh-not-rotated",
        breaks: &["OAUTH-REFRESH-ROTATION"],
        about: "the AS hands a public client back the same refresh token, which keeps working after use (OAuth 2.1 §4.3.1)",
        apply: |s| s.oauth.refresh_not_rotated = true,
    },
    Fault {
        name: "mcp-as-aud-issuer",
        breaks: &["OAUTH-TOKEN-AUD"],
        about: "access tokens carry the issuer as aud, not the requested resource (RFC 8707 §2, RFC 9068 §3); the resource server checks the recipient through the AS's records, so only the token's aud is wrong",
        apply: |s| s.oauth.aud_issuer = true,
    },
    Fault {
        name: "mcp-as-dpop-token-type-bearer",
        breaks: &["OAUTH-DPOP-TOKEN-TYPE"],
        about: "a token request with a DPoP proof is answered with token_type Bearer, though the token is bound (RFC 9449 §5)",
        apply: |s| s.oauth.dpop_token_type_bearer = true,
    },
    Fault {
        name: "mcp-as-dcr-any-redirect",
        breaks: &["OAUTH-DCR-REDIRECT-SECURE"],
        about: "dynamic client registration takes a redirect URI that is neither https nor loopback (http://evil.example/…) (MCP §Communication Security)",
        apply: |s| s.oauth.dcr_any_redirect = true,
    },
    Fault {
        name: "mcp-as-pkce-optional",
        breaks: &["OAUTH-PKCE-AUTHZ"],
        about: "the authorization endpoint issues a code to a public client's request without code_challenge (OAuth 2.1 §4.1.2.1)",
        apply: |s| s.oauth.pkce_optional = true,
    },
    Fault {
        name: "mcp-as-token-cacheable",
        breaks: &["OAUTH-TOKEN-NO-STORE"],
        about: "token responses carry no Cache-Control: no-store (OAuth 2.1 §3.2.3)",
        apply: |s| s.oauth.token_cacheable = true,
    },
    Fault {
        name: "mcp-as-code-any-client",
        breaks: &["OAUTH-CODE-CLIENT"],
        about: "the token endpoint redeems a code for a client it was not issued to (OAuth 2.1 §4.1.3)",
        apply: |s| s.oauth.code_any_client = true,
    },
];
