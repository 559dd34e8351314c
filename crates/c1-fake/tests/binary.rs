//! The `c1-fake` binary starts, says how to reach it, and mints usable credentials.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

#[test]
fn the_binary_prints_host_ca_and_credentials() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_c1-fake"))
        .args(["--tenant", "acme.example", "--sync-tasks", "2"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let lines: Vec<String> = BufReader::new(stdout).lines().take(5).map(|line| line.unwrap()).collect();
    child.kill().expect("the fake stops");
    let _ = child.wait();
    let value = |key: &str| {
        lines
            .iter()
            .find_map(|line| line.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("no {key} in {lines:?}"))
            .to_owned()
    };
    assert!(value("BATON_C1_API_HOST").starts_with("127.0.0.1:"));
    assert!(std::path::Path::new(&value("SSL_CERT_FILE")).exists());
    assert!(value("BATON_CLIENT_ID").contains("@acme.example/"));
    assert!(value("BATON_CLIENT_SECRET").starts_with("secret-token:conductorone.com:v1:"));
    assert_eq!(lines[4], "2 sync task(s) queued. Ctrl-C stops.");
}
