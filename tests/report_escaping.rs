//! One hostile document through every report format: server text never becomes markup, a
//! terminal escape, a workflow command or broken XML in any of them (issue 16, item 2).

use authspec::capture::CaptureOptions;
use authspec::report::{Report, badge, github, html, human, json, junit, markdown, sarif};
use axum::Router;
use axum::http::header;
use axum::routing::get;

mod common;
use common::{check, serve};

/// Every way a string from a server has been seen to break out of a report: live HTML, a comment
/// opener that hides what follows, table pipes, code-span backticks, an OSC 8 hyperlink, an SGR
/// colour, CR LF, a GitHub workflow command, a CDATA terminator and a Markdown link.
const HOSTILE: &str = "</script><script>alert(1)</script> <img src=x onerror=alert(1)> <!-- a|b `tick` ``` \u{1b}]8;;http://evil\u{7}link\u{1b}]8;;\u{7} \u{1b}[31mred\u{1b}[0m\r\n::error::injected\n]]> [click](http://evil) $x$ ~~s~~";

/// A PRM whose every string member is hostile; its second issuer parses as a URL, so the hostile
/// text also names a node of the discovery chain.
async fn hostile_target() -> String {
    let issuer = "http://127.0.0.1:9/x\"]```<b>\u{1b}[31m`|";
    let doc = serde_json::json!({
        "resource": HOSTILE,
        "authorization_servers": [HOSTILE, issuer],
        "scopes_supported": [HOSTILE],
        "resource_name": HOSTILE,
        "resource_documentation": HOSTILE,
        "bearer_methods_supported": [HOSTILE],
    })
    .to_string();
    serve(Router::new().route(
        "/.well-known/oauth-protected-resource",
        get(move || async move { ([(header::CONTENT_TYPE, "application/json")], doc.clone()) }),
    ))
    .await
}

/// Every format's text for one report.
fn outputs(r: &Report) -> Vec<(&'static str, String)> {
    let style = human::Style {
        verbose: true,
        ..human::Style::default()
    };
    vec![
        ("human", human::render(r, &style)),
        ("json", json::render(r).expect("json")),
        ("junit", junit::render(r).expect("junit")),
        ("sarif", sarif::render(r).expect("sarif")),
        ("markdown", markdown::render(r)),
        ("github", github::render(r)),
        ("html", html::render(r, None)),
        ("badge", badge::render(r)),
    ]
}

/// No C0 control other than LF (and TAB), no DEL, no C1 control: nothing a terminal or a log
/// viewer would act on.
fn assert_no_controls(name: &str, text: &str) {
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        panic!("the {name} output holds the raw control {c:?}");
    }
}

/// Well-formed XML: a reader walks it to the end.
fn assert_xml(name: &str, text: &str) {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("the {name} output is not well-formed XML: {e}"),
        }
    }
}

/// Markdown with code spans (and the Mermaid fence) taken out, so what is left is what a renderer
/// would read as inline Markdown.
fn outside_code(md: &str) -> String {
    let mut out = String::new();
    let mut in_fence = false;
    for line in md.lines() {
        if line.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        out.push_str(&strip_code_spans(line));
        out.push('\n');
    }
    out
}

/// One line without its code spans (a run of N backticks closes at the next run of exactly N).
fn strip_code_spans(line: &str) -> String {
    let b = line.as_bytes();
    let (mut out, mut i) = (String::new(), 0);
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            out.push_str(&line[i..i + 2]);
            i += 2;
            continue;
        }
        if b[i] != b'`' {
            let next = line[i..].find(['`', '\\']).map_or(b.len(), |n| i + n);
            out.push_str(&line[i..next]);
            i = next;
            continue;
        }
        let run = b[i..].iter().take_while(|&&c| c == b'`').count();
        let close = (i + run..b.len()).find(|&j| {
            b[j..].iter().take_while(|&&c| c == b'`').count() == run && (j == 0 || b[j - 1] != b'`')
        });
        match close {
            Some(j) => i = j + run,
            None => {
                out.push_str(&line[i..i + run]);
                i += run;
            }
        }
    }
    out
}

/// The number of cells a table row splits into: unescaped pipes, code spans included (GFM splits
/// cells before it reads code spans).
fn cells(line: &str) -> usize {
    let b = line.as_bytes();
    let (mut n, mut i) = (0usize, 0);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'|' => n += 1,
            _ => {}
        }
        i += 1;
    }
    n.saturating_sub(1)
}

fn assert_markdown_safe(md: &str) {
    let prose = outside_code(md);
    for tag in ["<script", "</script", "<img", "<!--", "[click](http"] {
        assert!(
            !prose.contains(tag),
            "{tag:?} reaches the Markdown as markup:\n{md}"
        );
    }
    // The only raw `<` authspec writes itself is the <details> block around the passed checks.
    for (at, _) in prose.match_indices('<') {
        let rest = &prose[at..];
        assert!(
            ["<details>", "<summary>", "</summary>", "</details>"]
                .iter()
                .any(|t| rest.starts_with(t)),
            "a raw '<' outside code spans: {:?}",
            &rest[..rest.len().min(40)]
        );
    }
    // Every row of a table has as many cells as its header.
    let mut width = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            width = None;
            continue;
        }
        let n = cells(line);
        match width {
            None => width = Some(n),
            Some(w) => assert_eq!(n, w, "a table row with {n} cells, not {w}: {line}"),
        }
    }
}

/// GitHub reads a workflow command only at the start of a line: every line authspec writes must be
/// one of its own commands, and no message may start another.
fn assert_github_safe(text: &str) {
    for line in text.lines() {
        assert!(
            ["::error ", "::warning ", "::notice "]
                .iter()
                .any(|c| line.starts_with(c)),
            "a line that is not authspec's own command: {line:?}"
        );
    }
    assert!(
        !text.contains("\n::error::injected"),
        "the server's workflow command got a line of its own"
    );
}

#[tokio::test]
async fn the_same_hostile_document_is_safe_in_every_report_format() {
    let target = hostile_target().await;
    let r = check(target, CaptureOptions::default(), "prm").await;
    for (name, text) in outputs(&r) {
        assert_no_controls(name, &text);
        if name != "badge" {
            // The server's text reached the output (else the test proves nothing).
            assert!(
                text.contains("onerror"),
                "the {name} output never shows the hostile text"
            );
        }
        match name {
            "json" | "sarif" => {
                let v: serde_json::Value =
                    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(v.is_object(), "{name} is one JSON object");
            }
            "junit" | "badge" => assert_xml(name, &text),
            "html" => {
                for tag in ["<script>alert", "<img src=x", "<!-- a"] {
                    assert!(!text.contains(tag), "{tag:?} is live in the HTML");
                }
            }
            "markdown" => assert_markdown_safe(&text),
            "github" => assert_github_safe(&text),
            _ => {}
        }
    }
}

#[test]
fn the_checker_sees_what_a_markdown_renderer_sees() {
    assert_eq!(strip_code_spans("a `<b>` c"), "a  c");
    assert_eq!(strip_code_spans("a ``x`y`` <c"), "a  <c");
    assert_eq!(strip_code_spans("a \\`<b>` c"), "a \\`<b>` c");
    assert_eq!(cells("| a | b \\| c | `d\\|e` |"), 3);
}
