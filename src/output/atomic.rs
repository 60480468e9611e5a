//! Files written in full or not at all: each output goes to a temporary file
//! in the same directory and is renamed over the target only when the run
//! succeeds. A fatal error or a kill leaves nothing at the output path.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// An output file being written.
pub struct AtomicFile {
    path: PathBuf,
    tmp: Option<tempfile::NamedTempFile>,
}

impl AtomicFile {
    /// Creates a temporary file beside `path` (creating missing directories).
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if path.is_dir() {
            return Err(io::Error::other("is a directory"));
        }
        std::fs::create_dir_all(&dir)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".partial").tempfile_in(&dir)?;
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
