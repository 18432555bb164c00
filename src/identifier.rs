//! Resource and issuer identifiers: well-known URI construction (RFC 9728/8414 §3) and the https rule.

use url::{Host, Url};

/// Well-known suffix of protected-resource metadata (RFC 9728 §3).
pub const PRM_SUFFIX: &str = "oauth-protected-resource";
/// Well-known suffix of authorization-server metadata (RFC 8414 §3).
pub const ASM_SUFFIX: &str = "oauth-authorization-server";

/// `wk(R, sfx)`: insert `/.well-known/<sfx>` between the authority and the path, after dropping
/// one terminating `/` of a non-empty path (RFC 9728 §3.1, RFC 8414 §3.1).
pub fn well_known(id: &Url, suffix: &str) -> Url {
    build(id, suffix, true)
}

/// The non-conforming variant that keeps a terminating `/`; equals `well_known` when the
/// path has none.
pub fn well_known_unstripped(id: &Url, suffix: &str) -> Url {
    build(id, suffix, false)
}

fn build(id: &Url, suffix: &str, strip: bool) -> Url {
    let mut path = id.path().to_string();
    if path == "/" {
        path.clear();
    }
    if strip && path.ends_with('/') {
        path.pop();
    }
    let mut out = id.clone();
    out.set_fragment(None);
    out.set_path(&format!("/.well-known/{suffix}{path}"));
    out
}

/// The identifier a well-known URL was built from: the inverse of [`well_known`], used by `lint`.
pub fn from_well_known(url: &Url, suffix: &str) -> Option<String> {
    let prefix = format!("/.well-known/{suffix}");
    let rest = url.path().strip_prefix(&prefix)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let mut out = url.clone();
    out.set_path(rest);
    let mut s = out.to_string();
    // Url always renders an empty path as "/", but `https://r.example` is the identifier.
    if rest.is_empty() && out.query().is_none() {
        s.pop();
    }
    Some(s)
}

/// Well-known suffix of OpenID Connect discovery (OIDC Discovery §4).
pub const OIDC_SUFFIX: &str = "openid-configuration";

/// OpenID Connect's own form: the suffix appended after the issuer's path (OIDC Discovery §4.1).
pub fn oidc_appended(issuer: &str) -> Option<Url> {
    Url::parse(&format!(
        "{}/.well-known/{OIDC_SUFFIX}",
        issuer.trim_end_matches('/')
    ))
    .ok()
}

/// The issuers whose OpenID Connect discovery URL `url` is: the appended form first (what OIDC
/// itself defines), then the RFC 8414-style inserted form; both for an issuer without a path.
pub fn issuers_from_oidc(url: &Url) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(prefix) = url
        .path()
        .strip_suffix(&format!("/.well-known/{OIDC_SUFFIX}"))
        && url.query().is_none()
    {
        let mut u = url.clone();
        u.set_path(prefix);
        let mut s = u.to_string();
        if prefix.is_empty() {
            s.pop();
        }
        out.push(s);
    }
    if let Some(inserted) = from_well_known(url, OIDC_SUFFIX)
        && !out.contains(&inserted)
    {
        out.push(inserted);
    }
    out
}

/// The identifier as written, without the `/` that `Url` adds to an empty path.
pub fn as_identifier(url: &Url, original: &str) -> String {
    if original.ends_with('/') || url.path() != "/" {
        url.to_string()
    } else {
        url.to_string().trim_end_matches('/').to_string()
    }
}

/// Whether the host is loopback (127.0.0.0/8, ::1, localhost): http is accepted there.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        None => false,
    }
}

/// Whether an address is private, loopback, link-local, unspecified, shared (100.64/10) or an
/// IPv4-mapped form of one (PRM-SSRF): the addresses a public target may not send us to.
pub fn is_private_ip(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(ip) => {
            ip.is_private()
                || ip.is_loopback()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                // 0.0.0.0/8: Linux connects 0.0.0.1 to the local host.
                || ip.octets()[0] == 0
                || ip.octets()[0] == 100 && (ip.octets()[1] & 0xc0) == 64
        }
        std::net::IpAddr::V6(ip) => match embedded_v4(ip) {
            // ::ffff:169.254.169.254 reaches the IPv4 metadata service.
            Some(v4) => is_private_ip(v4.into()),
            None => {
                ip.is_loopback()
                    || ip.is_unspecified()
                    || (ip.segments()[0] & 0xfe00) == 0xfc00
                    || (ip.segments()[0] & 0xffc0) == 0xfe80
            }
        },
    }
}

/// The IPv4 address an IPv6 address carries and reaches: IPv4-mapped (`::ffff:7f00:1`),
/// IPv4-compatible (`::7f00:1`, deprecated but still parsed) and the NAT64 well-known prefix
/// (`64:ff9b::a9fe:a9fe`, RFC 6052).
fn embedded_v4(ip: std::net::Ipv6Addr) -> Option<std::net::Ipv4Addr> {
    let s = ip.segments();
    let tail = || std::net::Ipv4Addr::from(u32::from(s[6]) << 16 | u32::from(s[7]));
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let compatible = s[..6].iter().all(|x| *x == 0) && !(ip.is_loopback() || ip.is_unspecified());
    let nat64 = s[0] == 0x64 && s[1] == 0xff9b && s[2..6].iter().all(|x| *x == 0);
    (compatible || nat64).then(tail)
}

/// Whether the host is a private, loopback, link-local or metadata-service address (PRM-SSRF).
pub fn is_private(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => is_private_ip(ip.into()),
        Some(Host::Ipv6(ip)) => is_private_ip(ip.into()),
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost"
                || d.ends_with(".localhost")
                || d.ends_with(".internal")
                || d == "metadata.google.internal"
        }
        None => false,
    }
}

/// How a URL fares against "MUST use https" once A-18 is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Https,
    /// http on a loopback host: accepted, but the run is not production evidence.
    LoopbackHttp,
    /// Anything else: fails an https row.
    NotHttps,
}

/// Classifies `url` for the https rows.
pub fn scheme_rule(url: &Url) -> Scheme {
    match url.scheme() {
        "https" => Scheme::Https,
        "http" if is_loopback(url) => Scheme::LoopbackHttp,
        _ => Scheme::NotHttps,
    }
}

/// Same scheme, host and port (RFC 6454 origin).
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.origin() == b.origin()
}

/// The bis-draft rule: same origin, and `resource`'s path is a prefix of `request`'s path
/// on a segment boundary.
pub fn is_prefix_resource(resource: &Url, request: &Url) -> bool {
    if !same_origin(resource, request) {
        return false;
    }
    let base = resource.path().trim_end_matches('/');
    let path = request.path();
    base.is_empty() || path == base || path.starts_with(&format!("{base}/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn builds_well_known_urls() {
        let cases = [
            (
                "https://r.example",
                "https://r.example/.well-known/oauth-protected-resource",
            ),
            (
                "https://r.example/",
                "https://r.example/.well-known/oauth-protected-resource",
            ),
            (
                "https://r.example/resource1",
                "https://r.example/.well-known/oauth-protected-resource/resource1",
            ),
            (
                "https://r.example/api/",
                "https://r.example/.well-known/oauth-protected-resource/api",
            ),
            (
                "https://r.example/a?x=1",
                "https://r.example/.well-known/oauth-protected-resource/a?x=1",
            ),
        ];
        for (id, want) in cases {
            assert_eq!(well_known(&u(id), PRM_SUFFIX).as_str(), want, "{id}");
        }
        assert_eq!(
            well_known_unstripped(&u("https://r.example/api/"), PRM_SUFFIX).as_str(),
            "https://r.example/.well-known/oauth-protected-resource/api/"
        );
    }

    #[test]
    fn inverts_well_known_urls() {
        let f = |s: &str| from_well_known(&u(s), ASM_SUFFIX);
        assert_eq!(
            f("https://a.example/.well-known/oauth-authorization-server").as_deref(),
            Some("https://a.example")
        );
        assert_eq!(
            f("https://a.example/.well-known/oauth-authorization-server/t1").as_deref(),
            Some("https://a.example/t1")
        );
        assert_eq!(
            f("https://a.example/.well-known/oauth-authorization-serverx"),
            None
        );
        assert_eq!(f("https://a.example/other"), None);
    }

    #[test]
    fn https_rule_and_origins() {
        assert_eq!(scheme_rule(&u("https://x.example")), Scheme::Https);
        assert_eq!(scheme_rule(&u("http://127.0.0.5:80")), Scheme::LoopbackHttp);
        assert_eq!(scheme_rule(&u("http://[::1]/")), Scheme::LoopbackHttp);
        assert_eq!(scheme_rule(&u("http://localhost/")), Scheme::LoopbackHttp);
        assert_eq!(scheme_rule(&u("http://x.example")), Scheme::NotHttps);
        assert!(is_prefix_resource(
            &u("https://a.example/api/"),
            &u("https://a.example/api/v1/x")
        ));
        assert!(is_prefix_resource(
            &u("https://a.example"),
            &u("https://a.example/v1")
        ));
        assert!(!is_prefix_resource(
            &u("https://a.example/ap"),
            &u("https://a.example/api")
        ));
        assert!(!is_prefix_resource(
            &u("https://b.example"),
            &u("https://a.example/v1")
        ));
        assert!(is_private(&u("http://169.254.169.254/latest")));
        assert!(is_private(&u("https://10.1.2.3/")));
        assert!(!is_private(&u("https://93.184.216.34/")));
        assert!(is_private(&u("http://[::ffff:169.254.169.254]/")));
        assert!(is_private(&u("http://[::ffff:7f00:1]/")));
        assert!(!is_private(&u("http://[::ffff:93.184.216.34]/")));
        assert!(is_private(&u("http://[fe80::1]/")));
    }

    #[test]
    fn every_spelling_of_a_private_ipv4_literal_is_private() {
        // The url crate reads these as the addresses they mean (WHATWG IPv4 parser), so the
        // private-address rule sees 127.0.0.1 and 169.254.169.254, not a name.
        for (spelled, means) in [
            ("http://0x7f.1/", "127.0.0.1"),
            ("http://2852039166/", "169.254.169.254"),
            ("http://0xa9fea9fe/", "169.254.169.254"),
            ("http://0177.0.0.1/", "127.0.0.1"),
            ("http://127.1/", "127.0.0.1"),
            ("http://0x7f000001/", "127.0.0.1"),
            ("http://0.0.0.0/", "0.0.0.0"),
        ] {
            let url = u(spelled);
            assert_eq!(url.host_str(), Some(means), "{spelled}");
            assert!(is_private(&url), "{spelled}");
        }
        for spelled in [
            "http://[::ffff:7f00:1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:a9fe:a9fe]/",
            "http://[::127.0.0.1]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://[::1]/",
            "http://0.0.0.1/",
        ] {
            assert!(is_private(&u(spelled)), "{spelled}");
        }
        assert_eq!(
            u("http://[::ffff:127.0.0.1]/").host_str(),
            Some("[::ffff:7f00:1]")
        );
        assert!(
            !is_private(&u("http://[64:ff9b::5db8:d822]/")),
            "NAT64 of a public address"
        );
    }

    #[test]
    fn oidc_urls_name_their_issuers() {
        let g = u("https://accounts.example.com/.well-known/openid-configuration");
        assert_eq!(issuers_from_oidc(&g), vec!["https://accounts.example.com"]);
        let kc = u("https://kc.example.com/realms/demo/.well-known/openid-configuration");
        assert_eq!(
            issuers_from_oidc(&kc),
            vec!["https://kc.example.com/realms/demo"]
        );
        let ins = u("https://kc.example.com/.well-known/openid-configuration/realms/demo");
        assert_eq!(
            issuers_from_oidc(&ins),
            vec!["https://kc.example.com/realms/demo"]
        );
        assert!(issuers_from_oidc(&u("https://a.example/jwks")).is_empty());
        assert_eq!(
            oidc_appended("https://kc.example.com/realms/demo/").map(|x| x.to_string()),
            Some(kc.to_string())
        );
    }
}
