//! Kustomization directories: recognising one, and building it with the user's kustomize.
//!
//! gen never reads a kustomization's files as objects (its patches are not objects): it runs the
//! build the user would run (`kubectl kustomize DIR` by default), with kustomize's own defaults
//! (no plugins, no helm unless the command line asks for them), under a timeout, and reads what
//! it prints. Every way that can go wrong is an error: no kustomize, a failed build, a build that
//! outlives the timeout, output past the input limit. Nothing falls back to the raw files.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The build command gen runs unless told otherwise.
pub const DEFAULT_COMMAND: &str = "kubectl kustomize";
/// Seconds a build may take unless told otherwise.
pub const DEFAULT_TIMEOUT_SECS: u64 = 60;
/// The names kustomize accepts for a kustomization file, in the order it looks for them.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file of `dir`, if `dir` is a kustomization directory.
pub fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
}

/// A kustomize command line and the limits its builds run under.
#[derive(Clone, Debug)]
pub struct Kustomize {
    argv: Vec<String>,
    timeout: Duration,
    max_bytes: u64,
}

/// Why a build produced no manifests.
#[derive(Debug)]
pub enum BuildError {
    /// The command line is empty.
    EmptyCommand,
    /// The program is not on PATH (or not executable).
    NotFound { command: String },
    /// The program could not be started for another reason.
    Spawn { command: String, error: String },
    /// The build ran and failed: kustomize's own message.
    Failed {
        command: String,
        status: String,
        stderr: String,
    },
    /// The build outlived the timeout and was killed.
    TimedOut { command: String, secs: u64 },
    /// The build printed more than the input limit.
    TooLarge { command: String, max_bytes: u64 },
    /// The build printed something that is not UTF-8.
    NotUtf8 { command: String },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::EmptyCommand => f.write_str(
                "the kustomize command line is empty: give e.g. `kubectl kustomize` or `kustomize build`",
            ),
            BuildError::NotFound { command } => write!(
                f,
                "`{command}` was not found: install kubectl (or kustomize and pass --kustomize-command \"kustomize build\"); gen never reads a kustomization's files raw"
            ),
            BuildError::Spawn { command, error } => write!(f, "cannot run `{command}`: {error}"),
            BuildError::Failed {
                command,
                status,
                stderr,
            } => {
                write!(f, "`{command}` failed ({status})")?;
                let stderr = stderr.trim();
                if !stderr.is_empty() {
                    write!(f, ":\n{stderr}")?;
                }
                Ok(())
            }
            BuildError::TimedOut { command, secs } => write!(
                f,
                "`{command}` did not finish within {secs} s and was stopped (--kustomize-timeout raises the limit)"
            ),
            BuildError::TooLarge { command, max_bytes } => write!(
                f,
                "`{command}` printed more than {max_bytes} bytes (--max-input-bytes raises the limit)"
            ),
            BuildError::NotUtf8 { command } => write!(f, "`{command}` printed bytes that are not UTF-8"),
        }
    }
}

impl std::error::Error for BuildError {}

/// kustomize's stderr is kept up to this many bytes: its message, not a flood.
const MAX_STDERR: u64 = 64 * 1024;

impl Kustomize {
    /// `command_line` is split on whitespace (`kubectl kustomize`, `kustomize build`,
    /// `kubectl kustomize --enable-alpha-plugins`); the directory is appended to it.
    pub fn new(
        command_line: &str,
        timeout: Duration,
        max_bytes: u64,
    ) -> Result<Kustomize, BuildError> {
        let argv: Vec<String> = command_line.split_whitespace().map(str::to_owned).collect();
        if argv.is_empty() {
            return Err(BuildError::EmptyCommand);
        }
        Ok(Kustomize {
            argv,
            timeout,
            max_bytes,
        })
    }

    /// `kubectl kustomize`, 60 s, with this input limit.
    pub fn default_with_limit(max_bytes: u64) -> Kustomize {
        Kustomize::new(
            DEFAULT_COMMAND,
            Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            max_bytes,
        )
        .expect("the default command line is not empty")
    }

    /// The command line as the user would type it for `dir`.
    pub fn command_for(&self, dir: &Path) -> String {
        format!("{} {}", self.argv.join(" "), dir.display())
    }

    /// Builds `dir` and returns the manifests kustomize printed (possibly none: the caller
    /// decides whether an empty build is an error).
    pub fn build(&self, dir: &Path) -> Result<String, BuildError> {
        let command = self.command_for(dir);
        let mut child = Command::new(&self.argv[0])
            .args(&self.argv[1..])
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                    BuildError::NotFound {
                        command: self.argv[0].clone(),
                    }
                }
                _ => BuildError::Spawn {
                    command: command.clone(),
                    error: e.to_string(),
                },
            })?;
        let stdout = read_limited(child.stdout.take(), self.max_bytes + 1);
        let stderr = read_limited(child.stderr.take(), MAX_STDERR);
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    // The readers are left to finish on their own: a plugin the build started
                    // may still hold the pipes open.
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(BuildError::TimedOut {
                        command,
                        secs: self.timeout.as_secs(),
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => {
                    return Err(BuildError::Spawn {
                        command,
                        error: e.to_string(),
                    });
                }
            }
        };
        let stdout = stdout.join().unwrap_or_default();
        let stderr = stderr.join().unwrap_or_default();
        if !status.success() {
            return Err(BuildError::Failed {
                command,
                status: status.to_string(),
                stderr: String::from_utf8_lossy(&stderr).into_owned(),
            });
        }
        if stdout.len() as u64 > self.max_bytes {
            return Err(BuildError::TooLarge {
                command,
                max_bytes: self.max_bytes,
            });
        }
        String::from_utf8(stdout).map_err(|_| BuildError::NotUtf8 { command })
    }
}

/// Reads a pipe on its own thread, keeping at most `limit` bytes (the rest is drained so the
/// child never blocks on a full pipe).
fn read_limited<R: Read + Send + 'static>(
    pipe: Option<R>,
    limit: u64,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = (&mut pipe).take(limit).read_to_end(&mut kept);
            let _ = std::io::copy(&mut pipe, &mut std::io::sink());
        }
        kept
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Kustomize {
        // `sh -c SCRIPT DIR`: the directory lands in $0, which the scripts ignore.
        Kustomize {
            argv: vec!["sh".into(), "-c".into(), script.into()],
            timeout: Duration::from_secs(5),
            max_bytes: 1024,
        }
    }

    #[test]
    fn an_empty_command_line_is_refused() {
        let e = Kustomize::new("  ", Duration::from_secs(1), 10).unwrap_err();
        assert!(matches!(e, BuildError::EmptyCommand));
    }

    #[test]
    fn a_missing_program_says_so() {
        let k = Kustomize::new("gen-no-such-kustomize build", Duration::from_secs(1), 10).unwrap();
        let e = k.build(Path::new(".")).unwrap_err();
        assert!(matches!(e, BuildError::NotFound { .. }), "{e:?}");
        assert!(e.to_string().contains("gen-no-such-kustomize"), "{e}");
    }

    #[test]
    fn a_failed_build_carries_kustomizes_message() {
        let e = sh("echo 'accumulating resources: boom' >&2; exit 1")
            .build(Path::new("."))
            .unwrap_err();
        let text = e.to_string();
        assert!(text.contains("accumulating resources: boom"), "{text}");
        assert!(text.contains("exit status: 1"), "{text}");
    }

    #[test]
    fn a_slow_build_is_stopped() {
        let mut k = sh("sleep 5");
        k.timeout = Duration::from_millis(100);
        let e = k.build(Path::new(".")).unwrap_err();
        assert!(matches!(e, BuildError::TimedOut { .. }), "{e:?}");
    }

    #[test]
    fn output_past_the_limit_is_refused() {
        let e = sh("head -c 2000 /dev/zero | tr '\\0' a")
            .build(Path::new("."))
            .unwrap_err();
        assert!(matches!(e, BuildError::TooLarge { .. }), "{e:?}");
    }

    #[test]
    fn a_good_build_returns_its_stdout() {
        let out = sh("printf 'kind: ConfigMap\\n'")
            .build(Path::new("."))
            .unwrap();
        assert_eq!(out, "kind: ConfigMap\n");
    }

    #[test]
    fn kustomization_files_are_found_by_any_of_their_names() {
        let dir = std::env::temp_dir().join(format!("gen-kfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(kustomization_file(&dir), None);
        std::fs::write(dir.join("Kustomization"), "resources: []\n").unwrap();
        assert_eq!(kustomization_file(&dir), Some(dir.join("Kustomization")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
