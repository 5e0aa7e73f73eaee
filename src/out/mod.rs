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

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::model::JaasSecret;
use crate::render::Document;

mod check;
#[cfg(feature = "test-support")]
mod faulty;
mod fs;
mod plan;
mod swap;

pub use check::check;
#[cfg(feature = "test-support")]
pub use faulty::FaultyFs;
pub use fs::{Fs, RealFs};
pub use plan::{BundleFiles, plan, plan_all, plan_bundle};
pub use swap::write;

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

pub(super) fn io_err<'p>(
    action: &'static str,
    path: &'p Path,
) -> impl FnOnce(io::Error) -> OutError + 'p {
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
