//! `gen lint`: manifests (files, directories, kustomizations) weighed against the input
//! budget, then checked against Kubernetes' API and MigratoryData's rules.

use std::io::IsTerminal;

use super::Output;
use super::explain::budget_error;
use crate::cli::{FormatArg, LintArgs, PlatformArg};

/// `gen lint`: findings on stdout, gen's own failures on stderr; exit 1 on any error finding,
/// and on any named input that held no object (nothing was checked).
pub(super) fn command(args: &LintArgs, out: &mut Output) -> i32 {
    let timeout = std::time::Duration::from_secs(args.kustomize_timeout);
    let collected =
        crate::kustomize::Kustomize::new(&args.kustomize_command, timeout, args.max_input_bytes)
            .map_err(|e| e.to_string())
            .and_then(|kustomize| {
                let opts = crate::lint::CollectOptions {
                    max_bytes: args.max_input_bytes,
                    recursive: args.recursive,
                    kustomize,
                };
                crate::lint::collect(&args.paths, &opts)
            });
    let collected = match collected {
        Ok(c) => c,
        Err(e) => {
            out.error_text(&e);
            return 1;
        }
    };
    // Every input is weighed before any is parsed; the weighing is a pass of the YAML parser,
    // so many files are weighed on every core. The first breach, in input order, is reported.
    let budget = args.budget.into();
    let inputs: Vec<&crate::lint::Input> = collected.sets.iter().flat_map(|s| &s.inputs).collect();
    let breaches = crate::par_map(&inputs, 16, |_, input| {
        crate::budget::check(&input.text, &budget).err()
    });
    if let Some((input, b)) = inputs.iter().zip(breaches).find_map(|(i, b)| Some((i, b?))) {
        out.diagnostic(&budget_error(&input.name, "cannot lint", &b), None);
        return 1;
    }
    let opts = crate::lint::Options {
        platform_openshift: matches!(args.platform, Some(PlatformArg::Openshift)),
        crd_schemas: true,
        pss: args.pss.map(Into::into),
    };
    let mut linted = crate::lint::lint_all(&collected.sets, &opts);
    if args.strict {
        crate::lint::make_strict(&mut linted.findings);
    }
    let format = match args.format {
        FormatArg::Text => crate::lint::Format::Text,
        FormatArg::Json => crate::lint::Format::Json,
        FormatArg::Github => crate::lint::Format::Github,
        FormatArg::Sarif => crate::lint::Format::Sarif,
    };
    let mut style = out.style;
    style.color = style.color && std::io::stdout().is_terminal();
    let sets = &collected.sets;
    out.stdout(&crate::lint::report(&linted.findings, sets, format, style));
    let unchecked = crate::lint::unchecked(&collected.named, &linted.objects);
    for e in &unchecked {
        out.error_text(e);
    }
    i32::from(crate::lint::has_errors(&linted.findings) || !unchecked.is_empty())
}
