//! Every file and folder the command line writes: owner-only permissions, written whole.
//!
//! [`restrict_umask`] runs first thing in `main`, so whatever is created afterwards — the data
//! folder, the SQLite database with its `-wal`/`-shm`, every export — is closed to group and
//! others (folders 0700, files 0600), including files created by libraries. Files are written
//! to a temporary name and renamed, so a reader never sees half a file. CSVs go through the one
//! writer, [`kenpo_formats::csv_out`].

use anyhow::{Context, Result};
use kenpo_domain::Table;
use kenpo_formats::csv_out::{self, CsvEncoding};
use std::io::Write;
use std::path::Path;

/// Sets the process umask to 077: new folders 0700, new files 0600.
pub fn restrict_umask() {
    #[cfg(unix)]
    {
        rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    }
}

/// Creates a folder (and its parents) and makes it owner-only.
pub fn private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("setting permissions of {}", dir.display()))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` as one owner-only file (0600), replacing it whole.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{file_name}.partial"));
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
        #[cfg(unix)]
        {
            // An existing file keeps its mode on open: set it explicitly.
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        f.write_all(bytes).with_context(|| format!("writing {}", tmp.display()))?;
        f.sync_all().with_context(|| format!("writing {}", tmp.display()))?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

/// Writes a table through the one CSV writer (formula neutralisation, quoting, BOM or CP932).
pub fn write_csv(path: &Path, table: &Table, encoding: CsvEncoding) -> Result<()> {
    let bytes = csv_out::render(table, encoding).with_context(|| format!("writing {}", path.display()))?;
    write_private(path, &bytes)
}

/// Reads a whole input file, refusing one larger than `limit` bytes before reading it (and a
/// file that grows past the limit while read).
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file").to_string();
    let file = std::fs::File::open(path).with_context(|| format!("{name}: cannot open"))?;
    let len = file.metadata().with_context(|| format!("{name}: cannot read"))?.len();
    if len > limit {
        anyhow::bail!("{name}: larger than {limit} bytes");
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit + 1).read_to_end(&mut bytes).with_context(|| format!("{name}: cannot read"))?;
    if bytes.len() as u64 > limit {
        anyhow::bail!("{name}: larger than {limit} bytes");
    }
    Ok(bytes)
}
