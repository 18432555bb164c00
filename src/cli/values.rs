//! Values of flags: durations, sizes, URLs, shards, dates, MCP methods, endpoints.

use authspec::capture::Endpoint;
use std::time::Duration;

pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1000)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60_000)
    } else {
        (t, 1000)
    };
    let v: u64 = num
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 10, 10s, 500ms or 5m"))?;
    let ms = v
        .checked_mul(scale)
        .filter(|ms| (1..=600_000).contains(ms))
        .ok_or_else(|| format!("{s:?} must be between 1 ms and 10 m (600 s)"))?;
    Ok(Duration::from_millis(ms))
}

pub(crate) fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (num, scale) = [
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
        ("B", 1),
    ]
    .iter()
    .find_map(|(suf, k)| t.strip_suffix(suf).map(|n| (n, *k)))
    .unwrap_or((t, 1));
    let v: usize = num
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a size like 1GiB, 2MiB, 512KiB or 4096"))?;
    v.checked_mul(scale)
        .filter(|b| (1..=(1usize << 30)).contains(b))
        .ok_or_else(|| format!("{s:?} must be between 1 byte and 1 GiB"))
}

pub(crate) fn parse_url(s: &str) -> Result<url::Url, String> {
    let u = url::Url::parse(s).map_err(|e| format!("{s:?} is not an absolute URL: {e}"))?;
    if !authspec::run::names_a_host(s) {
        return Err(format!("{s:?} has no host"));
    }
    if matches!(u.scheme(), "http" | "https") {
        Ok(u)
    } else {
        Err(format!("{s:?} must be an http(s) URL"))
    }
}

pub(crate) fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    if s.trim() == "auto" {
        return authspec::scan::shard_from_env(|k| std::env::var(k).ok());
    }
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("{s:?} is not K/N"))?;
    let (k, n): (usize, usize) = (
        k.trim()
            .parse()
            .map_err(|_| format!("{s:?}: K is not a number"))?,
        n.trim()
            .parse()
            .map_err(|_| format!("{s:?}: N is not a number"))?,
    );
    if n == 0 || k == 0 || k > n {
        return Err(format!("{s:?}: need 1 <= K <= N"));
    }
    Ok((k, n))
}

/// A calendar date `YYYY-MM-DD`, as waivers' `expires` takes it.
pub(crate) fn parse_date(s: &str) -> Result<toml::value::Datetime, String> {
    let d: toml::value::Datetime = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a date like 2027-03-31"))?;
    if d.date.is_none() || d.time.is_some() {
        return Err(format!("{s:?} is not a date like 2027-03-31"));
    }
    Ok(d)
}

/// A JSON-RPC method name as MCP uses them: `initialize`, `tools/list`, `notifications/…`.
pub(crate) fn parse_mcp_method(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'.'));
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "{s:?} is not a JSON-RPC method name (letters, digits and / _ - . such as tools/list)"
        ))
    }
}

pub(crate) fn parse_endpoint(s: &str) -> Result<Endpoint, String> {
    s.parse()
}
