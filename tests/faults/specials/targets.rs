//! `-f` naming something that is not a regular file.

use std::process::Command;

use charthop_fake::{Knobs, OrgSpec};

use crate::harness::Fake;
use crate::trial::{Expect, PAGE_SIZE, Previous, TARGET, Trial, run, target_dir};

/// What `-f` names instead of a regular file.
#[derive(Debug, Clone, Copy)]
pub enum Unsafe {
    Symlink,
    Directory,
    Fifo,
}

/// `-f` names something that is not a regular file: refused before any request, left as it was.
pub fn unsafe_target(what: Unsafe) -> Trial {
    let spec = OrgSpec::new(100, 7);
    let fake = Fake::with_spec(spec.clone(), Knobs::default());
    let (dir, _) = target_dir(&spec, false);
    let target = dir.path().join(TARGET);
    let elsewhere = tempfile::tempdir().expect("a temporary directory");
    let linked = elsewhere.path().join("precious.c1z");
    std::fs::write(&linked, b"not to be replaced").expect("write the link's file");
    let (needle, kind): (&'static [&'static str], _) = match what {
        Unsafe::Symlink => {
            std::os::unix::fs::symlink(&linked, &target).expect("make a symlink");
            (&["symbolic link"], "symlink")
        }
        Unsafe::Directory => {
            std::fs::create_dir(&target).expect("make a directory");
            (&["directory"], "dir")
        }
        Unsafe::Fifo => {
            let made = Command::new("mkfifo").arg(&target).status();
            assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
            (&["FIFO"], "fifo")
        }
    };
    let (code, stderr) = run(dir.path(), &fake.sync_args(PAGE_SIZE));
    let mut trial =
        Trial::new(Expect::Fails(needle), dir.path(), Previous::Kind(kind), fake.org(), code, stderr);
    if std::fs::read(&linked).ok().as_deref() != Some(b"not to be replaced".as_slice()) {
        trial.verdict.observed.push_str("; the symlink's file changed");
        trial.verdict.data_lost = true;
        trial.verdict.ok = false;
    }
    if fake.total_requests() > 0 {
        trial.verdict.observed.push_str("; refused only after requests");
        trial.verdict.ok = false;
    }
    trial
}
