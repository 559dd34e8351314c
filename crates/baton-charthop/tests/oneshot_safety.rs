//! The binary in one-shot mode against a ChartHop stand-in on 127.0.0.1 that accepts
//! connections and never answers: what signals and unsafe targets do to the run and the file.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Accepts connections, keeps them open, answers nothing; each accept is sent on the channel.
fn silent_server() -> (String, mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
            if tx.send(()).is_err() {
                return;
            }
        }
    });
    (url, rx)
}

fn start(dir: &Path, url: &str, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_baton-charthop"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("BATON_API_TOKEN", "tok-from-the-environment")
        .env("BATON_ORG_ID", "acme")
        .env("BATON_CHARTHOP_URL", url)
        .env("BATON_LOG_FORMAT", "console")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(mut child: Child) -> Output {
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the run did not end within 30 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".db-build") || name.ends_with(".tmp"))
        .collect()
}

#[test]
fn sigterm_and_sighup_stop_the_sync_with_the_shell_exit_code_and_publish_nothing() {
    for (signal, code) in [("-TERM", 143), ("-HUP", 129), ("-INT", 130)] {
        let dir = tempfile::tempdir().unwrap();
        let (url, accepted) = silent_server();
        let child = start(dir.path(), &url, &["-f", "sync.c1z"]);
        accepted.recv_timeout(Duration::from_secs(20)).expect("the sync reached ChartHop");
        let killed = Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
        assert!(killed.success());
        let output = finish(child);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{signal}: {stderr}");
        assert!(stderr.contains("nothing was published; sync.c1z is as it was"), "{signal}: {stderr}");
        assert!(!dir.path().join("sync.c1z").exists(), "{signal}: a file was published");
        assert_eq!(temp_files(dir.path()), Vec::<String>::new(), "{signal}");
    }
}

#[test]
fn an_unsafe_target_is_refused_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("out.c1z")).unwrap();
    let (url, accepted) = silent_server();
    let output =
        finish(start(dir.path(), &url, &["--api-token", "tok-on-the-command-line", "-f", "out.c1z"]));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is a directory"), "{stderr}");
    assert!(stderr.contains("point -f / BATON_FILE at a new path or a regular file"), "{stderr}");
    assert!(accepted.try_recv().is_err(), "a request was made: {stderr}");
    // The token came as a flag: one warning, and the token itself is never printed.
    assert_eq!(stderr.matches("--api-token given on the command line").count(), 1, "{stderr}");
    assert!(!stderr.contains("tok-on-the-command-line"), "{stderr}");
}

#[test]
fn temporary_files_an_hour_old_are_removed_at_start_and_younger_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join(".sync.c1z.Ab3dE9.db-build");
    let young = dir.path().join(".sync.c1z.Zz9yX1.tmp");
    let unrelated = dir.path().join("notes.db-build");
    for path in [&old, &young, &unrelated] {
        std::fs::write(path, b"left behind").unwrap();
    }
    for path in [&old, &unrelated] {
        let touched = Command::new("touch").arg("-d").arg("2 hours ago").arg(path).status().unwrap();
        assert!(touched.success());
    }
    let (url, accepted) = silent_server();
    let child = start(dir.path(), &url, &["-f", "sync.c1z"]);
    accepted.recv_timeout(Duration::from_secs(20)).expect("the sync reached ChartHop");
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let output = finish(child);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!old.exists(), "{stderr}");
    assert!(stderr.contains("removed a temporary file an interrupted sync left behind"), "{stderr}");
    assert!(stderr.contains(".sync.c1z.Ab3dE9.db-build"), "{stderr}");
    assert!(young.exists() && unrelated.exists(), "{stderr}");
}
