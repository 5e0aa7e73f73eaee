//! The filesystem writes go through: the [`Fs`] trait and the real filesystem.

use std::io;
use std::path::Path;

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
    /// one, not a fault injector that counts every change in order.
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
