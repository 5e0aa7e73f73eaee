//! The `gen` binary: everything lives in the `gen_core` library.

fn main() {
    std::process::exit(gen_core::cmd::main());
}
