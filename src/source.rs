//! Reading input: a file, a pipe or stdin, bounded in size, as UTF-8 text with the BOM and
//! CRLF line endings normalised away (so such a file renders byte-identical output).

use std::io::Read;
use std::path::{Path, PathBuf};

/// Default cap on one input: far above any real spec or bundle, far below what could hurt.
pub const DEFAULT_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// One input's text and how to name it in messages.
#[derive(Clone, Debug)]
pub struct Source {
    /// `<stdin>` or the path as given.
    pub name: String,
    /// The file's path; None for stdin.
    pub path: Option<PathBuf>,
    pub text: String,
}

/// Why an input could not be read. Never holds any of the input's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub name: String,
    pub message: String,
    /// Line and column of the first invalid byte, for encoding errors.
    pub at: Option<(usize, usize)>,
}

impl Source {
    /// Where relative paths in this input start: its directory, or the working directory.
    pub fn base_dir(&self) -> PathBuf {
        match self.path.as_deref().and_then(Path::parent) {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

/// Reads `arg` (`-` for stdin). Pipes and process substitutions (`<(sops -d spec.yaml)`) are
/// read like files, within `max` bytes.
pub fn read(arg: &str, max: u64) -> Result<Source, InputError> {
    if arg == "-" {
        let stdin = std::io::stdin();
        let text = read_limited(stdin.lock(), "<stdin>", max)?;
        return Ok(Source {
            name: "<stdin>".to_string(),
            path: None,
            text,
        });
    }
    let fail = |message: String| InputError {
        name: arg.to_string(),
        message,
        at: None,
    };
    let meta = std::fs::metadata(arg).map_err(|e| fail(describe_io(&e)))?;
    if meta.is_dir() {
        return Err(fail("is a directory; give a spec file".to_string()));
    }
    let file = std::fs::File::open(arg).map_err(|e| fail(describe_io(&e)))?;
    let text = read_limited(file, arg, max)?;
    Ok(Source {
        name: arg.to_string(),
        path: Some(PathBuf::from(arg)),
        text,
    })
}

/// Reads at most `max` bytes (one more tells it was too big) and decodes them.
pub fn read_limited(r: impl Read, name: &str, max: u64) -> Result<String, InputError> {
    let mut bytes = Vec::new();
    r.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| InputError {
            name: name.to_string(),
            message: describe_io(&e),
            at: None,
        })?;
    if bytes.len() as u64 > max {
        return Err(InputError {
            name: name.to_string(),
            message: format!(
                "is larger than the input limit of {max} bytes (raise it with --max-input-bytes)"
            ),
            at: None,
        });
    }
    decode(bytes, name)
}

/// UTF-8 without a BOM, with `\n` line endings. A lone `\r` is a line break to YAML, so it
/// becomes `\n` too: otherwise the parser's line numbers and the lines gen shows and splits
/// documents on would disagree.
pub fn decode(bytes: Vec<u8>, name: &str) -> Result<String, InputError> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
        let last_line = good.rsplit(|b| *b == b'\n').next().unwrap_or(good);
        let column = String::from_utf8_lossy(last_line).chars().count() + 1;
        InputError {
            name: name.to_string(),
            message: "is not UTF-8 text".to_string(),
            at: Some((line, column)),
        }
    })?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    Ok(if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    })
}

fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "is a directory; give a spec file".to_string(),
        _ => format!("cannot be read: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_and_crlf_are_normalised() {
        let t = decode(b"\xef\xbb\xbfa: 1\r\nb: 2\r\n".to_vec(), "x").unwrap();
        assert_eq!(t, "a: 1\nb: 2\n");
    }

    #[test]
    fn invalid_utf8_names_its_position() {
        let e = decode(b"a: 1\nb: \xff\n".to_vec(), "x").unwrap_err();
        assert_eq!(e.at, Some((2, 4)));
    }

    #[test]
    fn size_limit_is_enforced_without_reading_everything() {
        let e = read_limited(std::io::repeat(0).take(u64::MAX), "zero", 1024).unwrap_err();
        assert!(
            e.message
                .contains("larger than the input limit of 1024 bytes")
        );
        assert_eq!(read_limited(&b"ok"[..], "x", 2).unwrap(), "ok");
    }
}
