//! What the writer may write over, the lock that keeps two writers of one target apart, stale
//! temporary files, and cancellation.

use std::fs::{self, File, FileTimes};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use c1z::{C1zWriter, WriteError, WriterOptions, check_target, remove_stale_files};

use crate::model::{fixed_options, org};
use crate::support::{dir_entries, write_file};

fn refusal(path: &Path) -> String {
    let err = check_target(path).expect_err("refused");
    assert!(matches!(&err, WriteError::UnsafeTarget { path: p, .. } if p == path), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains(&*path.to_string_lossy()), "{shown}");
    assert!(shown.contains("a new path or over a regular file"), "{shown}");
    assert!(!shown.contains("--"), "{shown}");
    shown
}

#[test]
fn a_new_path_or_a_regular_file_is_a_fine_target() {
    let dir = tempfile::tempdir().expect("temp dir");
    check_target(&dir.path().join("new.c1z")).expect("a new path");
    check_target(&write_file(dir.path(), "old.c1z", b"x")).expect("a regular file");
}

#[test]
fn directories_symlinks_devices_fifos_and_sockets_are_refused_by_kind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).expect("mkdir");
    assert!(refusal(&sub).contains("is a directory"));

    let regular = write_file(dir.path(), "real.c1z", b"previous");
    let link = dir.path().join("link.c1z");
    std::os::unix::fs::symlink(&regular, &link).expect("symlink");
    assert!(refusal(&link).contains("is a symbolic link"), "even to a regular file");

    assert!(refusal(Path::new("/dev/null")).contains("is a character device"));

    let socket = dir.path().join("s.sock");
    let _listener = UnixListener::bind(&socket).expect("binds a socket");
    assert!(refusal(&socket).contains("is a socket"));

    let fifo = dir.path().join("fifo");
    if std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
        assert!(refusal(&fifo).contains("is a FIFO"));
    }
}

#[test]
fn create_refuses_a_bad_target_before_any_work() {
    let dir = tempfile::tempdir().expect("temp dir");
    let regular = write_file(dir.path(), "real.c1z", b"previous");
    let link = dir.path().join("link.c1z");
    std::os::unix::fs::symlink(&regular, &link).expect("symlink");
    let err = C1zWriter::create(&link, WriterOptions::default()).expect_err("refused");
    assert!(matches!(err, WriteError::UnsafeTarget { kind: "symbolic link", .. }), "{err:?}");
    let err = C1zWriter::create(dir.path(), WriterOptions::default()).expect_err("refused");
    assert!(matches!(err, WriteError::UnsafeTarget { kind: "directory", .. }), "{err:?}");
    assert_eq!(fs::read(&regular).expect("reads"), b"previous");
    assert_eq!(dir_entries(dir.path()), ["link.c1z", "real.c1z"], "no temporary file, no lock file");
    assert!(!dir.path().join(".link.c1z.lock").exists());
}

#[test]
fn a_second_writer_of_the_same_target_is_refused_until_the_first_is_done() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let mut first = C1zWriter::create(&target, fixed_options()).expect("creates");
    let err = C1zWriter::create(&target, fixed_options()).expect_err("the target is busy");
    assert!(matches!(&err, WriteError::TargetBusy { path } if path == &target), "{err:?}");
    assert_eq!(err.to_string(), format!("another sync is writing {}", target.display()));
    // Another target in the same directory is not affected.
    drop(C1zWriter::create(dir.path().join("other.c1z"), fixed_options()).expect("another target"));

    org(3, 1).write(&mut first).expect("writes");
    first.finish().expect("finishes");
    let lock = dir.path().join(".sync.c1z.lock");
    let mode = fs::metadata(&lock).expect("the lock file stays").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");
    let again = C1zWriter::create(&target, fixed_options()).expect("free once the first finished");
    drop(again);
    drop(C1zWriter::create(&target, fixed_options()).expect("free once the second dropped"));
}

fn set_age(path: &Path, age: Duration) {
    let file = File::options().write(true).open(path).expect("opens");
    let when = SystemTime::now() - age;
    file.set_times(FileTimes::new().set_modified(when).set_accessed(when)).expect("sets the mtime");
}

#[test]
fn stale_temporary_files_of_the_target_are_removed_and_nothing_else() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let target = write_file(d, "sync.c1z", b"previous");
    let hour = Duration::from_secs(3600);
    let stale = [".sync.c1z.aB3xY9.db-build", ".sync.c1z.Qw12Er.tmp"];
    let kept = [
        ".sync.c1z.lock",
        ".sync.c1z.other.tmp",
        ".sync.c1z.aB3xY9.db",
        ".other.c1z.aB3xY9.tmp",
        "sync.c1z.tmp",
        "notes.txt",
    ];
    for name in stale.iter().chain(&kept) {
        set_age(&write_file(d, name, name.as_bytes()), 2 * hour);
    }
    set_age(&target, 2 * hour);
    let fresh = write_file(d, ".sync.c1z.Zz9yY8.tmp", b"a running writer's");

    let removed = remove_stale_files(&target, hour);
    let mut expected: Vec<_> = stale.iter().map(|n| d.join(n)).collect();
    expected.sort();
    assert_eq!(removed, expected);
    for name in &kept {
        assert_eq!(fs::read(d.join(name)).expect("still there"), name.as_bytes());
    }
    assert_eq!(fs::read(&target).expect("target"), b"previous");
    assert!(fresh.exists(), "a fresh staging file stays");
}

#[test]
fn nothing_is_removed_while_a_writer_holds_the_target() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    let build = fs::read_dir(dir.path())
        .expect("lists")
        .map(|e| e.expect("entry").path())
        .find(|p| p.to_string_lossy().ends_with(".db-build"))
        .expect("the writer's build database");
    set_age(&build, Duration::from_secs(7200));
    assert!(remove_stale_files(&target, Duration::from_secs(3600)).is_empty());
    assert!(build.exists());
    drop(writer);
}

#[test]
fn a_left_over_build_database_is_recognised_by_its_real_name() {
    // The writer's own naming, not a hand-written guess: a dropped writer's file, recreated.
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    let name = dir_entries(dir.path()).into_iter().find(|n| n.ends_with(".db-build")).expect("build db");
    drop(writer);
    let leftover = write_file(dir.path(), &name, b"killed run");
    set_age(&leftover, Duration::from_secs(7200));
    assert_eq!(remove_stale_files(&target, Duration::from_secs(3600)), [leftover]);
}

fn cancelled_finish(cancel_after: impl FnOnce(&Arc<AtomicBool>, &mut C1zWriter)) {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = write_file(dir.path(), "sync.c1z", b"previous");
    let flag = Arc::new(AtomicBool::new(false));
    let options = WriterOptions { cancel: Some(flag.clone()), ..fixed_options() };
    let mut writer = C1zWriter::create(&target, options).expect("creates");
    org(30, 3).write(&mut writer).expect("writes");
    cancel_after(&flag, &mut writer);
    let err = writer.finish().expect_err("cancelled");
    assert!(matches!(err, WriteError::Cancelled), "{err:?}");
    assert_eq!(fs::read(&target).expect("reads"), b"previous", "nothing was published");
    assert_eq!(dir_entries(dir.path()), ["sync.c1z"], "temporary files were left behind");
}

#[test]
fn a_cancel_before_finish_publishes_nothing() {
    cancelled_finish(|flag, _| flag.store(true, Ordering::SeqCst));
}

#[test]
fn a_cancel_during_compression_stops_it_and_publishes_nothing() {
    // A database of several compression chunks, cancelled from another thread while finishing.
    cancelled_finish(|flag, writer| {
        let big =
            c1_proto::connector::v2::Resource { description: "x".repeat(4000), ..crate::model::group(9999) };
        for n in 0..2_000 {
            let mut g = big.clone();
            g.id.as_mut().expect("id").resource = format!("bulk{n}");
            writer.put_resource(&g).expect("writes");
        }
        let flag = flag.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(5));
            flag.store(true, Ordering::SeqCst);
        });
    });
}

#[test]
fn a_target_swapped_for_a_symlink_during_the_sync_is_not_replaced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let mut writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    org(3, 1).write(&mut writer).expect("writes");
    let elsewhere = write_file(dir.path(), "elsewhere", b"someone else's");
    std::os::unix::fs::symlink(&elsewhere, &target).expect("symlink");
    let err = writer.finish().expect_err("refused at the rename");
    assert!(matches!(err, WriteError::UnsafeTarget { kind: "symbolic link", .. }), "{err:?}");
    assert!(fs::symlink_metadata(&target).expect("still there").file_type().is_symlink());
    assert_eq!(fs::read(&elsewhere).expect("reads"), b"someone else's");
    assert_eq!(dir_entries(dir.path()), ["elsewhere", "sync.c1z"], "temporary files were left behind");
}
