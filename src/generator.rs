//! gen as a kustomize generator: where kustomize looks for the exec plugin and what gets
//! installed there (`gen kustomize-plugin`), how the plugin finds the user's spec behind the
//! copy kustomize hands it (`gen kustomize-exec`), and the check that a build listing a gen
//! generator produced a workload. The two commands themselves are in `cmd/plugin.rs`; `gen
//! lint` and `gen diff` use the build check.
//!
//! Measured with `kubectl kustomize --enable-alpha-plugins` (kustomize v5.5): for a
//! `generators:` entry whose object is `gen.migratorydata.io/v1alpha1` `MigratoryDataCluster`,
//! kustomize runs `<plugin home>/gen.migratorydata.io/v1alpha1/migratorydatacluster/MigratoryDataCluster`
//! with one argument, a temporary copy of the object (comments dropped, keys sorted), in the
//! kustomization's directory, with `KUSTOMIZE_PLUGIN_CONFIG_ROOT` set to it. An object that
//! carries a `config.kubernetes.io/function` annotation is not run at all, and the build
//! succeeds without it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::spec::{API_VERSION, KIND};

/// The plugin's path below the plugin home: group, version, lowercased kind, kind.
pub const PLUGIN_DIRS: [&str; 3] = ["gen.migratorydata.io", "v1alpha1", "migratorydatacluster"];

/// Where kustomize looks for plugins: `$KUSTOMIZE_PLUGIN_HOME`, else
/// `$XDG_CONFIG_HOME/kustomize/plugin`, else `$HOME/.config/kustomize/plugin` (empty variables
/// count as unset). `env` reads a variable.
pub fn plugin_home(env: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf, String> {
    let set = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(home) = set("KUSTOMIZE_PLUGIN_HOME") {
        return Ok(home);
    }
    if let Some(xdg) = set("XDG_CONFIG_HOME") {
        return Ok(xdg.join("kustomize").join("plugin"));
    }
    match set("HOME") {
        Some(home) => Ok(home.join(".config").join("kustomize").join("plugin")),
        None => Err(
            "cannot tell where kustomize looks for plugins: none of KUSTOMIZE_PLUGIN_HOME, XDG_CONFIG_HOME and HOME is set; give the directory as an argument".to_string(),
        ),
    }
}

/// The plugin executable's path under a plugin home.
pub fn plugin_path(home: &Path) -> PathBuf {
    let mut p = home.to_path_buf();
    p.extend(PLUGIN_DIRS);
    p.join(KIND)
}

/// The plugin: a shell script that runs this gen (by absolute path) as `gen kustomize-exec`.
pub fn plugin_script(gen_exe: &Path) -> String {
    let quoted = gen_exe.display().to_string().replace('\'', r"'\''");
    format!(
        "#!/bin/sh\n# kustomize exec plugin for {API_VERSION} {KIND}, installed by `gen kustomize-plugin`.\n# kustomize runs it with a copy of the spec as $1, in the kustomization's directory.\nexec '{quoted}' kustomize-exec \"$@\"\n"
    )
}

/// Writes the plugin under `home` (a temporary file renamed into place, mode 0755) and returns
/// its path.
pub fn install(home: &Path, gen_exe: &Path) -> Result<PathBuf, String> {
    let path = plugin_path(home);
    let dir = path.parent().unwrap_or(home);
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let tmp = dir.join(format!(".{KIND}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        std::fs::write(&tmp, plugin_script(gen_exe))?;
        set_executable(&tmp)?;
        std::fs::rename(&tmp, &path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write `{}`: {e}", path.display())
    })?;
    Ok(path)
}

#[cfg(unix)]
fn set_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn set_executable(_: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Whether a parsed document is a gen spec with the header (a generator config).
pub fn is_spec_object(v: &Value) -> bool {
    v.get("apiVersion").and_then(Value::as_str) == Some(API_VERSION)
        && v.get("kind").and_then(Value::as_str) == Some(KIND)
}

fn object_name(v: &Value) -> Option<&str> {
    v.get("metadata")?.get("name")?.as_str()
}

/// The local files a kustomization's `generators:` lists (URLs, directories and inline
/// configs are skipped), relative to `root`.
fn generator_files(root: &Path) -> Vec<PathBuf> {
    let Some(file) = crate::kustomize::kustomization_file(root) else {
        return Vec::new();
    };
    let Ok(text) = std::fs::read_to_string(&file) else {
        return Vec::new();
    };
    let Ok(k) = serde_saphyr::from_str::<Value>(&text) else {
        return Vec::new();
    };
    k.get("generators")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|e| !e.contains('\n') && !e.contains("://"))
        .map(|e| root.join(e))
        .filter(|p| p.is_file())
        .collect()
}

/// The documents of a YAML file, or none when it does not parse.
pub(crate) fn documents(text: &str) -> Vec<Value> {
    let docs: Result<Vec<Value>, _> = serde_saphyr::from_str_multiple(text);
    docs.map(|d| d.into_iter().filter(|v| !v.is_null()).collect())
        .unwrap_or_default()
}

/// The user's spec file behind kustomize's copy `config`: the `generators:` entry of the
/// kustomization at `root` holding exactly one document, equal to `config`. Returns its path and
/// text (with the user's comments and line numbers).
pub fn user_file(root: &Path, config: &Value) -> Option<(PathBuf, String)> {
    generator_files(root).into_iter().find_map(|path| {
        let text = std::fs::read_to_string(&path).ok()?;
        match documents(&text).as_slice() {
            [only] if only == config => Some((path, text)),
            _ => None,
        }
    })
}

/// How a copy whose user file was not found is named in messages.
pub fn describe_generator(root: &Path, config: &Value) -> String {
    let kfile = crate::kustomize::kustomization_file(root)
        .unwrap_or_else(|| root.join("kustomization.yaml"));
    format!(
        "{} generator `{}` ({KIND})",
        kfile.display(),
        object_name(config).unwrap_or("?")
    )
}

/// Kinds that make a bundle run something.
const WORKLOAD_KINDS: [&str; 2] = ["StatefulSet", "Deployment"];

/// When the kustomization at `dir` lists a gen spec under `generators:` and `built` (what its
/// build printed) holds no workload: why that is an error. The usual cause is a
/// `config.kubernetes.io/function` annotation on the spec, which makes kubectl's kustomize skip
/// the generator and succeed.
pub fn empty_build(dir: &Path, built: &str) -> Option<String> {
    let specs: Vec<(PathBuf, bool)> = generator_files(dir)
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let docs = documents(&text);
            let spec = docs.iter().find(|d| is_spec_object(d))?;
            let annotated = spec
                .get("metadata")
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.get("config.kubernetes.io/function"))
                .is_some();
            Some((path, annotated))
        })
        .collect();
    let (first, annotated) = specs.first()?;
    let has_workload = documents(built).iter().any(|d| {
        d.get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| WORKLOAD_KINDS.contains(&k))
    });
    if has_workload {
        return None;
    }
    let why = if *annotated {
        "it carries a `config.kubernetes.io/function` annotation, which makes `kubectl kustomize` skip it silently: remove the annotation (the exec plugin needs none) or build with `kustomize build --enable-alpha-plugins --enable-exec`"
    } else {
        "build with `--enable-alpha-plugins` and install the plugin with `gen kustomize-plugin`"
    };
    Some(format!(
        "`{}` lists the gen spec `{}` under `generators:` but its build holds no StatefulSet or Deployment: {why}",
        dir.display(),
        first.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn plugin_home_follows_kustomizes_order() {
        let all = [
            ("KUSTOMIZE_PLUGIN_HOME", "/k"),
            ("XDG_CONFIG_HOME", "/x"),
            ("HOME", "/h"),
        ];
        assert_eq!(plugin_home(env(&all)).unwrap(), PathBuf::from("/k"));
        assert_eq!(
            plugin_home(env(&all[1..])).unwrap(),
            PathBuf::from("/x/kustomize/plugin")
        );
        let empty_xdg = [("XDG_CONFIG_HOME", ""), ("HOME", "/h")];
        assert_eq!(
            plugin_home(env(&empty_xdg)).unwrap(),
            PathBuf::from("/h/.config/kustomize/plugin")
        );
        assert!(plugin_home(env(&[])).is_err());
    }

    #[test]
    fn the_script_quotes_the_path() {
        let s = plugin_script(Path::new("/opt/it's/gen"));
        assert!(s.contains(r"exec '/opt/it'\''s/gen' kustomize-exec"), "{s}");
    }

    fn kustomization(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    const SPEC: &str = "# mine\napiVersion: gen.migratorydata.io/v1alpha1\nkind: MigratoryDataCluster\nmetadata:\n  name: demo\nnamespace: ns\nreplicas: 3\n";

    #[test]
    fn the_user_file_is_found_from_the_copy() {
        let dir = kustomization(&[
            (
                "kustomization.yaml",
                "generators:\n- other.yaml\n- spec.yaml\n",
            ),
            (
                "other.yaml",
                "apiVersion: x/v1\nkind: Y\nmetadata:\n  name: demo\n",
            ),
            ("spec.yaml", SPEC),
        ]);
        let copy: Value = serde_saphyr::from_str("apiVersion: gen.migratorydata.io/v1alpha1\nkind: MigratoryDataCluster\nmetadata:\n  name: demo\nnamespace: ns\nreplicas: 3\n").unwrap();
        let (path, text) = user_file(dir.path(), &copy).unwrap();
        assert_eq!(path, dir.path().join("spec.yaml"));
        assert!(text.starts_with("# mine"));
        let other: Value = serde_saphyr::from_str("kind: MigratoryDataCluster\n").unwrap();
        assert_eq!(user_file(dir.path(), &other), None);
    }

    #[test]
    fn an_empty_build_of_a_gen_generator_is_explained() {
        let annotated = SPEC.replace(
            "  name: demo\n",
            "  name: demo\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: gen\n",
        );
        let dir = kustomization(&[
            ("kustomization.yaml", "generators:\n- spec.yaml\n"),
            ("spec.yaml", &annotated),
        ]);
        let why = empty_build(dir.path(), "").unwrap();
        assert!(why.contains("config.kubernetes.io/function"), "{why}");
        assert_eq!(
            empty_build(dir.path(), "apiVersion: apps/v1\nkind: StatefulSet\n"),
            None
        );
        let plain = kustomization(&[("kustomization.yaml", "resources:\n- a.yaml\n")]);
        assert_eq!(empty_build(plain.path(), ""), None);
    }
}
