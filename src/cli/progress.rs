//! The progress line on a terminal's stderr while a run's requests go out.
//!
//! It shows the time spent, the requests sent against the budget and the last exchange, and says
//! when the run is waiting out a 429, so a `--burst` or a slow server never looks hung. Nothing is
//! drawn when stderr is not a terminal (CI logs stay clean).

use authspec::run::CheckConfig;
use std::io::IsTerminal;
use std::time::Duration;

/// The progress line while requests run, when stderr is a terminal.
pub(crate) fn progress_bar(cfg: &mut CheckConfig) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let budget = cfg.capture.max_requests as u64;
    let max_wait = cfg.capture.max_wait;
    let bar = indicatif::ProgressBar::new(budget);
    // `wide_msg` is cut to the terminal's width: a wrapped line would repeat on every redraw.
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} {elapsed:>4} · {pos}/{len} requests · {wide_msg}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.set_message("discovery");
    bar.enable_steady_tick(Duration::from_millis(120));
    let shown = bar.clone();
    cfg.capture.progress = Some(authspec::capture::Progress(std::sync::Arc::new(
        move |n, last| {
            shown.set_position(n as u64);
            shown.set_message(message(last, max_wait));
        },
    )));
    Some(bar)
}

/// The last exchange, status first (a narrow terminal cuts the URL, not the answer), and after a
/// 429 that the run may now wait before its retry.
fn message(last: &str, max_wait: Duration) -> String {
    let Some((request, status)) = last.trim_end().rsplit_once(" -> ") else {
        return last.to_string();
    };
    if status == "429" {
        format!(
            "429, waiting out Retry-After (at most {} s) · {request}",
            max_wait.as_secs()
        )
    } else {
        format!("{status} · {request}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_429_says_the_run_may_wait() {
        let m = message("POST http://a/x -> 429", Duration::from_secs(30));
        assert_eq!(
            m,
            "429, waiting out Retry-After (at most 30 s) · POST http://a/x"
        );
        assert_eq!(
            message("GET http://a/ -> 200", Duration::from_secs(30)),
            "200 · GET http://a/"
        );
    }
}
