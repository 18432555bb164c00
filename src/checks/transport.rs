//! MCP transport security (Streamable HTTP, security best practices): Origin validation, refusal
//! of unsupported or mismatched `MCP-Protocol-Version`, and sessions that are never credentials.
//!
//! Every probe is read beside a control that differs from it only in the thing probed, so that a
//! refusal is attributed to that thing: a 403 from Origin validation that comes before
//! authentication is told from a 401, and a 401 that comes first proves nothing either way.

use super::{Area, Check, Level, Levels, McpVersion};
use crate::capture::transport::PROBE_ORIGIN;
use crate::evidence::{Evidence, Exchange, Role};
use crate::finding::{Finding, Outcome};

const STREAMABLE_2026: &str =
    "https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http";
const SESSIONS_URL: &str = "https://modelcontextprotocol.io/specification/2025-11-25/basic/security_best_practices#session-hijacking";

/// A row of this area.
macro_rules! row {
    ($($t:tt)*) => {
        super::check!(Area::McpTransport, $($t)*)
    };
}

/// The transport-security rows, in report order (MCP profile only).
pub static CHECKS: &[Check] = &[
    row!(
        "mcp-transport.origin",
        "A request with a foreign Origin is refused (403 from 2025-11-25), even by a server no browser uses",
        Levels::mcp(Level::Must),
        &["MCP-ORIGIN-403"],
        "MCP Streamable HTTP §Security Warning (2025-06-18, 2025-11-25), §Security & Endpoint (2026-07-28)",
        STREAMABLE_2026,
        "Validate Origin on every request before anything else (authentication included) and answer a present, foreign Origin with 403 Forbidden. A server with no browser-facing use still must: DNS rebinding reaches servers no browser was meant to call.",
        origin
    ),
    row!(
        "mcp-transport.unsupported-version",
        "An unsupported MCP-Protocol-Version gets 400 (UnsupportedProtocolVersionError from 2026-07-28)",
        Levels::mcp(Level::Must),
        &["MCP-PROTOCOL-VERSION-400"],
        "MCP Streamable HTTP §Protocol Version Header (2025-06-18+)",
        STREAMABLE_2026,
        "Answer a request whose MCP-Protocol-Version you do not implement with 400 Bad Request (2026-07-28: and a JSON-RPC error -32022 listing the supported versions).",
        unsupported_version
    ),
    row!(
        "mcp-transport.header-mismatch",
        "A header version that disagrees with the body's _meta gets 400 HeaderMismatch (2026-07-28)",
        Levels::mcp(Level::Must),
        &["MCP-HEADER-MISMATCH"],
        "MCP 2026-07-28 Streamable HTTP §Protocol Version Header, §Server Validation",
        STREAMABLE_2026,
        "Compare MCP-Protocol-Version with params._meta[\"io.modelcontextprotocol/protocolVersion\"] and answer a mismatch with 400 and JSON-RPC error -32020 (HeaderMismatch).",
        header_mismatch
    ),
    row!(
        "mcp-transport.session-not-credential",
        "A session ID without a token is refused: sessions are no authentication (2025-06-18, 2025-11-25)",
        Levels::mcp(Level::Must),
        &["MCP-SESSION-NOT-AUTH"],
        "MCP security best practices §Session Hijacking, Mitigation (2025-06-18, 2025-11-25)",
        SESSIONS_URL,
        "Verify the token on every request; a session ID only names state, it never stands in for the Authorization header.",
        session_not_credential
    ),
    row!(
        "mcp-transport.session-id-unique",
        "Two initialize calls get different session IDs (2025-06-18, 2025-11-25)",
        Levels::mcp(Level::Must),
        &["MCP-SESSION-ID-UNIQUE"],
        "MCP security best practices §Session Hijacking (2025-06-18, 2025-11-25); Streamable HTTP §Session Management",
        SESSIONS_URL,
        "Mint a fresh session ID for every initialize.",
        session_id_unique
    ),
    row!(
        "mcp-transport.session-id-unpredictable",
        "Session IDs are not sequential, time-based or short (a two-sample check; 2025-06-18, 2025-11-25)",
        Levels::mcp(Level::Must),
        &["MCP-SESSION-ID-RANDOM"],
        "MCP security best practices §Session Hijacking (2025-06-18, 2025-11-25); Streamable HTTP §Session Management",
        SESSIONS_URL,
        "Draw session IDs from a secure random source (for example 128 random bits, or a UUID v4), in visible ASCII.",
        session_id_unpredictable
    ),
];

/// The exchange of transport probe `slug`, when it was made.
fn probe<'e>(ev: &'e Evidence, slug: &str) -> Option<&'e Exchange> {
    ev.exchanges.iter().find(|e| {
        e.roles
            .iter()
            .any(|r| matches!(r, Role::Transport { probe, .. } if probe == slug))
    })
}

fn ok(ex: &Exchange) -> bool {
    ex.status.is_some_and(|s| (200..300).contains(&s))
}

fn status(ex: &Exchange) -> String {
    ex.status.map_or("no answer".into(), |s| s.to_string())
}

/// What one probe and its control say.
enum Read {
    /// The probe's answer is the server's answer to the thing probed.
    Decided(Finding),
    /// Something else (authentication, a missing session, no answer) answered first.
    Unattributed(String),
    /// The probe was not sent (the keyed one without `--api-key`).
    NotMade,
}

/// Reads probe `p` against `control` (the same request without the thing probed). `judge` gets a
/// refusal attributed to the thing probed: the probe was refused and the control was not refused
/// the same way.
fn read(
    p: Option<&Exchange>,
    control: Option<&Exchange>,
    judge: &dyn Fn(&Exchange) -> Finding,
) -> Read {
    let Some(p) = p else {
        return Read::NotMade;
    };
    if p.status.is_none() {
        return Read::Unattributed(format!("{} got no answer", p.method));
    }
    if ok(p) {
        return Read::Decided(judge(p));
    }
    match control.filter(|c| c.status.is_some()) {
        Some(c) if c.status == p.status => Read::Unattributed(format!(
            "the probe and its control both got {}: something else answered first",
            status(p)
        )),
        Some(c) => Read::Decided(judge(p).on(c)),
        None => Read::Unattributed(format!(
            "the probe got {} and its control no answer",
            status(p)
        )),
    }
}

/// The worst decided reading of the pairs, or why none decided: without `--api-key` that is a
/// choice (the keyed probe would have decided), with it the row could not be judged.
fn decide(ev: &Evidence, reads: Vec<Read>, what: &str) -> Vec<Finding> {
    let mut decided: Vec<Finding> = Vec::new();
    let mut why: Vec<String> = Vec::new();
    for r in reads {
        match r {
            Read::Decided(f) => decided.push(f),
            Read::Unattributed(w) => why.push(w),
            Read::NotMade => {}
        }
    }
    if let Some(f) = decided
        .iter()
        .find(|f| f.outcome == Outcome::Fail)
        .or(decided.first())
    {
        return vec![f.clone()];
    }
    let why = why.join("; ");
    if ev.api_key_given {
        vec![Finding::no_input(format!(
            "{what} could not be attributed: {why}"
        ))]
    } else {
        vec![Finding::skip(format!(
            "{what} could not be attributed without a token ({why}); pass --api-key so an authenticated request reaches it"
        ))]
    }
}

/// MCP-ORIGIN-403.
fn origin(ev: &Evidence) -> Vec<Finding> {
    let v = ev.mcp_version;
    let judge = move |p: &Exchange| -> Finding {
        let about = format!("with Origin: {PROBE_ORIGIN}");
        match p.status {
            Some(s) if (200..300).contains(&s) => Finding::fail(format!(
                "a request {about} was served ({s}); the server must validate Origin even when no browser is meant to call it"
            )),
            Some(403) => Finding::pass(format!("a request {about} got 403, attributed to Origin validation (its control without Origin was answered otherwise)")),
            Some(s) if v < McpVersion::V2025_11_25 && (400..500).contains(&s) => Finding::pass(format!(
                "a request {about} was refused with {s} (MCP 2025-06-18 asks for validation and names no status; 403 from 2025-11-25)"
            )),
            Some(s) => Finding::fail(format!(
                "a request {about} got {s}, not 403 Forbidden"
            )),
            None => Finding::no_input("no answer"),
        }
        .expected("403 Forbidden")
        .actual(status(p))
        .on(p)
    };
    // The control of the keyed probe: an authenticated request that was served shows the key
    // works, so a refusal of the keyed Origin probe is the Origin's doing.
    let keyed_control = ["version-control-keyed", "session-a"]
        .into_iter()
        .filter_map(|slug| probe(ev, slug))
        .find(|e| ok(e) && e.credential == "key");
    let unauth_control = unauth_probe_of_opening(ev);
    decide(
        ev,
        vec![
            read(probe(ev, "origin-keyed"), keyed_control, &judge),
            read(probe(ev, "origin"), unauth_control, &judge),
        ],
        "the Origin probe's answer",
    )
}

/// The method probe's unauthenticated request of the opening method (the Origin probe without
/// its Origin).
fn unauth_probe_of_opening(ev: &Evidence) -> Option<&Exchange> {
    let method = probe(ev, "origin")?.roles.iter().find_map(|r| match r {
        Role::Transport { method, .. } => Some(method.clone()),
        _ => None,
    })?;
    ev.exchanges.iter().find(|e| {
        e.roles.iter().any(|r| matches!(r, Role::ProbeUnauth { endpoint } if crate::evidence::mcp_method_of(endpoint) == Some(method.as_str())))
    })
}

/// The JSON-RPC error code of a response body.
fn rpc_code(ex: &Exchange) -> Option<i64> {
    ex.json().ok()?.value.pointer("/error/code")?.as_i64()
}

/// A 400 whose JSON-RPC error code is `code` (from 2026-07-28), else a failure naming `name`.
fn bad_request(ev: &Evidence, p: &Exchange, code: i64, name: &str, what: &str) -> Finding {
    let f = match p.status {
        Some(s) if (200..300).contains(&s) => Finding::fail(format!("{what} was served ({s})")),
        Some(400) if ev.mcp_version >= McpVersion::V2026_07_28 && rpc_code(p) != Some(code) => {
            Finding::fail(format!(
                "{what} got 400 but not the JSON-RPC error {code} ({name}); its code: {}",
                rpc_code(p).map_or("none".into(), |c| c.to_string())
            ))
        }
        Some(400) => Finding::pass(format!(
            "{what} got 400, attributed to what was probed (its control was answered otherwise)"
        )),
        Some(s) => Finding::fail(format!("{what} got {s}, not 400 Bad Request")),
        None => Finding::no_input("no answer"),
    };
    f.expected(if ev.mcp_version >= McpVersion::V2026_07_28 {
        format!("400 with JSON-RPC error {code} ({name})")
    } else {
        "400 Bad Request".into()
    })
    .actual(status(p))
    .on(p)
}

fn version_skip(ev: &Evidence, from: McpVersion, until: McpVersion) -> Option<Vec<Finding>> {
    (ev.mcp_version < from || ev.mcp_version > until).then(|| {
        vec![Finding::skip(format!(
            "MCP {} does not have this row",
            ev.mcp_version.as_str()
        ))]
    })
}

/// MCP-PROTOCOL-VERSION-400.
fn unsupported_version(ev: &Evidence) -> Vec<Finding> {
    let what = format!(
        "a request with MCP-Protocol-Version: {}",
        crate::capture::transport::UNSUPPORTED_VERSION
    );
    let judge = |p: &Exchange| bad_request(ev, p, -32022, "UnsupportedProtocolVersionError", &what);
    decide(
        ev,
        vec![
            read(
                probe(ev, "version-keyed"),
                probe(ev, "version-control-keyed"),
                &judge,
            ),
            read(probe(ev, "version"), probe(ev, "version-control"), &judge),
        ],
        "the unsupported-version probe's answer",
    )
}

/// MCP-HEADER-MISMATCH.
fn header_mismatch(ev: &Evidence) -> Vec<Finding> {
    if let Some(s) = version_skip(ev, McpVersion::V2026_07_28, McpVersion::V2026_07_28) {
        return s;
    }
    let what = format!(
        "a request whose header says {} and whose _meta says {}",
        ev.mcp_version.as_str(),
        crate::capture::transport::MISMATCHED_BODY_VERSION
    );
    let judge = |p: &Exchange| bad_request(ev, p, -32020, "HeaderMismatch", &what);
    decide(
        ev,
        vec![
            read(
                probe(ev, "mismatch-keyed"),
                probe(ev, "version-control-keyed"),
                &judge,
            ),
            read(probe(ev, "mismatch"), probe(ev, "version-control"), &judge),
        ],
        "the header-mismatch probe's answer",
    )
}

/// The session ID an `initialize` probe got, when it was served.
fn session_id(ex: Option<&Exchange>) -> Option<&str> {
    ex.filter(|e| ok(e))?.header("mcp-session-id")
}

/// Why the session rows have nothing to judge, when that is so.
fn no_sessions(ev: &Evidence) -> Option<Vec<Finding>> {
    if let Some(s) = version_skip(ev, McpVersion::V2025_06_18, McpVersion::V2025_11_25) {
        return Some(s);
    }
    let a = probe(ev, "session-a")?;
    if !ok(a) {
        let msg = format!("initialize got {}", status(a));
        return Some(vec![if ev.api_key_given {
            Finding::no_input(msg).on(a)
        } else {
            Finding::skip(format!(
                "{msg} without a token; pass --api-key to open sessions"
            ))
            .on(a)
        }]);
    }
    a.header("mcp-session-id").is_none().then(|| {
        vec![Finding::skip(
            "initialize issued no Mcp-Session-Id: the server keeps no sessions (they are optional, MAY)",
        )
        .on(a)]
    })
}

/// MCP-SESSION-NOT-AUTH.
fn session_not_credential(ev: &Evidence) -> Vec<Finding> {
    if let Some(s) = no_sessions(ev) {
        return s;
    }
    if !ev.api_key_given {
        return vec![Finding::skip(
            "needs --api-key: only an authenticated initialize yields a session to try without a token",
        )];
    }
    let Some(p) = probe(ev, "session-no-token") else {
        return vec![Finding::no_input(
            "the request with the session ID and no token was not made",
        )];
    };
    let f = match p.status {
        Some(s) if (200..300).contains(&s) => Finding::fail(format!(
            "a request carrying an authenticated session's Mcp-Session-Id but no token was served ({s}): the session stood in for the token"
        )),
        Some(401) => Finding::pass(
            "a request carrying an authenticated session's Mcp-Session-Id but no token got 401",
        ),
        Some(s) if (400..500).contains(&s) => Finding::pass(format!(
            "a request carrying an authenticated session's Mcp-Session-Id but no token was refused ({s}; MCP-ERRORS asks for 401)"
        )),
        Some(s) => Finding::no_input(format!(
            "the tokenless request in the session got {s}: neither served nor refused"
        )),
        None => Finding::no_input("the tokenless request in the session got no answer"),
    };
    let mut f = f.expected("401").actual(status(p)).on(p);
    if let Some(a) = probe(ev, "session-a") {
        f = f.on(a);
    }
    vec![f]
}

/// The two session IDs, or why the session-ID rows have nothing to judge.
fn two_ids(ev: &Evidence) -> Result<(&Exchange, &str, &Exchange, &str), Vec<Finding>> {
    if let Some(s) = no_sessions(ev) {
        return Err(s);
    }
    let (a, b) = (probe(ev, "session-a"), probe(ev, "session-b"));
    match (a, session_id(a), b, session_id(b)) {
        (Some(a), Some(x), Some(b), Some(y)) => Ok((a, x, b, y)),
        (_, _, Some(b), _) => Err(vec![
            Finding::no_input(format!(
                "the second initialize got {} and no session ID",
                status(b)
            ))
            .on(b),
        ]),
        _ => Err(vec![Finding::no_input(
            "the two initialize probes were not made",
        )]),
    }
}

/// MCP-SESSION-ID-UNIQUE.
fn session_id_unique(ev: &Evidence) -> Vec<Finding> {
    let (a, x, b, y) = match two_ids(ev) {
        Ok(t) => t,
        Err(f) => return f,
    };
    let f = if x == y {
        Finding::fail(
            "two initialize calls got the same Mcp-Session-Id: one session can be taken for another",
        )
    } else {
        Finding::pass("two initialize calls got different session IDs")
    };
    vec![f.expected("two different IDs").on(a).on(b)]
}

/// MCP-SESSION-ID-RANDOM: a cheap two-sample check. It catches counters, time-based UUIDs,
/// IDs too short to hold 64 bits and characters outside visible ASCII; it cannot prove randomness.
fn session_id_unpredictable(ev: &Evidence) -> Vec<Finding> {
    let (a, x, b, y) = match two_ids(ev) {
        Ok(t) => t,
        Err(f) => return f,
    };
    if x == y {
        return vec![
            Finding::skip(
                "both initialize calls got the same ID: see mcp-transport.session-id-unique",
            )
            .on(a)
            .on(b),
        ];
    }
    let problem = sequential(x, y).or_else(|| [x, y].iter().find_map(|id| id_problem(id)));
    let bits = id_bits(x).min(id_bits(y));
    let f = match problem {
        Some(p) => Finding::fail(p),
        None => Finding::pass(format!(
            "no counter, time-based UUID or short ID: at most {bits:.0} bits by alphabet and length (two samples show a pattern, they cannot prove randomness)"
        )),
    };
    vec![f.on(a).on(b)]
}

/// Why one ID is not secure on its face: characters outside 0x21–0x7E, a UUID v1, too few bits.
fn id_problem(id: &str) -> Option<String> {
    if !id.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Some("a session ID has characters outside visible ASCII (0x21–0x7E)".into());
    }
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    if id.len() == 36
        && hex.len() == 32
        && hex.chars().all(|c| c.is_ascii_hexdigit())
        && hex.as_bytes()[12] == b'1'
    {
        return Some(format!(
            "session ID {id:?} is a time-based UUID v1: guessable from the clock"
        ));
    }
    let bits = id_bits(id);
    (bits < 64.0).then(|| {
        format!("session ID {id:?} holds at most {bits:.0} bits: too few to be unguessable")
    })
}

/// An upper bound of an ID's entropy: its length times the bits of the smallest alphabet that
/// holds it (digits, hex, letters and digits, visible ASCII).
fn id_bits(id: &str) -> f64 {
    let body: Vec<char> = id.chars().filter(|c| !matches!(c, '-' | '_')).collect();
    let alphabet = if body.iter().all(char::is_ascii_digit) {
        10.0
    } else if body
        .iter()
        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(c))
        || body
            .iter()
            .all(|c| c.is_ascii_digit() || ('A'..='F').contains(c))
    {
        16.0
    } else if body.iter().all(char::is_ascii_alphanumeric) {
        62.0
    } else {
        94.0_f64
    };
    body.len() as f64 * f64::log2(alphabet)
}

/// Two IDs that share a prefix and end in numbers close together: a counter.
fn sequential(x: &str, y: &str) -> Option<String> {
    fn tail(s: &str) -> (&str, Option<u128>) {
        let head = s.trim_end_matches(|c: char| c.is_ascii_digit());
        (head, s[head.len()..].parse::<u128>().ok())
    }
    match (tail(x), tail(y)) {
        ((px, Some(nx)), (py, Some(ny))) if px == py && nx.abs_diff(ny) <= 1000 => Some(format!(
            "session IDs {x:?} and {y:?} differ only in a counter: the next one can be guessed"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_short_ids_fail() {
        assert!(sequential("session-1", "session-2").is_some());
        assert!(sequential("a9f3", "b9f4").is_none());
        assert!(id_problem("session-1").is_some());
        assert!(
            id_problem("6f1c2e4a-1b2c-11ee-8c90-0242ac120002").is_some(),
            "UUID v1"
        );
        assert!(
            id_problem("6f1c2e4a-1b2c-4bee-8c90-0242ac120002").is_none(),
            "UUID v4"
        );
        assert!(id_problem("0123456789abcdef0123456789abcdef").is_none());
        assert!(id_problem("abc\u{7f}").is_some());
    }
}
