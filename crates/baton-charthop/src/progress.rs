//! Sync progress: a live line on a terminal, a log line every few seconds elsewhere.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use charthop_client::ChartHopClient;
use charthop_connector::{Progress, SyncEvent};
use indicatif::{ProgressBar, ProgressStyle};

const LOG_EVERY: Duration = Duration::from_secs(5);

pub struct Reporter {
    client: ChartHopClient,
    bar: Option<ProgressBar>,
    state: Mutex<State>,
}

struct State {
    groups: u64,
    last_log: Instant,
}

impl Reporter {
    pub fn new(client: ChartHopClient) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(ProgressStyle::with_template("{spinner} {elapsed} {msg}").expect("valid template"));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar.set_message("listing groups");
            bar
        });
        Self { client, bar, state: Mutex::new(State { groups: 0, last_log: Instant::now() }) }
    }

    fn rate_limit_note(&self) -> String {
        let stats = self.client.stats();
        if stats.rate_limited == 0 {
            String::new()
        } else {
            format!(
                ", rate-limited {} times ({:.1} s waited)",
                stats.rate_limited,
                stats.rate_limit_wait.as_secs_f64()
            )
        }
    }

    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Reporter {
    fn event(&self, event: &SyncEvent) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let message = match event {
            SyncEvent::GroupsDone { groups } => {
                state.groups = *groups;
                format!("{groups} groups; listing persons")
            }
            SyncEvent::PersonsProgress { persons, grants } => {
                format!(
                    "{} groups, {persons} persons, {grants} grants{}",
                    state.groups,
                    self.rate_limit_note()
                )
            }
            SyncEvent::Finishing => "checking and compressing the file".to_owned(),
        };
        match &self.bar {
            Some(bar) => bar.set_message(message),
            None => {
                let periodic = matches!(event, SyncEvent::PersonsProgress { .. });
                if !periodic || state.last_log.elapsed() >= LOG_EVERY {
                    state.last_log = Instant::now();
                    tracing::info!("sync progress: {message}");
                }
            }
        }
    }
}
