//! `--check`: the diff between DIR and what gen would write, with every secret redacted.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::Path;

use base64::Engine;
use similar::{ChangeTag, TextDiff};

use super::plan::validate;
use super::swap::{Desired, Target, file_mode};
use super::{GITIGNORE, JAAS_FILE, OutError, PlannedFile, SECRET_MODE, io_err};

/// Compares `dir` with what [`write`] would make of `files`, writing nothing. None when equal;
/// otherwise a unified diff (`a/` = on disk, `b/` = what gen writes), then what `effects` says
/// applying `files` over the directory would do (`gen render --check` passes `gen diff`'s
/// summary, [`crate::diff::check_summary`]: the writer does not depend on the differ), all
/// with every secret redacted. Files gen does not own are not compared.
pub fn check(
    dir: &Path,
    files: &[PlannedFile],
    effects: impl FnOnce(&Path, &[PlannedFile]) -> String,
) -> Result<Option<String>, OutError> {
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
    out.push_str(&effects(&t.dir, files));
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
