//! The RFC 9727 api-catalog and its RFC 9264 linkset, on every origin checked.

use super::members::{quote, show};
use super::{Area, Check, Level, Levels, MUST, SHOULD, rfc};
use crate::evidence::{Doc, Evidence, Exchange, Mode, Role, Subject};
use crate::finding::{Finding, pass_or};
use crate::identifier::{Scheme, is_private, scheme_rule};
use crate::parse::link;
use serde_json::Value;
use url::Url;

/// The profile URI implementations use for RFC 9727 (catalogue A-11).
pub const PROFILE: &str = "https://www.rfc-editor.org/info/rfc9727";

/// A row of this area.
macro_rules! row {
    ($($t:tt)*) => {
        super::check!(Area::Catalog, $($t)*)
    };
}

/// The api-catalog checks, in report order.
pub static CHECKS: &[Check] = &[
    row!(
        "catalog.published",
        "The API is listed in an api-catalog that points to its OpenAPI description",
        Levels::auth_md(Level::Should),
        &["AUTHMD-API-CATALOG"],
        "RFC 9727 §2; auth.md §Discover",
        rfc!("9727", "2"),
        "Serve /.well-known/api-catalog with a service-desc link to the OpenAPI document.",
        published
    ),
    row!(
        "catalog.get",
        "GET of /.well-known/api-catalog yields the catalog",
        MUST,
        &["CAT-NAME", "CAT-GET"],
        "RFC 9727 §2, §4",
        rfc!("9727", "2"),
        "Answer GET /.well-known/api-catalog with 200 and the linkset (redirects are allowed). RFC 9727 §2 binds \"a Publisher supporting this URI\": a 404, 410, 401 or 403 with no HEAD answer advertising an api-catalog Link is read as no catalog published, and catalog.get and catalog.head-link both skip; any other answer, or such a Link, makes the URI supported and a GET that does not yield the catalog fails.",
        get
    ),
    row!(
        "catalog.head-link",
        "HEAD of the catalog answers with an api-catalog Link",
        MUST,
        &["CAT-HEAD-LINK"],
        "RFC 9727 §2",
        rfc!("9727", "2"),
        "Answer HEAD with Link: </.well-known/api-catalog>; rel=\"api-catalog\". Judged on every origin that supports the URI (RFC 9727 §2 \"a Publisher supporting this URI\"), by the same reading as catalog.get: a GET answered 404, 410, 401 or 403 with no advertising Link means no catalog is published, and both rows skip.",
        head_link
    ),
    row!(
        "catalog.head-nobody",
        "The HEAD response has no content",
        MUST,
        &["CAT-HEAD-NOBODY"],
        "RFC 9110 §9.3.2",
        rfc!("9110", "9.3.2"),
        "Send no body in HEAD responses.",
        head_nobody
    ),
    row!(
        "catalog.format",
        "The catalog is served as application/linkset+json",
        MUST,
        &["CAT-FORMAT", "CAT-LINKSET-ALWAYS"],
        "RFC 9727 §4.2",
        rfc!("9727", "4.2"),
        "Send Content-Type: application/linkset+json (even when other formats are negotiable).",
        format
    ),
    row!(
        "catalog.profile",
        "The media type names the api-catalog profile",
        SHOULD,
        &["CAT-PROFILE", "LS-PROFILE-VALUE"],
        "RFC 9727 §4.2; RFC 9264 §5",
        rfc!("9727", "4.2"),
        "Add ; profile=\"https://www.rfc-editor.org/info/rfc9727\".",
        profile
    ),
    row!(
        "catalog.utf8",
        "The catalog is UTF-8",
        MUST,
        &["LS-UTF8"],
        "RFC 9264 §4.2",
        rfc!("9264", "4.2"),
        "Encode the linkset as UTF-8 without a byte order mark.",
        utf8
    ),
    row!(
        "catalog.linkset",
        "The top level is exactly {\"linkset\": [ … ]}",
        MUST,
        &["LS-SOLE-MEMBER", "LS-ARRAY"],
        "RFC 9264 §4.2.1",
        rfc!("9264", "4.2.1"),
        "Make linkset the only top-level member and an array of context objects.",
        linkset
    ),
    row!(
        "catalog.targets",
        "Each relation holds an array of target objects with an href",
        MUST,
        &[
            "LS-REL-ARRAY",
            "LS-HREF",
            "LS-ATTRS",
            "LS-I18N-ATTRS",
            "LS-ANCHOR"
        ],
        "RFC 9264 §4.2.2–§4.2.4",
        rfc!("9264", "4.2.2"),
        "Write \"service-desc\": [{\"href\": \"https://…\", \"type\": \"…\"}]; attributes as strings, hreflang and title* as arrays.",
        targets
    ),
    row!(
        "catalog.hyperlinks",
        "The catalog links to at least one API",
        MUST,
        &["CAT-HYPERLINKS", "CAT-ITEM"],
        "RFC 9727 §4.1",
        rfc!("9727", "4.1"),
        "Add a context object per API with at least one link.",
        hyperlinks
    ),
    row!(
        "catalog.metadata",
        "The catalog links API metadata (service-desc, service-doc, service-meta or status)",
        SHOULD,
        &["CAT-METADATA"],
        "RFC 9727 §4.1, App. A",
        rfc!("9727", "4.1"),
        "Add service-desc (the OpenAPI document) and service-doc links.",
        metadata
    ),
    row!(
        "catalog.tls",
        "The catalog is served over https",
        SHOULD,
        &["CAT-TLS"],
        "RFC 9727 §8",
        rfc!("9727", "8"),
        "Serve the catalog only over https.",
        tls
    ),
    row!(
        "catalog.no-internal",
        "A public catalog names no internal hosts",
        SHOULD,
        &["CAT-NO-INTERNAL"],
        "RFC 9727 §8",
        rfc!("9727", "8"),
        "Remove links to private addresses, localhost or .internal names.",
        no_internal
    ),
];

/// The first characters of a body, printable, for a message (never raw bytes).
fn body_start(body: &[u8]) -> String {
    let text: String = String::from_utf8_lossy(&body[..body.len().min(40)])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("body starts {:?}", text.trim())
}

fn gets(ev: &Evidence) -> Vec<&Exchange> {
    ev.with_role(|r| matches!(r, Role::Catalog { .. }))
}

/// Catalog documents that arrived; a 404 means "not published", which is not a failure here.
fn docs(ev: &Evidence) -> Result<Vec<Doc<'_>>, Finding> {
    let list = gets(ev);
    if list.is_empty() {
        return Err(match ev.mode {
            Mode::Lint => Finding::skip("lint was given no catalog"),
            Mode::Live => Finding::no_input("the api-catalog was not requested"),
        });
    }
    let found: Vec<Doc> = list
        .iter()
        .filter_map(|e| {
            if let Subject::Doc(d) = ev.subject(Some(e), "api-catalog") {
                Some(d)
            } else {
                None
            }
        })
        .collect();
    if found.is_empty() {
        return Err(Finding::skip(format!(
            "no api-catalog is published ({})",
            list.iter()
                .map(|e| e.summary())
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    Ok(found)
}

fn each_catalog(ev: &Evidence, mut judge: impl FnMut(Doc<'_>) -> Vec<Finding>) -> Vec<Finding> {
    match docs(ev) {
        Err(f) => vec![f],
        Ok(list) => list
            .into_iter()
            .flat_map(|d| judge(d).into_iter().map(move |f| f.on(d.ex)))
            .collect(),
    }
}

fn published(ev: &Evidence) -> Vec<Finding> {
    if ev.mode == Mode::Lint {
        return vec![Finding::skip("lint judges a single document")];
    }
    let list = gets(ev);
    let openapi =
        ev.with_role(|r| matches!(r, Role::OpenApi { found_via } if found_via != "--openapi"));
    let good = openapi.iter().find(|e| {
        e.status == Some(200) && e.json().is_ok_and(|j| j.value.get("openapi").is_some())
    });
    vec![match (good, list.iter().find(|e| e.status == Some(200))) {
        (Some(o), Some(c)) => {
            Finding::pass(format!("{} links the OpenAPI description {}", c.url, o.url))
                .on(c)
                .on(o)
        }
        (None, Some(c)) if openapi.is_empty() => {
            Finding::fail("the catalog has no service-desc link to follow")
                .expected("a service-desc link to the OpenAPI document")
                .actual("none")
                .on(c)
        }
        // The description was asked for and got no answer: nothing is proven about it.
        (None, Some(c)) if openapi.iter().any(|e| e.tool_limit().is_some()) => {
            Finding::error(format!(
                "could not be judged: {}",
                openapi
                    .iter()
                    .filter_map(|e| e.tool_limit())
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
            .on(c)
        }
        (None, Some(c)) => {
            Finding::fail("the catalog's service-desc does not resolve to an OpenAPI document")
                .expected("200 with an OpenAPI object")
                .actual(
                    openapi
                        .iter()
                        .map(|e| e.summary())
                        .collect::<Vec<_>>()
                        .join("; "),
                )
                .on(c)
        }
        (_, None) => list.iter().fold(
            Finding::fail("no api-catalog answers")
                .expected("200 at /.well-known/api-catalog")
                .actual(
                    list.iter()
                        .map(|e| e.summary())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            // Cited, so that a catalog that got no answer at all is unjudged, not missing.
            |f, e| f.on(e),
        ),
    }]
}

fn get(ev: &Evidence) -> Vec<Finding> {
    let list = gets(ev);
    if list.is_empty() {
        return docs(ev).err().into_iter().collect();
    }
    list.into_iter()
        .map(|e| match (e.status, &e.error) {
            (_, Some(err)) => Finding::error(format!("GET failed: {err}")).on(e),
            // A catch-all page (an SPA's index.html on every path) answers 200 too: the
            // catalog is only yielded when the body is a JSON object.
            (Some(200), _) if e.json().is_ok_and(|j| j.value.is_object()) => {
                Finding::pass(format!("GET {} answered 200 with a JSON document", e.url)).on(e)
            }
            (Some(200), _) => Finding::fail(
                "GET of the api-catalog answered 200 with something that is not a linkset",
            )
            .expected("200 with an application/linkset+json document")
            .actual(format!(
                "200 with {} ({})",
                e.header("content-type").unwrap_or("no Content-Type"),
                body_start(&e.body)
            ))
            .on(e),
            _ if unsupported(ev, e).is_some() => {
                Finding::skip(unsupported(ev, e).unwrap_or_default()).on(e)
            }
            (s, _) => Finding::fail("GET of the api-catalog did not yield it")
                .expected(if advertised(ev, e) {
                    "200 (HEAD advertises the api-catalog, so the URI is supported)"
                } else {
                    "200"
                })
                .actual(s.map_or("no status".into(), |s| s.to_string()))
                .on(e),
        })
        .collect()
}

fn heads(ev: &Evidence) -> Vec<&Exchange> {
    ev.with_role(|r| matches!(r, Role::CatalogHead { .. }))
}

/// The origin a catalog GET or HEAD was made for.
fn origin_of(e: &Exchange) -> Option<&str> {
    e.roles.iter().find_map(|r| match r {
        Role::Catalog { origin } | Role::CatalogHead { origin } => Some(origin.as_str()),
        _ => None,
    })
}

/// Whether a HEAD of the catalog on `get`'s origin answered with an api-catalog Link.
fn advertised(ev: &Evidence, get: &Exchange) -> bool {
    heads(ev)
        .into_iter()
        .filter(|h| origin_of(h) == origin_of(get))
        .any(|h| {
            let raw = h.headers("link").collect::<Vec<_>>().join(", ");
            link::parse(&raw).is_ok_and(|links| {
                links
                    .iter()
                    .any(|l| l.rels.iter().any(|r| r == "api-catalog"))
            })
        })
}

/// RFC 9727 §2 binds "a Publisher supporting this URI": it "SHALL resolve an HTTPS GET request
/// to /.well-known/api-catalog" and a HEAD "with a response including a Link header". A GET
/// answered 404 or 410 (nothing there) or 401 or 403 (a guard in front of every path), with no
/// HEAD answer advertising an api-catalog Link, shows no support for the URI, so neither
/// catalog.get nor catalog.head-link judges it. Any other answer (200, 5xx, a redirect's end)
/// or an advertising Link means the URI is supported and both rows judge. Returns the reason
/// to skip, the same words for both rows.
fn unsupported(ev: &Evidence, get: &Exchange) -> Option<String> {
    let status = get.status?;
    if get.error.is_some() || !matches!(status, 401 | 403 | 404 | 410) || advertised(ev, get) {
        return None;
    }
    Some(format!(
        "no api-catalog is published at {} (GET -> {status}, and no HEAD answer carries an api-catalog Link): RFC 9727 §2 binds only \"a Publisher supporting this URI\"",
        get.url
    ))
}

/// HEAD exchanges of origins that support the catalog URI (see `unsupported`).
fn published_heads(ev: &Evidence) -> Result<Vec<&Exchange>, Finding> {
    let list = gets(ev);
    if list.is_empty() {
        return Err(docs(ev)
            .err()
            .unwrap_or_else(|| Finding::no_input("the api-catalog was not requested")));
    }
    let origins: Vec<String> = list
        .iter()
        .filter(|e| unsupported(ev, e).is_none())
        .filter_map(|e| origin_of(e).map(str::to_string))
        .collect();
    if origins.is_empty() {
        let why: Vec<String> = list.iter().filter_map(|e| unsupported(ev, e)).collect();
        return Err(Finding::skip(why.join("; ")));
    }
    let list: Vec<&Exchange> = heads(ev)
        .into_iter()
        .filter(|e| {
            e.roles
                .iter()
                .any(|r| matches!(r, Role::CatalogHead { origin } if origins.contains(origin)))
        })
        .collect();
    if list.is_empty() {
        Err(Finding::no_input(
            "no HEAD request of a published catalog was made",
        ))
    } else {
        Ok(list)
    }
}

/// A HEAD that got no answer (the server went away, a timeout) is authspec's evidence missing,
/// never the server's failure to send a Link or an empty body.
fn unanswered(e: &Exchange) -> Option<Finding> {
    match (&e.error, e.status) {
        (Some(err), _) => Some(Finding::error(format!("HEAD {} failed: {err}", e.url)).on(e)),
        (None, None) => Some(Finding::error(format!("HEAD {} got no answer", e.url)).on(e)),
        _ => None,
    }
}

fn head_link(ev: &Evidence) -> Vec<Finding> {
    let list = match published_heads(ev) {
        Ok(l) => l,
        Err(f) => return vec![f],
    };
    list.into_iter()
        .map(|e| {
            if let Some(f) = unanswered(e) {
                return f;
            }
            let raw = e.headers("link").collect::<Vec<_>>().join(", ");
            match link::parse(&raw) {
                Err(err) => Finding::fail(format!("the Link header does not parse: {err}"))
                    .expected("<…>; rel=\"api-catalog\"")
                    .actual(raw)
                    .on(e),
                Ok(links) => match links
                    .iter()
                    .find(|l| l.rels.iter().any(|r| r == "api-catalog"))
                {
                    Some(l) => Finding::pass(format!(
                        "HEAD answers Link to {} with rel api-catalog",
                        l.target
                    ))
                    .on(e),
                    None => Finding::fail("HEAD answers without an api-catalog Link")
                        .expected("Link: </.well-known/api-catalog>; rel=\"api-catalog\"")
                        .actual(if raw.is_empty() {
                            "no Link header".into()
                        } else {
                            raw
                        })
                        .on(e),
                },
            }
        })
        .collect()
}

fn head_nobody(ev: &Evidence) -> Vec<Finding> {
    let list = match published_heads(ev) {
        Ok(l) => l,
        Err(f) => return vec![f],
    };
    list.into_iter()
        .map(|e| {
            if let Some(f) = unanswered(e) {
                return f;
            }
            if e.body.is_empty() {
                Finding::pass("HEAD carried no content").on(e)
            } else {
                Finding::fail("the HEAD response carried content")
                    .expected("no body")
                    .actual(format!("{} bytes", e.body.len()))
                    .on(e)
            }
        })
        .collect()
}

fn format(ev: &Evidence) -> Vec<Finding> {
    // Whatever answered 200 is published at the catalog's name, JSON or not.
    let answered: Vec<&Exchange> = gets(ev)
        .into_iter()
        .filter(|e| e.source == crate::evidence::Source::Live)
        .filter(|e| e.status == Some(200) && e.json().is_err())
        .collect();
    if !answered.is_empty() {
        return answered
            .into_iter()
            .map(|e| {
                Finding::fail("the catalog is not served as application/linkset+json")
                    .expected("application/linkset+json")
                    .actual(
                        e.header("content-type")
                            .unwrap_or("no Content-Type")
                            .to_string(),
                    )
                    .on(e)
            })
            .collect();
    }
    each_catalog(ev, |d| {
        let m = d.ex.media_type();
        vec![match &m {
            Some(m) if m.essence == "application/linkset+json" => {
                Finding::pass("served as application/linkset+json")
            }
            _ if d.ex.source == crate::evidence::Source::File => {
                Finding::skip("a file carries no media type")
            }
            other => Finding::fail("the catalog is not served as application/linkset+json")
                .expected("application/linkset+json")
                .actual(
                    other
                        .as_ref()
                        .map_or("no Content-Type".into(), |m| m.essence.clone()),
                ),
        }]
    })
}

fn profile(ev: &Evidence) -> Vec<Finding> {
    each_catalog(ev, |d| {
        let Some(m) = d.ex.media_type() else {
            return vec![Finding::skip("no media type")];
        };
        let Some((_, p)) = m.params.iter().find(|(k, _)| k == "profile") else {
            return vec![
                Finding::fail("the media type has no profile parameter")
                    .expected(format!("profile=\"{PROFILE}\""))
                    .actual(d.ex.header("content-type").unwrap_or("").to_string()),
            ];
        };
        let uris: Vec<&str> = p.split_ascii_whitespace().collect();
        if uris.is_empty() || uris.iter().any(|u| Url::parse(u).is_err()) {
            return vec![
                Finding::fail("profile is not a space-separated list of absolute URIs")
                    .expected(PROFILE)
                    .actual(quote(p)),
            ];
        }
        vec![if uris.contains(&PROFILE) {
            Finding::pass("profile names RFC 9727")
        } else {
            Finding::fail("profile does not name the api-catalog profile")
                .expected(PROFILE)
                .actual(quote(p))
        }]
    })
}

fn utf8(ev: &Evidence) -> Vec<Finding> {
    let list: Vec<&Exchange> = gets(ev)
        .into_iter()
        .filter(|e| e.status == Some(200))
        .collect();
    if list.is_empty() {
        return docs(ev).err().into_iter().collect();
    }
    list.into_iter()
        .map(|e| {
            match (
                e.body.starts_with(b"\xEF\xBB\xBF"),
                std::str::from_utf8(&e.body),
            ) {
                (true, _) => Finding::fail("the catalog starts with a byte order mark")
                    .expected("UTF-8 without BOM")
                    .actual("EF BB BF …")
                    .on(e),
                (_, Err(err)) => Finding::fail(format!(
                    "the catalog is not UTF-8 (byte {})",
                    err.valid_up_to()
                ))
                .expected("UTF-8")
                .actual("invalid bytes")
                .on(e),
                _ => Finding::pass("UTF-8").on(e),
            }
        })
        .collect()
}

fn linkset(ev: &Evidence) -> Vec<Finding> {
    each_catalog(ev, |d| {
        let mut out = Vec::new();
        if let Some(extra) = d.obj.keys().find(|k| *k != "linkset") {
            out.push(
                Finding::fail(format!("top-level member {extra:?} next to linkset"))
                    .expected("linkset as the sole member")
                    .actual(d.obj.keys().cloned().collect::<Vec<_>>().join(", ")),
            );
        }
        match d.get("linkset") {
            Some(Value::Array(_)) => {}
            Some(v) => out.push(
                Finding::fail("linkset is not an array")
                    .expected("[ {context}, … ]")
                    .actual(show(v))
                    .at("/linkset"),
            ),
            None => out.push(
                Finding::fail("there is no linkset member")
                    .expected("{\"linkset\": [ … ]}")
                    .actual(show(&d.json.value)),
            ),
        }
        pass_or(out, || Finding::pass("a linkset array is the sole member"))
    })
}

fn contexts<'a>(d: &Doc<'a>) -> Vec<(usize, &'a serde_json::Map<String, Value>)> {
    d.get("linkset")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .enumerate()
                .filter_map(|(i, c)| c.as_object().map(|o| (i, o)))
                .collect()
        })
        .unwrap_or_default()
}

fn targets(ev: &Evidence) -> Vec<Finding> {
    each_catalog(ev, |d| {
        let mut out = Vec::new();
        for (i, ctx) in contexts(&d) {
            if let Some(a) = ctx.get("anchor").filter(|a| !a.is_string()) {
                out.push(
                    Finding::fail("anchor is not a string")
                        .actual(show(a))
                        .at(format!("/linkset/{i}/anchor")),
                );
            }
            for (rel, v) in ctx.iter().filter(|(k, _)| *k != "anchor") {
                let at = format!("/linkset/{i}/{}", crate::parse::json::pointer_token(rel));
                let Some(list) = v.as_array() else {
                    out.push(
                        Finding::fail(format!("relation {rel} is not an array of targets"))
                            .expected("[ {\"href\": …} ]")
                            .actual(show(v))
                            .at(at),
                    );
                    continue;
                };
                for (j, t) in list.iter().enumerate() {
                    out.extend(target_problems(t, &format!("{at}/{j}")));
                }
            }
        }
        pass_or(out, || {
            Finding::pass("every relation holds target objects with href")
        })
    })
}

fn target_problems(t: &Value, at: &str) -> Vec<Finding> {
    let Some(o) = t.as_object() else {
        return vec![
            Finding::fail("a target is not an object")
                .actual(show(t))
                .at(at),
        ];
    };
    let mut out = Vec::new();
    match o.get("href") {
        Some(Value::String(_)) => {}
        other => out.push(
            Finding::fail("a target has no string href")
                .expected("\"href\": \"https://…\"")
                .actual(other.map_or("absent".into(), show))
                .at(at),
        ),
    }
    for (k, v) in o {
        let ok = match k.as_str() {
            "href" => true,
            "hreflang" => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            "media" | "title" | "type" => v.is_string(),
            k if k.ends_with('*') => v.as_array().is_some_and(|a| {
                a.iter()
                    .all(|x| x.get("value").is_some_and(Value::is_string))
            }),
            _ => true,
        };
        if !ok {
            out.push(
                Finding::fail(format!("target attribute {k} has the wrong shape"))
                    .expected(if k == "hreflang" || k.ends_with('*') {
                        "an array"
                    } else {
                        "a string"
                    })
                    .actual(show(v))
                    .at(format!("{at}/{}", crate::parse::json::pointer_token(k))),
            );
        }
    }
    out
}

fn all_targets<'a>(d: &Doc<'a>) -> Vec<(&'a str, &'a str)> {
    contexts(d)
        .into_iter()
        .flat_map(|(_, c)| {
            c.iter()
                .filter(|(k, _)| *k != "anchor")
                .flat_map(|(rel, v)| {
                    v.as_array().into_iter().flatten().filter_map(move |t| {
                        t.get("href")
                            .and_then(Value::as_str)
                            .map(|h| (rel.as_str(), h))
                    })
                })
        })
        .collect()
}

fn hyperlinks(ev: &Evidence) -> Vec<Finding> {
    each_catalog(ev, |d| {
        let n = all_targets(&d).len();
        vec![if n > 0 {
            Finding::pass(format!("{n} links"))
        } else {
            Finding::fail("the catalog links to nothing")
                .expected("at least one context object with a link")
                .actual(show(&d.json.value))
        }]
    })
}

fn metadata(ev: &Evidence) -> Vec<Finding> {
    each_catalog(ev, |d| {
        let rels: Vec<&str> = all_targets(&d)
            .into_iter()
            .map(|(r, _)| r)
            .filter(|r| ["service-desc", "service-doc", "service-meta", "status"].contains(r))
            .collect();
        vec![if rels.is_empty() {
            Finding::fail("no service-desc, service-doc, service-meta or status link")
                .expected("service-desc → the OpenAPI document")
                .actual("none")
        } else {
            Finding::pass(format!("metadata links: {}", rels.join(", ")))
        }]
    })
}

fn tls(ev: &Evidence) -> Vec<Finding> {
    each_catalog(ev, |d| {
        vec![match Url::parse(&d.ex.url).map(|u| scheme_rule(&u)) {
            Ok(Scheme::Https) => Finding::pass("served over https"),
            Ok(Scheme::LoopbackHttp) => {
                Finding::pass("http on a loopback host (accepted for local development)")
            }
            _ => Finding::fail("the catalog is served without TLS")
                .expected("https")
                .actual(d.ex.url.clone()),
        }]
    })
}

fn no_internal(ev: &Evidence) -> Vec<Finding> {
    each_catalog(ev, |d| {
        if Url::parse(&d.ex.url).is_ok_and(|u| is_private(&u)) {
            return vec![Finding::skip(
                "the catalog itself is on a private or loopback host",
            )];
        }
        let base = Url::parse(&d.ex.url).ok();
        let out = all_targets(&d)
            .into_iter()
            .filter_map(|(rel, h)| {
                base.as_ref()
                    .and_then(|b| b.join(h).ok())
                    .filter(is_private)
                    .map(|u| {
                        Finding::fail(format!("{rel} links to an internal host"))
                            .expected("public hosts only")
                            .actual(u.to_string())
                    })
            })
            .collect();
        pass_or(out, || Finding::pass("no internal hosts"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Mode;
    use crate::finding::Outcome;
    use crate::profile::{McpVersion, Profile};

    const URL: &str = "https://api.example/.well-known/api-catalog";

    fn evidence(exchanges: Vec<Exchange>) -> Evidence {
        Evidence {
            resource: "https://api.example".into(),
            resource_url: url::Url::parse("https://api.example").expect("a URL"),
            profile: Profile::Rfc,
            mode: Mode::Live,
            api_key_given: false,
            exchanges,
            mcp_version: McpVersion::default(),
        }
    }

    /// A server that went away between the GET and the HEAD (interop: conformance
    /// scope-step-up exits mid-run) leaves the HEAD rows unjudged, never failed.
    #[test]
    fn a_head_without_an_answer_is_an_error_not_a_missing_link() {
        let origin = "https://api.example".to_string();
        let mut get = Exchange::new(
            "GET",
            URL,
            vec![Role::Catalog {
                origin: origin.clone(),
            }],
        );
        get.status = Some(200);
        get.body = br#"{"linkset":[]}"#.to_vec();
        let mut head = Exchange::new("HEAD", URL, vec![Role::CatalogHead { origin }]);
        head.id = 1;
        head.error = Some("connection refused".into());
        let ev = evidence(vec![get, head]);
        for judge in [head_link, head_nobody] {
            let out: Vec<Outcome> = judge(&ev).iter().map(|f| f.outcome).collect();
            assert_eq!(out, vec![Outcome::Error]);
        }
    }
}
