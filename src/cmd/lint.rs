//! `gen lint`: manifests (files, directories, kustomizations) weighed against the input
//! budget, then checked against Kubernetes' API and MigratoryData's rules.

use std::io::IsTerminal;

use crate::budget::{Breach, Budget};
use crate::cli::{FormatArg, LintArgs, PlatformArg};
use crate::explain::budget_error;
use crate::lint::{Input, Set};
use crate::output::Output;

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
    let budget: Budget = args.budget.into();
    let sets = &collected.sets;
    if let Some((input, b)) = weigh_first(sets, &budget) {
        out.diagnostic(&budget_error(&input.name, "cannot lint", &b), None);
        return 1;
    }
    let opts = crate::lint::LintOptions {
        platform_openshift: matches!(args.platform, Some(PlatformArg::Openshift)),
        crd_schemas: true,
        pss: args.pss.map(Into::into),
        max_depth: budget.max_depth,
    };
    let mut linted = crate::lint::lint_all(sets, &opts);
    // What the reader stopped at its nesting bound is weighed now, in input order.
    let mut deep = linted.bounded.iter().map(|&(s, i)| &sets[s].inputs[i]);
    if let Some((input, b)) = deep.find_map(|x| Some((x, weigh(x, &budget)?))) {
        out.diagnostic(&budget_error(&input.name, "cannot lint", &b), None);
        return 1;
    }
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
    out.stdout(&crate::lint::report(&linted.findings, sets, format, style));
    let unchecked = crate::lint::unchecked(&collected.named, &linted.objects);
    for e in &unchecked {
        out.error_text(e);
    }
    i32::from(crate::lint::has_errors(&linted.findings) || !unchecked.is_empty())
}

fn weigh(input: &Input, budget: &Budget) -> Option<Breach> {
    crate::budget::check(&input.text, budget).err()
}

/// Weighs every input of `sets` against `budget` before any is read, and returns the first
/// breach in input order. Most inputs need no parser for it ([`crate::budget::within_unparsed`]:
/// too short to reach a limit, with no alias, only nesting could breach, and lint's reader
/// stops at that depth and the input is weighed then); the others are weighed with the
/// parser, on every core. An input before a breach that was not weighed may be nested too
/// deep, which would make it the first breach: those are weighed too, on that failure path.
fn weigh_first<'s>(sets: &'s [Set], budget: &Budget) -> Option<(&'s Input, Breach)> {
    let inputs: Vec<&Input> = sets.iter().flat_map(|s| &s.inputs).collect();
    let breaches = crate::par_map(&inputs, 16, |_, input| {
        if crate::budget::within_unparsed(&input.text, budget) {
            None
        } else {
            weigh(input, budget)
        }
    });
    let (k, b) = breaches
        .into_iter()
        .enumerate()
        .find_map(|(k, b)| Some((k, b?)))?;
    let earlier = inputs[..k]
        .iter()
        .find_map(|x| Some((*x, weigh(x, budget)?)));
    Some(earlier.unwrap_or((inputs[k], b)))
}
