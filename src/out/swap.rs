//! What DIR holds and what it should hold, and the directory swap that writes it.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use super::plan::{check_component, validate};
use super::{
    Fs, GITIGNORE, JAAS_FILE, MANIFEST, OutError, PlannedFile, SECRET_MODE, WriteReport, io_err,
};

const BLOCK_BEGIN: &str =
    "# BEGIN gen: credentials for kustomize's secretGenerator; never commit them";
const BLOCK_END: &str = "# END gen";
const MANIFEST_HEADER: &str = "# Written by `gen render --out`: the files gen owns in this directory. Each run replaces\n# or removes them and leaves every other file alone. Commit this file; do not edit it.\n";

/// DIR and its siblings.
pub(super) struct Target {
    /// Absolute, symlinks resolved.
    pub(super) dir: PathBuf,
    parent: PathBuf,
    tmp: PathBuf,
    pub(super) old: PathBuf,
}

impl Target {
    /// `create_parent`: make DIR's parent (as `mkdir -p`) when it is missing.
    pub(super) fn resolve(dir: &Path, create_parent: Option<&dyn Fs>) -> Result<Target, OutError> {
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
pub(super) struct DesiredFile<'a> {
    pub(super) path: Cow<'a, str>,
    pub(super) bytes: Cow<'a, [u8]>,
    pub(super) secret: bool,
    /// Holds the user's lines (a merged `.gitignore`): flushed, as the original goes.
    pub(super) sync: bool,
}

/// What DIR should hold, against what it holds.
pub(super) struct Desired<'a> {
    /// Planned files, then the manifest, then `.gitignore` when it has lines left.
    pub(super) files: Vec<DesiredFile<'a>>,
    /// Owned files DIR holds that gen no longer renders.
    pub(super) stale: Vec<String>,
    /// Planned paths taken by something gen did not write, with why.
    pub(super) conflicts: Vec<(String, String)>,
    /// Unowned files already holding exactly gen's bytes.
    pub(super) adopted: BTreeSet<String>,
    pub(super) owned: BTreeSet<String>,
    /// `.gitignore` is a regular file that gen rewrites or removes (never carried as is).
    pub(super) gitignore_replaced: bool,
    /// `.gitignore` exists and the merge left nothing of it.
    pub(super) gitignore_removed: bool,
}

impl<'a> Desired<'a> {
    pub(super) fn compute(dir: &Path, files: &'a [PlannedFile]) -> Result<Desired<'a>, OutError> {
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
            d.files.push(DesiredFile {
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
        d.files.push(DesiredFile {
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
                d.files.push(DesiredFile {
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
fn write_want(fs: &dyn Fs, tmp: &Path, w: &DesiredFile) -> Result<(), OutError> {
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
pub(super) fn file_mode(m: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o777
}

#[cfg(not(unix))]
pub(super) fn file_mode(_: &std::fs::Metadata) -> u32 {
    SECRET_MODE
}
