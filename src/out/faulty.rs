//! A fault-injecting [`Fs`] for tests; built only with the `test-support` feature, so it is
//! not in the release binary.

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Fs, RealFs};

/// For tests: the real filesystem, except that the `fail_at`-th change (counting from 1) fails.
/// `crash` makes every later change fail too, as if the process had died there (no cleanup,
/// no rollback reach the disk).
#[derive(Debug)]
pub struct FaultyFs {
    pub fail_at: usize,
    pub crash: bool,
    /// Count file creations only, across threads, and let changes run on several threads at
    /// once as the real filesystem does.
    files_only: bool,
    calls: AtomicUsize,
}

impl FaultyFs {
    /// Fails the `fail_at`-th change only.
    pub fn new(fail_at: usize) -> FaultyFs {
        FaultyFs {
            fail_at,
            crash: false,
            files_only: false,
            calls: AtomicUsize::new(0),
        }
    }

    /// Fails the `fail_at`-th change and every one after it.
    pub fn crash_at(fail_at: usize) -> FaultyFs {
        FaultyFs {
            crash: true,
            ..FaultyFs::new(fail_at)
        }
    }

    /// Fails the `fail_at`-th file created only (counting across threads); every other change
    /// passes, and changes may run concurrently, as on the real filesystem.
    pub fn file_at(fail_at: usize) -> FaultyFs {
        FaultyFs {
            files_only: true,
            ..FaultyFs::new(fail_at)
        }
    }

    /// Changes counted so far (file creations only, for [`FaultyFs::file_at`]). Below
    /// `fail_at` after a run: the fault was never reached.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// Counts one change (`file`: a file creation) and fails it if it is the chosen one.
    fn gate(&self, file: bool) -> io::Result<()> {
        if self.files_only && !file {
            return Ok(());
        }
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if n == self.fail_at || (self.crash && n > self.fail_at) {
            Err(io::Error::other(format!("injected failure (change #{n})")))
        } else {
            Ok(())
        }
    }
}

/// Each change of [`Fs`]: through the gate, then to the real filesystem.
macro_rules! gated {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            fn $name(&self, $($arg: $ty),*) -> io::Result<()> {
                self.gate(stringify!($name) == "create_file")?;
                RealFs.$name($($arg),*)
            }
        )*
    };
}

impl Fs for FaultyFs {
    fn concurrent(&self) -> Option<&(dyn Fs + Sync)> {
        if self.files_only { Some(self) } else { None }
    }

    gated! {
        create_dir_all(path: &Path);
        create_dir(path: &Path, mode: Option<u32>);
        create_file(path: &Path, bytes: &[u8], mode: Option<u32>, sync: bool);
        link_or_copy(from: &Path, to: &Path);
        set_mode(path: &Path, mode: u32);
        symlink(target: &Path, link: &Path);
        rename(from: &Path, to: &Path);
        remove_dir(path: &Path);
        remove_dir_all(path: &Path);
    }
}
