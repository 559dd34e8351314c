//! Disk full, on a tmpfs mounted on the trial's directory (skipped, visibly, where mounting
//! is not allowed).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use charthop_fake::{Knobs, OrgSpec};

use crate::harness::Fake;
use crate::trial::{Expect, PAGE_SIZE, Previous, TARGET, Trial, finish, run, spawn, target_dir};

#[derive(Debug, Clone, Copy)]
pub enum DiskFull {
    /// Room for the previous file and a few KiB: the build database cannot grow.
    DuringBuild,
    /// Room for the previous file and the whole build database, but not for the compressed
    /// file beside them.
    DuringCompression,
}

/// The largest sizes the build database and the staging file reach in a normal run.
fn temp_file_sizes(args: &[String], spec: &OrgSpec) -> (u64, u64) {
    let (dir, _) = target_dir(spec, true);
    let mut child = spawn(dir.path(), args);
    let (mut build, mut staging) = (0, 0);
    while child.try_wait().expect("poll the binary").is_none() {
        for entry in std::fs::read_dir(dir.path()).expect("list the directory").flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let len = entry.metadata().map_or(0, |m| m.len());
            if name.ends_with(".db-build") {
                build = build.max(len);
            } else if name.ends_with(".tmp") {
                staging = staging.max(len);
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let (code, stderr) = finish(child);
    assert_eq!(code, Some(0), "the measuring run failed:\n{stderr}");
    (build, staging)
}

/// A tmpfs mounted on the trial's directory; unmounted when dropped.
pub struct Mount(std::path::PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn mount_tmpfs(dir: &Path, bytes: u64) -> Result<Mount, String> {
    let out = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
        .arg(dir)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(Mount(dir.to_owned()))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

/// A sync onto a filesystem too small for it; an empty list (printed) when tmpfs cannot be mounted.
pub fn disk_full(when: DiskFull) -> Vec<Trial> {
    let spec = OrgSpec::new(2000, 7);
    let fake = Fake::with_spec(spec.clone(), Knobs::default());
    let (dir, previous) = target_dir(&spec, true);
    let Previous::File(previous) = previous else { unreachable!("target_dir wrote a previous file") };
    let args = fake.sync_args(PAGE_SIZE);
    let room = match when {
        DiskFull::DuringBuild => previous.len() as u64 + 64 * 1024,
        DiskFull::DuringCompression => {
            let (build, staging) = temp_file_sizes(&args, &spec);
            assert!(staging > 64 * 1024, "the staging file ({staging} bytes) is too small to cut short");
            previous.len() as u64 + build + staging / 2
        }
    };
    let mount = match mount_tmpfs(dir.path(), room) {
        Ok(mount) => mount,
        Err(why) => {
            println!("disk full ({when:?}): skipped, cannot mount a tmpfs: {why}");
            return Vec::new();
        }
    };
    std::fs::write(dir.path().join(TARGET), &previous).expect("write the previous file on the tmpfs");
    let (code, stderr) = run(dir.path(), &args);
    let needle: &'static [&'static str] = match when {
        DiskFull::DuringBuild => &["disk is full"],
        DiskFull::DuringCompression => &["compressing", "no space left"],
    };
    let trial =
        Trial::new(Expect::Fails(needle), dir.path(), Previous::File(previous), fake.org(), code, stderr);
    drop(mount);
    vec![trial]
}
