//! Arbitrary bytes through what `gen render -` does, via the library; the checks are
//! `spec_bytes` in tests/common/fuzz_checks.rs (shared with tests/fuzz_regressions.rs).
//! Relative `jaas.file` paths start in a tempdir holding a valid `jaas.config`.

#![no_main]

#[path = "../../tests/common/fuzz_checks.rs"]
mod checks;

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// The spec's directory: made once per process.
fn base_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(checks::jaas_dir).path()
}

fuzz_target!(|data: &[u8]| {
    checks::spec_bytes(data, base_dir());
});
