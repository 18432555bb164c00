//! JWK Sets (RFC 7517/7518/8037): set shape, per-kty members, encodings, key sizes, curve points.

use super::members::{quote, show};
use super::prm::media_type_of;
use super::{Area, Check, Level, Levels, MUST, SHOULD, rfc};
use crate::evidence::{Doc, Evidence, Role, Subject};
use crate::finding::{Finding, pass_or};
use crate::parse::json::pointer_token;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};
use sha1::Digest;

/// A row of this area.
macro_rules! row {
    ($($t:tt)*) => {
        super::check!(Area::Jwks, $($t)*)
    };
}

/// The JWKS checks, in report order.
pub static CHECKS: &[Check] = &[
    row!(
        "jwks.served",
        "The jwks_uri a document names serves a JWK Set",
        // MCP clients never read the AS's JWK Set, so under MCP a broken jwks_uri is a defect of
        // the metadata but not of anything an MCP client relies on.
        Levels {
            auth_md: Some(Level::Must),
            rfc: Some(Level::Must),
            mcp: Some(Level::Should),
        },
        &["JWKS-SERVED"],
        "RFC 8414 §2, RFC 9728 §2 (jwks_uri); RFC 7517 §5",
        rfc!("8414", "2"),
        "Serve the JWK Set with 200 at the jwks_uri the metadata names, or leave jwks_uri out.",
        served,
    ),
    row!(
        "jwks.keys-member",
        "The set is an object with a keys array of JWK objects",
        MUST,
        &["JWKS-KEYS-MEMBER"],
        "RFC 7517 §5",
        rfc!("7517", "5"),
        "Serve {\"keys\": [ {...}, ... ]}.",
        keys_member,
    ),
    row!(
        "jwks.media-type",
        "The set is served as application/jwk-set+json or application/json",
        SHOULD,
        &["JWKS-MEDIA-TYPE"],
        "RFC 7517 §8.5",
        rfc!("7517", "8.5"),
        "Send Content-Type: application/jwk-set+json.",
        media_type,
    ),
    row!(
        "jwks.unique-names",
        "Member names are unique in the set and in each key",
        MUST,
        &["JWKS-UNIQUE-NAMES"],
        "RFC 7517 §5, §4",
        rfc!("7517", "4"),
        "Remove the repeated member; parsers disagree on which copy wins.",
        unique_names,
    ),
    row!(
        "jwks.kty",
        "Every key has a kty",
        MUST,
        &["JWK-KTY"],
        "RFC 7517 §4.1",
        rfc!("7517", "4.1"),
        "Add kty (RSA, EC, OKP or oct) to every key.",
        kty,
    ),
    row!(
        "jwks.kty-known",
        "kty is a registered key type",
        SHOULD,
        &["JWK-KTY", "JWKS-IGNORE-UNKNOWN"],
        "RFC 7517 §4.1; RFC 7518 §6.1",
        rfc!("7518", "6.1"),
        "Use RSA, EC, OKP or oct (case-sensitive); clients skip other keys.",
        kty_known,
    ),
    row!(
        "jwks.use-values",
        "use is sig or enc",
        SHOULD,
        &["JWK-USE"],
        "RFC 7517 §4.2",
        rfc!("7517", "4.2"),
        "Set use to \"sig\" or \"enc\".",
        use_values,
    ),
    row!(
        "jwks.key-ops",
        "key_ops is an array of strings without duplicates",
        MUST,
        &["JWK-KEYOPS"],
        "RFC 7517 §4.3",
        rfc!("7517", "4.3"),
        "Send key_ops as an array of distinct strings.",
        key_ops,
    ),
    row!(
        "jwks.key-ops-related",
        "key_ops holds known, related operations only",
        SHOULD,
        &["JWK-KEYOPS"],
        "RFC 7517 §4.3",
        rfc!("7517", "4.3"),
        "Combine only sign+verify, encrypt+decrypt, wrapKey+unwrapKey (or deriveKey+deriveBits).",
        key_ops_related,
    ),
    row!(
        "jwks.use-key-ops",
        "use and key_ops agree when both are present",
        MUST,
        &["JWK-USE-KEYOPS"],
        "RFC 7517 §4.3",
        rfc!("7517", "4.3"),
        "Make key_ops consistent with use (sig: sign/verify; enc: encrypt/decrypt/wrapKey/unwrapKey/deriveKey/deriveBits).",
        use_key_ops,
    ),
    row!(
        "jwks.use-or-key-ops",
        "A key carries use or key_ops, not both",
        SHOULD,
        &["JWK-USE-KEYOPS"],
        "RFC 7517 §4.3",
        rfc!("7517", "4.3"),
        "Keep one of use and key_ops.",
        use_or_key_ops,
    ),
    row!(
        "jwks.use-mixed",
        "A set mixing signing and encryption keys gives every key a use",
        MUST,
        &["JWKS-USE-MIXED", "PRM-JWKS-USE-MIXED", "ASM-JWKS-USE-MIXED"],
        "RFC 8414 §2; RFC 9728 §2",
        rfc!("8414", "2"),
        "Add use to every key when the set holds both signing and encryption keys.",
        use_mixed,
    ),
    row!(
        "jwks.alg-no-none",
        "No key declares alg none",
        MUST,
        &["JWK-ALG"],
        "RFC 7517 §4.4; RFC 7518 §3.6",
        rfc!("7518", "3.6"),
        "Remove alg none; a published key is for a real algorithm.",
        alg_no_none,
    ),
    row!(
        "jwks.alg-known",
        "alg is a registered JOSE algorithm",
        SHOULD,
        &["JWK-ALG"],
        "RFC 7517 §4.4; RFC 7518 §3.1, §4.1",
        rfc!("7518", "3.1"),
        "Use a registered alg value such as RS256, ES256 or EdDSA (case-sensitive).",
        alg_known,
    ),
    row!(
        "jwks.alg-kty",
        "alg fits the key type and curve",
        MUST,
        &["JWK-ALG-KTY"],
        "RFC 7518 §3",
        rfc!("7518", "3"),
        "Pair RS*/PS* with RSA, ES256 with EC P-256, ES384 with P-384, ES512 with P-521, EdDSA with OKP, HS* with oct.",
        alg_kty,
    ),
    row!(
        "jwks.kid-distinct",
        "Keys of the same type have distinct kid values",
        SHOULD,
        &["JWKS-KID-DISTINCT"],
        "RFC 7517 §4.5",
        rfc!("7517", "4.5"),
        "Give every key its own kid.",
        kid_distinct,
    ),
    row!(
        "jwks.kid-present",
        "With several keys, every key has a kid",
        SHOULD,
        &["JWKS-KID-PRESENT"],
        "RFC 7517 §4.5",
        rfc!("7517", "4.5"),
        "Add kid to every key so verifiers can select one.",
        kid_present,
    ),
    row!(
        "jwks.no-private",
        "The set publishes no private or symmetric key material",
        MUST,
        &["JWKS-NO-PRIVATE"],
        "RFC 7517 §9.2; RFC 7518 §6.2.2, §6.3.2, §6.4; OIDC Discovery §3",
        rfc!("7517", "9.2"),
        "Remove d, p, q, dp, dq, qi, oth and k, and every kty oct key; rotate the leaked keys.",
        no_private,
    ),
    row!(
        "jwks.b64url",
        "Binary members are base64url without padding",
        MUST,
        &["JWK-B64URL"],
        "RFC 7515 §2; RFC 7518 §6",
        rfc!("7515", "2"),
        "Encode with the URL-safe alphabet, strip '=' padding, no whitespace.",
        b64url,
    ),
    row!(
        "jwks.uint-minimal",
        "Integer members use the fewest octets",
        MUST,
        &["JWK-UINT-MINIMAL"],
        "RFC 7518 §2 (Base64urlUInt)",
        rfc!("7518", "2"),
        "Drop leading zero octets from n and e before encoding.",
        uint_minimal,
    ),
    row!(
        "jwks.rsa-members",
        "RSA keys have n and e",
        MUST,
        &["JWK-RSA-MEMBERS"],
        "RFC 7518 §6.3.1",
        rfc!("7518", "6.3.1"),
        "Add the modulus n and exponent e.",
        rsa_members,
    ),
    row!(
        "jwks.rsa-2048",
        "RSA keys, for signing or encryption, are at least 2048 bits",
        MUST,
        &["JWK-RSA-2048", "JWK-RSA-2048-ENC"],
        "RFC 7518 §3.3, §3.5, §4.2, §4.3",
        rfc!("7518", "3.3"),
        "Replace the key with one of 2048 bits or more.",
        rsa_2048,
    ),
    row!(
        "jwks.rsa-max",
        "RSA moduli are no longer than verifiers accept (16,384 bits)",
        SHOULD,
        &["JWK-RSA-MAX"],
        "RFC 7518 §6.3.1",
        rfc!("7518", "6.3.1"),
        "Publish a 2048-, 3072- or 4096-bit key; common verifiers refuse moduli above 16,384 bits.",
        rsa_max,
    ),
    row!(
        "jwks.rsa-e",
        "e is a small odd exponent",
        SHOULD,
        &["JWK-RSA-E"],
        "RFC 7518 §6.3.1.2",
        rfc!("7518", "6.3.1.2"),
        "Use e = 65537 (AQAB).",
        rsa_e,
    ),
    row!(
        "jwks.ec-members",
        "EC keys have crv, x and y with a known curve",
        MUST,
        &["JWK-EC-MEMBERS"],
        "RFC 7518 §6.2.1",
        rfc!("7518", "6.2.1"),
        "Send crv (P-256, P-384 or P-521), x and y.",
        ec_members,
    ),
    row!(
        "jwks.ec-length",
        "EC coordinates have the curve's exact length",
        MUST,
        &["JWK-EC-LEN"],
        "RFC 7518 §6.2.1.2, §6.2.1.3",
        rfc!("7518", "6.2.1.2"),
        "Encode x and y as full-length octet strings (32 for P-256, 48 for P-384, 66 for P-521), keeping leading zeros.",
        ec_length,
    ),
    row!(
        "jwks.ec-on-curve",
        "EC points lie on their curve",
        SHOULD,
        &["JWK-EC-ONCURVE"],
        "RFC 7518 §6.2.1",
        rfc!("7518", "6.2.1"),
        "Publish the real public point of the key.",
        ec_on_curve,
    ),
    row!(
        "jwks.okp-members",
        "OKP keys have a known crv and an x of its length",
        MUST,
        &["JWK-OKP-MEMBERS"],
        "RFC 8037 §2",
        rfc!("8037", "2"),
        "Send crv (Ed25519, Ed448, X25519, X448) and x of 32/57/32/56 octets.",
        okp_members,
    ),
    row!(
        "jwks.x5c",
        "x5c holds standard-base64 DER certificates for this key",
        MUST,
        &["JWK-X5C"],
        "RFC 7517 §4.7",
        rfc!("7517", "4.7"),
        "Send x5c as standard base64 (not base64url) DER, key-bearing certificate first.",
        x5c,
    ),
    row!(
        "jwks.x5t",
        "x5t and x5t#S256 are thumbprints of the first certificate",
        MUST,
        &["JWK-X5T"],
        "RFC 7517 §4.8, §4.9",
        rfc!("7517", "4.8"),
        "Recompute x5t (SHA-1) and x5t#S256 (SHA-256) over x5c[0]'s DER, base64url without padding.",
        x5t,
    ),
    row!(
        "jwks.use-alg",
        "A key's alg agrees with its use",
        SHOULD,
        &["JWK-USE-ALG"],
        "RFC 7517 §4.2, §4.4; RFC 7518 §3.1, §4.1",
        rfc!("7517", "4.4"),
        "Give a signing algorithm (RS256, ES256, ...) only to a use: sig key and a key-management algorithm (RSA-OAEP, ECDH-ES, ...) only to a use: enc key.",
        use_alg,
    ),
    row!(
        "jwks.signing-key",
        "The JWK Set an AS's jwks_uri names holds a signing key",
        SHOULD,
        &["JWKS-SIGNING-KEY"],
        "RFC 8414 §2 (jwks_uri)",
        rfc!("8414", "2"),
        "Publish the key(s) the authorization server signs with (use: sig) at its jwks_uri, or leave jwks_uri out.",
        signing_key,
    ),
];

/// Strict base64url: URL-safe alphabet only, no padding, no whitespace, zero unused bits.
pub(crate) fn b64url_strict(s: &str) -> Result<Vec<u8>, String> {
    if let Some((i, c)) = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "character {c:?} at offset {i} is outside the base64url alphabet"
        ));
    }
    if s.len() % 4 == 1 {
        return Err(format!(
            "length {} is impossible for base64url (≡ 1 mod 4)",
            s.len()
        ));
    }
    URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|e| format!("{e} (non-zero unused bits?)"))
}

/// Tolerant decoding for judges that measure a value another check validates for form.
fn b64_lenient(s: &str) -> Option<Vec<u8>> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let cleaned: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    LENIENT.decode(cleaned.trim_end_matches('=')).ok()
}

/// One key of one set.
struct Key<'a> {
    idx: usize,
    obj: &'a Map<String, Value>,
}

impl<'a> Key<'a> {
    fn ptr(&self, member: &str) -> String {
        format!("/keys/{}/{}", self.idx, pointer_token(member))
    }
    fn str(&self, m: &str) -> Option<&'a str> {
        self.obj.get(m).and_then(Value::as_str)
    }
    fn kty(&self) -> Option<&'a str> {
        self.str("kty")
    }
    fn bytes(&self, m: &str) -> Option<Vec<u8>> {
        self.str(m).and_then(b64_lenient)
    }
    fn label(&self) -> String {
        match self.str("kid") {
            Some(kid) => format!("key {} (kid {})", self.idx, quote(kid)),
            None => format!("key {}", self.idx),
        }
    }
    fn ops(&self) -> Option<Vec<&'a str>> {
        self.obj
            .get("key_ops")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
    }
}

/// The JWK Set documents, or the reasons they are missing.
fn sets(ev: &Evidence) -> Vec<Subject<'_>> {
    ev.jwks_docs()
}

/// Runs `judge` on every key that `applies`; `none` names what was looked for when nothing applied.
fn each_key(
    ev: &Evidence,
    applies: impl Fn(&Key) -> bool,
    none: &str,
    mut judge: impl FnMut(&Key) -> Vec<Finding>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut judged = false;
    for s in sets(ev) {
        let d = match s {
            Subject::Doc(d) => d,
            Subject::Absent(f) => {
                out.push(f);
                continue;
            }
        };
        let Some(keys) = d.get("keys").and_then(Value::as_array) else {
            out.push(
                Finding::no_input(format!(
                    "{} has no keys array (jwks.keys-member reports it)",
                    d.ex.url
                ))
                .on(d.ex),
            );
            continue;
        };
        for (idx, k) in keys.iter().enumerate() {
            let Some(obj) = k.as_object() else { continue };
            let key = Key { idx, obj };
            if applies(&key) {
                judged = true;
                out.extend(judge(&key).into_iter().map(|f| f.on(d.ex)));
            }
        }
    }
    if !judged && out.iter().all(|f| f.skip.is_none()) {
        out.push(Finding::skip(format!("no {none} in the set")));
    }
    out
}

fn any_key(_: &Key) -> bool {
    true
}

fn kty_is(k: &Key, kty: &str) -> bool {
    k.kty() == Some(kty)
}

fn each_set(ev: &Evidence, judge: impl FnMut(Doc<'_>) -> Vec<Finding>) -> Vec<Finding> {
    crate::evidence::each_doc(sets(ev), judge)
}

fn keys_member(ev: &Evidence) -> Vec<Finding> {
    // A set answered with 200 (or given as a file) that is not a JSON object has no keys member:
    // the parse error and its position are this row's failure, not missing input.
    let unreadable: Vec<Finding> = ev
        .with_role(|r| matches!(r, Role::Jwks { .. }))
        .into_iter()
        .filter_map(unreadable_set)
        .collect();
    if !unreadable.is_empty() {
        return unreadable;
    }
    each_set(ev, |d| {
        vec![match d.get("keys") {
            Some(Value::Array(a)) => match a.iter().position(|k| !k.is_object()) {
                Some(i) => Finding::fail("an entry of keys is not a JSON object")
                    .expected("a JWK object")
                    .actual(show(&a[i]))
                    .at(format!("/keys/{i}")),
                None => Finding::pass(format!("{} keys", a.len())),
            },
            Some(v) => Finding::fail("keys is not an array")
                .expected("an array of JWKs")
                .actual(show(v))
                .at("/keys"),
            None => Finding::fail("the set has no keys member")
                .expected("{\"keys\": [...]}")
                .actual(show(&d.json.value)),
        }]
    })
}

/// The failure of a JWK Set that arrived (200, or a file) but cannot be read as a JSON object.
fn unreadable_set(ex: &crate::evidence::Exchange) -> Option<Finding> {
    if ex.error.is_some() || ex.not_fetched.is_some() || ex.status != Some(200) {
        return None;
    }
    let fail = match ex.json() {
        Ok(j) if j.value.is_object() => return None,
        Ok(j) => Finding::fail("the JWK Set is not a JSON object").actual(show(&j.value)),
        Err(e) => Finding::fail(format!("the JWK Set cannot be read: {e}"))
            .actual(super::prm::body_preview(&ex.body)),
    };
    Some(fail.expected("a JSON object {\"keys\": [...]}").on(ex))
}

/// Every JWK Set exchange, or why there is none.
fn fetched_sets(ev: &Evidence) -> Result<Vec<&crate::evidence::Exchange>, Vec<Finding>> {
    let sets = ev.with_role(|r| matches!(r, Role::Jwks { .. }));
    if !sets.is_empty() {
        return Ok(sets);
    }
    Err(ev
        .jwks_docs()
        .into_iter()
        .filter_map(|s| match s {
            Subject::Absent(f) => Some(f),
            _ => None,
        })
        .collect())
}

fn served(ev: &Evidence) -> Vec<Finding> {
    let sets = match fetched_sets(ev) {
        Ok(sets) => sets,
        Err(why) => return why,
    };
    sets.into_iter()
        .map(|ex| {
            let named_by = ex
                .roles
                .iter()
                .find_map(|r| match r {
                    Role::Jwks { named_by } => Some(named_by.as_str()),
                    _ => None,
                })
                .unwrap_or("a document");
            if ex.source == crate::evidence::Source::File {
                return Finding::skip("a file carries no status");
            }
            match ex.status {
                Some(200) => Finding::pass(format!("{} answered 200", ex.url)).on(ex),
                Some(s) => {
                    Finding::fail(format!("the jwks_uri that {named_by} names answered {s}"))
                        .expected(format!("200 with a JWK Set at {}", ex.url))
                        .actual(s.to_string())
                        .on(ex)
                }
                None => Finding::no_input(format!("the JWK Set did not arrive: {}", ex.summary()))
                    .on(ex),
            }
        })
        .collect()
}

fn media_type(ev: &Evidence) -> Vec<Finding> {
    let sets = match fetched_sets(ev) {
        Ok(sets) => sets,
        Err(why) => return why,
    };
    sets.into_iter()
        .flat_map(|ex| {
            if answered_otherwise(ex) {
                return vec![crate::evidence::unserved_jwks(ex)];
            }
            media_type_of(
                Some(ex),
                "JWK Set",
                &["application/jwk-set+json", "application/json"],
            )
        })
        .collect()
}

/// The server answered, with something other than 200: jwks.served fails on it.
fn answered_otherwise(ex: &crate::evidence::Exchange) -> bool {
    ex.error.is_none() && ex.not_fetched.is_none() && ex.status.is_some_and(|s| s != 200)
}

fn unique_names(ev: &Evidence) -> Vec<Finding> {
    each_set(ev, |d| {
        let out = d
            .json
            .duplicates
            .iter()
            .map(|p| {
                Finding::fail(format!("member {p} appears more than once"))
                    .expected("unique member names")
                    .actual(format!("duplicate at {p}"))
                    .at(p.clone())
            })
            .collect();
        pass_or(out, || Finding::pass("member names are unique"))
    })
}

fn kty(ev: &Evidence) -> Vec<Finding> {
    each_key(ev, any_key, "keys", |k| {
        vec![match k.obj.get("kty") {
            Some(Value::String(_)) => Finding::pass(format!("{} has kty", k.label())),
            Some(v) => Finding::fail(format!("{}: kty is not a string", k.label()))
                .actual(show(v))
                .at(k.ptr("kty")),
            None => Finding::fail(format!("{} has no kty", k.label()))
                .expected("kty")
                .actual("absent")
                .at(format!("/keys/{}", k.idx)),
        }]
    })
}

fn kty_known(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| k.kty().is_some(),
        "keys with a kty",
        |k| {
            let t = k.kty().unwrap_or("");
            vec![if ["RSA", "EC", "OKP", "oct"].contains(&t) {
                Finding::pass(format!("{} is {t}", k.label()))
            } else {
                Finding::fail(format!("{}: unknown kty (clients skip the key)", k.label()))
                    .expected("RSA, EC, OKP or oct")
                    .actual(quote(t))
                    .at(k.ptr("kty"))
            }]
        },
    )
}

fn use_values(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| k.obj.contains_key("use"),
        "keys with use",
        |k| {
            vec![match k.str("use") {
                Some("sig" | "enc") => Finding::pass(format!("{} use is valid", k.label())),
                _ => Finding::fail(format!("{}: unusual use value", k.label()))
                    .expected("\"sig\" or \"enc\"")
                    .actual(show(&k.obj["use"]))
                    .at(k.ptr("use")),
            }]
        },
    )
}

fn key_ops(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| k.obj.contains_key("key_ops"),
        "keys with key_ops",
        |k| {
            let v = &k.obj["key_ops"];
            let Some(arr) = v.as_array().filter(|a| a.iter().all(Value::is_string)) else {
                return vec![
                    Finding::fail(format!("{}: key_ops is not an array of strings", k.label()))
                        .expected("[\"verify\"]")
                        .actual(show(v))
                        .at(k.ptr("key_ops")),
                ];
            };
            let mut seen = std::collections::HashSet::new();
            match arr.iter().find(|o| !seen.insert(o.as_str())) {
                Some(dup) => vec![
                    Finding::fail(format!("{}: key_ops repeats {dup}", k.label()))
                        .expected("distinct operations")
                        .actual(show(v))
                        .at(k.ptr("key_ops")),
                ],
                None => vec![Finding::pass(format!(
                    "{} key_ops is well formed",
                    k.label()
                ))],
            }
        },
    )
}

const SIG_OPS: [&str; 2] = ["sign", "verify"];
const ENC_OPS: [&str; 6] = [
    "encrypt",
    "decrypt",
    "wrapKey",
    "unwrapKey",
    "deriveKey",
    "deriveBits",
];
const OP_GROUPS: [[&str; 2]; 4] = [
    ["sign", "verify"],
    ["encrypt", "decrypt"],
    ["wrapKey", "unwrapKey"],
    ["deriveKey", "deriveBits"],
];

fn key_ops_related(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| k.ops().is_some(),
        "keys with key_ops",
        |k| {
            let ops = k.ops().unwrap_or_default();
            if let Some(u) = ops
                .iter()
                .find(|o| !SIG_OPS.contains(o) && !ENC_OPS.contains(o))
            {
                return vec![
                    Finding::fail(format!("{}: unknown operation {u}", k.label()))
                        .expected(format!(
                            "one of {}",
                            [SIG_OPS.as_slice(), ENC_OPS.as_slice()].concat().join(", ")
                        ))
                        .actual(quote(u))
                        .at(k.ptr("key_ops")),
                ];
            }
            let related = OP_GROUPS.iter().any(|g| ops.iter().all(|o| g.contains(o)));
            vec![if related {
                Finding::pass(format!("{} operations are related", k.label()))
            } else {
                Finding::fail(format!("{} mixes unrelated operations", k.label()))
                    .expected("one of sign+verify, encrypt+decrypt, wrapKey+unwrapKey")
                    .actual(ops.join(", "))
                    .at(k.ptr("key_ops"))
            }]
        },
    )
}

fn use_key_ops(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| k.str("use").is_some() && k.ops().is_some(),
        "keys with both use and key_ops",
        |k| {
            let u = k.str("use").unwrap_or("");
            let allowed: &[&str] = match u {
                "sig" => &SIG_OPS,
                "enc" => &ENC_OPS,
                _ => {
                    return vec![Finding::skip(format!(
                        "{}: use {u:?} has no defined operations",
                        k.label()
                    ))];
                }
            };
            let ops = k.ops().unwrap_or_default();
            let bad: Vec<&str> = ops
                .iter()
                .copied()
                .filter(|o| !allowed.contains(o))
                .collect();
            vec![if bad.is_empty() {
                Finding::pass(format!("{}: use and key_ops agree", k.label()))
            } else {
                Finding::fail(format!("{}: key_ops contradicts use {u:?}", k.label()))
                    .expected(format!("operations from {}", allowed.join(", ")))
                    .actual(ops.join(", "))
                    .at(k.ptr("key_ops"))
            }]
        },
    )
}

fn use_or_key_ops(ev: &Evidence) -> Vec<Finding> {
    each_key(ev, any_key, "keys", |k| {
        vec![
            if k.obj.contains_key("use") && k.obj.contains_key("key_ops") {
                Finding::fail(format!("{} carries both use and key_ops", k.label()))
                    .expected("one of them")
                    .actual("both")
                    .at(k.ptr("key_ops"))
            } else {
                Finding::pass(format!(
                    "{} carries at most one of use and key_ops",
                    k.label()
                ))
            },
        ]
    })
}

const JWS_ALGS: [&str; 16] = [
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256",
    "PS384", "PS512", "EdDSA", "ES256K", "Ed25519", "Ed448",
];
const JWE_ALGS: [&str; 19] = [
    "RSA1_5",
    "RSA-OAEP",
    "RSA-OAEP-256",
    "RSA-OAEP-384",
    "RSA-OAEP-512",
    "A128KW",
    "A192KW",
    "A256KW",
    "dir",
    "ECDH-ES",
    "ECDH-ES+A128KW",
    "ECDH-ES+A192KW",
    "ECDH-ES+A256KW",
    "A128GCMKW",
    "A192GCMKW",
    "A256GCMKW",
    "PBES2-HS256+A128KW",
    "PBES2-HS384+A192KW",
    "PBES2-HS512+A256KW",
];

/// A key's purpose as far as use, key_ops and alg tell: (signing, encryption).
fn purposes(k: &Key) -> (bool, bool) {
    let ops = k.ops().unwrap_or_default();
    let alg = k.str("alg").unwrap_or("");
    let sig = k.str("use") == Some("sig")
        || ops.iter().any(|o| SIG_OPS.contains(o))
        || JWS_ALGS.contains(&alg);
    let enc = k.str("use") == Some("enc")
        || ops.iter().any(|o| ENC_OPS.contains(o))
        || JWE_ALGS.contains(&alg);
    (sig, enc)
}

fn use_mixed(ev: &Evidence) -> Vec<Finding> {
    each_set(ev, |d| {
        let Some(keys) = d.get("keys").and_then(Value::as_array) else {
            return vec![Finding::no_input("no keys array")];
        };
        let keys: Vec<Key> = keys
            .iter()
            .enumerate()
            .filter_map(|(idx, k)| k.as_object().map(|obj| Key { idx, obj }))
            .collect();
        let sig = keys.iter().any(|k| purposes(k).0);
        let enc = keys.iter().any(|k| purposes(k).1);
        if !(sig && enc) {
            return vec![Finding::pass(
                "the set does not mix signing and encryption keys",
            )];
        }
        let missing: Vec<Finding> = keys
            .iter()
            .filter(|k| !k.obj.contains_key("use"))
            .map(|k| {
                Finding::fail(format!(
                    "the set mixes signing and encryption keys but {} has no use",
                    k.label()
                ))
                .expected("use: sig or enc")
                .actual("absent")
                .at(format!("/keys/{}", k.idx))
            })
            .collect();
        pass_or(missing, || {
            Finding::pass("mixed set, and every key has use")
        })
    })
}

/// `alg` names the algorithm the key is for (RFC 7517 §4.4) and `use` its purpose (§4.2): a JWS
/// algorithm (RFC 7518 §3.1) on a `use: enc` key, or a key-management one (§4.1) on a `use: sig`
/// key, says two things at once.
fn use_alg(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| matches!(k.str("use"), Some("sig" | "enc")) && k.str("alg").is_some(),
        "keys with both use and alg",
        |k| {
            let (u, alg) = (k.str("use").unwrap_or(""), k.str("alg").unwrap_or(""));
            let (contradicts, kind) = match u {
                "sig" => (JWE_ALGS.contains(&alg), "a key-management"),
                _ => (JWS_ALGS.contains(&alg) && alg != "none", "a signing"),
            };
            vec![if contradicts {
                Finding::fail(format!(
                    "{}: alg {alg} is {kind} algorithm but use is {u:?}",
                    k.label()
                ))
                .expected(format!("an alg for use {u:?}, or use that fits alg {alg}"))
                .actual(format!("use {u:?}, alg {alg:?}"))
                .at(k.ptr("alg"))
            } else {
                Finding::pass(format!("{}: alg {alg} fits use {u:?}", k.label()))
            }]
        },
    )
}

/// RFC 8414 §2: the AS's jwks_uri document "contains the signing key(s) the client uses to
/// validate signatures from the authorization server". The sentence describes, it does not
/// require, so a set with no key that could sign is a warning.
fn signing_key(ev: &Evidence) -> Vec<Finding> {
    let as_docs: Vec<&str> = ev
        .with_role(|r| {
            matches!(
                r,
                Role::Asm { .. } | Role::AsmAtOrigin | Role::AsmOidc { .. }
            )
        })
        .into_iter()
        .map(|e| e.url.as_str())
        .collect();
    let named_by_as = |ex: &crate::evidence::Exchange| {
        ex.roles
            .iter()
            .any(|r| matches!(r, Role::Jwks { named_by } if as_docs.contains(&named_by.as_str())))
    };
    each_set(ev, |d| {
        if !named_by_as(d.ex) {
            return vec![Finding::skip("no AS metadata names this set")];
        }
        let keys: Vec<Key> = d
            .get("keys")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(idx, k)| k.as_object().map(|obj| Key { idx, obj }))
            .collect();
        // A key that names no purpose at all may sign.
        let signs = keys.iter().any(|k| {
            let (sig, enc) = purposes(k);
            sig || !enc
        });
        vec![if signs {
            Finding::pass("the set holds a key that can verify the AS's signatures")
        } else {
            Finding::fail("the AS's jwks_uri names a set with no signing key")
                .expected("a key with use: sig (or a signing alg or key_ops)")
                .actual(format!("{} keys, all for encryption", keys.len()))
                .at("/keys")
        }]
    })
}

fn alg_no_none(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| k.obj.contains_key("alg"),
        "keys with alg",
        |k| {
            vec![
                if k.str("alg").is_some_and(|a| a.eq_ignore_ascii_case("none")) {
                    Finding::fail(format!("{} declares alg none", k.label()))
                        .expected("a real algorithm")
                        .actual("\"none\"")
                        .at(k.ptr("alg"))
                } else {
                    Finding::pass(format!("{} alg is not none", k.label()))
                },
            ]
        },
    )
}

fn alg_known(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| k.obj.contains_key("alg"),
        "keys with alg",
        |k| {
            let a = k.str("alg").unwrap_or("");
            vec![if JWS_ALGS.contains(&a) || JWE_ALGS.contains(&a) {
                Finding::pass(format!("{} alg {a} is registered", k.label()))
            } else {
                Finding::fail(format!(
                    "{}: alg is not a registered JOSE algorithm",
                    k.label()
                ))
                .expected("a registered alg such as RS256")
                .actual(show(&k.obj["alg"]))
                .at(k.ptr("alg"))
            }]
        },
    )
}

/// The (kty, curves) an alg requires; `None` for algorithms this table does not cover.
fn alg_needs(alg: &str) -> Option<(&'static str, &'static [&'static str])> {
    Some(match alg {
        a if a.starts_with("RS") || a.starts_with("PS") || a.starts_with("RSA") => ("RSA", &[]),
        "ES256" => ("EC", &["P-256"]),
        "ES384" => ("EC", &["P-384"]),
        "ES512" => ("EC", &["P-521"]),
        "ES256K" => ("EC", &["secp256k1"]),
        "EdDSA" => ("OKP", &["Ed25519", "Ed448"]),
        "Ed25519" => ("OKP", &["Ed25519"]),
        "Ed448" => ("OKP", &["Ed448"]),
        a if a.starts_with("HS") || a.starts_with("PBES2") || a.ends_with("KW") || a == "dir" => {
            ("oct", &[])
        }
        a if a.starts_with("ECDH-ES") => return None,
        _ => return None,
    })
}

fn alg_kty(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| k.str("alg").and_then(alg_needs).is_some(),
        "keys with a known alg",
        |k| {
            let alg = k.str("alg").unwrap_or("");
            let Some((kty, curves)) = alg_needs(alg) else {
                return vec![];
            };
            let crv = k.str("crv");
            let ok = k.kty() == Some(kty)
                && (curves.is_empty() || crv.is_some_and(|c| curves.contains(&c)));
            vec![if ok {
                Finding::pass(format!("{}: {alg} fits {kty}", k.label()))
            } else {
                let want = if curves.is_empty() {
                    kty.to_string()
                } else {
                    format!("{kty} {}", curves.join("/"))
                };
                Finding::fail(format!("{}: alg {alg} does not fit the key", k.label()))
                    .expected(want)
                    .actual(format!("{} {}", k.kty().unwrap_or("?"), crv.unwrap_or("")))
                    .at(k.ptr("alg"))
            }]
        },
    )
}

fn kid_distinct(ev: &Evidence) -> Vec<Finding> {
    each_set(ev, |d| {
        let Some(keys) = d.get("keys").and_then(Value::as_array) else {
            return vec![Finding::no_input("no keys array")];
        };
        // A map, not a scan: a hostile set may hold 100,000 keys.
        let mut seen: std::collections::HashMap<(&str, Option<&str>), usize> =
            std::collections::HashMap::new();
        let mut out = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            let Some(kid) = k.get("kid").and_then(Value::as_str) else {
                continue;
            };
            let kty = k.get("kty").and_then(Value::as_str);
            if let Some(first) = seen.get(&(kid, kty)) {
                out.push(
                    Finding::fail(format!(
                        "keys {first} and {i} share kid {} and kty",
                        quote(kid)
                    ))
                    .expected("distinct kid values")
                    .actual(format!("kid {} twice", quote(kid)))
                    .at(format!("/keys/{i}/kid")),
                );
            }
            seen.entry((kid, kty)).or_insert(i);
        }
        pass_or(out, || Finding::pass("kid values are distinct"))
    })
}

fn kid_present(ev: &Evidence) -> Vec<Finding> {
    each_set(ev, |d| {
        let Some(keys) = d.get("keys").and_then(Value::as_array) else {
            return vec![Finding::no_input("no keys array")];
        };
        if keys.len() < 2 {
            return vec![Finding::pass("a single key needs no kid to be selected")];
        }
        let out = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| k.get("kid").is_none())
            .map(|(i, _)| {
                Finding::fail(format!("key {i} has no kid in a set of {}", keys.len()))
                    .expected("kid")
                    .actual("absent")
                    .at(format!("/keys/{i}"))
            })
            .collect();
        pass_or(out, || Finding::pass("every key has a kid"))
    })
}

const RSA_PRIVATE: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

fn no_private(ev: &Evidence) -> Vec<Finding> {
    each_key(ev, any_key, "keys", |k| {
        if k.kty() == Some("oct") || k.obj.contains_key("k") {
            return vec![
                Finding::fail(format!("{} is a symmetric key", k.label()))
                    .expected("public keys only")
                    .actual("kty oct / k present")
                    .at(format!("/keys/{}", k.idx)),
            ];
        }
        let leaked: Vec<&str> = RSA_PRIVATE
            .iter()
            .copied()
            .filter(|m| k.obj.contains_key(*m))
            .collect();
        vec![if leaked.is_empty() {
            Finding::pass(format!("{} is public", k.label()))
        } else {
            Finding::fail(format!("{} publishes private key material", k.label()))
                .expected("no private members")
                .actual(leaked.join(", "))
                .at(k.ptr(leaked[0]))
        }]
    })
}

/// base64url members by key type (RFC 7518 §6, RFC 8037 §2) plus the thumbprints.
fn binary_members(kty: Option<&str>) -> &'static [&'static str] {
    match kty {
        Some("RSA") => &["n", "e", "d", "p", "q", "dp", "dq", "qi", "x5t", "x5t#S256"],
        Some("EC") => &["x", "y", "d", "x5t", "x5t#S256"],
        Some("OKP") => &["x", "d", "x5t", "x5t#S256"],
        Some("oct") => &["k", "x5t", "x5t#S256"],
        _ => &["x5t", "x5t#S256"],
    }
}

fn b64url(ev: &Evidence) -> Vec<Finding> {
    each_key(ev, any_key, "keys", |k| {
        let out: Vec<Finding> = binary_members(k.kty())
            .iter()
            .filter_map(|m| {
                let v = k.str(m)?;
                b64url_strict(v).err().map(|e| {
                    Finding::fail(format!("{}: {m} is not unpadded base64url: {e}", k.label()))
                        .expected("[A-Za-z0-9_-] with no '='")
                        .actual(quote(&v.chars().take(48).collect::<String>()))
                        .at(k.ptr(m))
                })
            })
            .collect();
        pass_or(out, || {
            Finding::pass(format!("{} binary members are base64url", k.label()))
        })
    })
}

fn uint_minimal(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| kty_is(k, "RSA"),
        "RSA keys",
        |k| {
            let out: Vec<Finding> = ["n", "e", "d", "p", "q", "dp", "dq", "qi"]
                .iter()
                .filter_map(|m| {
                    let b = k.bytes(m)?;
                    (b.len() > 1 && b[0] == 0).then(|| {
                        Finding::fail(format!("{}: {m} has a leading zero octet", k.label()))
                            .expected("the fewest octets (no leading 0x00)")
                            .actual(format!("{} octets starting 0x00", b.len()))
                            .at(k.ptr(m))
                    })
                })
                .collect();
            pass_or(out, || {
                Finding::pass(format!("{} integers are minimal", k.label()))
            })
        },
    )
}

fn rsa_members(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| kty_is(k, "RSA"),
        "RSA keys",
        |k| {
            let missing: Vec<&str> = ["n", "e"]
                .into_iter()
                .filter(|m| k.str(m).is_none())
                .collect();
            vec![if missing.is_empty() {
                Finding::pass(format!("{} has n and e", k.label()))
            } else {
                Finding::fail(format!("{} lacks {}", k.label(), missing.join(" and ")))
                    .expected("n and e")
                    .actual(format!("missing {}", missing.join(", ")))
                    .at(format!("/keys/{}", k.idx))
            }]
        },
    )
}

/// Bit length of a big-endian unsigned integer.
fn bit_len(b: &[u8]) -> usize {
    match b.iter().position(|&x| x != 0) {
        Some(i) => (b.len() - i - 1) * 8 + (8 - b[i].leading_zeros() as usize),
        None => 0,
    }
}

/// RFC 7518 asks 2048 bits of every RSA key: for RS*/PS* (§3.3, §3.5), RSA1_5 (§4.2) and
/// RSA-OAEP (§4.3) alike, so a key labelled for encryption is held to the same floor.
fn rsa_2048(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| kty_is(k, "RSA"),
        "RSA keys",
        |k| {
            let bits = match modulus_bits(k) {
                Ok(bits) => bits,
                Err(f) => return vec![f],
            };
            vec![if bits >= 2048 {
                Finding::pass(format!("{} modulus is {bits} bits", k.label()))
            } else {
                Finding::fail(format!("{} modulus is too short", k.label()))
                    .expected(">= 2048 bits")
                    .actual(format!("{bits} bits"))
                    .at(k.ptr("n"))
            }]
        },
    )
}

/// The bit length of an RSA key's `n`, or why it cannot be judged.
fn modulus_bits(k: &Key) -> Result<usize, Finding> {
    k.bytes("n")
        .map(|n| bit_len(&n))
        .ok_or_else(|| Finding::no_input(format!("{}: n is missing or undecodable", k.label())))
}

/// OpenSSL's OPENSSL_RSA_MAX_MODULUS_BITS: the largest public key it will verify with.
const RSA_MAX_BITS: usize = 16_384;

fn rsa_max(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| kty_is(k, "RSA"),
        "RSA keys",
        |k| {
            let bits = match modulus_bits(k) {
                Ok(bits) => bits,
                Err(f) => return vec![f],
            };
            vec![if bits <= RSA_MAX_BITS {
                Finding::pass(format!("{} modulus is {bits} bits", k.label()))
            } else {
                Finding::fail(format!(
                    "{} modulus is {bits} bits, more than OpenSSL and most verifiers accept",
                    k.label()
                ))
                .expected(format!("<= {RSA_MAX_BITS} bits"))
                .actual(format!("{bits} bits"))
                .at(k.ptr("n"))
            }]
        },
    )
}

fn rsa_e(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| kty_is(k, "RSA") && k.str("e").is_some(),
        "RSA keys with e",
        |k| {
            let e = k.bytes("e").unwrap_or_default();
            let odd = e.last().is_some_and(|b| b & 1 == 1);
            let one = bit_len(&e) <= 1;
            vec![if odd && !one && e.len() <= 8 {
                Finding::pass(format!("{} exponent is fine", k.label()))
            } else {
                Finding::fail(format!("{} has an unusual exponent", k.label()))
                    .expected("a small odd e > 1, usually AQAB (65537)")
                    .actual(quote(k.str("e").unwrap_or("")))
                    .at(k.ptr("e"))
            }]
        },
    )
}

/// Coordinate length in octets for a curve name.
fn coord_len(crv: &str) -> Option<usize> {
    match crv {
        "P-256" | "secp256k1" => Some(32),
        "P-384" => Some(48),
        "P-521" => Some(66),
        _ => None,
    }
}

fn ec_members(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| kty_is(k, "EC"),
        "EC keys",
        |k| {
            let missing: Vec<&str> = ["crv", "x", "y"]
                .into_iter()
                .filter(|m| k.str(m).is_none())
                .collect();
            if !missing.is_empty() {
                return vec![
                    Finding::fail(format!("{} lacks {}", k.label(), missing.join(", ")))
                        .expected("crv, x and y")
                        .actual(format!("missing {}", missing.join(", ")))
                        .at(format!("/keys/{}", k.idx)),
                ];
            }
            let crv = k.str("crv").unwrap_or("");
            vec![if coord_len(crv).is_some() {
                Finding::pass(format!("{} is on {crv}", k.label()))
            } else {
                Finding::fail(format!("{}: unknown curve", k.label()))
                    .expected("P-256, P-384 or P-521")
                    .actual(quote(crv))
                    .at(k.ptr("crv"))
            }]
        },
    )
}

fn ec_length(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| kty_is(k, "EC") && k.str("crv").and_then(coord_len).is_some(),
        "EC keys on a known curve",
        |k| {
            let crv = k.str("crv").unwrap_or("");
            let want = coord_len(crv).unwrap_or(0);
            let out: Vec<Finding> = ["x", "y"]
                .iter()
                .filter_map(|m| {
                    let got = k.bytes(m).map(|b| b.len());
                    (got != Some(want)).then(|| {
                        Finding::fail(format!("{}: {m} has the wrong length for {crv}", k.label()))
                            .expected(format!("{want} octets"))
                            .actual(
                                got.map_or("missing or undecodable".into(), |g| {
                                    format!("{g} octets")
                                }),
                            )
                            .at(k.ptr(m))
                    })
                })
                .collect();
            pass_or(out, || {
                Finding::pass(format!("{} coordinates are {want} octets", k.label()))
            })
        },
    )
}

fn on_curve(crv: &str, sec1: &[u8]) -> Option<bool> {
    match crv {
        "P-256" => Some(p256::PublicKey::from_sec1_bytes(sec1).is_ok()),
        "P-384" => Some(p384::PublicKey::from_sec1_bytes(sec1).is_ok()),
        _ => None,
    }
}

fn ec_on_curve(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| kty_is(k, "EC") && matches!(k.str("crv"), Some("P-256" | "P-384")),
        "P-256 or P-384 keys",
        |k| {
            let crv = k.str("crv").unwrap_or("");
            let (Some(x), Some(y)) = (k.bytes("x"), k.bytes("y")) else {
                return vec![Finding::no_input(format!(
                    "{}: x or y undecodable",
                    k.label()
                ))];
            };
            let sec1 = [&[4u8][..], &x, &y].concat();
            vec![match on_curve(crv, &sec1) {
                Some(true) => Finding::pass(format!("{} point is on {crv}", k.label())),
                Some(false) => {
                    Finding::fail(format!("{}: (x, y) is not a point on {crv}", k.label()))
                        .expected(format!("a valid {crv} point"))
                        .actual("point not on the curve (or wrong lengths)")
                        .at(k.ptr("y"))
                }
                None => Finding::skip(format!("{crv} points are not checked")),
            }]
        },
    )
}

fn okp_members(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| kty_is(k, "OKP"),
        "OKP keys",
        |k| {
            let crv = k.str("crv").unwrap_or("");
            let want = match crv {
                "Ed25519" | "X25519" => 32,
                "Ed448" => 57,
                "X448" => 56,
                _ => {
                    return vec![
                        Finding::fail(format!("{}: unknown or missing OKP curve", k.label()))
                            .expected("Ed25519, Ed448, X25519 or X448")
                            .actual(quote(crv))
                            .at(k.ptr("crv")),
                    ];
                }
            };
            let got = k.bytes("x").map(|b| b.len());
            vec![if got == Some(want) {
                Finding::pass(format!("{} {crv} x is {want} octets", k.label()))
            } else {
                Finding::fail(format!(
                    "{}: x has the wrong length for {crv} (derived from the curve's key format)",
                    k.label()
                ))
                .expected(format!("{want} octets"))
                .actual(got.map_or("missing".into(), |g| format!("{g} octets")))
                .at(k.ptr("x"))
            }]
        },
    )
}

/// The public key bytes that must appear inside the certificate's SubjectPublicKeyInfo.
fn key_material(k: &Key) -> Option<Vec<u8>> {
    match k.kty()? {
        "RSA" => k
            .bytes("n")
            .map(|n| n.into_iter().skip_while(|b| *b == 0).collect()),
        "EC" => Some([vec![4u8], k.bytes("x")?, k.bytes("y")?].concat()),
        "OKP" => k.bytes("x"),
        _ => None,
    }
}

fn first_cert(k: &Key) -> Result<Vec<u8>, String> {
    let arr = k
        .obj
        .get("x5c")
        .and_then(Value::as_array)
        .ok_or("x5c is not an array")?;
    let first = arr
        .first()
        .and_then(Value::as_str)
        .ok_or("x5c is empty or holds a non-string")?;
    STANDARD
        .decode(first)
        .map_err(|e| format!("x5c[0] is not standard base64: {e}"))
}

fn x5c(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| k.obj.contains_key("x5c"),
        "keys with x5c",
        |k| {
            let arr = k.obj["x5c"].as_array().cloned().unwrap_or_default();
            if arr.is_empty() {
                return vec![
                    Finding::fail(format!("{}: x5c is not a non-empty array", k.label()))
                        .expected("[\"MII...\"]")
                        .actual(show(&k.obj["x5c"]))
                        .at(k.ptr("x5c")),
                ];
            }
            let mut out = Vec::new();
            for (i, c) in arr.iter().enumerate() {
                match c.as_str().map(|s| STANDARD.decode(s)) {
                    Some(Ok(der)) if der.first() == Some(&0x30) => {}
                    Some(Ok(_)) => out.push(
                        Finding::fail(format!("{}: x5c[{i}] is not a DER certificate", k.label()))
                            .expected("a DER SEQUENCE")
                            .actual("other bytes")
                            .at(format!("{}/{i}", k.ptr("x5c"))),
                    ),
                    _ => out.push(
                        Finding::fail(format!(
                            "{}: x5c[{i}] is not standard base64 (base64url is wrong here)",
                            k.label()
                        ))
                        .expected("standard base64 with padding")
                        .actual(show(c))
                        .at(format!("{}/{i}", k.ptr("x5c"))),
                    ),
                }
            }
            if out.is_empty()
                && let (Ok(der), Some(material)) = (first_cert(k), key_material(k))
                && !der
                    .windows(material.len().max(1))
                    .any(|w| w == material.as_slice())
            {
                out.push(
                    Finding::fail(format!(
                        "{}: the first certificate holds a different key",
                        k.label()
                    ))
                    .expected("x5c[0]'s public key equal to the JWK's members")
                    .actual("key members not found in x5c[0]")
                    .at(k.ptr("x5c")),
                );
            }
            pass_or(out, || {
                Finding::pass(format!(
                    "{}: x5c[0] carries this key ({} certificates; chain order not verified)",
                    k.label(),
                    arr.len()
                ))
            })
        },
    )
}

fn x5t(ev: &Evidence) -> Vec<Finding> {
    each_key(
        ev,
        |k| k.obj.contains_key("x5t") || k.obj.contains_key("x5t#S256"),
        "keys with x5t or x5t#S256",
        |k| {
            let der = match first_cert(k) {
                Ok(d) => d,
                Err(e) => {
                    return vec![Finding::skip(format!(
                        "{}: thumbprint cannot be verified without a decodable x5c ({e})",
                        k.label()
                    ))];
                }
            };
            let want = [
                ("x5t", URL_SAFE_NO_PAD.encode(sha1::Sha1::digest(&der))),
                (
                    "x5t#S256",
                    URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&der)),
                ),
            ];
            let out: Vec<Finding> = want
                .iter()
                .filter_map(|(m, w)| {
                    let got = k.str(m)?;
                    (got != w).then(|| {
                        Finding::fail(format!(
                            "{}: {m} is not the thumbprint of x5c[0]",
                            k.label()
                        ))
                        .expected(w.clone())
                        .actual(got.to_string())
                        .at(k.ptr(m))
                    })
                })
                .collect();
            pass_or(out, || {
                Finding::pass(format!("{}: thumbprints match x5c[0]", k.label()))
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_base64url() {
        assert_eq!(b64url_strict("AQAB").unwrap(), vec![1, 0, 1]);
        assert!(b64url_strict("AQAB=").is_err());
        assert!(b64url_strict("AQ+B").is_err());
        assert!(b64url_strict("AQA B").is_err());
        assert!(b64url_strict("AQABC").is_err(), "length 1 mod 4");
        assert!(b64url_strict("AR").is_err(), "non-zero unused bits");
        assert_eq!(b64url_strict("").unwrap(), Vec::<u8>::new());
        assert_eq!(b64_lenient("AQ+/==").unwrap(), vec![1, 15, 191]);
    }

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_len(&[0, 0x80, 0]), 16);
        assert_eq!(bit_len(&[1]), 1);
        assert_eq!(bit_len(&[0]), 0);
        assert_eq!(bit_len(&[0xff; 256]), 2048);
    }

    #[test]
    fn alg_table() {
        assert_eq!(alg_needs("PS384").unwrap().0, "RSA");
        assert_eq!(alg_needs("ES512").unwrap().1, &["P-521"]);
        assert_eq!(alg_needs("A128KW").unwrap().0, "oct");
        assert!(alg_needs("ECDH-ES").is_none());
    }
}
