//! The fleet progress bar of `gen render --out`.

/// A progress bar on stderr (only made when stderr is a terminal), redrawn in place and
/// cleared when dropped, so what follows starts on a clean line.
pub(super) struct Progress {
    total: usize,
    shown: String,
}

impl Progress {
    const WIDTH: usize = 30;

    pub(super) fn new(total: usize) -> Progress {
        Progress {
            total,
            shown: String::new(),
        }
    }

    pub(super) fn update(&mut self, done: usize) {
        // At most about a hundred redraws, whatever the fleet's size.
        if !done.is_multiple_of(self.total.div_ceil(100).max(1)) && done != self.total && done != 1
        {
            return;
        }
        let filled = Self::WIDTH * done / self.total.max(1);
        let line = format!(
            "[{}{}] {done}/{} specs",
            "#".repeat(filled),
            " ".repeat(Self::WIDTH - filled),
            self.total
        );
        eprint!("\r{line}");
        self.shown = line;
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if !self.shown.is_empty() {
            // Erase the bar's line.
            eprint!("\r\x1b[2K");
        }
    }
}
