//! Backups of a live database: `VACUUM INTO` copies the database as of one read transaction,
//! so the copy is consistent while writers go on (in WAL mode a reader does not stop them). The
//! copy is written beside the target, synced, checked with `PRAGMA integrity_check`, and only
//! then renamed over the target, so a backup cut short never leaves a torn file under its name.

use std::path::{Path, PathBuf};

use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteExecutor};

use super::{Store, StoreError};

impl Store {
    /// Writes a consistent copy of the database to `target`, replacing a file there, and
    /// returns its size in bytes. (Whether an existing file may be replaced is the caller's
    /// decision: the command line asks for `--force`.)
    pub async fn backup_to(&self, target: &Path) -> Result<u64, StoreError> {
        let fail = |reason: String| StoreError::Backup {
            path: target.to_path_buf(),
            reason,
        };
        let name = target
            .file_name()
            .ok_or_else(|| fail("not a file name".into()))?;
        let mut partial_name = name.to_os_string();
        partial_name.push(format!(".partial-{}", std::process::id()));
        let partial = target.with_file_name(partial_name);
        let partial_text = partial
            .to_str()
            .ok_or_else(|| fail("the path is not valid UTF-8".into()))?;
        // VACUUM INTO refuses a file that exists; one left by a backup that was cut short is ours.
        remove_if_exists(&partial).map_err(|e| fail(e.to_string()))?;
        let copied = sqlx::query("VACUUM INTO ?")
            .bind(partial_text)
            .execute(&self.pool)
            .await;
        let result = match copied {
            Ok(_) => finish_backup(&partial, target).await,
            Err(error) => Err(error.to_string()),
        };
        if result.is_err() {
            let _ = remove_if_exists(&partial);
        }
        result.map_err(fail)
    }

    /// What `PRAGMA integrity_check` finds wrong with the database: nothing when it is sound.
    pub async fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        Ok(integrity_problems(&self.pool).await?)
    }
}

/// Syncs the copy (SQLite does not sync what VACUUM INTO writes), checks it, and renames it
/// over the target.
async fn finish_backup(partial: &Path, target: &Path) -> Result<u64, String> {
    std::fs::File::open(partial)
        .and_then(|file| file.sync_all())
        .map_err(|e| format!("cannot sync the copy: {e}"))?;
    let problems = file_integrity_problems(partial)
        .await
        .map_err(|e| format!("cannot check the copy: {e}"))?;
    if !problems.is_empty() {
        return Err(format!(
            "the copy fails PRAGMA integrity_check: {}",
            problems.join("; ")
        ));
    }
    std::fs::rename(partial, target).map_err(|e| format!("cannot rename the copy: {e}"))?;
    sync_parent(target).map_err(|e| format!("cannot sync the directory: {e}"))?;
    std::fs::metadata(target)
        .map(|meta| meta.len())
        .map_err(|e| e.to_string())
}

/// What `PRAGMA integrity_check` says is wrong with the database file at `path`. The file is
/// opened immutable: read without locks or side files.
async fn file_integrity_problems(path: &Path) -> Result<Vec<String>, sqlx::Error> {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .immutable(true)
        .connect()
        .await?;
    integrity_problems(&mut conn).await
}

/// What `PRAGMA integrity_check` says is wrong (nothing when it answers "ok").
async fn integrity_problems<'c>(
    executor: impl SqliteExecutor<'c>,
) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(executor)
        .await?;
    Ok(rows.into_iter().filter(|row| row != "ok").collect())
}

fn remove_if_exists(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// Makes a rename in `path`'s directory durable (a no-op where directories cannot be opened).
fn sync_parent(path: &Path) -> std::io::Result<()> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if cfg!(unix) {
        std::fs::File::open(parent)?.sync_all()?;
    }
    Ok(())
}
