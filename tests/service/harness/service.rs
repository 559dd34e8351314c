//! A running `baton-charthop` process: its stderr (the JSON logs) is collected as it comes, and
//! it is killed if a test ends without waiting for it.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::time::Instant;

pub struct Service {
    child: Child,
    stderr: Arc<Mutex<String>>,
    reader: Option<JoinHandle<()>>,
}

impl Service {
    pub fn spawn(mut command: Command) -> Self {
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = command.spawn().expect("baton-charthop starts");
        let pipe = child.stderr.take().expect("stderr is piped");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut text = sink.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                text.push_str(&line);
                text.push('\n');
            }
        });
        Self { child, stderr, reader: Some(reader) }
    }

    /// Everything the process wrote to stderr so far.
    pub fn logs(&self) -> String {
        self.stderr.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// The JSON log lines whose message (zap's `msg` key) contains `needle`.
    pub fn log_lines_with(&self, needle: &str) -> Vec<serde_json::Value> {
        self.logs()
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|line| line["msg"].as_str().is_some_and(|message| message.contains(needle)))
            .collect()
    }

    /// Waits until a JSON log line's message contains `needle`; returns those lines.
    pub async fn expect_log(&self, needle: &str) -> Vec<serde_json::Value> {
        let deadline = Instant::now() + super::WAIT;
        loop {
            let lines = self.log_lines_with(needle);
            if !lines.is_empty() {
                return lines;
            }
            assert!(Instant::now() < deadline, "no log line says {needle:?}; logs:\n{}", self.logs());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends SIGTERM the way Kubernetes does (through `kill`: the workspace denies unsafe code).
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("the kill command runs");
        assert!(status.success(), "kill -TERM {} failed: {status}", self.child.id());
    }

    /// Waits for the process to exit by itself; panics with its logs if it does not.
    pub async fn exit_status(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("the child can be waited for") {
                // The pipe closes with the process: the reader has seen every line.
                if let Some(reader) = self.reader.take() {
                    let _ = reader.join();
                }
                return status;
            }
            assert!(Instant::now() < deadline, "still running after {timeout:?}; logs:\n{}", self.logs());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
