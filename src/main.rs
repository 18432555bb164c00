//! The `authspec` binary's edge: parse the command line, dispatch, turn errors into exit codes.

mod cli;

use clap::Parser;
use cli::{Cli, dispatch, usage_line};
use std::process::ExitCode;

/// A reader that closed the pipe (`authspec list | head -1`) has read what it wanted: print! then
/// panics with a broken pipe, and the process ends quietly with success, as ripgrep does.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if text.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) =>
        {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // Bare `authspec`: the usage, on stderr, and the usage-error exit code.
            eprint!("{}", e.render());
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("authspec: {}", usage_line(&e.render().to_string()));
            return ExitCode::from(2);
        }
    };
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        // The reader left (`| head`): what it wanted was written.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("authspec: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::from(2)
        }
    }
}
