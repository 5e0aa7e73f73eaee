//! Arbitrary bytes as a manifest stream through `gen lint`'s library entry point: decode,
//! lint one set (first byte picks the options), and print the findings in every format.
//!
//! A crash is a panic anywhere on that path, or a finding placed outside its input (a line
//! past the end, column 0).

#![no_main]

use gen_core::diag::Style;
use gen_core::lint::{self, Format, Set};
use gen_core::source;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (flags, bytes) = data.split_first().map_or((0, data), |(f, rest)| (*f, rest));
    let Ok(text) = source::decode(bytes.to_vec(), "<stdin>") else {
        return;
    };
    let opts = lint::Options {
        platform_openshift: flags & 1 != 0,
        // Full CRD schemas are slow; one input in eight.
        crd_schemas: flags & 0b1110 == 0,
    };
    let lines = text.lines().count().max(1);
    let set = Set::single("<stdin>", text);
    let findings = lint::lint_set(&set, &opts);
    for f in &findings {
        if let Some(line) = f.line {
            assert!(
                (1..=lines + 1).contains(&line),
                "line {line} of {lines}: {f:?}"
            );
        }
        assert!(f.column != Some(0), "column 0: {f:?}");
    }
    let sets = [set];
    for format in [Format::Text, Format::Json, Format::Github] {
        for (color, snippets) in [(false, true), (true, false)] {
            let _ = lint::report(&findings, &sets, format, Style { color, snippets });
        }
    }
    let _ = lint::has_errors(&findings);
});
