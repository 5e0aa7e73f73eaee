//! Arbitrary bytes as a manifest stream through `gen lint`'s library entry point; the checks
//! are `lint_bytes` in tests/common/fuzz_checks.rs (shared with tests/fuzz_regressions.rs).

#![no_main]

#[path = "../../tests/common/fuzz_checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| checks::lint_bytes(data));
