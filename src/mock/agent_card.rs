//! The A2A agent card JobsPipe publishes beside its API (A2A v1.0.1), kept in step with its AS.

use super::site::{Doc, Site};
use serde_json::{Map, Value, json};

/// Where A2A v1.0 §8.2 has clients look for the card.
pub const PATH: &str = "/.well-known/agent-card.json";

/// The name of the card's OAuth2 scheme.
pub const SCHEME: &str = "jobspipe";

/// The healthy card for origin `b`: one JSON-RPC interface and one OAuth2 authorization-code
/// scheme at JobsPipe's own authorization server.
pub fn healthy(b: &str) -> Doc {
    let card = json!({
        "name": "JobsPipe Agent",
        "description": "Searches and reads JobsPipe job listings on behalf of other agents.",
        "supportedInterfaces": [
            {"url": format!("{b}/a2a/v1"), "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}
        ],
        "provider": {"organization": "JobsPipe", "url": format!("{b}/developers")},
        "version": "1.0.0",
        "documentationUrl": format!("{b}/developers"),
        "capabilities": {"streaming": false, "pushNotifications": false},
        "securitySchemes": {
            SCHEME: {"oauth2SecurityScheme": {
                "description": "JobsPipe accounts; the same authorization server as the API",
                "flows": {"authorizationCode": {
                    "authorizationUrl": format!("{b}/oauth/authorize"),
                    "tokenUrl": format!("{b}/oauth/token"),
                    "refreshUrl": format!("{b}/oauth/token"),
                    "scopes": {"jobs:read": "Read job listings", "jobs:search": "Search job listings"},
                    "pkceRequired": true
                }},
                "oauth2MetadataUrl": format!("{b}/.well-known/oauth-authorization-server")
            }}
        },
        "securityRequirements": [{"schemes": {SCHEME: {"list": ["jobs:read"]}}}],
        "defaultInputModes": ["text/plain", "application/json"],
        "defaultOutputModes": ["application/json"],
        "skills": [{
            "id": "job-search",
            "name": "Job search",
            "description": "Finds open positions matching a query.",
            "tags": ["jobs", "search"],
            "securityRequirements": [{"schemes": {SCHEME: {"list": ["jobs:search"]}}}]
        }]
    });
    let mut doc = Doc::new(PATH, card, "application/json");
    doc.headers = vec![
        ("cache-control".into(), "public, max-age=3600".into()),
        ("etag".into(), "\"agent-card-1.0.0\"".into()),
    ];
    doc
}

/// The OAuth2 scheme of the card (mutable), for faults.
pub fn scheme(card: &mut Doc) -> &mut Map<String, Value> {
    let schemes = card
        .obj()
        .entry("securitySchemes")
        .or_insert_with(|| json!({}));
    if !schemes.is_object() {
        *schemes = json!({});
    }
    let entry = schemes
        .as_object_mut()
        .expect("just made an object")
        .entry(SCHEME)
        .or_insert_with(|| json!({"oauth2SecurityScheme": {}}));
    if !entry["oauth2SecurityScheme"].is_object() {
        *entry = json!({"oauth2SecurityScheme": {}});
    }
    entry["oauth2SecurityScheme"]
        .as_object_mut()
        .expect("just made an object")
}

/// The card as served: its OAuth URLs follow the AS metadata as served (faults that move or
/// rename the AS must not make the card disagree unless they mean to).
pub fn synced(site: &Site) -> Doc {
    let mut card = site.card.clone();
    if !site.card_follows_as {
        return card;
    }
    let meta = format!("{}{}", site.base, site.asm.path);
    let asm = &site.asm.value;
    let s = scheme(&mut card);
    s.insert("oauth2MetadataUrl".into(), json!(meta));
    if let Some(flow) = s
        .get_mut("flows")
        .and_then(|f| f.get_mut("authorizationCode"))
        .and_then(Value::as_object_mut)
    {
        for (mine, theirs) in [
            ("authorizationUrl", "authorization_endpoint"),
            ("tokenUrl", "token_endpoint"),
            ("refreshUrl", "token_endpoint"),
        ] {
            // An AS without the endpoint leaves the card's healthy value: the card is not the
            // subject of that fault.
            if let Some(v) = asm.get(theirs).filter(|v| v.is_string()) {
                flow.insert(mine.into(), v.clone());
            }
        }
    }
    card
}
