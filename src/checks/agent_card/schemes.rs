//! The card's security schemes, the URLs they and the interfaces name, and its security
//! requirements, read as a2a.proto v1.0.1 defines them in ProtoJSON (A2A §1.4, §5.5).

use super::{card_doc, token};
use crate::checks::members::{https_ok, quote};
use crate::evidence::{Doc, Evidence};
use crate::finding::{Finding, pass_or};
use crate::identifier::{Scheme, scheme_rule};
use serde_json::{Map, Value};
use url::Url;

/// The `SecurityScheme` oneof members.
pub(crate) const KINDS: [&str; 5] = [
    "apiKeySecurityScheme",
    "httpAuthSecurityScheme",
    "oauth2SecurityScheme",
    "openIdConnectSecurityScheme",
    "mtlsSecurityScheme",
];

/// The `OAuthFlows` oneof members with their REQUIRED URL members (scopes is REQUIRED in the
/// three current flows; `implicit` and `password` are deprecated and require nothing).
const FLOWS: [(&str, &[&str], bool); 5] = [
    ("authorizationCode", &["authorizationUrl", "tokenUrl"], true),
    ("clientCredentials", &["tokenUrl"], true),
    ("deviceCode", &["deviceAuthorizationUrl", "tokenUrl"], true),
    ("implicit", &[], false),
    ("password", &[], false),
];

/// Members of a flow or scheme that hold URLs.
pub(crate) const URL_MEMBERS: [&str; 6] = [
    "authorizationUrl",
    "tokenUrl",
    "refreshUrl",
    "deviceAuthorizationUrl",
    "oauth2MetadataUrl",
    "openIdConnectUrl",
];

/// One well-formed entry of `securitySchemes`.
pub(crate) struct SchemeRef<'a> {
    pub name: &'a str,
    pub kind: &'static str,
    pub body: &'a Map<String, Value>,
}

impl<'a> SchemeRef<'a> {
    pub fn pointer(&self) -> String {
        format!("/securitySchemes/{}/{}", token(self.name), self.kind)
    }
    /// The one flow of an OAuth2 scheme: its name and members.
    pub fn flow(&self) -> Option<(&'a str, &'a Map<String, Value>)> {
        let flows: &'a Map<String, Value> = self.body.get("flows")?.as_object()?;
        let mut set = flows
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), v.as_object()?)));
        let one = set.next()?;
        set.next().is_none().then_some(one)
    }
}

/// The entries of `securitySchemes`, each either readable or the reason it is not.
pub(crate) fn schemes<'a>(d: &Doc<'a>) -> Vec<Result<SchemeRef<'a>, Finding>> {
    let Some(Value::Object(map)) = d.get("securitySchemes") else {
        return Vec::new();
    };
    map.iter().map(|(name, v)| scheme(name, v)).collect()
}

fn scheme<'a>(name: &'a str, v: &'a Value) -> Result<SchemeRef<'a>, Finding> {
    let at = format!("/securitySchemes/{}", token(name));
    let Some(obj) = v.as_object() else {
        return Err(Finding::fail(format!("{at} is not an object")).at(at));
    };
    if obj.contains_key("type") {
        return Err(Finding::fail(format!(
            "{at} is in the A2A 0.3 (OpenAPI) form with \"type\"; v1.0 names the kind as the member"
        ))
        .expected(format!("one of {}", KINDS.join(", ")))
        .actual(format!("\"type\": {}", obj["type"]))
        .at(at));
    }
    let set: Vec<&str> = KINDS
        .iter()
        .copied()
        .filter(|k| obj.contains_key(*k))
        .collect();
    match (
        set.as_slice(),
        obj.get(set.first().copied().unwrap_or_default()),
    ) {
        ([kind], Some(Value::Object(body))) => Ok(SchemeRef { name, kind, body }),
        ([kind], _) => Err(Finding::fail(format!("{at}/{kind} is not an object")).at(at)),
        _ => Err(Finding::fail(format!(
            "{at} sets {} of the SecurityScheme oneof kinds",
            set.len()
        ))
        .expected(format!("exactly one of {}", KINDS.join(", ")))
        .actual(format!(
            "members {}",
            obj.keys().map(|k| quote(k)).collect::<Vec<_>>().join(", ")
        ))
        .at(at)),
    }
}

/// agent-card.security-schemes.
pub(crate) fn judge_schemes(ev: &Evidence) -> Vec<Finding> {
    let d = match card_doc(ev) {
        Ok(d) => d,
        Err(f) => return vec![f],
    };
    let list = match d.get("securitySchemes") {
        None => {
            return vec![
                Finding::skip("the card declares no securitySchemes (the member is optional)")
                    .on(d.ex),
            ];
        }
        Some(Value::Object(_)) => schemes(&d),
        Some(v) => {
            return vec![
                Finding::fail("securitySchemes is not an object (a map of name to scheme)")
                    .actual(super::members::kind_of(v))
                    .at("/securitySchemes")
                    .on(d.ex),
            ];
        }
    };
    let mut out = Vec::new();
    for s in &list {
        match s {
            Ok(s) => out.extend(members(s)),
            Err(f) => out.push(f.clone()),
        }
    }
    pass_or(out, || {
        Finding::pass(format!(
            "{} security scheme(s), each one A2A kind with its REQUIRED members",
            list.len()
        ))
    })
    .into_iter()
    .map(|f| f.on(d.ex))
    .collect()
}

/// The REQUIRED members of one scheme (§5.7) and the form of its URLs.
fn members(s: &SchemeRef<'_>) -> Vec<Finding> {
    let at = s.pointer();
    let needs: &[&str] = match s.kind {
        "apiKeySecurityScheme" => &["location", "name"],
        "httpAuthSecurityScheme" => &["scheme"],
        "openIdConnectSecurityScheme" => &["openIdConnectUrl"],
        _ => &[],
    };
    let mut out = strings(s.body, &at, needs);
    if s.kind == "apiKeySecurityScheme"
        && let Some(loc) = s.body.get("location").and_then(Value::as_str)
        && !["query", "header", "cookie"].contains(&loc)
    {
        out.push(
            Finding::fail(format!("{at}/location is {}", quote(loc)))
                .expected("\"query\", \"header\" or \"cookie\" (a2a.proto APIKeySecurityScheme)")
                .at(format!("{at}/location")),
        );
    }
    if s.kind == "oauth2SecurityScheme" {
        out.extend(flows(s, &at));
    }
    out.extend(url_forms(s.body, &at));
    out
}

/// Failures for REQUIRED string members that are absent or empty.
fn strings(obj: &Map<String, Value>, at: &str, names: &[&str]) -> Vec<Finding> {
    names
        .iter()
        .filter(|n| {
            obj.get(**n)
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        })
        .map(|n| {
            Finding::fail(format!("{at}/{n} is not set"))
                .expected(format!("{n}: a non-empty string (REQUIRED, A2A §5.7)"))
                .at(format!("{at}/{n}"))
        })
        .collect()
}

/// An OAuth2 scheme's `flows`: exactly one flow, with its REQUIRED members.
fn flows(s: &SchemeRef<'_>, at: &str) -> Vec<Finding> {
    let Some(Value::Object(flows)) = s.body.get("flows") else {
        return vec![
            Finding::fail(format!("{at}/flows is not set"))
                .expected("flows: an object naming one OAuth flow (REQUIRED)")
                .at(format!("{at}/flows")),
        ];
    };
    let Some((name, flow)) = s.flow() else {
        return vec![
            Finding::fail(format!(
                "{at}/flows names {} flows; the OAuthFlows oneof takes exactly one",
                flows.len()
            ))
            .expected(format!(
                "one of {}",
                FLOWS.iter().map(|f| f.0).collect::<Vec<_>>().join(", ")
            ))
            .at(format!("{at}/flows")),
        ];
    };
    let fat = format!("{at}/flows/{}", token(name));
    let Some((_, urls, scopes)) = FLOWS.iter().find(|f| f.0 == name) else {
        return vec![
            Finding::fail(format!("{fat}: {} is no OAuthFlows member", quote(name)))
                .expected(format!(
                    "one of {}",
                    FLOWS.iter().map(|f| f.0).collect::<Vec<_>>().join(", ")
                ))
                .at(fat),
        ];
    };
    let mut out = strings(flow, &fat, urls);
    if *scopes && !flow.get("scopes").is_some_and(Value::is_object) {
        out.push(
            Finding::fail(format!("{fat}/scopes is not set"))
                .expected("scopes: a map of scope name to description (REQUIRED)")
                .at(format!("{fat}/scopes")),
        );
    }
    out.extend(url_forms(flow, &fat));
    out
}

/// URL members present in `obj` that are not absolute URLs.
fn url_forms(obj: &Map<String, Value>, at: &str) -> Vec<Finding> {
    URL_MEMBERS
        .iter()
        .filter_map(|n| Some((*n, obj.get(*n)?)))
        .filter_map(|(n, v)| {
            let ok = v.as_str().is_some_and(|t| Url::parse(t).is_ok());
            (!ok).then(|| {
                Finding::fail(format!("{at}/{n} is not an absolute URL"))
                    .actual(crate::checks::members::show(v))
                    .at(format!("{at}/{n}"))
            })
        })
        .collect()
}

/// Every URL of the card that the https rule covers, with its JSON pointer.
fn tls_urls<'a>(d: &Doc<'a>) -> Vec<(String, &'a str)> {
    let mut out = Vec::new();
    if let Some(Value::Array(items)) = d.get("supportedInterfaces") {
        for (i, it) in items.iter().enumerate() {
            let binding = it.get("protocolBinding").and_then(Value::as_str);
            // §7.1: "HTTPS for HTTP-based bindings, TLS for gRPC"; a gRPC address is no URL.
            if matches!(binding, Some("JSONRPC" | "HTTP+JSON"))
                && let Some(u) = it.get("url").and_then(Value::as_str)
            {
                out.push((format!("/supportedInterfaces/{i}/url"), u));
            }
        }
    }
    for s in schemes(d).into_iter().flatten() {
        let at = s.pointer();
        let mut objs = vec![(at.clone(), s.body)];
        if let Some((name, flow)) = s.flow() {
            objs.push((format!("{at}/flows/{}", token(name)), flow));
        }
        for (at, obj) in objs {
            for n in URL_MEMBERS {
                if let Some(u) = obj.get(n).and_then(Value::as_str) {
                    out.push((format!("{at}/{n}"), u));
                }
            }
        }
    }
    out
}

/// agent-card.tls.
pub(crate) fn judge_tls(ev: &Evidence) -> Vec<Finding> {
    let d = match card_doc(ev) {
        Ok(d) => d,
        Err(f) => return vec![f],
    };
    let urls = tls_urls(&d);
    if urls.is_empty() {
        return vec![
            Finding::skip("the card names no HTTP interface or OAuth/OIDC URL to judge").on(d.ex),
        ];
    }
    // A card that copies a plain-http endpoint from the AS metadata fails because the AS does:
    // asm.endpoints-https reports the root cause.
    let as_endpoints = super::graph::endpoints(ev);
    urls.into_iter()
        .filter_map(|(at, u)| {
            let parsed = Url::parse(u).ok()?;
            Some(match scheme_rule(&parsed) {
                Scheme::NotHttps => Finding::fail(format!("{at} does not use https"))
                    .expected("an https URL (A2A §7.1; TLS is required)")
                    .actual(quote(u))
                    .at(at)
                    .because_if(as_endpoints.contains(&u), "asm.endpoints-https"),
                _ => https_ok(u, &at),
            })
        })
        .map(|f| f.on(d.ex))
        .collect()
}

/// The scheme names one `securityRequirements` list names, each with its pointer; shape errors
/// as failures.
fn required_names(list: &Value, at: &str) -> (Vec<(String, String)>, Vec<Finding>) {
    let (mut names, mut bad) = (Vec::new(), Vec::new());
    let Some(items) = list.as_array() else {
        bad.push(Finding::fail(format!("{at} is not an array")).at(at));
        return (names, bad);
    };
    for (i, item) in items.iter().enumerate() {
        let p = format!("{at}/{i}/schemes");
        match item.get("schemes").and_then(Value::as_object) {
            Some(map) => names.extend(
                map.keys()
                    .map(|k| (k.clone(), format!("{p}/{}", token(k)))),
            ),
            None => bad.push(
                Finding::fail(format!("{at}/{i} has no \"schemes\" map"))
                    .expected("{\"schemes\": {NAME: {\"list\": [scopes]}}} (a2a.proto SecurityRequirement)")
                    .actual(crate::checks::members::show(item))
                    .at(format!("{at}/{i}")),
            ),
        }
    }
    (names, bad)
}

/// agent-card.security-requirements.
pub(crate) fn judge_requirements(ev: &Evidence) -> Vec<Finding> {
    let d = match card_doc(ev) {
        Ok(d) => d,
        Err(f) => return vec![f],
    };
    let mut lists: Vec<(String, &Value)> = Vec::new();
    if let Some(v) = d.get("securityRequirements") {
        lists.push(("/securityRequirements".into(), v));
    }
    if let Some(Value::Array(skills)) = d.get("skills") {
        for (i, s) in skills.iter().enumerate() {
            if let Some(v) = s.get("securityRequirements") {
                lists.push((format!("/skills/{i}/securityRequirements"), v));
            }
        }
    }
    if lists.is_empty() {
        return vec![
            legacy(&d).unwrap_or_else(|| {
                Finding::skip("the card states no securityRequirements").on(d.ex)
            }),
        ];
    }
    let declared: Vec<&String> = match d.get("securitySchemes") {
        Some(Value::Object(m)) => m.keys().collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    let mut count = 0;
    for (at, v) in lists {
        let (names, bad) = required_names(v, &at);
        out.extend(bad);
        count += names.len();
        out.extend(
            names
                .into_iter()
                .filter(|(n, _)| !declared.contains(&n))
                .map(|(n, p)| {
                    Finding::fail(format!(
                        "{p} names scheme {} that securitySchemes does not declare",
                        quote(&n)
                    ))
                    .expected(format!(
                        "one of {}",
                        declared
                            .iter()
                            .map(|k| quote(k))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                    .at(p)
                }),
        );
    }
    pass_or(out, || {
        Finding::pass(format!(
            "{count} scheme reference(s) in securityRequirements, each declared in securitySchemes"
        ))
    })
    .into_iter()
    .map(|f| f.on(d.ex))
    .collect()
}

/// A card that states its requirements only under the 0.3 name `security`: v1.0 clients ignore
/// it (§5.7 "Implementations SHOULD ignore unrecognized fields"), so it requires nothing.
fn legacy(d: &Doc<'_>) -> Option<Finding> {
    d.get("security")?;
    Some(
        Finding::fail("the card states its requirements as \"security\" (the A2A 0.3 name, also in the v1.0.1 §8.5 sample); a2a.proto v1.0.1 names the field securityRequirements, so v1.0 clients see none")
            .expected("securityRequirements: [{\"schemes\": {NAME: {\"list\": [scopes]}}}]")
            .at("/security")
            .on(d.ex),
    )
}
