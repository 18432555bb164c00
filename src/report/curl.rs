//! A recorded request as a `curl` command, to replay a failing probe by hand. The credential is
//! never printed: a key the user gave becomes the environment variable it is read from.

use crate::evidence::Exchange;

/// The environment variable that holds the credential of `kind`, for keys the user supplied;
/// `token` when the run's credential came from `--token`.
fn variable(kind: &str, token: bool) -> Option<&'static str> {
    match kind {
        "key" | "query-key" if token => Some("AUTHSPEC_TOKEN"),
        "key" | "query-key" => Some("AUTHSPEC_API_KEY"),
        "revocable-key" => Some("AUTHSPEC_REVOCABLE_KEY"),
        "low-scope-key" => Some("AUTHSPEC_LOW_SCOPE_KEY"),
        _ => None,
    }
}

/// `text` as one shell word in single quotes.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `curl -si -X METHOD 'URL' -H '...'`: the recorded request line and headers. A user key is
/// `$AUTHSPEC_API_KEY` (or the revocable or low-scope key's variable); authspec's own made-up
/// tokens (a bad key, a forged token) are shown as sent. The request body is not recorded, so a
/// request that had one says so.
pub fn command(ex: &Exchange) -> String {
    command_for(ex, false)
}

/// [`command`] for a run whose credential was `--token` (`$AUTHSPEC_TOKEN`) when `token`.
pub fn command_for(ex: &Exchange, token: bool) -> String {
    let var = variable(&ex.credential, token);
    let mut out = String::from("curl -si");
    if ex.method != "GET" {
        out.push_str(&format!(" -X {}", ex.method));
    }
    let url = match (ex.credential.as_str(), var) {
        ("query-key", Some(v)) => with_query_key(&ex.url, v),
        _ => quoted(&ex.url),
    };
    out.push_str(&format!(" {url}"));
    for (name, value) in &ex.request_headers {
        let header = match var {
            Some(v) if name.eq_ignore_ascii_case("authorization") => {
                format!("\"{name}: Bearer ${v}\"")
            }
            _ => quoted(&format!("{name}: {value}")),
        };
        out.push_str(&format!(" -H {header}"));
    }
    let has_body = ex
        .request_headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
    if has_body {
        out.push_str(" --data @body.json  # the request body is not recorded");
    }
    out
}

/// The URL with its `access_token` value replaced by `$VAR` (the rest single-quoted).
fn with_query_key(url: &str, var: &str) -> String {
    let Ok(mut u) = url::Url::parse(url) else {
        return quoted(url);
    };
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    u.set_query(None);
    let others: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k != "access_token")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut tail = others.join("&");
    if !tail.is_empty() {
        tail.push('&');
    }
    format!("{}\"?{tail}access_token=${var}\"", quoted(u.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(credential: &str, url: &str, headers: &[(&str, &str)]) -> Exchange {
        let mut ex = Exchange::new("POST", url, Vec::new());
        ex.credential = credential.into();
        ex.request_headers = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ex
    }

    #[test]
    fn a_user_key_is_its_variable_never_its_value() {
        let ex = exchange(
            "key",
            "https://api.example.com/v1/jobs",
            &[
                ("authorization", "Bearer jp_live_…abcd"),
                ("content-type", "application/json"),
            ],
        );
        let c = command(&ex);
        assert_eq!(
            c,
            "curl -si -X POST 'https://api.example.com/v1/jobs' -H \"authorization: Bearer $AUTHSPEC_API_KEY\" -H 'content-type: application/json' --data @body.json  # the request body is not recorded"
        );
        assert!(!c.contains("jp_live"));
        let q = command(&exchange(
            "query-key",
            "https://api.example.com/v1/jobs?access_token=jp_live_%E2%80%A6abcd",
            &[],
        ));
        assert!(q.contains("\"?access_token=$AUTHSPEC_API_KEY\""), "{q}");
        assert!(!q.contains("jp_live"), "{q}");
    }

    #[test]
    fn authspecs_own_tokens_are_shown_quoted() {
        let ex = exchange(
            "forged-token",
            "https://a.example/x",
            &[("authorization", "Bearer it's forged")],
        );
        assert!(command(&ex).contains(r"-H 'authorization: Bearer it'\''s forged'"));
    }
}
