//! The SSRF guard at the resolver: every address a name resolves to is checked, on every
//! connection, redirects included, so a public-looking name that resolves to a private or
//! link-local address (DNS rebinding, a cloud metadata service) is refused, not followed.

use crate::identifier::is_private_ip;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Fixed answers for names, standing in for the system resolver (tests on loopback use it to make
/// a public-looking name resolve to 127.0.0.1). `--resolve` pins are not this: reqwest applies
/// them above the resolver, because the user named those addresses.
pub type DnsStub = Arc<HashMap<String, Vec<IpAddr>>>;

/// A resolver that refuses private answers when `guard` is on.
pub struct GuardedResolver {
    /// Refuse names resolving to private, loopback or link-local addresses.
    pub guard: bool,
    pub stub: Option<DnsStub>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let stub = self.stub.as_ref().and_then(|s| s.get(&host).cloned());
        let guard = self.guard;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = match stub {
                Some(ips) => ips.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect(),
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            if let Some(bad) = addrs.iter().find(|a| guard && is_private_ip(a.ip())) {
                return Err(refusal(&host, bad.ip()).into());
            }
            let out: Addrs = Box::new(addrs.into_iter());
            Ok(out)
        })
    }
}

/// The error a refused name gets: it names the requirement and how to allow it.
pub fn refusal(host: &str, ip: IpAddr) -> String {
    format!(
        "PRM-SSRF: {host} resolves to the private, loopback or link-local address {ip}; not connected (pass --allow-private to follow it)"
    )
}
