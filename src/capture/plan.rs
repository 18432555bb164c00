//! What to fetch first and what each answer leads to: only URL extraction, never judgement.

use super::CaptureOptions;
use super::client::Fetch;
use crate::checks::Profile;
use crate::evidence::{Exchange, Role};
use crate::identifier::{ASM_SUFFIX, PRM_SUFFIX, well_known, well_known_unstripped};
use crate::parse::challenge;
use serde_json::Value;
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

fn get(role: Role, url: Url) -> Fetch {
    Fetch {
        role,
        method: "GET".into(),
        url,
        keyed: false,
        body: None,
    }
}

/// The fetches that need nothing but the resource URL; all of them start at once.
pub fn initial(resource: &Url, opts: &CaptureOptions) -> Vec<Fetch> {
    let mut out = vec![get(Role::Prm, well_known(resource, PRM_SUFFIX))];
    let path = resource.path();
    let origin = origin_url(resource);
    if path != "/" && !path.is_empty() {
        out.push(get(Role::PrmRoot, well_known(&origin, PRM_SUFFIX)));
        if path.ends_with('/') {
            out.push(get(
                Role::PrmUnstripped,
                well_known_unstripped(resource, PRM_SUFFIX),
            ));
        }
    }
    if opts.profile == Profile::AuthMd {
        out.push(get(Role::AsmAtOrigin, well_known(&origin, ASM_SUFFIX)));
    }
    out.extend(probes(resource, opts));
    out
}

fn origin_url(u: &Url) -> Url {
    let mut o = u.clone();
    o.set_path("/");
    o.set_query(None);
    o.set_fragment(None);
    o
}

fn probes(resource: &Url, opts: &CaptureOptions) -> Vec<Fetch> {
    let endpoints: Vec<(String, Url)> = if opts.endpoints.is_empty() {
        vec![("GET".into(), resource.clone())]
    } else {
        opts.endpoints
            .iter()
            .filter_map(|e| resource.join(&e.path).ok().map(|u| (e.method.clone(), u)))
            .collect()
    };
    let mut out = Vec::new();
    for (method, url) in endpoints {
        let endpoint = format!("{method} {}", url.path());
        let body =
            (method == "POST" || method == "PUT" || method == "PATCH").then(|| b"{}".to_vec());
        out.push(Fetch {
            role: Role::ProbeUnauth {
                endpoint: endpoint.clone(),
            },
            method: method.clone(),
            url: url.clone(),
            keyed: false,
            body: body.clone(),
        });
        // A body goes with the real key only to endpoints the user named (auth.md contract).
        if opts.api_key.is_some() && (body.is_none() || !opts.endpoints.is_empty()) {
            out.push(Fetch {
                role: Role::ProbeAuth { endpoint },
                method,
                url,
                keyed: true,
                body,
            });
        }
    }
    out
}

/// The URLs an answer in `role` names, as further fetches.
pub fn follow_ups(role: &Role, ex: &Exchange) -> Vec<Fetch> {
    match role {
        Role::ProbeUnauth { .. } if ex.status == Some(401) => hinted(ex),
        Role::Prm | Role::PrmHinted { .. } => {
            let mut out = issuers(ex);
            out.extend(jwks(ex));
            out
        }
        Role::Asm { .. } | Role::AsmAtOrigin => jwks(ex),
        _ => Vec::new(),
    }
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
            get(
                Role::PrmHinted {
                    hinted_by: ex.url.clone(),
                },
                u,
            )
        })
        .collect()
}

fn issuers(ex: &Exchange) -> Vec<Fetch> {
    let Some(list) = object(ex)
        .and_then(|o| o.get("authorization_servers"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for issuer in list.iter().filter_map(Value::as_str).take(8) {
        let Ok(u) = Url::parse(issuer) else { continue };
        if !matches!(u.scheme(), "http" | "https") {
            continue;
        }
        out.push(get(
            Role::Asm {
                issuer: issuer.to_string(),
            },
            well_known(&u, ASM_SUFFIX),
        ));
        if u.path() != "/" && u.path().ends_with('/') {
            out.push(get(
                Role::AsmUnstripped {
                    issuer: issuer.to_string(),
                },
                well_known_unstripped(&u, ASM_SUFFIX),
            ));
        }
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
            vec![get(
                Role::Jwks {
                    named_by: ex.url.clone(),
                },
                u,
            )]
        })
        .unwrap_or_default()
}

/// Report order of roles.
pub fn role_rank(r: &Role) -> usize {
    match r {
        Role::ProbeUnauth { .. } => 0,
        Role::ProbeAuth { .. } => 1,
        Role::Prm => 2,
        Role::PrmHinted { .. } => 3,
        Role::PrmRoot => 4,
        Role::PrmUnstripped => 5,
        Role::AsmAtOrigin => 6,
        Role::Asm { .. } => 7,
        Role::AsmUnstripped { .. } => 8,
        Role::Jwks { .. } => 9,
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
        let urls: Vec<String> = initial(&r, &opts)
            .iter()
            .map(|f| f.url.to_string())
            .collect();
        assert_eq!(
            urls,
            [
                "https://a.example/.well-known/oauth-protected-resource/api",
                "https://a.example/.well-known/oauth-protected-resource",
                "https://a.example/.well-known/oauth-protected-resource/api/",
                "https://a.example/api/",
            ]
        );
    }
}
