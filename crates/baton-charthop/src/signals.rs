//! One-shot mode's signals: SIGINT (a terminal), SIGTERM (`timeout`, systemd, docker) and SIGHUP
//! (a closed terminal) all stop the sync the same way; the exit code says which one, as shells do.

use std::fmt;
use std::io;

use tokio::signal::unix::{Signal as Stream, SignalKind, signal};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Hangup,
    Interrupt,
    Terminate,
}

impl Signal {
    /// 128 + the signal number, what a shell reports for a process the signal ended.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Hangup => 129,
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Signal::Hangup => "SIGHUP",
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        })
    }
}

/// The three signals, caught from the moment this is built (they no longer end the process).
pub struct Signals {
    hangup: Stream,
    interrupt: Stream,
    terminate: Stream,
}

impl Signals {
    /// Needs a running Tokio runtime.
    pub fn install() -> io::Result<Self> {
        Ok(Self {
            hangup: signal(SignalKind::hangup())?,
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// The next signal received.
    pub async fn recv(&mut self) -> Signal {
        tokio::select! {
            _ = self.hangup.recv() => Signal::Hangup,
            _ = self.interrupt.recv() => Signal::Interrupt,
            _ = self.terminate.recv() => Signal::Terminate,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn sighup_and_sigterm_are_caught_not_fatal() {
        let mut signals = Signals::install().unwrap();
        for (name, want) in [("-HUP", Signal::Hangup), ("-TERM", Signal::Terminate)] {
            let status =
                std::process::Command::new("kill").args([name, &std::process::id().to_string()]).status();
            assert!(status.unwrap().success());
            let got = tokio::time::timeout(Duration::from_secs(10), signals.recv()).await;
            assert_eq!(got, Ok(want));
        }
        assert_eq!(Signal::Terminate.exit_code(), 143);
        assert_eq!(Signal::Interrupt.to_string(), "SIGINT");
    }
}
