//! Files the CLI reads and writes: capped reads, writable checks, atomic writes, digests.

use anyhow::{Context, Result, bail};
use std::path::Path;

pub(crate) fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_file() {
        bail!("{} is not a file", path.display());
    }
    if meta.len() > cap {
        bail!("{} is larger than {} MiB", path.display(), cap >> 20);
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Writes `text` next to `path` and renames it into place, so no half-written file is left.
pub(crate) fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension(format!(
        "{}.authspec-tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("out")
    ));
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("cannot write {}", path.display()))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn check_writable(path: &Path, flag: &str) -> Result<()> {
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
