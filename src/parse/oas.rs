//! OpenAPI descriptions read through typed models: `openapiv3` for 3.0, `oas3` for 3.1 and 3.2.
//!
//! No crate models OpenAPI 3.2 yet. A 3.2 document is read by `oas3`'s 3.1 model (3.2 only adds
//! members, and the model ignores members it does not know), and the 3.2 additions the security
//! rules need (`oauth2MetadataUrl`, `deprecated`, the `deviceAuthorization` flow) are read from
//! the JSON itself by [`oauth2_extras`].

use serde_json::{Map, Value};

/// The OpenAPI line a document declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V30,
    V31,
    V32,
}

impl Version {
    /// The version an `openapi` member names, when authspec reads that line.
    pub fn of(doc: &Map<String, Value>) -> Option<Version> {
        let v = doc.get("openapi")?.as_str()?;
        [
            ("3.0.", Version::V30),
            ("3.1.", Version::V31),
            ("3.2.", Version::V32),
        ]
        .into_iter()
        .find_map(|(p, ver)| v.starts_with(p).then_some(ver))
    }

    /// The crate that reads this line, for messages.
    pub fn reader(self) -> &'static str {
        match self {
            Version::V30 => "openapiv3 2.2 (OpenAPI 3.0)",
            Version::V31 => "oas3 0.22 (OpenAPI 3.1)",
            Version::V32 => "oas3 0.22's 3.1 model, 3.2 members read from the JSON",
        }
    }
}

/// Where the typed model refused the document, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// JSON pointer of the member the model was reading.
    pub pointer: String,
    pub message: String,
}

/// A security scheme as the rules need it, whichever model read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    Http {
        scheme: String,
    },
    ApiKey {
        location: String,
        name: String,
    },
    OAuth2,
    OpenIdConnect,
    MutualTls,
    /// A `$ref` the rules do not follow.
    Reference,
}

/// The document as its typed model read it.
#[derive(Debug, Clone)]
pub struct Typed {
    pub version: Version,
    /// `components.securitySchemes` by name.
    pub schemes: Vec<(String, Scheme)>,
}

impl Typed {
    /// Whether scheme `name` is an http bearer scheme or an API key in the Authorization header
    /// (OAS-BEARER-SCHEME; OAuth 2.0 and OpenID Connect schemes name no header of their own).
    pub fn is_bearer(&self, name: &str) -> bool {
        self.schemes.iter().any(|(n, s)| {
            n == name
                && match s {
                    Scheme::Http { scheme } => scheme.eq_ignore_ascii_case("bearer"),
                    Scheme::ApiKey { location, name } => {
                        location == "header" && name.eq_ignore_ascii_case("authorization")
                    }
                    Scheme::OAuth2 | Scheme::OpenIdConnect | Scheme::MutualTls => false,
                    Scheme::Reference => false,
                }
        })
    }
}

/// JSON pointer of a serde path (`paths./v1.get` → `/paths/~1v1/get`).
fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|s| match s {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(key.replace('~', "~0").replace('/', "~1")),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .map(|s| format!("/{s}"))
        .collect()
}

fn typed<T: serde::de::DeserializeOwned>(doc: &Value) -> Result<T, ParseError> {
    serde_path_to_error::deserialize(doc).map_err(|e| ParseError {
        pointer: pointer(e.path()),
        message: e.inner().to_string(),
    })
}

/// A model that reads `paths` as one map stops its error path there: read each path item alone
/// to name the member inside it.
fn deeper<T: serde::de::DeserializeOwned>(e: ParseError, doc: &Map<String, Value>) -> ParseError {
    if e.pointer != "/paths" {
        return e;
    }
    let items = doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten();
    for (path, item) in items.filter(|(p, _)| p.starts_with('/')) {
        if let Err(inner) = typed::<T>(item) {
            return ParseError {
                pointer: format!(
                    "/paths/{}{}",
                    path.replace('~', "~0").replace('/', "~1"),
                    inner.pointer
                ),
                message: inner.message,
            };
        }
    }
    e
}

/// Reads `doc` with the model of its version. `None` when no model reads its `openapi` line.
pub fn read(doc: &Map<String, Value>) -> Option<Result<Typed, ParseError>> {
    let version = Version::of(doc)?;
    let value = Value::Object(doc.clone());
    Some(match version {
        Version::V30 => typed::<openapiv3::OpenAPI>(&value)
            .map_err(|e| deeper::<openapiv3::PathItem>(e, doc))
            .map(|o| Typed {
                version,
                schemes: v30_schemes(&o),
            }),
        Version::V31 | Version::V32 => {
            let mut v = value;
            if version == Version::V32 {
                // oas3 knows 3.1 only; every 3.1 member reads the same in 3.2.
                v["openapi"] = Value::String("3.1.1".into());
            }
            typed::<oas3::Spec>(&v)
                .map_err(|e| deeper::<oas3::spec::PathItem>(e, doc))
                .map(|s| Typed {
                    version,
                    schemes: v31_schemes(&s),
                })
        }
    })
}

fn v30_schemes(o: &openapiv3::OpenAPI) -> Vec<(String, Scheme)> {
    use openapiv3::{APIKeyLocation, ReferenceOr, SecurityScheme as S};
    let Some(c) = &o.components else {
        return Vec::new();
    };
    c.security_schemes
        .iter()
        .map(|(name, s)| {
            let scheme = match s {
                ReferenceOr::Reference { .. } => Scheme::Reference,
                ReferenceOr::Item(S::HTTP { scheme, .. }) => Scheme::Http {
                    scheme: scheme.clone(),
                },
                ReferenceOr::Item(S::APIKey { location, name, .. }) => Scheme::ApiKey {
                    location: match location {
                        APIKeyLocation::Query => "query",
                        APIKeyLocation::Header => "header",
                        APIKeyLocation::Cookie => "cookie",
                    }
                    .into(),
                    name: name.clone(),
                },
                ReferenceOr::Item(S::OAuth2 { .. }) => Scheme::OAuth2,
                ReferenceOr::Item(S::OpenIDConnect { .. }) => Scheme::OpenIdConnect,
            };
            (name.clone(), scheme)
        })
        .collect()
}

fn v31_schemes(s: &oas3::Spec) -> Vec<(String, Scheme)> {
    use oas3::spec::{ObjectOrReference, SecurityScheme as S};
    let Some(c) = &s.components else {
        return Vec::new();
    };
    c.security_schemes
        .iter()
        .map(|(name, s)| {
            let scheme = match s {
                ObjectOrReference::Ref { .. } => Scheme::Reference,
                ObjectOrReference::Object(S::Http { scheme, .. }) => Scheme::Http {
                    scheme: scheme.clone(),
                },
                ObjectOrReference::Object(S::ApiKey { location, name, .. }) => Scheme::ApiKey {
                    location: location.clone(),
                    name: name.clone(),
                },
                ObjectOrReference::Object(S::OAuth2 { .. }) => Scheme::OAuth2,
                ObjectOrReference::Object(S::OpenIdConnect { .. }) => Scheme::OpenIdConnect,
                ObjectOrReference::Object(S::MutualTls { .. }) => Scheme::MutualTls,
            };
            (name.clone(), scheme)
        })
        .collect()
}

/// The OAuth 2.0 members of one security scheme that the typed models do not carry: the 3.2
/// `oauth2MetadataUrl`, `deprecated` and the flows with their URLs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OAuth2Extras {
    pub name: String,
    pub metadata_url: Option<String>,
    pub deprecated: bool,
    /// Each flow by name with the REQUIRED members it lacks.
    pub flows: Vec<(String, Vec<&'static str>)>,
}

/// REQUIRED members of each OAuth Flow Object (OpenAPI 3.2 §4.8.29; 3.0 and 3.1 lack
/// `deviceAuthorization`).
const FLOW_REQUIRED: [(&str, &[&str]); 5] = [
    ("implicit", &["authorizationUrl", "scopes"]),
    ("password", &["tokenUrl", "scopes"]),
    ("clientCredentials", &["tokenUrl", "scopes"]),
    (
        "authorizationCode",
        &["authorizationUrl", "tokenUrl", "scopes"],
    ),
    (
        "deviceAuthorization",
        &["deviceAuthorizationUrl", "tokenUrl", "scopes"],
    ),
];

/// Every `oauth2` security scheme of `doc`, with its 3.2 members and flows.
pub fn oauth2_extras(doc: &Map<String, Value>) -> Vec<OAuth2Extras> {
    let Some(schemes) = doc
        .get("components")
        .and_then(|c| c.get("securitySchemes"))
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    schemes
        .iter()
        .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("oauth2"))
        .map(|(name, s)| OAuth2Extras {
            name: name.clone(),
            metadata_url: s
                .get("oauth2MetadataUrl")
                .and_then(Value::as_str)
                .map(String::from),
            deprecated: s.get("deprecated") == Some(&Value::Bool(true)),
            flows: s
                .get("flows")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(flow, body)| {
                    let missing = FLOW_REQUIRED
                        .iter()
                        .find(|(f, _)| f == flow)
                        .map(|(_, req)| {
                            req.iter()
                                .copied()
                                .filter(|m| body.get(*m).is_none())
                                .collect()
                        })
                        .unwrap_or_default();
                    (flow.clone(), missing)
                })
                .collect(),
        })
        .collect()
}

/// Names of security schemes marked `deprecated: true` (OpenAPI 3.2 Security Scheme Object).
pub fn deprecated_schemes(doc: &Map<String, Value>) -> Vec<String> {
    doc.get("components")
        .and_then(|c| c.get("securitySchemes"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, s)| s.get("deprecated") == Some(&Value::Bool(true)))
        .map(|(n, _)| n.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn each_line_has_its_reader() {
        let v30 = obj(
            json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}}}),
        );
        let t = read(&v30).unwrap().unwrap();
        assert_eq!(t.version, Version::V30);
        assert!(t.is_bearer("b"));
        let v31 = obj(
            json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "webhooks": {}, "components": {"schemas": {"n": {"type": ["string", "null"]}},
            "securitySchemes": {"k": {"type": "apiKey", "in": "header", "name": "Authorization"}}}}),
        );
        assert!(read(&v31).unwrap().unwrap().is_bearer("k"));
        let v32 = obj(
            json!({"openapi": "3.2.0", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"securitySchemes": {"o": {"type": "oauth2", "oauth2MetadataUrl": "https://as.example/.well-known/oauth-authorization-server",
            "deprecated": true, "flows": {"deviceAuthorization": {"tokenUrl": "https://as.example/token", "scopes": {}}}}}}}),
        );
        assert_eq!(read(&v32).unwrap().unwrap().version, Version::V32);
        let extras = oauth2_extras(&v32);
        assert!(extras[0].deprecated);
        assert_eq!(
            extras[0].flows,
            [(
                "deviceAuthorization".to_string(),
                vec!["deviceAuthorizationUrl"]
            )]
        );
        assert!(read(&obj(json!({"swagger": "2.0"}))).is_none());
    }

    #[test]
    fn a_model_error_names_its_pointer() {
        let bad = obj(
            json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/v1": {"get": {"responses": {"200": {"description": 5}}}}}}),
        );
        let e = read(&bad).unwrap().unwrap_err();
        assert!(e.pointer.starts_with("/paths/~1v1/get"), "{e:?}");
    }
}
