//! `POST /oauth/token`: the token endpoint. Authorization code with PKCE S256 (single-use codes
//! bound to their client and redirect URI), refresh with rotation and replay detection,
//! client credentials for confidential clients, RFC 8707 resources as audiences, and DPoP-bound
//! tokens (RFC 9449 §5).

use super::super::State;
use super::super::handlers::{json_response, set};
use super::store::{Access, CODE_TTL, Grant, Refresh, Tables};
use super::{ACCESS_TTL, Params, canonical_resource, dpop, granted_scope, jwt, random_token};
use axum::body::Bytes;
use axum::extract::State as S;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use serde_json::{Value, json};
use std::sync::Arc;

/// The client a token request comes from, authenticated or identified.
struct Caller {
    id: String,
    /// Authenticated with its secret (a confidential client).
    confidential: bool,
}

/// What one token request asks for beyond its grant.
struct Ask<'a> {
    form: &'a Params,
    /// The RFC 7638 thumbprint of the request's DPoP key, when it carried a valid proof.
    jkt: Option<String>,
}

/// The token endpoint.
pub async fn token(S(st): S<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = Params::parse(&String::from_utf8_lossy(&body));
    if let Some(name) = form.repeated() {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("the {name} parameter appears more than once"),
        );
    }
    let caller = match authenticate(&st, &headers, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let jkt = match proof_key(&st, &headers) {
        Ok(k) => k,
        Err(why) => return error(StatusCode::BAD_REQUEST, "invalid_dpop_proof", why),
    };
    let ask = Ask { form: &form, jkt };
    let Ok(mut t) = st.oauth.tables.lock() else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "token store unavailable",
        );
    };
    match form.get("grant_type") {
        Some("authorization_code") => code_grant(&st, &mut t, &caller, &ask),
        Some("refresh_token") => refresh_grant(&st, &mut t, &caller, &ask),
        Some("client_credentials") => client_credentials(&st, &mut t, &caller, &ask),
        Some(_) => error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "this AS supports authorization_code, refresh_token and client_credentials",
        ),
        None => error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type is required",
        ),
    }
}

/// The `client_id` of the client making a request to the AS's endpoints, authenticated as
/// [`authenticate`] does; the refusal to send otherwise.
pub fn authenticate_client(
    st: &State,
    headers: &HeaderMap,
    form: &Params,
) -> Result<String, Response> {
    authenticate(st, headers, form).map(|c| c.id)
}

/// The client: by HTTP Basic or `client_secret` in the form for confidential clients (OAuth 2.1
/// §2.4.1), by `client_id` alone for public ones; a client ID metadata document URL is a public
/// client the AS did not register.
fn authenticate(st: &State, headers: &HeaderMap, form: &Params) -> Result<Caller, Response> {
    let basic = basic_credentials(headers);
    // RFC 6749 §2.3.1: "The client MUST NOT use more than one authentication method in each
    // request"; a form client_id beside Basic must at least name the same client.
    if let Some((id, _)) = &basic
        && (form.get("client_secret").is_some() || form.get("client_id").is_some_and(|f| f != id))
    {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "more than one client authentication method",
        ));
    }
    let (id, secret) = match &basic {
        Some((id, secret)) => (Some(id.clone()), Some(secret.clone())),
        None => (
            form.get("client_id").map(str::to_string),
            form.get("client_secret").map(str::to_string),
        ),
    };
    let Some(id) = id else {
        return Err(unauthorized("the client is not identified"));
    };
    let known = st
        .oauth
        .clients
        .lock()
        .ok()
        .and_then(|c| c.get(&id).cloned());
    match (known.and_then(|c| c.secret), secret) {
        (Some(expected), Some(given)) if given == expected => Ok(Caller {
            id,
            confidential: true,
        }),
        (Some(_), _) => Err(unauthorized("client authentication failed")),
        (None, Some(_)) => Err(unauthorized("this client has no secret")),
        (None, None) if registered(st, &id) || is_url(&id) => Ok(Caller {
            id,
            confidential: false,
        }),
        (None, None) => Err(unauthorized("unknown client")),
    }
}

fn registered(st: &State, id: &str) -> bool {
    st.oauth.clients.lock().is_ok_and(|c| c.contains_key(id))
}

fn is_url(id: &str) -> bool {
    url::Url::parse(id).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// `client_id` and secret of an `Authorization: Basic` header, each form-urlencoded inside
/// (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, b64) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |s: &str| -> String {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((decode(id), decode(secret)))
}

/// The key of the request's DPoP proof, when it has one (RFC 9449 §4.3, `htu` the token
/// endpoint); an invalid proof is refused with `invalid_dpop_proof` (RFC 9449 §5).
fn proof_key(st: &State, headers: &HeaderMap) -> Result<Option<String>, &'static str> {
    let proof = dpop::proof_header(headers).map_err(dpop::Refusal::describe)?;
    if proof.is_none() {
        return Ok(None);
    }
    let url = format!("{}/oauth/token", st.site.base);
    let expect = dpop::Expect {
        method: "POST",
        url: &url,
        token: None,
        bind_request: true,
    };
    dpop::verify(proof, &expect, &st.oauth.proofs)
        .map(Some)
        .map_err(dpop::Refusal::describe)
}

/// `grant_type=authorization_code` (OAuth 2.1 §4.1.3).
fn code_grant(st: &State, t: &mut Tables, caller: &Caller, ask: &Ask) -> Response {
    let rules = st.site.oauth;
    let Some(code) = ask.form.get("code") else {
        return bad("invalid_request", "code is required");
    };
    let Some(c) = t.codes.get_mut(code) else {
        return bad("invalid_grant", "unknown authorization code");
    };
    if c.used && !rules.code_reusable {
        return bad(
            "invalid_grant",
            "the authorization code was already redeemed",
        );
    }
    c.used = true;
    let c = c.clone();
    if jwt::now() > c.issued_at + CODE_TTL {
        return bad("invalid_grant", "the authorization code expired");
    }
    if c.client_id != caller.id && !rules.code_any_client {
        return bad("invalid_grant", "the code was issued to another client");
    }
    if let Some(r) = &c.redirect_uri
        && ask.form.get("redirect_uri") != Some(r.as_str())
    {
        return bad(
            "invalid_grant",
            "redirect_uri differs from the authorization request's",
        );
    }
    if !rules.pkce_ignored && !pkce_holds(c.challenge.as_deref(), ask.form.get("code_verifier")) {
        return bad(
            "invalid_grant",
            "code_verifier does not match the code_challenge",
        );
    }
    let (scope, resources) = match narrowed(st, ask.form, &c.scope, &c.resources) {
        Ok(x) => x,
        Err(r) => return r,
    };
    // RFC 9449 §5: refresh tokens of public clients are bound to the DPoP key.
    let bound = ask.jkt.clone().filter(|_| !caller.confidential);
    let grant = t.add_grant(Grant {
        client_id: caller.id.clone(),
        subject: "mock-user".into(),
        scope: c.scope,
        resources: c.resources,
        revoked: false,
        jkt: bound,
    });
    issue(
        st,
        t,
        grant,
        &scope,
        &resources,
        ask.jkt.as_deref(),
        Some(None),
    )
}

/// Whether the verifier answers the challenge (RFC 7636 §4.6, S256 only). With no challenge,
/// no verifier may come (OAuth 2.1 §4.1.3).
fn pkce_holds(challenge: Option<&str>, verifier: Option<&str>) -> bool {
    match (challenge, verifier) {
        (Some(c), Some(v)) => well_formed_verifier(v) && jwt::sha256_b64(v) == c,
        (None, None) => true,
        _ => false,
    }
}

/// RFC 7636 §4.1: 43 to 128 characters of `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`.
fn well_formed_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// `grant_type=refresh_token` (OAuth 2.1 §4.3): a new refresh token each time; a refresh token
/// used twice revokes its grant (§4.3.1), and a DPoP-bound one needs a proof from its key.
fn refresh_grant(st: &State, t: &mut Tables, caller: &Caller, ask: &Ask) -> Response {
    let rules = st.site.oauth;
    let Some(rt) = ask.form.get("refresh_token") else {
        return bad("invalid_request", "refresh_token is required");
    };
    let Some(r) = t.refresh.get(rt).cloned() else {
        return bad("invalid_grant", "unknown refresh token");
    };
    let Some(g) = t.grants.get(r.grant).cloned() else {
        return bad("invalid_grant", "unknown refresh token");
    };
    if g.client_id != caller.id {
        return bad(
            "invalid_grant",
            "the refresh token was issued to another client",
        );
    }
    if g.revoked {
        return bad("invalid_grant", "the grant was revoked");
    }
    if r.used && !rules.refresh_not_rotated {
        t.revoke_grant(r.grant, false);
        return bad(
            "invalid_grant",
            "the refresh token was already used; its grant is revoked",
        );
    }
    if let Some(bound) = &g.jkt
        && ask.jkt.as_ref() != Some(bound)
    {
        return bad(
            "invalid_grant",
            "the refresh token is bound to a DPoP key this request does not prove",
        );
    }
    let (scope, resources) = match narrowed(st, ask.form, &g.scope, &g.resources) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let keep = if rules.refresh_not_rotated {
        Some(rt.to_string())
    } else {
        if let Some(old) = t.refresh.get_mut(rt) {
            old.used = true;
        }
        None
    };
    issue(
        st,
        t,
        r.grant,
        &scope,
        &resources,
        ask.jkt.as_deref(),
        Some(keep),
    )
}

/// `grant_type=client_credentials` (OAuth 2.1 §4.2): confidential clients only, no refresh token.
fn client_credentials(st: &State, t: &mut Tables, caller: &Caller, ask: &Ask) -> Response {
    if !caller.confidential {
        return bad(
            "unauthorized_client",
            "client_credentials needs a confidential client",
        );
    }
    let all = super::served_resources(st);
    let scope = granted_scope(st, None);
    let (scope, resources) = match narrowed(st, ask.form, &scope, &all) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let grant = t.add_grant(Grant {
        client_id: caller.id.clone(),
        subject: caller.id.clone(),
        scope: scope.clone(),
        resources: resources.clone(),
        revoked: false,
        jkt: None,
    });
    issue(st, t, grant, &scope, &resources, ask.jkt.as_deref(), None)
}

/// The scope and resources of this token: the request's `scope` within the grant's (else the
/// grant's, OAuth 2.1 §4.3), and its `resource`s within the grant's (RFC 8707 §2.2; else the
/// deployment's resource when granted, else the grant's first).
fn narrowed(
    st: &State,
    form: &Params,
    scope: &[String],
    resources: &[String],
) -> Result<(Vec<String>, Vec<String>), Response> {
    let asked_scope: Option<Vec<String>> = form.get("scope").map(|s| {
        s.split(' ')
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect()
    });
    let scope = match asked_scope {
        Some(a) if a.iter().all(|s| scope.contains(s)) => a,
        Some(_) => {
            return Err(bad(
                "invalid_scope",
                "the requested scope exceeds the scope granted",
            ));
        }
        None => scope.to_vec(),
    };
    let mut out = Vec::new();
    for r in form.all("resource") {
        match canonical_resource(st, r).filter(|c| resources.contains(c)) {
            Some(c) if !out.contains(&c) => out.push(c),
            Some(_) => {}
            None => {
                return Err(bad(
                    "invalid_target",
                    "the resource is not one this grant may have tokens for",
                ));
            }
        }
    }
    if out.is_empty() {
        let own = &st.site.resource;
        out.push(if resources.contains(own) {
            own.clone()
        } else {
            resources.first().cloned().unwrap_or_else(|| own.clone())
        });
    }
    Ok((scope, out))
}

/// Issues an access token for `grant` and answers with it (OAuth 2.1 §3.2.3). `refresh` is
/// `None` for no refresh token, `Some(None)` for a fresh one, `Some(Some(t))` to hand `t` back.
fn issue(
    st: &State,
    t: &mut Tables,
    grant: usize,
    scope: &[String],
    resources: &[String],
    jkt: Option<&str>,
    refresh: Option<Option<String>>,
) -> Response {
    let rules = st.site.oauth;
    let Some(g) = t.grants.get(grant).cloned() else {
        return bad("invalid_grant", "unknown grant");
    };
    let now = jwt::now();
    let jti = jwt::random_hex(16);
    let iss = super::issuer(st);
    let aud = if rules.aud_issuer {
        json!(iss)
    } else if let [one] = resources {
        json!(one)
    } else {
        json!(resources)
    };
    let mut claims = json!({
        "iss": iss, "sub": g.subject, "aud": aud, "client_id": g.client_id,
        "scope": scope.join(" "), "iat": now, "exp": now + ACCESS_TTL, "jti": jti,
    });
    if let Some(k) = jkt {
        claims["cnf"] = json!({"jkt": k});
    }
    let Some(access) = jwt::sign_access_token(&claims) else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "the signing key is unavailable",
        );
    };
    t.access.insert(
        jti,
        Access {
            grant,
            resources: resources.to_vec(),
            revoked: false,
        },
    );
    let token_type = if jkt.is_some() && !rules.dpop_token_type_bearer {
        "DPoP"
    } else {
        "Bearer"
    };
    let mut body = json!({
        "access_token": access, "token_type": token_type, "expires_in": ACCESS_TTL,
        "scope": scope.join(" "),
    });
    if let Some(keep) = refresh {
        let rt = keep.unwrap_or_else(|| {
            let fresh = random_token("mr");
            t.refresh
                .insert(fresh.clone(), Refresh { grant, used: false });
            fresh
        });
        body["refresh_token"] = json!(rt);
    }
    let mut r = json_response(StatusCode::OK, "application/json", &body);
    if !rules.token_cacheable {
        // OAuth 2.1 -13 §3.2.3: "MUST include the HTTP `Cache-Control` response header field
        // [...] with a value of `no-store` in any response containing tokens".
        set(&mut r, "cache-control", "no-store");
        set(&mut r, "pragma", "no-cache");
    }
    r
}

/// An OAuth error answer (OAuth 2.1 §3.2.4), never cached.
fn error(status: StatusCode, code: &str, description: &str) -> Response {
    let mut r = json_response(
        status,
        "application/json",
        &json!({"error": code, "error_description": description}),
    );
    set(&mut r, "cache-control", "no-store");
    r
}

fn bad(code: &str, description: &str) -> Response {
    error(StatusCode::BAD_REQUEST, code, description)
}

/// 401 `invalid_client` with a Basic challenge (OAuth 2.1 §3.2.4).
fn unauthorized(description: &str) -> Response {
    let mut r = error(StatusCode::UNAUTHORIZED, "invalid_client", description);
    set(&mut r, "www-authenticate", "Basic realm=\"mock-as\"");
    r
}

/// The claims of a JWT access token this AS issued, unverified (for tests and revocation).
pub fn claims_of(token: &str) -> Option<Value> {
    jwt::parse(token)
        .filter(|p| p.signed_by_mock())
        .map(|p| p.payload)
}
