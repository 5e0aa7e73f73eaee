//! The commands: each reads its inputs, runs the stages and decides what reaches stdout,
//! stderr and the exit code. Nothing reaches stdout unless the whole command succeeded.
//!
//! One file per command (`gen diff` and `gen fn` live in their own modules: [`crate::diff`],
//! [`crate::krm`]); [`main`] only dispatches. What the commands share lives below them, in
//! modules that never import `cmd`: [`crate::output`] (what a command prints),
//! [`crate::pipeline`] (a spec read, parsed, resolved, rendered and checked) and
//! `crate::explain` (what gen says about a bad input).

mod describe;
mod init;
mod lint;
mod plugin;
mod progress;
mod reference;
mod render;

use std::io::Write;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::output::Output;

/// Runs gen with the process's arguments; returns the exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let mut out = Output::new(&cli);
    let code = match &cli.command {
        Command::Render(args) => render::command(args, &mut out),
        Command::Describe(args) => describe::command(args, &mut out),
        Command::Lint(args) => lint::command(args, &mut out),
        Command::KustomizePlugin { dir } => plugin::install_command(dir.as_deref(), &mut out),
        Command::KustomizeExec { config } => plugin::exec_command(config, &mut out),
        Command::Fn { max_input_bytes } => crate::krm::command(*max_input_bytes, &mut out),
        Command::Diff(args) => crate::diff::command(args, &mut out),
        Command::Schema => reference::schema(&mut out),
        Command::Completions { shell } => reference::completions(*shell, &mut out),
        Command::Man => reference::man(&mut out),
        Command::Init(args) => init::command(args, &mut out),
    };
    match out.flush() {
        Ok(()) => code,
        // A closed pipe (`gen render | head`) is the reader's choice, not gen's failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: cannot write to stdout: {e}");
            1
        }
    }
}

/// A usage error (exit 2): the command line cannot mean anything gen should do.
fn usage_error(out: &mut Output, message: &str) -> i32 {
    out.error_text(message);
    2
}
