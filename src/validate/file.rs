//! Reading a file a spec names (`jaas.file`) so that what gen checked is what it reads: the
//! path is resolved and checked once, the file opened once, and the opened file checked
//! against the resolved path (device and inode, and on Linux the path the kernel opened), so
//! swapping in a symlink between the check and the read cannot make gen read another file.

use std::io::Read;
use std::path::Path;

/// The bytes of `path` (at most `limit`), refusing a file outside `base` when `inside`.
/// Errors are phrased to follow the file's name and never hold its contents.
pub fn read_inside(path: &Path, base: &Path, inside: bool, limit: u64) -> Result<Vec<u8>, String> {
    let real =
        std::fs::canonicalize(path).map_err(|e| format!("cannot be read: {}", reason(&e)))?;
    if inside {
        let base =
            std::fs::canonicalize(base).map_err(|e| format!("cannot be read: {}", reason(&e)))?;
        if !real.starts_with(&base) {
            return Err("resolves outside the spec's directory (a symlink?); pass --allow-outside-files if you mean it".to_string());
        }
    }
    let file = std::fs::File::open(&real).map_err(|e| format!("cannot be read: {}", reason(&e)))?;
    let opened = file
        .metadata()
        .map_err(|e| format!("cannot be read: {}", reason(&e)))?;
    if !opened.is_file() {
        return Err("is not a regular file".to_string());
    }
    if !same_file(&file, &opened, &real) {
        return Err("changed while gen read it (replaced by a symlink or moved?); nothing was read from it, run gen again".to_string());
    }
    if opened.len() > limit {
        return Err(format!(
            "is {} bytes; a JAAS file is a few hundred (at most {limit})",
            opened.len()
        ));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read: {}", reason(&e)))?;
    if bytes.len() as u64 > limit {
        return Err(format!("grew past {limit} bytes while gen read it"));
    }
    Ok(bytes)
}

/// Whether the opened file is the one at `real` now, reached without a symlink: the path's own
/// entry (not followed) has the opened file's device and inode, and where the kernel can say
/// which path it opened (`/proc/self/fd`), that path is `real`.
#[cfg(unix)]
fn same_file(file: &std::fs::File, opened: &std::fs::Metadata, real: &Path) -> bool {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;
    let Ok(entry) = std::fs::symlink_metadata(real) else {
        return false;
    };
    if !entry.is_file() || entry.dev() != opened.dev() || entry.ino() != opened.ino() {
        return false;
    }
    match std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())) {
        Ok(p) => p == real,
        // No /proc (another Unix): the device and inode check stands alone.
        Err(_) => true,
    }
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::File, _: &std::fs::Metadata, _: &Path) -> bool {
    true
}

fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.kind().to_string(),
    }
}
