//! Generated sources cannot drift from what generates them: `schemas/crd_types.rs` (the
//! Route, ServiceMonitor and HTTPRoute types) is exactly what `schemas/crd_types.py` makes of
//! the CRD schemas beside it.

mod common;

use std::process::Command;

#[test]
fn crd_types_are_what_the_script_makes_of_the_schemas() {
    if !common::tool("python3", &["--version"]) {
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("python3")
        .arg("schemas/crd_types.py")
        .current_dir(root)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "schemas/crd_types.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made = String::from_utf8(out.stdout).expect("the script prints UTF-8");
    let committed = std::fs::read_to_string(format!("{root}/schemas/crd_types.rs"))
        .expect("schemas/crd_types.rs is committed");
    assert!(
        made == committed,
        "schemas/crd_types.rs is stale: run `python3 schemas/crd_types.py > schemas/crd_types.rs`"
    );
}
