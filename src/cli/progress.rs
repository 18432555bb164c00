//! The spinner on a terminal's stderr while a run's requests go out.

use authspec::run::CheckConfig;
use std::io::IsTerminal;
use std::time::Duration;

/// A spinner on a terminal's stderr while requests run; nothing when stderr is not a terminal.
pub(crate) fn progress_bar(cfg: &mut CheckConfig) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.enable_steady_tick(Duration::from_millis(120));
    let shown = bar.clone();
    cfg.capture.progress = Some(authspec::capture::Progress(std::sync::Arc::new(
        move |n, last| {
            shown.set_message(format!("{n} requests · {last}"));
        },
    )));
    Some(bar)
}
