//! `gen kustomize-plugin` and `gen kustomize-exec`: gen as a kustomize exec plugin (what
//! kustomize expects of one is in [`crate::generator`]).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::generator::{describe_generator, install, plugin_home, user_file};
use crate::model;
use crate::output::Output;
use crate::pipeline::render_one;
use crate::render;
use crate::source::{self, Source};

/// `gen kustomize-plugin [DIR]`: installs the plugin and says where, and how to use it.
pub fn install_command(dir: Option<&Path>, out: &mut Output) -> i32 {
    let home = match dir {
        Some(d) => Ok(d.to_path_buf()),
        None => plugin_home(|name| std::env::var_os(name)),
    };
    let exe = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .map_err(|e| format!("cannot tell where this gen is: {e}"));
    match home.and_then(|home| install(&home, &exe?)) {
        Ok(path) => {
            out.stdout(&format!("{}\n", path.display()));
            0
        }
        Err(e) => {
            out.error_text(&e);
            1
        }
    }
}

/// `gen kustomize-exec CONFIG`, run by kustomize through the plugin: renders the spec, named
/// and located as the user's file when it is found among the kustomization's generators;
/// `jaas.file` resolves against the kustomization's directory.
pub fn exec_command(config: &Path, out: &mut Output) -> i32 {
    let root = std::env::var_os("KUSTOMIZE_PLUGIN_CONFIG_ROOT")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    let copy = match source::read(&config.display().to_string(), source::DEFAULT_MAX_BYTES) {
        Ok(s) => s,
        Err(e) => {
            out.error_text(&format!(
                "cannot read kustomize's generator config `{}`: {}",
                e.name, e.message
            ));
            return 1;
        }
    };
    let value: Value = match serde_saphyr::from_str(&copy.text) {
        Ok(v) => v,
        Err(_) => Value::Null,
    };
    let source = match user_file(&root, &value) {
        Some((path, text)) => Source {
            name: path.display().to_string(),
            path: Some(path),
            text,
        },
        None => Source {
            name: describe_generator(&root, &value),
            path: None,
            text: copy.text,
        },
    };
    let opts = model::ResolveOptions {
        base_dir: root,
        max_file_bytes: source::DEFAULT_MAX_BYTES,
        ..Default::default()
    };
    match render_one(source, &opts, out) {
        Some(r) => {
            out.stdout(&render::join(&r.documents));
            0
        }
        None => 1,
    }
}
