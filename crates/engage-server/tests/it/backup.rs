//! `engage-server backup`: a consistent copy of a live database. The backup runs as its own
//! process, as an operator runs it, while tasks of this process keep writing check-ins; the copy
//! passes `PRAGMA integrity_check` and the ledger audit, and holds every check-in answered
//! before the backup began.

use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use axum::http::StatusCode;
use engage_core::SiteId;
use engage_core::jiff::civil::date;
use engage_server::Store;
use engage_server::store::CountedTable;
use serde_json::Value;
use tempfile::TempDir;

use crate::cli::{engage_server, text};
use crate::{SITE, TestServer};

/// Check-in writers running at once.
const WRITERS: i64 = 4;

fn forum() -> SiteId {
    SiteId::parse(SITE).unwrap()
}

/// The database file of a test server, for the command line.
pub fn db_of(server: &TestServer) -> String {
    server
        ._dir
        .path()
        .join("engage.sqlite")
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_check_ins_are_written_is_consistent() {
    let server = Arc::new(TestServer::new().await);
    // Enough rows that copying them takes a while.
    server
        .store
        .bench_seed(&forum(), 5_000, 50_000, 7, date(2026, 11, 20), server.now())
        .await
        .unwrap();
    let base = server.count(CountedTable::Checkins).await;

    let answered = Arc::new(AtomicI64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (first_tx, first_rx) = tokio::sync::oneshot::channel();
    let first_tx = Arc::new(std::sync::Mutex::new(Some(first_tx)));
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (server, answered, stop, first_tx) = (
                server.clone(),
                answered.clone(),
                stop.clone(),
                first_tx.clone(),
            );
            tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    let answer = server.check_in(&format!("writer{writer}-{i}")).await;
                    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
                    answered.fetch_add(1, Ordering::SeqCst);
                    if let Some(tx) = first_tx.lock().unwrap().take() {
                        let _ = tx.send(());
                    }
                    i += 1;
                }
            })
        })
        .collect();
    // The writers are writing; the backup starts now and they go on until it is done.
    first_rx.await.unwrap();
    let before = answered.load(Ordering::SeqCst);
    let dir = TempDir::new().unwrap();
    let copy = dir.path().join("backup.sqlite");
    let (db, target) = (db_of(&server), copy.to_str().unwrap().to_owned());
    let output = tokio::task::spawn_blocking(move || {
        engage_server(&["backup", "--db", &db, &target, "--json"])
    })
    .await
    .unwrap();
    let after = answered.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    for writer in writers {
        writer.await.unwrap();
    }
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["backup"], copy.to_str().unwrap());
    assert_eq!(
        report["bytes"].as_u64().unwrap(),
        std::fs::metadata(&copy).unwrap().len()
    );

    let restored = Store::open(copy.to_str().unwrap()).await.unwrap();
    assert_eq!(
        restored.integrity_check().await.unwrap(),
        Vec::<String>::new()
    );
    let problems = restored.audit_ledger(&forum()).await.unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
    let copied = restored
        .count_rows(CountedTable::Checkins, &forum())
        .await
        .unwrap()
        - base;
    // Every check-in answered before the backup began is in the copy; none that began after it
    // ended (at most one in flight per writer then).
    assert!(
        before <= copied && copied <= after + WRITERS,
        "{before} <= {copied} <= {after} + {WRITERS}"
    );
    // The live database went on: it has every check-in.
    assert_eq!(
        server.count(CountedTable::Checkins).await - base,
        answered.load(Ordering::SeqCst)
    );
    server.assert_ledger_balanced().await;
}

fn backup(db: &str, file: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["backup", "--db", db, file.to_str().unwrap()];
    args.extend_from_slice(extra);
    engage_server(&args)
}

#[tokio::test]
async fn an_existing_file_is_replaced_only_with_force() {
    let server = TestServer::new().await;
    let db = db_of(&server);
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("backup.sqlite");
    std::fs::write(&file, "an older backup").unwrap();

    let refused = backup(&db, &file, &["--json"]);
    assert!(!refused.status.success());
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("already exists: pass --force to replace it"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "an older backup");

    let forced = backup(&db, &file, &["--force"]);
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    let copy = Store::open(file.to_str().unwrap()).await.unwrap();
    assert!(copy.site(&forum()).await.unwrap().is_some());
    // Nothing is left beside it but the copy and the side files SQLite keeps while it is open.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with("-wal") && !name.ends_with("-shm"))
        .collect();
    names.sort();
    assert_eq!(names, ["backup.sqlite"]);
}

#[tokio::test]
async fn a_backup_is_never_the_database_nor_of_a_missing_one() {
    let server = TestServer::new().await;
    let db = db_of(&server);
    let over_itself = backup(&db, Path::new(&db), &["--force"]);
    assert!(!over_itself.status.success());
    let stderr = text(&over_itself.stderr);
    assert!(stderr.contains("is the database itself"), "{stderr}");
    server.assert_ledger_balanced().await;
    assert!(server.store.site(&forum()).await.unwrap().is_some());

    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("typo.sqlite");
    let output = backup(
        missing.to_str().unwrap(),
        &dir.path().join("backup.sqlite"),
        &[],
    );
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("there is no database at"), "{stderr}");
    assert!(!missing.exists(), "no empty database was created");
}
