//! Bounded reads of regular files: every file the tool reads goes through here, so a
//! device (`/dev/zero`), a FIFO or a runaway file is refused at once instead of being
//! read forever or into all memory.

// This is the module the rest of the code reads through (clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The largest JSON document read (a report's summary, a price cache entry, a diff
/// input): far above what the tool writes.
pub(crate) const MAX_JSON_BYTES: u64 = 256 * 1024 * 1024;

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// Opens `path` if it is a regular file of at most `limit` bytes. The type is checked
/// before opening (opening a FIFO blocks until a writer comes) and again on the handle.
pub(crate) fn open_regular(path: &Path, limit: u64) -> io::Result<File> {
    let check = |meta: &std::fs::Metadata| -> io::Result<()> {
        if !meta.is_file() {
            return Err(invalid(
                "not a regular file (a device, FIFO or folder cannot be read as one)".into(),
            ));
        }
        if meta.len() > limit {
            return Err(invalid(format!(
                "{} bytes, more than the limit of {}",
                meta.len(),
                human(limit)
            )));
        }
        Ok(())
    };
    check(&std::fs::metadata(path)?)?;
    let file = File::open(path)?;
    check(&file.metadata()?)?;
    Ok(file)
}

/// The bytes of a regular file of at most `limit` bytes (see [`open_regular`]); a file
/// that grows past the limit while read is refused too.
pub(crate) fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path, limit)?;
    let len = file.metadata().map_or(0, |m| m.len());
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(invalid(format!("more than the limit of {}", human(limit))));
    }
    Ok(bytes)
}

/// Standard input, at most `limit` bytes (a scenario given as `-`).
pub(crate) fn read_stdin(limit: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    io::stdin().lock().take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(invalid(format!("more than the limit of {}", human(limit))));
    }
    Ok(bytes)
}

/// [`read_regular`] as UTF-8 text.
pub(crate) fn read_text(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read_regular(path, limit)?)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.utf8_error()))
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{} GiB", bytes >> 30)
    } else {
        format!("{} MiB", bytes >> 20)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_folders_and_large_files_are_refused() {
        let e = read_regular(Path::new("/dev/zero"), 10).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        assert!(read_regular(dir.path(), 10).is_err());
        let f = dir.path().join("f");
        std::fs::write(&f, b"0123456789x").unwrap();
        let e = read_regular(&f, 10).unwrap_err();
        assert!(e.to_string().contains("limit"), "{e}");
        assert_eq!(read_regular(&f, 11).unwrap(), b"0123456789x");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let ok = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !ok.is_ok_and(|s| s.success()) {
            return; // no mkfifo on this machine: nothing to test
        }
        let e = read_regular(&fifo, 10).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }
}
