//! Files the CLI reads: capped reads, and the digest of what it wrote.

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

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
