//! `gen render --out DIR`: writes bundles as a kustomize base, atomically; `--check` diffs one.
//!
//! # Layout
//!
//! One spec writes into DIR itself; several write into `DIR/<namespace>/<name>/`, each its own
//! base, when they all target one platform, and into `DIR/<platform>/<namespace>/<name>/`
//! (every spec, so the layout has one rule) when they target several: two specs may then share
//! a name and namespace, since they go to different clusters. A base holds one file per object, `<kind>-<name>.yaml` (kind lowercased), and a
//! `kustomization.yaml` listing them in apply order. With `jaas.file` the Secret is not written
//! as an object: the JAAS file goes to `jaas.config` beside the kustomization (mode 0600), a
//! `secretGenerator` there turns it into the Secret, and kustomize's name-hash suffix plus its
//! nameReference rewrite of the workload's secret volume roll the pods when it changes. The
//! credentials files are listed in a marked block of `DIR/.gitignore`, which gen merges into any
//! `.gitignore` already there (lines outside the block are the user's and kept as they are).
//!
//! # Ownership
//!
//! `DIR/.gen-owned` lists, one path a line, every file gen wrote (commit it with the base). The
//! next run replaces or deletes exactly those (a file gen no longer renders, such as an HPA
//! that was turned off, disappears) and carries everything else across: the user's files,
//! subdirectories, symlinks, `.git`. Only regular files whose name gen could have written
//! (`*.yaml`, `jaas.config`) can be owned, so a hand-edited manifest cannot make gen delete a
//! directory or a README. A file gen wants to write that exists but is not owned is a conflict
//! and nothing is written, unless its bytes are already exactly gen's (then gen adopts it:
//! overwriting it loses nothing). Without the manifest, nothing in DIR is gen's.
//!
//! # The swap and its crash windows
//!
//! 1. Build `DIR.gen-tmp-<pid>` beside DIR: gen's files, then every unowned entry of DIR,
//!    hard-linked (copied when a link is impossible, e.g. across a mount), symlinks recreated,
//!    directories recreated with their modes. DIR is only read. Any error: the temporary tree is
//!    removed and DIR is untouched.
//! 2. `rename(DIR, DIR.gen-old)`, then `rename(DIR.gen-tmp-<pid>, DIR)`. If the second fails,
//!    the first is undone.
//! 3. Remove `DIR.gen-old`. A failure here is a warning: DIR already holds the new tree.
//!
//! Nothing is ever moved out of the old tree, so while `DIR.gen-old` exists it is the complete
//! previous DIR. A process killed in step 1 leaves a stale `DIR.gen-tmp-<pid>`; in step 2, DIR
//! missing and `DIR.gen-old` complete; in step 3, a leftover `DIR.gen-old`. The next `--out`
//! run repairs each at its start: it restores `DIR.gen-old` when DIR is missing, removes it
//! when DIR exists, and removes temporary trees whose process is gone. `--check` refuses to run
//! on a DIR left missing. Between the two renames of step 2 (microseconds) a concurrent reader
//! can find DIR missing; Linux's `renameat2(RENAME_EXCHANGE)` would close that gap but std does
//! not expose it. Two writers must not run on the same DIR at once.
//!
//! # Durability
//!
//! No fsync. gen's files are derived data that `gen render --out` regenerates, and the user's
//! files are never rewritten (hard links share the inode; copies happen only when linking
//! fails), so the only things a power loss can damage are gen's own files in the new tree
//! (truncated or empty after the renames became durable): `--check` shows it and a re-run
//! repairs it. Syncing every file (about 10,000 for 1,000 specs) would cost more than the
//! whole render; a single `syncfs` is not in std.
//!
//! # Secrets
//!
//! [`PlannedFile`]'s Debug never shows bytes. `--check` never prints a credentials file: a
//! changed one reads `jaas.config: contents differ (redacted)`; any text file holding a
//! `kind: Secret` object is summarised likewise; `checksum/jaas` values are masked; and the
//! final diff is scrubbed of every JAAS line and of the base64 of each JAAS file.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use base64::Engine;
use similar::{ChangeTag, TextDiff};

use crate::model::JaasSecret;
use crate::render::{Document, scalar};

/// The ownership manifest, at the top of DIR.
pub const MANIFEST: &str = ".gen-owned";
/// Where gen lists the credentials files, in a marked block.
pub const GITIGNORE: &str = ".gitignore";
/// Each base's kustomization.
pub const KUSTOMIZATION: &str = "kustomization.yaml";
/// The JAAS file a base's `secretGenerator` reads.
pub const JAAS_FILE: &str = "jaas.config";
/// Mode of files holding Secret data.
pub const SECRET_MODE: u32 = 0o600;

const BLOCK_BEGIN: &str =
    "# BEGIN gen: credentials for kustomize's secretGenerator; never commit them";
const BLOCK_END: &str = "# END gen";
const MANIFEST_HEADER: &str = "# Written by `gen render --out`: the files gen owns in this directory. Each run replaces\n# or removes them and leaves every other file alone. Commit this file; do not edit it.\n";
const KUSTOMIZATION_HEADER: &str = "# Written by `gen render --out`; edits are lost on the next run. Customise in an overlay\n# that lists this directory under `resources`.\n";

/// One rendered spec, as `--out` needs it.
#[derive(Clone, Copy)]
pub struct Bundle<'a> {
    /// The platform it targets (`aks`, `eks`, `openshift`): a fleet spanning several lays out
    /// one directory per platform.
    pub platform: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
    /// In apply order, as [`crate::render::render`] returns them.
    pub documents: &'a [Document],
    /// With `jaas.file`: the Secret to generate instead of writing its document.
    pub jaas: Option<&'a JaasSecret>,
}

impl fmt::Debug for Bundle<'_> {
    /// Documents by kind and name only: a Secret's text holds its data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let docs: Vec<String> = self
            .documents
            .iter()
            .map(|d| format!("{}/{}", d.kind, d.name))
            .collect();
        f.debug_struct("Bundle")
            .field("namespace", &self.namespace)
            .field("name", &self.name)
            .field("documents", &docs)
            .field("jaas", &self.jaas)
            .finish()
    }
}

/// One file gen writes, relative to DIR with `/` separators.
#[derive(Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub path: String,
    pub bytes: Vec<u8>,
    /// Holds Secret data: mode 0600, git-ignored, never shown in a diff.
    pub secret: bool,
}

impl fmt::Debug for PlannedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlannedFile")
            .field("path", &self.path)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("secret", &self.secret)
            .finish()
    }
}

/// Why `--out` or `--check` did nothing (or, for [`OutError::RollbackFailed`], what to do).
#[derive(Debug)]
pub enum OutError {
    /// A plan that cannot be written (duplicate bundle, unsafe name) or a DIR that cannot be one.
    Invalid(String),
    /// Paths gen would overwrite that it did not write, each with the reason.
    Conflict(Vec<String>),
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    /// A previous run was killed between its two renames: DIR is missing, the old tree is here.
    Interrupted { dir: PathBuf, old: PathBuf },
    /// The swap failed and so did putting the old tree back.
    RollbackFailed {
        error: Box<OutError>,
        rollback: Box<OutError>,
        old: PathBuf,
        dir: PathBuf,
    },
}

impl fmt::Display for OutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutError::Invalid(m) => f.write_str(m),
            OutError::Conflict(paths) => {
                write!(
                    f,
                    "refusing to overwrite files gen did not write (nothing was written):"
                )?;
                for p in paths {
                    write!(f, "\n  {p}")?;
                }
                write!(
                    f,
                    "\nmove them away, or choose another --out directory ({MANIFEST} lists the files gen owns)"
                )
            }
            OutError::Io {
                action,
                path,
                source,
            } => write!(f, "cannot {action} `{}`: {source}", path.display()),
            OutError::Interrupted { dir, old } => write!(
                f,
                "`{}` is missing: a previous `gen render --out` was interrupted and the previous tree is in `{}`; run `gen render --out` again to restore it (or rename it back)",
                dir.display(),
                old.display()
            ),
            OutError::RollbackFailed {
                error,
                rollback,
                old,
                dir,
            } => write!(
                f,
                "{error}; then putting the previous tree back failed: {rollback}. The previous tree is complete in `{}`: rename it to `{}`",
                old.display(),
                dir.display()
            ),
        }
    }
}

impl std::error::Error for OutError {}

fn io_err<'p>(action: &'static str, path: &'p Path) -> impl FnOnce(io::Error) -> OutError + 'p {
    move |source| OutError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// What a successful [`write`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files gen wrote (its own, the manifest and `.gitignore` included).
    pub written: usize,
    /// Files gen owned and no longer renders, now gone.
    pub removed: Vec<String>,
    /// Unowned entries carried across the swap (files, symlinks and directories).
    pub carried: usize,
    /// Things worth a warning: repairs of an interrupted run, a leftover that could not be
    /// removed.
    pub notes: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Plan

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
    files.push(PlannedFile {
        path: format!("{prefix}{KUSTOMIZATION}"),
        bytes: kustomization(&resources, generator.as_deref()).into_bytes(),
        secret: false,
    });
    Ok(())
}

/// The `secretGenerator` entry for the JAAS Secret, with the rendered Secret's namespace,
/// labels and annotations (read from its document; its data is not looked at).
fn generator(j: &JaasSecret, doc: Option<&Document>, namespace: &str) -> Result<String, OutError> {
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
    let mut s = format!(
        "  - name: {}\n    namespace: {}\n    type: Opaque\n    files:\n      - {}\n",
        scalar(&j.name),
        scalar(ns),
        scalar(&format!("{}={JAAS_FILE}", j.key))
    );
    let maps: Vec<(&str, BTreeMap<String, String>)> = ["labels", "annotations"]
        .into_iter()
        .map(|k| (k, string_map(meta.get(k))))
        .filter(|(_, m)| !m.is_empty())
        .collect();
    if !maps.is_empty() {
        s.push_str("    options:\n");
        for (k, m) in maps {
            s.push_str(&format!("      {k}:\n"));
            for (key, value) in m {
                s.push_str(&format!("        {}: {}\n", scalar(&key), scalar(&value)));
            }
        }
    }
    Ok(s)
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

fn kustomization(resources: &[String], generator: Option<&str>) -> String {
    let mut s = String::from(KUSTOMIZATION_HEADER);
    s.push_str("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n");
    for r in resources {
        s.push_str("  - ");
        s.push_str(&scalar(r));
        s.push('\n');
    }
    if let Some(g) = generator {
        s.push_str("secretGenerator:\n");
        s.push_str(g);
    }
    s
}

/// A path component gen may create: letters, digits, `.`, `_`, `-`, not starting with a dot.
fn check_component(c: &str) -> Result<(), OutError> {
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
fn validate(files: &[PlannedFile]) -> Result<(), OutError> {
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

// ---------------------------------------------------------------------------------------------
// The filesystem writes go through

/// Every change [`write`] makes to the filesystem, so tests can make any one of them fail.
/// Reads go to `std::fs` directly.
pub trait Fs {
    fn create_dir_all(&self, path: &Path) -> io::Result<()>;
    /// Creates a directory that must not exist, with `mode` (unix permission bits) if given.
    fn create_dir(&self, path: &Path, mode: Option<u32>) -> io::Result<()>;
    /// Creates a file that must not exist, with `mode` if given (else the default), never
    /// wider for a moment; `sync`: flushed to disk before returning.
    fn create_file(
        &self,
        path: &Path,
        bytes: &[u8],
        mode: Option<u32>,
        sync: bool,
    ) -> io::Result<()>;
    /// Hard-links `from` at `to`, or copies it (with its permissions, flushed to disk: the
    /// original goes when the old tree does) when linking fails.
    fn link_or_copy(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn set_mode(&self, path: &Path, mode: u32) -> io::Result<()>;
    fn symlink(&self, target: &Path, link: &Path) -> io::Result<()>;
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove_dir(&self, path: &Path) -> io::Result<()>;
    fn remove_dir_all(&self, path: &Path) -> io::Result<()>;
    /// This filesystem when its changes may be made from several threads at once: the real
    /// one, not the fault injector (which counts changes in order).
    fn concurrent(&self) -> Option<&(dyn Fs + Sync)> {
        None
    }
}

/// The real filesystem.
#[derive(Clone, Copy, Debug, Default)]
pub struct RealFs;

impl Fs for RealFs {
    fn concurrent(&self) -> Option<&(dyn Fs + Sync)> {
        Some(self)
    }

    fn create_dir_all(&self, path: &Path) -> io::Result<()> {
        std::fs::create_dir_all(path)
    }

    fn create_dir(&self, path: &Path, mode: Option<u32>) -> io::Result<()> {
        let mut b = std::fs::DirBuilder::new();
        #[cfg(unix)]
        if let Some(m) = mode {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(m);
        }
        #[cfg(not(unix))]
        let _ = mode;
        b.create(path)?;
        #[cfg(unix)]
        if let Some(m) = mode {
            // The umask narrowed it; the old directory's mode is what the user chose.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(m))?;
        }
        Ok(())
    }

    fn create_file(
        &self,
        path: &Path,
        bytes: &[u8],
        mode: Option<u32>,
        sync: bool,
    ) -> io::Result<()> {
        use std::io::Write;
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        if let Some(m) = mode {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(m);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut f = o.open(path)?;
        f.write_all(bytes)?;
        if sync {
            f.sync_all()?;
        }
        Ok(())
    }

    fn link_or_copy(&self, from: &Path, to: &Path) -> io::Result<()> {
        match std::fs::hard_link(from, to) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
            Err(_) => {
                std::fs::copy(from, to)?;
                std::fs::File::open(to)?.sync_all()
            }
        }
    }

    fn set_mode(&self, path: &Path, mode: u32) -> io::Result<()> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        }
        #[cfg(not(unix))]
        {
            let _ = (path, mode);
            Ok(())
        }
    }

    fn symlink(&self, target: &Path, link: &Path) -> io::Result<()> {
        #[cfg(unix)]
        return std::os::unix::fs::symlink(target, link);
        #[cfg(not(unix))]
        {
            let _ = (target, link);
            Err(io::Error::other("symlinks are not supported here"))
        }
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }

    fn remove_dir(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_dir(path)
    }

    fn remove_dir_all(&self, path: &Path) -> io::Result<()> {
        match std::fs::remove_dir_all(path) {
            // A read-only directory of the user's, in a tree being thrown away: open it up.
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                open_up(path)?;
                std::fs::remove_dir_all(path)
            }
            r => r,
        }
    }
}

/// Gives the owner full access to every directory under `path` (not following symlinks).
fn open_up(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let m = std::fs::symlink_metadata(path)?;
        if m.is_dir() {
            let mode = m.permissions().mode();
            if mode & 0o700 != 0o700 {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode | 0o700))?;
            }
            for e in std::fs::read_dir(path)? {
                open_up(&e?.path())?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// For tests: the real filesystem, except that the `fail_at`-th change (counting from 1) fails.
/// `crash` makes every later change fail too, as if the process had died there (no cleanup,
/// no rollback reach the disk).
#[derive(Debug)]
pub struct FaultyFs {
    pub fail_at: usize,
    pub crash: bool,
    calls: Cell<usize>,
}

impl FaultyFs {
    /// Fails the `fail_at`-th change only.
    pub fn new(fail_at: usize) -> FaultyFs {
        FaultyFs {
            fail_at,
            crash: false,
            calls: Cell::new(0),
        }
    }

    /// Fails the `fail_at`-th change and every one after it.
    pub fn crash_at(fail_at: usize) -> FaultyFs {
        FaultyFs {
            crash: true,
            ..FaultyFs::new(fail_at)
        }
    }

    /// Changes attempted so far. Below `fail_at` after a run: the fault was never reached.
    pub fn calls(&self) -> usize {
        self.calls.get()
    }

    fn gate(&self) -> io::Result<()> {
        let n = self.calls.get() + 1;
        self.calls.set(n);
        if n == self.fail_at || (self.crash && n > self.fail_at) {
            Err(io::Error::other(format!("injected failure (change #{n})")))
        } else {
            Ok(())
        }
    }
}

impl Fs for FaultyFs {
    fn create_dir_all(&self, path: &Path) -> io::Result<()> {
        self.gate()?;
        RealFs.create_dir_all(path)
    }
    fn create_dir(&self, path: &Path, mode: Option<u32>) -> io::Result<()> {
        self.gate()?;
        RealFs.create_dir(path, mode)
    }
    fn create_file(
        &self,
        path: &Path,
        bytes: &[u8],
        mode: Option<u32>,
        sync: bool,
    ) -> io::Result<()> {
        self.gate()?;
        RealFs.create_file(path, bytes, mode, sync)
    }
    fn set_mode(&self, path: &Path, mode: u32) -> io::Result<()> {
        self.gate()?;
        RealFs.set_mode(path, mode)
    }
    fn link_or_copy(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.gate()?;
        RealFs.link_or_copy(from, to)
    }
    fn symlink(&self, target: &Path, link: &Path) -> io::Result<()> {
        self.gate()?;
        RealFs.symlink(target, link)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.gate()?;
        RealFs.rename(from, to)
    }
    fn remove_dir(&self, path: &Path) -> io::Result<()> {
        self.gate()?;
        RealFs.remove_dir(path)
    }
    fn remove_dir_all(&self, path: &Path) -> io::Result<()> {
        self.gate()?;
        RealFs.remove_dir_all(path)
    }
}

// ---------------------------------------------------------------------------------------------
// What DIR holds and what it should hold

/// DIR and its siblings.
struct Target {
    /// Absolute, symlinks resolved.
    dir: PathBuf,
    parent: PathBuf,
    tmp: PathBuf,
    old: PathBuf,
}

impl Target {
    /// `create_parent`: make DIR's parent (as `mkdir -p`) when it is missing.
    fn resolve(dir: &Path, create_parent: Option<&dyn Fs>) -> Result<Target, OutError> {
        let cwd = std::env::current_dir().map_err(io_err("read", Path::new(".")))?;
        let abs = cwd.join(dir);
        let dir = match std::fs::symlink_metadata(&abs) {
            Ok(_) => std::fs::canonicalize(&abs).map_err(io_err("resolve", &abs))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let name = abs.file_name().ok_or_else(|| not_a_dir(dir))?.to_owned();
                let parent = abs.parent().ok_or_else(|| not_a_dir(dir))?;
                if let (Some(fs), false) = (create_parent, parent.exists()) {
                    fs.create_dir_all(parent)
                        .map_err(io_err("create", parent))?;
                }
                match std::fs::canonicalize(parent) {
                    Ok(p) => p.join(name),
                    // --check on a DIR whose parent is missing: nothing there, no siblings.
                    Err(_) if create_parent.is_none() => abs.clone(),
                    Err(e) => return Err(io_err("resolve", parent)(e)),
                }
            }
            Err(e) => return Err(io_err("read", &abs)(e)),
        };
        if dir.exists() && !dir.is_dir() {
            return Err(OutError::Invalid(format!(
                "`{}` exists and is not a directory",
                dir.display()
            )));
        }
        let (parent, name) = match (dir.parent(), dir.file_name()) {
            (Some(p), Some(n)) => (p.to_path_buf(), n.to_owned()),
            _ => return Err(not_a_dir(&dir)),
        };
        let sibling = |suffix: &str| {
            let mut n: OsString = name.clone();
            n.push(suffix);
            parent.join(n)
        };
        Ok(Target {
            tmp: sibling(&format!(".gen-tmp-{}", std::process::id())),
            old: sibling(".gen-old"),
            dir,
            parent,
        })
    }

    fn tmp_prefix(&self) -> OsString {
        let mut n = self.dir.file_name().unwrap_or_default().to_owned();
        n.push(".gen-tmp-");
        n
    }
}

fn not_a_dir(dir: &Path) -> OutError {
    OutError::Invalid(format!(
        "`{}` cannot be an output directory (it needs a name and a parent to write beside it)",
        dir.display()
    ))
}

/// The files gen owns in DIR, from its manifest: only names gen could have written. Whether
/// each is still a regular file is checked where it matters (a directory or symlink at an owned
/// path is never gen's).
fn owned(dir: &Path) -> Result<BTreeSet<String>, OutError> {
    let path = dir.join(MANIFEST);
    let text = match std::fs::read(&path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(BTreeSet::new());
        }
        // A directory named .gen-owned, say: own nothing (and conflict when writing it).
        Err(_) if path.is_dir() => return Ok(BTreeSet::new()),
        Err(e) => return Err(io_err("read", &path)(e)),
    };
    Ok(text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| ownable(l))
        .map(str::to_string)
        .collect())
}

fn ownable(path: &str) -> bool {
    path.split('/').all(|c| check_component(c).is_ok())
        && path
            .rsplit('/')
            .next()
            .is_some_and(|n| n.ends_with(".yaml") || n == JAAS_FILE)
}

/// One file of the desired tree.
struct Want<'a> {
    path: Cow<'a, str>,
    bytes: Cow<'a, [u8]>,
    secret: bool,
    /// Holds the user's lines (a merged `.gitignore`): flushed, as the original goes.
    sync: bool,
}

/// What DIR should hold, against what it holds.
struct Desired<'a> {
    /// Planned files, then the manifest, then `.gitignore` when it has lines left.
    files: Vec<Want<'a>>,
    /// Owned files DIR holds that gen no longer renders.
    stale: Vec<String>,
    /// Planned paths taken by something gen did not write, with why.
    conflicts: Vec<(String, String)>,
    /// Unowned files already holding exactly gen's bytes.
    adopted: BTreeSet<String>,
    owned: BTreeSet<String>,
    /// `.gitignore` is a regular file that gen rewrites or removes (never carried as is).
    gitignore_replaced: bool,
    /// `.gitignore` exists and the merge left nothing of it.
    gitignore_removed: bool,
}

impl<'a> Desired<'a> {
    fn compute(dir: &Path, files: &'a [PlannedFile]) -> Result<Desired<'a>, OutError> {
        let owned = owned(dir)?;
        let mut d = Desired {
            files: Vec::with_capacity(files.len() + 2),
            stale: vec![],
            conflicts: vec![],
            adopted: BTreeSet::new(),
            owned,
            gitignore_replaced: false,
            gitignore_removed: false,
        };
        let mut checked_dirs: BTreeSet<&str> = BTreeSet::new();
        for f in files {
            // Every directory on the way must be a real directory (or missing).
            let mut end = 0;
            while let Some(i) = f.path[end..].find('/') {
                end += i;
                let prefix = &f.path[..end];
                if checked_dirs.insert(prefix) {
                    match std::fs::symlink_metadata(dir.join(prefix)) {
                        // A stale file of gen's where a directory goes now is simply dropped.
                        Ok(m) if m.file_type().is_file() && d.owned.contains(prefix) => {}
                        Ok(m) if !m.file_type().is_dir() => d.conflicts.push((
                            prefix.to_string(),
                            "exists and is not a directory".to_string(),
                        )),
                        _ => {}
                    }
                }
                end += 1;
            }
            d.check_free(dir, &f.path, Some(&f.bytes))?;
            d.files.push(Want {
                path: Cow::Borrowed(&f.path),
                bytes: Cow::Borrowed(&f.bytes),
                secret: f.secret,
                sync: false,
            });
        }
        let planned: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
        d.stale = d
            .owned
            .iter()
            .filter(|p| !planned.contains(p.as_str()))
            .filter(|p| std::fs::symlink_metadata(dir.join(p)).is_ok_and(|m| m.is_file()))
            .cloned()
            .collect();
        let manifest = manifest(files);
        d.check_free(dir, MANIFEST, None)?;
        d.files.push(Want {
            path: Cow::Borrowed(MANIFEST),
            bytes: Cow::Owned(manifest.into_bytes()),
            secret: false,
            sync: false,
        });
        let secrets: Vec<&str> = files
            .iter()
            .filter(|f| f.secret)
            .map(|f| f.path.as_str())
            .collect();
        let path = dir.join(GITIGNORE);
        let current = match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_file() => {
                Some(std::fs::read(&path).map_err(io_err("read", &path))?)
            }
            Ok(_) => {
                if !secrets.is_empty() {
                    d.conflicts.push((
                        GITIGNORE.to_string(),
                        "is not a regular file, so gen cannot list the credentials files in it"
                            .to_string(),
                    ));
                }
                None
            }
            Err(_) => None,
        };
        match merge_gitignore(current.as_deref(), &secrets) {
            // Unchanged: carried across like any file of the user's.
            Some(bytes) if current.as_deref() == Some(&bytes[..]) => {}
            Some(bytes) => {
                d.gitignore_replaced = current.is_some();
                d.files.push(Want {
                    path: Cow::Borrowed(GITIGNORE),
                    sync: current.is_some(),
                    bytes: Cow::Owned(bytes),
                    secret: false,
                });
            }
            None => {
                d.gitignore_replaced = current.is_some();
                d.gitignore_removed = current.is_some();
            }
        }
        Ok(d)
    }

    /// A planned path is free when missing, owned, or already holding exactly `bytes`.
    fn check_free(&mut self, dir: &Path, path: &str, bytes: Option<&[u8]>) -> Result<(), OutError> {
        let full = dir.join(path);
        let m = match std::fs::symlink_metadata(&full) {
            Ok(m) => m,
            Err(_) => return Ok(()),
        };
        if m.file_type().is_file() {
            if path == MANIFEST || self.owned.contains(path) {
                return Ok(());
            }
            if let Some(b) = bytes
                && std::fs::read(&full).map_err(io_err("read", &full))? == b
            {
                self.adopted.insert(path.to_string());
                return Ok(());
            }
            self.conflicts.push((
                path.to_string(),
                "exists and gen did not write it".to_string(),
            ));
        } else {
            let what = if m.file_type().is_dir() {
                "a directory"
            } else {
                "not a regular file"
            };
            self.conflicts
                .push((path.to_string(), format!("exists and is {what}")));
        }
        Ok(())
    }

    fn is_dir_prefix_of_owned(&self, rel: &str) -> bool {
        let prefix = format!("{rel}/");
        self.owned
            .range(prefix.clone()..)
            .next()
            .is_some_and(|p| p.starts_with(&prefix))
    }
}

fn manifest(files: &[PlannedFile]) -> String {
    let mut paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    paths.sort_unstable();
    let mut s = String::from(MANIFEST_HEADER);
    for p in paths {
        s.push_str(p);
        s.push('\n');
    }
    s
}

/// `.gitignore` with gen's block (listing `secrets`, anchored) replacing any earlier one; the
/// other lines are kept byte for byte. None: no file (gen's block was all it held).
fn merge_gitignore(current: Option<&[u8]>, secrets: &[&str]) -> Option<Vec<u8>> {
    let mut user: Vec<u8> = Vec::new();
    let mut had_block = false;
    if let Some(cur) = current {
        let mut inside = false;
        for line in cur.split_inclusive(|&b| b == b'\n') {
            let t = line.trim_ascii_end();
            if !inside && t == BLOCK_BEGIN.as_bytes() {
                inside = true;
                had_block = true;
            } else if inside {
                if t == BLOCK_END.as_bytes() {
                    inside = false;
                }
            } else {
                user.extend_from_slice(line);
            }
        }
    }
    if secrets.is_empty() {
        return match current {
            None => None,
            Some(_) if had_block && user.trim_ascii().is_empty() => None,
            Some(_) => Some(user),
        };
    }
    if !user.is_empty() && !user.ends_with(b"\n") {
        user.push(b'\n');
    }
    user.extend_from_slice(BLOCK_BEGIN.as_bytes());
    user.push(b'\n');
    for s in secrets {
        user.extend_from_slice(format!("/{s}\n").as_bytes());
    }
    user.extend_from_slice(BLOCK_END.as_bytes());
    user.push(b'\n');
    Some(user)
}

// ---------------------------------------------------------------------------------------------
// Write

/// Writes `files` into `dir` as described in the module documentation: every change goes
/// through `fs`, DIR is replaced in one swap, and on any error DIR is left as it was.
pub fn write(dir: &Path, files: &[PlannedFile], fs: &dyn Fs) -> Result<WriteReport, OutError> {
    validate(files)?;
    let t = Target::resolve(dir, Some(fs))?;
    if let Ok(cwd) = std::env::current_dir().and_then(std::fs::canonicalize)
        && cwd.starts_with(&t.dir)
    {
        return Err(OutError::Invalid(format!(
            "`{}` holds the current directory, which the swap would remove from under this shell: run gen from outside it",
            t.dir.display()
        )));
    }
    let mut report = WriteReport::default();
    recover(&t, fs, &mut report)?;
    let exists = t.dir.is_dir();
    let desired = Desired::compute(&t.dir, files)?;
    if !desired.conflicts.is_empty() {
        return Err(OutError::Conflict(
            desired
                .conflicts
                .iter()
                .map(|(p, why)| format!("{p}: {why}"))
                .collect(),
        ));
    }
    if std::fs::symlink_metadata(&t.tmp).is_ok() {
        // Named after this process, so left by a dead one that had the same id.
        fs.remove_dir_all(&t.tmp)
            .map_err(io_err("remove the stale", &t.tmp))?;
    }
    let mut b = Builder {
        fs,
        t: &t,
        desired: &desired,
        made: BTreeSet::new(),
        fixups: vec![],
        report: &mut report,
    };
    if let Err(e) = b.build(exists) {
        return Err(cleanup_after(e, &t, fs));
    }
    // The swap.
    if exists && let Err(e) = fs.rename(&t.dir, &t.old) {
        return Err(cleanup_after(io_err("move aside", &t.dir)(e), &t, fs));
    }
    if let Err(e) = fs.rename(&t.tmp, &t.dir) {
        let e = io_err("move into place", &t.tmp)(e);
        if exists && let Err(r) = fs.rename(&t.old, &t.dir) {
            return Err(OutError::RollbackFailed {
                error: Box::new(e),
                rollback: Box::new(io_err("restore", &t.old)(r)),
                old: t.old.clone(),
                dir: t.dir.clone(),
            });
        }
        return Err(cleanup_after(e, &t, fs));
    }
    if exists && let Err(e) = fs.remove_dir_all(&t.old) {
        report.notes.push(format!(
            "wrote `{}`, but could not remove the previous tree `{}` ({e}); the next run removes it",
            t.dir.display(),
            t.old.display()
        ));
    }
    report.removed = desired.stale.clone();
    if desired.gitignore_removed {
        report.removed.push(GITIGNORE.to_string());
    }
    Ok(report)
}

/// Removes the temporary tree after `e`; says so when that fails too.
fn cleanup_after(e: OutError, t: &Target, fs: &dyn Fs) -> OutError {
    if std::fs::symlink_metadata(&t.tmp).is_ok()
        && let Err(c) = fs.remove_dir_all(&t.tmp)
    {
        return OutError::Invalid(format!(
            "{e} (`{}` is unchanged; the unfinished `{}` could not be removed: {c})",
            t.dir.display(),
            t.tmp.display()
        ));
    }
    e
}

/// Repairs what an interrupted run left beside DIR (see the module documentation).
fn recover(t: &Target, fs: &dyn Fs, report: &mut WriteReport) -> Result<(), OutError> {
    if std::fs::symlink_metadata(&t.old).is_ok() {
        if std::fs::symlink_metadata(&t.dir).is_ok() {
            fs.remove_dir_all(&t.old)
                .map_err(io_err("remove the leftover", &t.old))?;
            report.notes.push(format!(
                "removed `{}`, left by an interrupted run",
                t.old.display()
            ));
        } else {
            fs.rename(&t.old, &t.dir)
                .map_err(io_err("restore", &t.old))?;
            report.notes.push(format!(
                "restored `{}` from `{}`, left by an interrupted run",
                t.dir.display(),
                t.old.display()
            ));
        }
    }
    // Temporary trees of processes that are gone (Linux: /proc tells; elsewhere keep them).
    if !Path::new("/proc/self").exists() {
        return Ok(());
    }
    let prefix = t.tmp_prefix();
    let Ok(entries) = std::fs::read_dir(&t.parent) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix.to_str()?))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let path = e.path();
            fs.remove_dir_all(&path)
                .map_err(io_err("remove the leftover", &path))?;
            report.notes.push(format!(
                "removed `{}`, left by an interrupted run",
                path.display()
            ));
        }
    }
    Ok(())
}

/// Trees of at least this many files are written on several threads.
const PARALLEL_WRITE_FROM: usize = 512;

/// Writes one planned file into the new tree at `tmp`.
fn write_want(fs: &dyn Fs, tmp: &Path, w: &Want) -> Result<(), OutError> {
    let to = tmp.join(w.path.as_ref());
    fs.create_file(&to, &w.bytes, w.secret.then_some(SECRET_MODE), w.sync)
        .map_err(io_err("write", &to))
}

/// Builds the new tree in `t.tmp`.
struct Builder<'a, 'b> {
    fs: &'a dyn Fs,
    t: &'a Target,
    desired: &'a Desired<'b>,
    /// Directories created in the new tree, relative.
    made: BTreeSet<String>,
    /// Directories created open to their owner, with the mode they get once filled.
    fixups: Vec<(PathBuf, u32)>,
    report: &'a mut WriteReport,
}

impl Builder<'_, '_> {
    fn build(&mut self, exists: bool) -> Result<(), OutError> {
        let root_mode = if exists { mode_of(&self.t.dir) } else { None };
        let tmp = self.t.tmp.clone();
        self.mkdir(&tmp, root_mode)?;
        let files = &self.desired.files;
        let concurrent = self
            .fs
            .concurrent()
            .filter(|_| files.len() >= PARALLEL_WRITE_FROM && crate::cores() > 1);
        match concurrent {
            // A fleet: every directory first, then the files on every core (creating files in
            // different directories scales on Linux filesystems; one thread leaves half the
            // machine idle).
            Some(fs) => {
                for w in files {
                    if let Some((parent, _)) = w.path.rsplit_once('/') {
                        self.make_dirs(parent)?;
                    }
                }
                let tmp = &self.t.tmp;
                crate::par_map(files, PARALLEL_WRITE_FROM, |_, w| write_want(fs, tmp, w))
                    .into_iter()
                    .collect::<Result<(), OutError>>()?;
                self.report.written += files.len();
            }
            None => {
                for w in files {
                    if let Some((parent, _)) = w.path.rsplit_once('/') {
                        self.make_dirs(parent)?;
                    }
                    write_want(self.fs, &self.t.tmp, w)?;
                    self.report.written += 1;
                }
            }
        }
        if exists {
            self.carry_mixed(Path::new(""))?;
        }
        // Deepest first: a directory without owner access is filled before it is closed.
        while let Some((path, mode)) = self.fixups.pop() {
            self.fs
                .set_mode(&path, mode)
                .map_err(io_err("set the mode of", &path))?;
        }
        Ok(())
    }

    /// Creates a directory of the new tree with `mode`, but open to its owner until the tree
    /// is complete.
    fn mkdir(&mut self, path: &Path, mode: Option<u32>) -> Result<(), OutError> {
        let open = mode.map(|m| m | 0o700);
        self.fs
            .create_dir(path, open)
            .map_err(io_err("create", path))?;
        if let Some(m) = mode
            && Some(m) != open
        {
            self.fixups.push((path.to_path_buf(), m));
        }
        Ok(())
    }

    fn make_dirs(&mut self, rel: &str) -> Result<(), OutError> {
        let mut end = 0;
        loop {
            let next = rel[end..].find('/').map(|i| end + i);
            let prefix = &rel[..next.unwrap_or(rel.len())];
            if !self.made.contains(prefix) {
                let to = self.t.tmp.join(prefix);
                self.mkdir(&to, mode_of(&self.t.dir.join(prefix)))?;
                self.made.insert(prefix.to_string());
            }
            match next {
                Some(i) => end = i + 1,
                None => return Ok(()),
            }
        }
    }

    /// Carries the unowned entries of a directory that holds (or held) gen's files.
    fn carry_mixed(&mut self, rel: &Path) -> Result<(), OutError> {
        let from_dir = self.t.dir.join(rel);
        for (name, ft) in sorted_entries(&from_dir)? {
            let r = rel.join(&name);
            let key = r.to_str().map(str::to_string);
            let key = key.as_deref();
            let at_root = rel.as_os_str().is_empty();
            if at_root
                && (key == Some(MANIFEST)
                    || (key == Some(GITIGNORE) && self.desired.gitignore_replaced))
            {
                continue;
            }
            if ft.is_file()
                && key.is_some_and(|k| {
                    self.desired.owned.contains(k) || self.desired.adopted.contains(k)
                })
            {
                continue;
            }
            if ft.is_dir()
                && let Some(k) = key
            {
                if self.made.contains(k) {
                    self.carry_mixed(&r)?;
                    continue;
                }
                if self.desired.is_dir_prefix_of_owned(k) {
                    let to = self.t.tmp.join(&r);
                    self.mkdir(&to, mode_of(&self.t.dir.join(&r)))?;
                    self.made.insert(k.to_string());
                    self.carry_mixed(&r)?;
                    if std::fs::read_dir(&to)
                        .map_err(io_err("read", &to))?
                        .next()
                        .is_none()
                    {
                        // It held only gen's files, all stale now.
                        self.fs.remove_dir(&to).map_err(io_err("remove", &to))?;
                        self.fixups.retain(|(p, _)| *p != to);
                    }
                    continue;
                }
            }
            self.carry(&r, ft)?;
            self.report.carried += 1;
        }
        Ok(())
    }

    /// Carries one entry gen does not own, whole.
    fn carry(&mut self, rel: &Path, ft: std::fs::FileType) -> Result<(), OutError> {
        let from = self.t.dir.join(rel);
        let to = self.t.tmp.join(rel);
        if ft.is_dir() {
            self.mkdir(&to, mode_of(&from))?;
            for (name, ft) in sorted_entries(&from)? {
                self.carry(&rel.join(name), ft)?;
            }
            Ok(())
        } else if ft.is_file() {
            self.fs
                .link_or_copy(&from, &to)
                .map_err(io_err("carry over", &from))
        } else if ft.is_symlink() {
            let target = std::fs::read_link(&from).map_err(io_err("read", &from))?;
            self.fs
                .symlink(&target, &to)
                .map_err(io_err("carry over", &from))
        } else {
            Err(OutError::Invalid(format!(
                "cannot carry `{}` across the swap: it is not a file, directory or symlink (move it out of the output directory)",
                from.display()
            )))
        }
    }
}

fn sorted_entries(dir: &Path) -> Result<Vec<(OsString, std::fs::FileType)>, OutError> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).map_err(io_err("read", dir))? {
        let e = e.map_err(io_err("read", dir))?;
        let ft = e.file_type().map_err(io_err("read", &e.path()))?;
        v.push((e.file_name(), ft));
    }
    v.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(v)
}

#[cfg(unix)]
fn mode_of(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .ok()
        .filter(|m| m.is_dir())
        .map(|m| m.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn mode_of(_: &Path) -> Option<u32> {
    None
}

#[cfg(unix)]
fn file_mode(m: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o777
}

#[cfg(not(unix))]
fn file_mode(_: &std::fs::Metadata) -> u32 {
    SECRET_MODE
}

// ---------------------------------------------------------------------------------------------
// Check

/// Compares `dir` with what [`write`] would make of `files`, writing nothing. None when equal;
/// otherwise a unified diff (`a/` = on disk, `b/` = what gen writes) with every secret redacted.
/// Files gen does not own are not compared.
pub fn check(dir: &Path, files: &[PlannedFile]) -> Result<Option<String>, OutError> {
    validate(files)?;
    let t = Target::resolve(dir, None)?;
    let exists = t.dir.is_dir();
    if !exists && std::fs::symlink_metadata(&t.old).is_ok() {
        return Err(OutError::Interrupted {
            dir: t.dir,
            old: t.old,
        });
    }
    let desired = Desired::compute(&t.dir, files)?;
    let mut out = String::new();
    // Every credential this check may come near: gen's, and what DIR holds now.
    let mut secrets: Vec<Cow<[u8]>> = files
        .iter()
        .filter(|f| f.secret)
        .map(|f| Cow::Borrowed(&f.bytes[..]))
        .collect();
    for (p, why) in &desired.conflicts {
        out.push_str(&format!("{p}: {why} (--out refuses to overwrite it)\n"));
    }
    let in_conflict: BTreeSet<&str> = desired.conflicts.iter().map(|c| c.0.as_str()).collect();
    for w in &desired.files {
        if in_conflict.contains(w.path.as_ref()) {
            continue;
        }
        let full = t.dir.join(w.path.as_ref());
        let meta = std::fs::symlink_metadata(&full).ok();
        let current = match &meta {
            Some(m) if m.is_file() => Some(std::fs::read(&full).map_err(io_err("read", &full))?),
            _ => None,
        };
        if w.secret {
            if let Some(c) = &current {
                secrets.push(Cow::Owned(c.clone()));
            }
            match &current {
                None => out.push_str(&format!("{}: missing (contents redacted)\n", w.path)),
                Some(c) if *c != *w.bytes => {
                    out.push_str(&format!("{}: contents differ (redacted)\n", w.path))
                }
                Some(_) => {}
            }
            if let Some(m) = &meta
                && file_mode(m) != SECRET_MODE
            {
                out.push_str(&format!(
                    "{}: mode {:04o}, gen writes {SECRET_MODE:04o}\n",
                    w.path,
                    file_mode(m)
                ));
            }
            continue;
        }
        if current.as_deref() != Some(w.bytes.as_ref()) {
            out.push_str(&file_diff(&w.path, current.as_deref(), Some(&w.bytes)));
        }
    }
    let mut gone: Vec<(&str, bool)> = desired
        .stale
        .iter()
        .map(|p| (p.as_str(), p.rsplit('/').next() == Some(JAAS_FILE)))
        .collect();
    if desired.gitignore_removed {
        gone.push((GITIGNORE, false));
    }
    for (p, secret) in gone {
        if secret {
            if let Ok(c) = std::fs::read(t.dir.join(p)) {
                secrets.push(Cow::Owned(c));
            }
            out.push_str(&format!("{p}: would be removed (contents redacted)\n"));
            continue;
        }
        let full = t.dir.join(p);
        let current = std::fs::read(&full).map_err(io_err("read", &full))?;
        out.push_str(&file_diff(p, Some(&current), None));
    }
    if out.is_empty() {
        return Ok(None);
    }
    // What the drift would do if applied (`gen diff`'s plan, fields left to the diff above).
    out.push_str(&crate::diff::check_summary(&t.dir, files));
    Ok(Some(scrub(out, &secrets)))
}

/// A unified diff of one file; a file holding a Secret object is only named.
fn file_diff(path: &str, old: Option<&[u8]>, new: Option<&[u8]>) -> String {
    let old_text = old.map(String::from_utf8_lossy).unwrap_or_default();
    let new_text = new.map(String::from_utf8_lossy).unwrap_or_default();
    let holds_secret = |t: &str| t.lines().any(|l| l.trim() == "kind: Secret");
    if holds_secret(&old_text) || holds_secret(&new_text) {
        let what = match (old, new) {
            (None, _) => "missing",
            (_, None) => "would be removed",
            _ => "contents differ",
        };
        return format!("{path}: {what} (redacted: holds a Secret)\n");
    }
    let a = if old.is_some() {
        format!("a/{path}")
    } else {
        "/dev/null".to_string()
    };
    let b = if new.is_some() {
        format!("b/{path}")
    } else {
        "/dev/null".to_string()
    };
    let diff = TextDiff::from_lines(old_text.as_ref(), new_text.as_ref());
    let mut s = format!("--- {a}\n+++ {b}\n");
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        s.push_str(&format!("{}\n", hunk.header()));
        for change in hunk.iter_changes() {
            let sign = match change.tag() {
                ChangeTag::Equal => ' ',
                ChangeTag::Delete => '-',
                ChangeTag::Insert => '+',
            };
            let line = change.as_str().unwrap_or_default();
            let body = line.strip_suffix('\n').unwrap_or(line);
            s.push(sign);
            s.push_str(&redact_line(body));
            s.push('\n');
            if !line.ends_with('\n') {
                s.push_str("\\ No newline at end of file\n");
            }
        }
    }
    s
}

/// Masks the value of a `checksum/jaas` annotation (a hash of the credentials).
fn redact_line(line: &str) -> Cow<'_, str> {
    match line.find("checksum/jaas:") {
        Some(i) => Cow::Owned(format!(
            "{}checksum/jaas: (redacted; it changes with the JAAS file)",
            &line[..i]
        )),
        None => Cow::Borrowed(line),
    }
}

/// Last line of defence: no JAAS line and no base64 of a JAAS file leaves in a diff.
fn scrub(mut out: String, secrets: &[Cow<[u8]>]) -> String {
    for bytes in secrets {
        let mut needles = vec![base64::engine::general_purpose::STANDARD.encode(bytes)];
        let text = String::from_utf8_lossy(bytes);
        needles.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| l.len() >= 8)
                .map(str::to_string),
        );
        for n in needles {
            if !n.is_empty() && out.contains(&n) {
                out = out.replace(&n, "(redacted)");
            }
        }
    }
    out
}
