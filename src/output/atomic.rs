//! Files written in full or not at all: each output goes to a temporary file
//! in the same directory and is renamed over the target only when the run
//! succeeds. A fatal error or a kill leaves nothing at the output path; a
//! fatal error, SIGINT or SIGTERM leaves no temporary file either
//! ([`remove_partials_on_signal`]; SIGKILL cannot be caught, so its
//! `.NAME.*.partial` files stay beside the outputs).

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The temporary files of the outputs being written. A commit holds the
/// lock while it renames, so a signal sees every file either still
/// temporary (and removes it) or already in place.
static PARTIALS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn partials() -> MutexGuard<'static, Vec<PathBuf>> {
    PARTIALS.lock().unwrap_or_else(|e| e.into_inner())
}

/// The scratch directories in use ([`ScratchDir`]), removed with their
/// contents on SIGINT or SIGTERM.
static SCRATCH: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn scratch() -> MutexGuard<'static, Vec<PathBuf>> {
    SCRATCH.lock().unwrap_or_else(|e| e.into_inner())
}

/// On SIGINT or SIGTERM: removes every temporary output file and exits with
/// 128 + the signal (130, 143), as a shell reports a process the signal
/// stopped. Called once by the binary.
pub fn remove_partials_on_signal() -> io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        if let Some(sig) = signals.forever().next() {
            let held = partials();
            for p in held.iter() {
                let _ = std::fs::remove_file(p);
            }
            for d in scratch().iter() {
                let _ = std::fs::remove_dir_all(d);
            }
            eprintln!("deficiency: stopped by signal {sig}; temporary output files removed");
            std::process::exit(128 + sig);
        }
    })?;
    Ok(())
}

/// An output file being written.
pub struct AtomicFile {
    path: PathBuf,
    tmp: Option<tempfile::NamedTempFile>,
}

impl AtomicFile {
    /// Creates a temporary file beside `path` (creating missing directories).
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        let path = &follow_links(path)?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if path.is_dir() {
            return Err(io::Error::other("is a directory"));
        }
        if dir.symlink_metadata().is_ok_and(|m| m.is_symlink()) && !dir.exists() {
            let to = std::fs::read_link(&dir).map(|t| t.display().to_string()).unwrap_or_default();
            return Err(io::Error::other(format!(
                "its directory {} is a symbolic link to {to}, which does not exist",
                dir.display()
            )));
        }
        std::fs::create_dir_all(&dir)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut held = partials();
        let tmp = tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".partial").tempfile_in(&dir)?;
        held.push(tmp.path().to_path_buf());
        Ok(AtomicFile { path: path.to_path_buf(), tmp: Some(tmp) })
    }

    /// A buffered writer to the temporary file.
    pub fn writer(&mut self) -> io::Result<BufWriter<std::fs::File>> {
        let f = self.tmp.as_ref().ok_or_else(|| io::Error::other("already committed"))?.as_file().try_clone()?;
        Ok(BufWriter::with_capacity(1 << 20, f))
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the finished file into place.
    pub fn commit(mut self) -> io::Result<()> {
        let tmp = self.tmp.take().ok_or_else(|| io::Error::other("already committed"))?;
        tmp.as_file().sync_all()?;
        let mut held = partials();
        held.retain(|p| p != tmp.path());
        #[cfg(unix)]
        {
            // temp files are created 0600; results are ordinary files.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))?;
        }
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// The file a path names: a symbolic link is followed (so the output
/// replaces what it points to, not the link), a link to a missing place is
/// an error that says so.
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.is_symlink() => {
                let to = std::fs::read_link(&p)?;
                let next = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(&to),
                    _ => to.clone(),
                };
                if !next.parent().is_none_or(|d| d.as_os_str().is_empty() || d.is_dir()) {
                    return Err(io::Error::other(format!(
                        "is a symbolic link to {}, whose directory does not exist",
                        to.display()
                    )));
                }
                p = next;
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other("is a symbolic link in a loop"))
}

impl Drop for AtomicFile {
    /// Not committed: the temporary file is removed (by `tempfile`).
    fn drop(&mut self) {
        if let Some(tmp) = &self.tmp {
            partials().retain(|p| p != tmp.path());
        }
    }
}

/// A temporary directory for a command's working files (`deficiency diff`'s
/// partitions), in the system's temporary directory (`TMPDIR`). Removed with
/// its contents when dropped, and on SIGINT or SIGTERM.
pub struct ScratchDir {
    dir: tempfile::TempDir,
}

impl ScratchDir {
    pub fn new(prefix: &str) -> io::Result<ScratchDir> {
        let mut held = scratch();
        let dir = tempfile::Builder::new().prefix(prefix).tempdir()?;
        held.push(dir.path().to_path_buf());
        Ok(ScratchDir { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for ScratchDir {
    /// The directory itself is removed by `tempfile`.
    fn drop(&mut self) {
        scratch().retain(|p| p != self.dir.path());
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_all(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    {
        let mut w = f.writer()?;
        w.write_all(bytes)?;
        w.flush()?;
    }
    f.commit()
}
