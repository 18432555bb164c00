//! The OpenAPI description: found, structurally valid for its version, and true to the deployment.

use super::members::{quote, show};
use super::{Area, Check, Level, Levels, MUST, SHOULD};
use crate::evidence::{Doc, Evidence, Exchange, Mode, Role, Subject};
use crate::finding::{Finding, pass_or};
use crate::parse::oas;
use crate::parse::openapi::{Operation, operations, secured_operations};
use serde_json::{Map, Value};
use url::Url;

const OAS: &str = "https://spec.openapis.org/oas/latest.html";

/// A row of this area.
macro_rules! row {
    ($($t:tt)*) => {
        super::check!(Area::Openapi, $($t)*)
    };
}

/// The OpenAPI checks, in report order.
pub static CHECKS: &[Check] = &[
    row!(
        "openapi.found",
        "The OpenAPI description can be found from the discovery documents",
        // Only the auth.md contract asks for a description; no RFC and no MCP version does.
        Levels::auth_md(Level::Should),
        &["OAS-FOUND"],
        "catalogue §11",
        OAS,
        "Link the description from the api-catalog (service-desc), or pass --openapi.",
        found
    ),
    row!(
        "openapi.parse",
        "The description is valid OpenAPI 3.0.x, 3.1.x or 3.2.x as its typed model reads it",
        MUST,
        &["OAS-PARSE"],
        "OpenAPI 3.0.3 / 3.1.1 §4",
        OAS,
        "Declare openapi: 3.0.x or 3.1.x with info.title, info.version and paths (3.1: paths, webhooks or components).",
        parse
    ),
    row!(
        "openapi.bearer-scheme",
        "Protected operations use an http bearer scheme (or an Authorization apiKey)",
        SHOULD,
        &["OAS-BEARER-SCHEME"],
        "OpenAPI §4.8.27 Security Scheme Object",
        OAS,
        "Declare components.securitySchemes.x: {type: http, scheme: bearer} and require it.",
        bearer_scheme
    ),
    row!(
        "openapi.servers",
        "servers includes the resource URL under test",
        SHOULD,
        &["OAS-SERVER-MATCH"],
        "OpenAPI §4.8.5 Server Object",
        OAS,
        "List the resource URL in servers.",
        servers
    ),
    row!(
        "openapi.protected-401",
        "Operations that require security answer 401 without credentials",
        MUST,
        &["OAS-PROTECTED-401"],
        "catalogue §11; RFC 9110 §15.5.2",
        OAS,
        "Enforce the declared security: answer 401 with a Bearer challenge.",
        protected_401
    ),
    row!(
        "openapi.errors-documented",
        "Protected operations document 401 and 429",
        Levels::auth_md(Level::Should),
        &["AUTHMD-ERRORS-DOCUMENTED"],
        "auth.md §Errors",
        OAS,
        "Add 401 and 429 responses (402, 502, 504 where they occur) to every protected operation.",
        errors_documented
    ),
    row!(
        "openapi.oauth2-flows",
        "Each OAuth 2.0 flow has its required URLs and scopes (deviceAuthorization from 3.2)",
        MUST,
        &["OAS-OAUTH2-FLOWS"],
        "OpenAPI 3.2.0 §4.8.28 OAuth Flows Object, §4.8.29 OAuth Flow Object",
        "https://spec.openapis.org/oas/v3.2.0.html#oauth-flows-object",
        "Give every flow its REQUIRED members (authorizationUrl, tokenUrl, deviceAuthorizationUrl, scopes); use deviceAuthorization only in a 3.2 document.",
        oauth2_flows
    ),
    row!(
        "openapi.oauth2-metadata-url",
        "oauth2MetadataUrl leads to the AS metadata discovery found (3.2)",
        SHOULD,
        &["OAS-OAUTH2-METADATA-URL"],
        "OpenAPI 3.2.0 §4.8.27 Security Scheme Object (oauth2MetadataUrl); RFC 8414 §3",
        "https://spec.openapis.org/oas/v3.2.0.html#security-scheme-object",
        "Point oauth2MetadataUrl at the RFC 8414 metadata of the issuer the PRM names.",
        oauth2_metadata_url
    ),
    row!(
        "openapi.deprecated-scheme",
        "Protected operations do not rely only on a deprecated security scheme (3.2)",
        SHOULD,
        &["OAS-DEPRECATED-SCHEME"],
        "OpenAPI 3.2.0 §4.8.27 Security Scheme Object (deprecated)",
        "https://spec.openapis.org/oas/v3.2.0.html#security-scheme-object",
        "Offer a scheme that is not deprecated beside the deprecated one, or stop marking it deprecated.",
        deprecated_scheme
    ),
];

fn oauth2_flows(ev: &Evidence) -> Vec<Finding> {
    each_description(ev, |d| {
        let v32 = oas::Version::of(d.obj) == Some(oas::Version::V32);
        let schemes = oas::oauth2_extras(d.obj);
        if schemes.is_empty() {
            return vec![Finding::skip("no oauth2 security scheme")];
        }
        let mut problems = Vec::new();
        let mut seen = Vec::new();
        for s in &schemes {
            for (flow, missing) in &s.flows {
                let at = format!(
                    "/components/securitySchemes/{}/flows/{flow}",
                    s.name.replace('~', "~0").replace('/', "~1")
                );
                seen.push(format!("{}.{flow}", s.name));
                if flow == "deviceAuthorization" && !v32 {
                    problems.push(
                        Finding::fail(format!(
                            "{}: deviceAuthorization is an OpenAPI 3.2 flow",
                            s.name
                        ))
                        .expected("openapi 3.2.x, or x-oai-deviceAuthorizationUrl in 3.0/3.1")
                        .actual(format!("openapi {}", d.str("openapi").unwrap_or("?")))
                        .at(at.clone()),
                    );
                }
                if !missing.is_empty() {
                    problems.push(
                        Finding::fail(format!(
                            "{}: the {flow} flow lacks {}",
                            s.name,
                            missing.join(", ")
                        ))
                        .expected(format!("{flow} with {}", missing.join(", ")))
                        .actual("absent")
                        .at(at),
                    );
                }
            }
        }
        pass_or(problems, || {
            Finding::pass(format!("OAuth 2.0 flows complete: {}", seen.join(", ")))
        })
    })
}

/// URLs of AS metadata documents discovery fetched and got a document from.
fn discovered_asm(ev: &Evidence) -> Vec<String> {
    ev.exchanges
        .iter()
        .filter(|e| {
            e.has_role(|r| {
                matches!(
                    r,
                    Role::Asm { .. } | Role::AsmOidc { .. } | Role::AsmAtOrigin
                )
            })
        })
        .filter(|e| matches!(ev.subject(Some(e), "AS metadata"), Subject::Doc(_)))
        .map(|e| e.url.clone())
        .collect()
}

fn oauth2_metadata_url(ev: &Evidence) -> Vec<Finding> {
    each_description(ev, |d| {
        let named: Vec<oas::OAuth2Extras> = oas::oauth2_extras(d.obj)
            .into_iter()
            .filter(|s| s.metadata_url.is_some())
            .collect();
        if named.is_empty() {
            return vec![Finding::skip(
                "no oauth2 scheme names oauth2MetadataUrl (OpenAPI 3.2)",
            )];
        }
        if ev.mode == Mode::Lint {
            return vec![Finding::skip(
                "lint does not run discovery to compare oauth2MetadataUrl with",
            )];
        }
        let found = discovered_asm(ev);
        if found.is_empty() {
            return vec![Finding::no_input(
                "discovery found no AS metadata to compare oauth2MetadataUrl with",
            )];
        }
        named
            .into_iter()
            .map(|s| {
                let url = s.metadata_url.unwrap_or_default();
                if found.iter().any(|f| same_url(f, &url)) {
                    Finding::pass(format!(
                        "{}: {url} is the AS metadata discovery found",
                        s.name
                    ))
                } else {
                    Finding::fail(format!(
                        "{}: oauth2MetadataUrl leads elsewhere than discovery",
                        s.name
                    ))
                    .expected(format!("one of {}", found.join(", ")))
                    .actual(url)
                    .at(format!(
                        "/components/securitySchemes/{}/oauth2MetadataUrl",
                        s.name.replace('~', "~0").replace('/', "~1")
                    ))
                }
            })
            .collect()
    })
}

fn same_url(a: &str, b: &str) -> bool {
    match (Url::parse(a), Url::parse(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn deprecated_scheme(ev: &Evidence) -> Vec<Finding> {
    each_description(ev, |d| {
        let deprecated = oas::deprecated_schemes(d.obj);
        if deprecated.is_empty() {
            return vec![Finding::skip("no security scheme is marked deprecated")];
        }
        let only_deprecated: Vec<String> = secured_operations(d.obj)
            .iter()
            .filter(|op| {
                let req = required_schemes(d.obj, op);
                !req.is_empty() && req.iter().all(|n| deprecated.contains(n))
            })
            .map(|op| format!("{} {}", op.method, op.path))
            .collect();
        if only_deprecated.is_empty() {
            return vec![Finding::pass(format!(
                "deprecated {} is offered beside another scheme",
                deprecated.join(", ")
            ))];
        }
        vec![
            Finding::fail(format!(
                "{} rely only on deprecated {}",
                only_deprecated.join(", "),
                deprecated.join(", ")
            ))
            .expected("a security requirement that is not deprecated")
            .actual(format!("deprecated: {}", deprecated.join(", "))),
        ]
    })
}

fn descriptions(ev: &Evidence) -> Result<Vec<Doc<'_>>, Finding> {
    let list = ev.with_role(|r| matches!(r, Role::OpenApi { .. }));
    if list.is_empty() {
        return Err(match ev.mode {
            Mode::Lint => Finding::skip("lint was given no OpenAPI description"),
            Mode::Live => Finding::skip(
                "no OpenAPI description was found (no catalog service-desc, no --openapi)",
            ),
        });
    }
    let docs: Vec<Doc> = list
        .iter()
        .filter_map(|e| {
            if let Subject::Doc(d) = ev.subject(Some(e), "OpenAPI description") {
                Some(d)
            } else {
                None
            }
        })
        .collect();
    if docs.is_empty() {
        return Err(Finding::no_input(format!(
            "no OpenAPI description arrived ({})",
            list.iter()
                .map(|e| e.summary())
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    Ok(docs)
}

fn each_description(ev: &Evidence, mut judge: impl FnMut(Doc<'_>) -> Vec<Finding>) -> Vec<Finding> {
    match descriptions(ev) {
        Err(f) => vec![f],
        Ok(list) => list
            .into_iter()
            .flat_map(|d| judge(d).into_iter().map(move |f| f.on(d.ex)))
            .collect(),
    }
}

fn found(ev: &Evidence) -> Vec<Finding> {
    match descriptions(ev) {
        Ok(list) => list
            .into_iter()
            .map(|d| Finding::pass(format!("found at {} via {}", d.ex.url, via(d.ex))).on(d.ex))
            .collect(),
        Err(f) if ev.mode == Mode::Live && f.skip == Some(crate::finding::SkipKind::Chosen) => {
            // Cites where it looked: a catalog that got no answer leaves this unjudged.
            let looked = ev.with_role(|r| matches!(r, Role::Catalog { .. }));
            vec![
                looked.into_iter().fold(
                    Finding::fail("no OpenAPI description can be found")
                        .expected("a service-desc link in /.well-known/api-catalog")
                        .actual(f.message),
                    |f, e| f.on(e),
                ),
            ]
        }
        Err(f) => vec![f],
    }
}

fn via(ex: &Exchange) -> String {
    ex.roles
        .iter()
        .find_map(|r| {
            if let Role::OpenApi { found_via } = r {
                Some(found_via.clone())
            } else {
                None
            }
        })
        .unwrap_or_default()
}

/// Structural problems by version; 3.1 documents are never failed for 3.1 features.
pub fn structure(doc: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    let version = doc.get("openapi").and_then(Value::as_str).unwrap_or("");
    // 3.2 keeps every 3.1 rule (it only adds members).
    let v31 = version.starts_with("3.1.") || version.starts_with("3.2.");
    if !(version.starts_with("3.0.") || v31) {
        let found = doc
            .get("openapi")
            .or_else(|| doc.get("swagger"))
            .map_or("no openapi member".into(), show);
        out.push(format!(
            "openapi must name 3.0.x, 3.1.x or 3.2.x, found {found}"
        ));
        return out;
    }
    match doc.get("info").and_then(Value::as_object) {
        None => out.push("info is missing or not an object".into()),
        Some(info) => {
            for m in ["title", "version"] {
                if !info.get(m).is_some_and(Value::is_string) {
                    out.push(format!("info.{m} is missing or not a string"));
                }
            }
        }
    }
    let has = |m: &str| doc.get(m).is_some_and(Value::is_object);
    if v31 && !(has("paths") || has("webhooks") || has("components")) {
        out.push("a 3.1 document needs paths, webhooks or components".into());
    }
    if !v31 && !has("paths") {
        out.push("paths is missing or not an object".into());
    }
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (p, item) in paths {
            if !p.starts_with('/') {
                out.push(format!("path {p:?} does not start with '/'"));
            }
            for (m, op) in item.as_object().into_iter().flatten().filter(|(m, _)| {
                [
                    "get", "put", "post", "delete", "options", "head", "patch", "trace",
                ]
                .contains(&m.as_str())
            }) {
                let responses = op.get("responses");
                let ok = responses
                    .is_some_and(|r| r.as_object().is_some_and(|o| !o.is_empty() || v31))
                    || (v31 && responses.is_none());
                if !ok {
                    out.push(format!(
                        "{} {p} has no responses object",
                        m.to_ascii_uppercase()
                    ));
                }
            }
        }
    }
    out
}

fn parse(ev: &Evidence) -> Vec<Finding> {
    let unreadable: Vec<Finding> = ev
        .with_role(|r| matches!(r, Role::OpenApi { .. }))
        .into_iter()
        .filter_map(unreadable_file)
        .collect();
    if !unreadable.is_empty() {
        return unreadable;
    }
    each_description(ev, |d| {
        let version = d.str("openapi").unwrap_or("?").to_string();
        let mut problems: Vec<Finding> = structure(d.obj)
            .into_iter()
            .map(|p| {
                Finding::fail(format!("the description is not valid: {p}"))
                    .expected("OpenAPI 3.0.x, 3.1.x or 3.2.x")
                    .actual(format!("openapi {version}"))
            })
            .collect();
        let reader = oas::Version::of(d.obj).map(oas::Version::reader);
        if problems.is_empty()
            && let Some(Err(e)) = oas::read(d.obj)
        {
            problems.push(
                Finding::fail(format!(
                    "the typed OpenAPI model refuses the description at {}: {}",
                    if e.pointer.is_empty() {
                        "/"
                    } else {
                        &e.pointer
                    },
                    e.message
                ))
                .expected(format!("a document {} reads", reader.unwrap_or("a model")))
                .actual(e.message.clone())
                .at(e.pointer),
            );
        }
        pass_or(problems, || {
            Finding::pass(format!(
                "OpenAPI {version}, read by {}",
                reader.unwrap_or("?")
            ))
        })
    })
}

/// The failure of a description file that cannot be read as JSON or YAML, or is not an object:
/// lint was asked to judge it, so what stopped the reading is the finding (a served description
/// that is not JSON is left to the rows that need it).
fn unreadable_file(ex: &Exchange) -> Option<Finding> {
    if ex.source != crate::evidence::Source::File {
        return None;
    }
    let fail = match ex.json() {
        Ok(j) if j.value.is_object() => return None,
        Ok(j) => Finding::fail("the description is not an object").actual(show(&j.value)),
        Err(e) => Finding::fail(format!("the description cannot be read: {e}"))
            .actual(super::prm::body_preview(&ex.body)),
    };
    Some(
        fail.expected("an OpenAPI document (a JSON or YAML object)")
            .on(ex),
    )
}

fn schemes<'a>(d: &Doc<'a>) -> Option<&'a Map<String, Value>> {
    d.get("components")?.get("securitySchemes")?.as_object()
}

/// Names of the schemes an operation's effective security requires.
fn required_schemes(doc: &Map<String, Value>, op: &Operation) -> Vec<String> {
    let item = doc
        .get("paths")
        .and_then(|p| p.get(&op.path))
        .and_then(|i| i.get(op.method.to_ascii_lowercase()));
    let sec = item
        .and_then(|o| o.get("security"))
        .or_else(|| doc.get("security"));
    sec.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|o| o.keys().cloned())
        .collect()
}

fn is_bearer(s: &Value) -> bool {
    let ty = s.get("type").and_then(Value::as_str).unwrap_or("");
    let http_bearer = ty.eq_ignore_ascii_case("http")
        && s.get("scheme")
            .and_then(Value::as_str)
            .is_some_and(|x| x.eq_ignore_ascii_case("bearer"));
    let header_key = ty == "apiKey"
        && s.get("in").and_then(Value::as_str) == Some("header")
        && s.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| n.eq_ignore_ascii_case("authorization"));
    http_bearer || header_key
}

fn bearer_scheme(ev: &Evidence) -> Vec<Finding> {
    each_description(ev, |d| {
        let secured = secured_operations(d.obj);
        if secured.is_empty() {
            return vec![
                Finding::fail("no operation requires security")
                    .expected("security on protected operations")
                    .actual(format!(
                        "{} operations, none secured",
                        operations(d.obj).len()
                    )),
            ];
        }
        let defined = schemes(&d);
        // The typed model judges when it reads the document; openapi.parse reports one it refuses.
        let typed = oas::read(d.obj).and_then(Result::ok);
        let bearer = |n: &String| match &typed {
            Some(t) => t.is_bearer(n),
            None => defined.and_then(|s| s.get(n)).is_some_and(is_bearer),
        };
        let out = secured
            .iter()
            .filter(|op| !required_schemes(d.obj, op).iter().any(bearer))
            .map(|op| {
                Finding::fail(format!(
                    "{} {} is not secured by a bearer scheme",
                    op.method, op.path
                ))
                .expected("{type: http, scheme: bearer}")
                .actual(
                    required_schemes(d.obj, op)
                        .iter()
                        .map(|n| {
                            format!(
                                "{n}: {}",
                                defined
                                    .and_then(|s| s.get(n))
                                    .map_or("undefined".into(), show)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            })
            .collect();
        pass_or(out, || {
            Finding::pass(format!(
                "{} protected operations use a bearer scheme",
                secured.len()
            ))
        })
    })
}

fn servers(ev: &Evidence) -> Vec<Finding> {
    if ev.mode == Mode::Lint {
        return vec![Finding::skip(
            "lint does not know the resource URL the servers should name",
        )];
    }
    let r = ev.resource.trim_end_matches('/').to_string();
    each_description(ev, |d| {
        let base = Url::parse(&d.ex.url).ok();
        let urls: Vec<String> = d
            .get("servers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|s| s.get("url").and_then(Value::as_str))
            .filter_map(|u| {
                base.as_ref()
                    .and_then(|b| b.join(u).ok())
                    .map(|u| u.to_string().trim_end_matches('/').to_string())
            })
            .collect();
        vec![if urls
            .iter()
            .any(|u| *u == r || r.starts_with(&format!("{u}/")))
        {
            Finding::pass(format!("servers include {r}"))
        } else {
            Finding::fail("servers does not include the resource URL")
                .expected(quote(&r))
                .actual(if urls.is_empty() {
                    "no servers".into()
                } else {
                    urls.join(", ")
                })
                .at("/servers")
        }]
    })
}

fn protected_401(ev: &Evidence) -> Vec<Finding> {
    let Ok(docs) = descriptions(ev) else {
        return vec![Finding::skip(
            "no OpenAPI description to say which operations are protected",
        )];
    };
    let mut out = Vec::new();
    for d in docs {
        for op in secured_operations(d.obj) {
            let probe = ev.exchanges.iter().find(|e| e.roles.iter().any(|r| matches!(r, Role::ProbeUnauth { endpoint } if *endpoint == format!("{} {}", op.method, op.path) || endpoint.ends_with(&format!("{} {}", op.method, op.path)))));
            if let Some(e) = probe {
                out.push(match e.status {
                    Some(401) => Finding::pass(format!(
                        "{} {} answered 401 without credentials",
                        op.method, op.path
                    ))
                    .on(e),
                    Some(s) => Finding::fail(format!(
                        "{} {} is declared protected but answered {s} without credentials",
                        op.method, op.path
                    ))
                    .expected("401")
                    .actual(s.to_string())
                    .on(e),
                    None => Finding::no_input(format!(
                        "{} {}: {}",
                        op.method,
                        op.path,
                        e.error.as_deref().unwrap_or("no response")
                    ))
                    .on(e),
                });
            }
        }
    }
    if out.is_empty() {
        return vec![Finding::skip(
            "no protected operation was probed (GET/HEAD by default; others need --allow-side-effects or --endpoint)",
        )];
    }
    out
}

fn errors_documented(ev: &Evidence) -> Vec<Finding> {
    each_description(ev, |d| {
        let secured = secured_operations(d.obj);
        if secured.is_empty() {
            return vec![Finding::skip("no protected operations")];
        }
        let out = secured
            .iter()
            .filter_map(|op| {
                let missing: Vec<&str> = ["401", "429"]
                    .into_iter()
                    .filter(|c| {
                        !op.responses
                            .iter()
                            .any(|r| r == c || r == "4XX" || r == "default")
                    })
                    .collect();
                (!missing.is_empty()).then(|| {
                    Finding::fail(format!(
                        "{} {} does not document {}",
                        op.method,
                        op.path,
                        missing.join(" and ")
                    ))
                    .expected("401 and 429 responses")
                    .actual(op.responses.join(", "))
                })
            })
            .collect();
        pass_or(out, || {
            Finding::pass("protected operations document 401 and 429")
        })
    })
}
