//! `gen describe`: one spec (or `--example`), rendered and checked exactly as `gen render`
//! would, then summarised ([`crate::describe`]) instead of printed.

use super::usage_error;
use crate::cli::DescribeArgs;
use crate::output::Output;
use crate::pipeline::{read_spec, render_one, spec_inputs};
use crate::{model, source};

/// `gen describe`.
pub(super) fn command(args: &DescribeArgs, out: &mut Output) -> i32 {
    out.strict = args.strict;
    let given: Vec<String> = args.spec.iter().cloned().collect();
    let arg = match spec_inputs(&given, args.example, "describe") {
        Ok(mut inputs) => inputs.remove(0),
        Err(e) => return usage_error(out, &e),
    };
    let Some(source) = read_spec(&arg, source::DEFAULT_MAX_BYTES, out) else {
        return 1;
    };
    let opts = model::ResolveOptions {
        platform: args.platform.map(Into::into),
        base_dir: source.base_dir(),
        max_file_bytes: source::DEFAULT_MAX_BYTES,
        ..Default::default()
    };
    match render_one(source, &opts, out) {
        Some(_) if out.strict_errors > 0 => 1,
        Some(r) => {
            let diagram = args.diagram.map(Into::into);
            out.stdout(&crate::describe::describe(&r.model, &r.documents, diagram));
            0
        }
        None => 1,
    }
}
