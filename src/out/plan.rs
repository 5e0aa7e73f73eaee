//! Planning: the files of each bundle, their paths and bytes, before anything touches disk.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use serde::Serialize;

use super::{Bundle, JAAS_FILE, KUSTOMIZATION, OutError, PlannedFile};
use crate::model::JaasSecret;
use crate::render::Document;

/// The files of every bundle: one spec writes DIR itself, `multi` writes each bundle into
/// `<namespace>/<name>/`. Fails when two bundles share a namespace and name, or a name cannot
/// be a file name.
pub fn plan(bundles: &[Bundle], multi: bool) -> Result<Vec<PlannedFile>, OutError> {
    if !multi && bundles.len() > 1 {
        return Err(OutError::Invalid(format!(
            "{} bundles for one directory: pass multi to write each into <namespace>/<name>/",
            bundles.len()
        )));
    }
    let parts = bundles
        .iter()
        .map(|b| plan_bundle(b, multi))
        .collect::<Result<Vec<_>, _>>()?;
    plan_all(parts, multi)
}

/// One bundle's files, planned on their own (a fleet plans each spec as soon as it renders and
/// keeps only these); [`plan_all`] puts them together.
pub struct BundleFiles {
    platform: String,
    namespace: String,
    name: String,
    files: Vec<PlannedFile>,
}

/// Plans one bundle's files, relative to its own directory: [`plan_all`] places them once
/// it knows the fleet (at DIR's top for one spec; `[<platform>/]<namespace>/<name>/` when
/// `multi`).
pub fn plan_bundle(b: &Bundle, multi: bool) -> Result<BundleFiles, OutError> {
    if multi {
        for part in [b.platform, b.namespace, b.name] {
            check_component(part)?;
        }
    }
    let mut files = Vec::with_capacity(b.documents.len() + 2);
    plan_one(b, "", &mut files)?;
    Ok(BundleFiles {
        platform: b.platform.to_string(),
        namespace: b.namespace.to_string(),
        name: b.name.to_string(),
        files,
    })
}

/// Every bundle's files, in order, once no two bundles share a directory.
pub fn plan_all(parts: Vec<BundleFiles>, multi: bool) -> Result<Vec<PlannedFile>, OutError> {
    if !multi && parts.len() > 1 {
        return Err(OutError::Invalid(format!(
            "{} bundles for one directory: pass multi to write each into <namespace>/<name>/",
            parts.len()
        )));
    }
    let platforms: BTreeSet<&str> = parts.iter().map(|p| p.platform.as_str()).collect();
    let by_platform = platforms.len() > 1;
    let mut seen = BTreeSet::new();
    for p in &parts {
        let platform = if by_platform { p.platform.as_str() } else { "" };
        if multi && !seen.insert((platform, p.namespace.as_str(), p.name.as_str())) {
            let dir = fleet_dir(p, by_platform);
            return Err(OutError::Invalid(format!(
                "two specs render cluster `{}` in namespace `{}` for {}: each needs its own directory {dir}",
                p.name, p.namespace, p.platform
            )));
        }
    }
    let files: Vec<PlannedFile> = parts
        .into_iter()
        .flat_map(|p| {
            let prefix = if multi {
                fleet_dir(&p, by_platform)
            } else {
                String::new()
            };
            p.files.into_iter().map(move |mut f| {
                f.path.insert_str(0, &prefix);
                f
            })
        })
        .collect();
    validate(&files)?;
    Ok(files)
}

/// A fleet member's directory: `<namespace>/<name>/`, under `<platform>/` when the fleet spans
/// several platforms.
fn fleet_dir(p: &BundleFiles, by_platform: bool) -> String {
    match by_platform {
        true => format!("{}/{}/{}/", p.platform, p.namespace, p.name),
        false => format!("{}/{}/", p.namespace, p.name),
    }
}

fn plan_one(b: &Bundle, prefix: &str, files: &mut Vec<PlannedFile>) -> Result<(), OutError> {
    let mut resources = Vec::with_capacity(b.documents.len());
    let mut secret_doc = None;
    for d in b.documents {
        if d.kind == "Secret" {
            // A base is meant for git: a Secret's data never goes into one of its files.
            if b.jaas.is_some_and(|j| j.name == d.name) {
                secret_doc = Some(d);
                continue;
            }
            return Err(OutError::Invalid(format!(
                "internal error: Secret `{}` has no generator and would be written into the base",
                d.name
            )));
        }
        let file = format!("{}-{}.yaml", d.kind.to_ascii_lowercase(), d.name);
        check_component(&file)?;
        files.push(PlannedFile {
            path: format!("{prefix}{file}"),
            bytes: d.text.clone().into_bytes(),
            secret: false,
        });
        resources.push(file);
    }
    let generator = match b.jaas {
        None => None,
        Some(j) => {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(j.data.0.as_bytes())
                .map_err(|_| {
                    OutError::Invalid(format!(
                        "internal error: the data of Secret `{}` is not base64",
                        j.name
                    ))
                })?;
            files.push(PlannedFile {
                path: format!("{prefix}{JAAS_FILE}"),
                bytes: raw,
                secret: true,
            });
            Some(generator(j, secret_doc, b.namespace)?)
        }
    };
    let kustomization = Kustomization {
        resources,
        generator,
    };
    let text = crate::render::kustomization(&kustomization).map_err(|e| {
        OutError::Invalid(format!(
            "internal error: cannot render {KUSTOMIZATION}: {e}"
        ))
    })?;
    files.push(PlannedFile {
        path: format!("{prefix}{KUSTOMIZATION}"),
        bytes: text.into_bytes(),
        secret: false,
    });
    Ok(())
}

/// What `templates/kustomization.yaml.j2` renders a base's kustomization from.
#[derive(Serialize)]
struct Kustomization {
    /// The base's files, in apply order.
    resources: Vec<String>,
    /// With a JAAS file: the `secretGenerator` entry that turns it into the Secret.
    generator: Option<SecretGenerator>,
}

/// The `secretGenerator` entry for the JAAS Secret.
#[derive(Serialize)]
struct SecretGenerator {
    name: String,
    namespace: String,
    /// `<key>=jaas.config`: the Secret's key and the file beside the kustomization.
    file: String,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
}

/// The `secretGenerator` entry for the JAAS Secret, with the rendered Secret's namespace,
/// labels and annotations (read from its document; its data is not looked at).
fn generator(
    j: &JaasSecret,
    doc: Option<&Document>,
    namespace: &str,
) -> Result<SecretGenerator, OutError> {
    let meta = match doc {
        None => serde_json::Value::Null,
        Some(d) => {
            let v: serde_json::Value = serde_saphyr::from_str(&d.text).map_err(|_| {
                OutError::Invalid(format!(
                    "internal error: the rendered Secret `{}` is not YAML",
                    j.name
                ))
            })?;
            v.get("metadata").cloned().unwrap_or_default()
        }
    };
    let ns = meta
        .get("namespace")
        .and_then(|n| n.as_str())
        .unwrap_or(namespace);
    Ok(SecretGenerator {
        name: j.name.clone(),
        namespace: ns.to_string(),
        file: format!("{}={JAAS_FILE}", j.key),
        labels: string_map(meta.get("labels")),
        annotations: string_map(meta.get("annotations")),
    })
}

fn string_map(v: Option<&serde_json::Value>) -> BTreeMap<String, String> {
    v.and_then(|v| v.as_object())
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// A path component gen may create: letters, digits, `.`, `_`, `-`, not starting with a dot.
pub(super) fn check_component(c: &str) -> Result<(), OutError> {
    let ok = !c.is_empty()
        && !c.starts_with('.')
        && c.len() <= 255
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(OutError::Invalid(format!(
            "`{c}` cannot be a file or directory name in the output"
        )))
    }
}

/// Every path safe and relative, none twice, none both a file and a directory.
pub(super) fn validate(files: &[PlannedFile]) -> Result<(), OutError> {
    let mut paths = BTreeSet::new();
    for f in files {
        for c in f.path.split('/') {
            check_component(c)?;
        }
        if !paths.insert(f.path.as_str()) {
            return Err(OutError::Invalid(format!("`{}` is planned twice", f.path)));
        }
    }
    for p in &paths {
        let dir = format!("{p}/");
        if paths
            .range(dir.as_str()..)
            .next()
            .is_some_and(|q| q.starts_with(&dir))
        {
            return Err(OutError::Invalid(format!(
                "`{p}` is planned as a file and as a directory"
            )));
        }
    }
    Ok(())
}
