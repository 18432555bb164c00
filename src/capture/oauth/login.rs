//! `--login`: the loopback redirect listener of a native client (RFC 8252 §7.3, OAuth 2.1 §8.4.3).
//! It listens on 127.0.0.1 on a port the OS picks; the user opens its `/start` URL, which sends
//! the browser on to the authorization request (so `state` never shows in the terminal), and the
//! authorization server's redirect back to `/callback` is the authorization response.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

const CALLBACK: &str = "/authspec-oauth/callback";
const START: &str = "/authspec-oauth/start";

/// A bound listener, waiting for one sign-in.
pub struct Listener {
    listener: tokio::sync::Mutex<Option<TcpListener>>,
    /// The redirect URI registered and sent: `http://127.0.0.1:PORT/authspec-oauth/callback`.
    pub redirect: String,
    start: String,
    timeout: Duration,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redirect)
    }
}

impl Listener {
    /// Binds 127.0.0.1 on an ephemeral port.
    pub async fn bind(timeout: Duration) -> std::io::Result<Listener> {
        let l = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = l.local_addr()?.port();
        Ok(Listener {
            listener: tokio::sync::Mutex::new(Some(l)),
            redirect: format!("http://127.0.0.1:{port}{CALLBACK}"),
            start: format!("http://127.0.0.1:{port}{START}"),
            timeout,
        })
    }

    /// Tells the user where to sign in and waits for the browser to come back: the callback URL
    /// with the authorization response, or why none came.
    pub async fn wait(&self, authorize: &Url) -> Result<String, String> {
        let Some(l) = self.listener.lock().await.take() else {
            return Err("the sign-in listener was already used".into());
        };
        eprintln!(
            "authspec --login: open {} in a browser and sign in (waiting up to {} s)",
            self.start,
            self.timeout.as_secs()
        );
        let base = self.redirect.trim_end_matches(CALLBACK).to_string();
        let serve = async {
            loop {
                let Ok((mut conn, _)) = l.accept().await else {
                    continue;
                };
                let Some(target) = request_target(&mut conn).await else {
                    continue;
                };
                if target.starts_with(START) {
                    let head = format!(
                        "HTTP/1.1 302 Found\r\nLocation: {authorize}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                    let _ = conn.write_all(head.as_bytes()).await;
                } else if target.starts_with(CALLBACK) {
                    let page = "authspec received the authorization response; you may close this window.\n";
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                        page.len()
                    );
                    let _ = conn.write_all(head.as_bytes()).await;
                    return format!("{base}{target}");
                } else {
                    let _ = conn
                        .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .await;
                }
            }
        };
        tokio::time::timeout(self.timeout, serve)
            .await
            .map_err(|_| {
                format!(
                    "no browser came back to {} within {} s (--login-timeout)",
                    self.redirect,
                    self.timeout.as_secs()
                )
            })
    }
}

/// The request target of an HTTP/1.1 request line (`GET /path?q HTTP/1.1`), read within 5 s.
async fn request_target(conn: &mut tokio::net::TcpStream) -> Option<String> {
    let mut buf = vec![0u8; 8192];
    let n = tokio::time::timeout(Duration::from_secs(5), conn.read(&mut buf))
        .await
        .ok()?
        .ok()?;
    let head = std::str::from_utf8(&buf[..n]).ok()?;
    let line = head.lines().next()?;
    let mut parts = line.split_whitespace();
    (parts.next()? == "GET").then_some(())?;
    parts.next().map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_browser_is_sent_on_and_its_return_is_the_answer() {
        let l = Listener::bind(Duration::from_secs(10)).await.expect("bind");
        let authorize = Url::parse("https://as.example/authorize?state=s3cret").expect("url");
        let start = l.start.clone();
        let redirect = l.redirect.clone();
        let browser = tokio::spawn(async move {
            let c = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client");
            let r = c.get(&start).send().await.expect("start");
            assert_eq!(r.status(), 302);
            let to = r.headers()["location"].to_str().expect("ascii").to_string();
            assert!(to.starts_with("https://as.example/authorize"));
            c.get(format!("{redirect}?code=abc&state=s3cret"))
                .send()
                .await
                .expect("callback");
        });
        let got = l.wait(&authorize).await.expect("came back");
        assert!(
            got.ends_with("/authspec-oauth/callback?code=abc&state=s3cret"),
            "{got}"
        );
        browser.await.expect("browser");
        let l = Listener::bind(Duration::from_millis(50))
            .await
            .expect("bind");
        assert!(l.wait(&authorize).await.is_err(), "a timeout is an error");
    }
}
