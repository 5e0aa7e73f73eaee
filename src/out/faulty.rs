//! A fault-injecting [`Fs`] for tests; built only with the `test-support` feature, so it is
//! not in the release binary.

use std::cell::Cell;
use std::io;
use std::path::Path;

use super::{Fs, RealFs};

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
