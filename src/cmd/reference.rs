//! `gen schema`, `gen completions` and `gen man`: what gen prints about itself, generated from
//! its own definitions (the spec's types and the clap command line).

use clap::CommandFactory;

use crate::cli::Cli;
use crate::output::Output;

/// `gen schema`: the JSON Schema of the spec (see [`crate::schema`]).
pub(super) fn schema(out: &mut Output) -> i32 {
    out.stdout(&crate::schema::schema());
    0
}

/// `gen completions SHELL`.
pub(super) fn completions(shell: clap_complete::Shell, out: &mut Output) -> i32 {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "gen", &mut buf);
    out.stdout(&String::from_utf8_lossy(&buf));
    0
}

/// `gen man`: the man page, in roff.
pub(super) fn man(out: &mut Output) -> i32 {
    let mut buf = Vec::new();
    match clap_mangen::Man::new(Cli::command()).render(&mut buf) {
        Ok(()) => {
            out.stdout(&String::from_utf8_lossy(&buf));
            0
        }
        Err(e) => {
            out.error_text(&format!("cannot render the man page: {e}"));
            1
        }
    }
}
