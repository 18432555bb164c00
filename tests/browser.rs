//! The HTML report opened in a real headless browser (Debian's chromium); skipped, saying so, without one.

use assert_cmd::Command;
use std::path::Path;

#[test]
fn html_report_renders_in_headless_chromium() {
    let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(browser) = browser else {
        eprintln!(
            "SKIPPED: no chromium at /usr/bin/chromium (apt-get install chromium) — the HTML report was not opened in a browser"
        );
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let html = dir.path().join("report.html");
    Command::cargo_bin("authspec")
        .expect("binary")
        .args(["check", "--mock", "--fault", "jwks-rsa-1024", "--report"])
        .arg(format!("html={}", html.display()))
        .assert()
        .code(1);
    let profile = dir.path().join("profile");
    let out = std::process::Command::new("timeout")
        .arg("90")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("authspec conformance report"),
        "the page rendered: {}",
        &dom[..dom.len().min(300)]
    );
    assert!(
        dom.contains("class=\"badge fail\""),
        "the verdict badge is there"
    );
    assert!(
        dom.contains("jwks.rsa-2048") && dom.contains("1024 bits"),
        "the failing check and its actual value are there"
    );
    assert!(!dom.contains("<script"), "the page is static");
    // The discovery chain is drawn inline: the browser parsed it into SVG nodes and arrows.
    let svg = &dom[dom.find("<svg").expect("an inline SVG")..];
    let svg = &svg[..svg.find("</svg>").expect("closed")];
    assert!(svg.matches("<rect").count() >= 4, "chain nodes: {svg}");
    assert!(svg.matches("<line").count() >= 4, "chain edges: {svg}");
}
