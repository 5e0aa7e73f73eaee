//! The README cannot drift from the code: its lint rule table is generated from `RULES`, and
//! its two first commands are the ones CI runs.

const README: &str = include_str!("../README.md");

fn between<'a>(text: &'a str, begin: &str, end: &str) -> &'a str {
    let start = text
        .find(begin)
        .unwrap_or_else(|| panic!("README lacks {begin}"))
        + begin.len();
    let stop = text[start..]
        .find(end)
        .unwrap_or_else(|| panic!("README lacks {end}"))
        + start;
    text[start..stop].trim()
}

#[test]
fn lint_rule_table_matches_the_rules() {
    let table = gen_core::lint::rules_markdown();
    if std::env::var_os("GEN_UPDATE_README").is_some() {
        let (begin, end) = ("<!-- lint-rules:begin -->", "<!-- lint-rules:end -->");
        let start = README.find(begin).expect("marker") + begin.len();
        let stop = README.find(end).expect("marker");
        let updated = format!("{}\n{}{}", &README[..start], table, &README[stop..]);
        std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"), updated).unwrap();
        return;
    }
    let in_readme = between(
        README,
        "<!-- lint-rules:begin -->",
        "<!-- lint-rules:end -->",
    );
    assert!(
        in_readme == table.trim(),
        "README's rule table is stale; replace the block between the lint-rules markers with:\n{table}"
    );
}

#[test]
fn every_rule_is_documented_with_why_and_fix() {
    for r in gen_core::lint::RULES {
        assert!(!r.why.is_empty() && !r.fix.is_empty(), "{}", r.id);
        assert!(
            README.contains(&format!("`{}`", r.id)),
            "{} in README",
            r.id
        );
    }
}

#[test]
fn first_screen_has_the_two_commands() {
    let first: String = README.lines().take(30).collect::<Vec<_>>().join("\n");
    assert!(
        first.contains("cargo run -- render --example"),
        "the run command"
    );
    assert!(
        first.contains("<!-- test-command -->"),
        "the test command CI reads"
    );
}
