//! Where an output file goes: a regular file is replaced atomically; a device, a pipe, a
//! descriptor path and whatever a symlink points at are written through, never replaced.
//!
//! Renaming over `/dev/stdout` (as root), over a FIFO or over a symlink replaces the thing the
//! path names with a regular file; the reader hangs or the link is gone. So a rename is used only
//! where the path is, or will be, a regular file of its own.

use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::{Path, PathBuf};

/// How one output path is written, decided before the run so an unusable path costs nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Destination {
    /// A regular file (or none yet): written beside it and renamed into place.
    Replace(PathBuf),
    /// A device, pipe, descriptor path or a link to one: opened and written in place.
    Through(PathBuf),
}

/// Decides how `path` (given to `flag`) is written, refusing one that cannot be.
pub(crate) fn destination(path: &Path, flag: &str) -> Result<Destination> {
    let shown = path.display();
    if path.as_os_str().is_empty() {
        bail!("{flag} needs a file name");
    }
    let meta = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            parent_exists(path, flag)?;
            probe_writable(path, flag)?;
            return Ok(Destination::Replace(path.to_path_buf()));
        }
        Err(e) => bail!("{flag} {shown}: {e}"),
        Ok(m) => m,
    };
    if meta.file_type().is_symlink() {
        return through_link(path, flag);
    }
    match kind(&meta) {
        Kind::Regular if is_system_path(path) => Ok(Destination::Through(path.to_path_buf())),
        Kind::Regular => {
            probe_writable(path, flag)?;
            Ok(Destination::Replace(path.to_path_buf()))
        }
        Kind::Special => Ok(Destination::Through(path.to_path_buf())),
        Kind::Directory => bail!("{flag} {shown} is a directory, not a file"),
        Kind::Socket => bail!("{flag} {shown} is a socket; give a file, a FIFO or /dev/stdout"),
    }
}

/// A symlink: its regular-file target is replaced atomically (the link stays); anything else,
/// and every descriptor path under /dev or /proc, is written through.
fn through_link(path: &Path, flag: &str) -> Result<Destination> {
    let shown = path.display();
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A dangling link: opening it creates its target, if the target's directory exists.
            let target = std::fs::read_link(path).with_context(|| format!("{flag} {shown}"))?;
            let target = path.parent().unwrap_or(Path::new(".")).join(target);
            parent_exists(&target, flag)?;
            Ok(Destination::Through(path.to_path_buf()))
        }
        Err(e) => bail!("{flag} {shown}: {e}"),
        Ok(m) => match kind(&m) {
            Kind::Directory => bail!("{flag} {shown} points at a directory, not a file"),
            Kind::Socket => bail!("{flag} {shown} points at a socket; give a file or a FIFO"),
            Kind::Special => Ok(Destination::Through(path.to_path_buf())),
            Kind::Regular => match std::fs::canonicalize(path) {
                Ok(real) if !is_system_path(path) && !is_system_path(&real) => {
                    probe_writable(&real, flag)?;
                    Ok(Destination::Replace(real))
                }
                _ => Ok(Destination::Through(path.to_path_buf())),
            },
        },
    }
}

enum Kind {
    Regular,
    Directory,
    Socket,
    /// FIFO, character or block device.
    Special,
}

fn kind(m: &std::fs::Metadata) -> Kind {
    let t = m.file_type();
    if t.is_file() {
        return Kind::Regular;
    }
    if t.is_dir() {
        return Kind::Directory;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_socket() {
            return Kind::Socket;
        }
    }
    Kind::Special
}

/// /dev/stdout, /dev/fd/N and /proc/self/fd/N name a descriptor the shell opened (`>(wc -c)`,
/// `> out.json`): replacing what they resolve to would bypass that descriptor. (A regular file
/// elsewhere under /dev, such as /dev/shm/r.json, is an ordinary file.)
fn is_system_path(p: &Path) -> bool {
    p.starts_with("/proc")
        || p.starts_with("/dev/fd")
        || ["/dev/stdout", "/dev/stderr", "/dev/stdin"]
            .iter()
            .any(|d| p == Path::new(d))
}

fn parent_exists(path: &Path, flag: &str) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        bail!(
            "{flag} {}: directory {} does not exist",
            path.display(),
            dir.display()
        );
    }
    Ok(())
}

/// The temporary file beside `path` that an atomic write renames into place.
fn temp_beside(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".authspec-tmp");
    path.with_file_name(name)
}

/// Creates and removes the temporary file, so a directory without write permission is refused
/// before the run rather than after it.
fn probe_writable(path: &Path, flag: &str) -> Result<()> {
    let tmp = temp_beside(path);
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)
        .with_context(|| format!("{flag} {}: cannot write beside it", path.display()))?;
    let _ = std::fs::remove_file(&tmp);
    Ok(())
}

/// Writes `text` to `dest`: renamed into place for a regular file, written in place otherwise.
pub(crate) fn write(dest: &Destination, text: &str) -> Result<()> {
    match dest {
        Destination::Replace(path) => replace(path, text),
        Destination::Through(path) => {
            // Append, not truncate: behind /dev/stdout may be the file the shell redirected
            // stdout to, holding what was printed before; a pipe or device ignores the flag.
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            f.write_all(text.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))
        }
    }
}

/// Writes `text` beside `path` and renames it into place, so no half-written file is left.
fn replace(path: &Path, text: &str) -> Result<()> {
    let tmp = temp_beside(path);
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("cannot write {}", path.display()))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_or_regular_file_is_replaced_and_a_directory_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let new = dir.path().join("r.json");
        assert_eq!(
            destination(&new, "--report").ok(),
            Some(Destination::Replace(new.clone()))
        );
        assert!(destination(dir.path(), "--report").is_err());
        let missing = dir.path().join("no/such/r.json");
        let e = destination(&missing, "--report").expect_err("refused");
        assert!(e.to_string().contains("does not exist"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_keeps_pointing_and_its_target_gets_the_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("real.json");
        std::fs::write(&target, "old").expect("write");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        let d = destination(&link, "--report").expect("usable");
        write(&d, "new").expect("written");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read_to_string(&target).ok().as_deref(),
            Some("new")
        );
    }

    #[cfg(unix)]
    #[test]
    fn descriptor_paths_are_written_through() {
        assert!(matches!(
            destination(Path::new("/dev/stdout"), "--report"),
            Ok(Destination::Through(_))
        ));
        assert!(matches!(
            destination(Path::new("/dev/null"), "--report"),
            Ok(Destination::Through(_))
        ));
    }
}
