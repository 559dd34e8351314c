//! `_connector-service`: the Go SDK's parent/child start. A parent process execs this binary
//! with its own arguments plus a last `_connector-service`, a listening TCP socket as the
//! descriptor named by `BATON_CONNECTOR_SERVICE_LISTENER_FD` (3), and one line on stdin: base64
//! of `c1.connector_wrapper.v1.ServerConfig`, the TLS credential. The child serves the
//! connector API on that socket (TLS 1.3, client certificates from the parent's CA) until stdin
//! closes (the parent is gone) or a signal; SIGKILL is the parent's normal end of it.

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Read};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use c1_connector_server::{MAX_PARENT_LINE, ParentConfig, ServeOptions, serve_with_shutdown};
use charthop_connector::ChartHopBackend;
use nix::errno::Errno;
use nix::fcntl::{FcntlArg, FdFlag, fcntl};
use nix::sys::socket::{
    AddressFamily, SockType, SockaddrLike, SockaddrStorage, getsockname, getsockopt, sockopt,
};
use tokio::sync::oneshot;

use crate::settings::Settings;
use crate::signals::Signals;
use crate::wiring;

/// The last argument a parent appends.
pub const ARG: &str = "_connector-service";
/// Names the inherited socket's descriptor.
pub const FD_VAR: &str = "BATON_CONNECTOR_SERVICE_LISTENER_FD";
/// How long the parent has to write its line.
const LINE_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the inherited socket was refused.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "`{ARG}` is how a parent process starts the connector, and the parent sets {FD_VAR}; it is \
         not set (to serve the API yourself, use `baton-charthop serve --listen`)"
    )]
    NoFd,
    #[error("{FD_VAR} is {0:?}: expected the number of the inherited listening socket, 3 to 255")]
    BadFd(String),
    #[error("descriptor {fd} (from {FD_VAR}) is not open: the parent passed no socket there")]
    Closed { fd: RawFd, source: Errno },
    #[error("descriptor {fd} (from {FD_VAR}) is not a socket")]
    NotSocket { fd: RawFd, source: Errno },
    #[error("descriptor {fd} (from {FD_VAR}) is not a TCP socket ({what})")]
    NotTcp { fd: RawFd, what: String },
    #[error("descriptor {fd} (from {FD_VAR}) is a TCP socket that is not listening")]
    NotListening { fd: RawFd },
    #[error("cannot set close-on-exec on descriptor {fd} (from {FD_VAR})")]
    CloseOnExec { fd: RawFd, source: Errno },
    #[error("the inherited socket was already taken")]
    AlreadyTaken,
}

/// Call first thing in `main`. Without a last `_connector-service`, `args` come back as they
/// are; with it, they come back without it, beside the inherited socket, checked and owned.
pub fn take_start(
    mut args: Vec<OsString>,
) -> Result<(Vec<OsString>, Option<std::net::TcpListener>), StartError> {
    if args.len() < 2 || args.last().map(OsString::as_os_str) != Some(OsStr::new(ARG)) {
        return Ok((args, None));
    }
    args.pop();
    let value = std::env::var_os(FD_VAR).ok_or(StartError::NoFd)?;
    Ok((args, Some(adopt(parse_fd(&value)?)?)))
}

/// 0-2 are stdio (stdin carries the line); anything above 255 is not what a parent passes.
fn parse_fd(value: &OsStr) -> Result<RawFd, StartError> {
    let text = value.to_string_lossy();
    let shown = || text.chars().take(40).collect::<String>();
    text.parse::<u8>().ok().filter(|fd| *fd >= 3).map(RawFd::from).ok_or_else(|| StartError::BadFd(shown()))
}

static TAKEN: AtomicBool = AtomicBool::new(false);

/// Owns the inherited descriptor `fd` as a listening TCP socket, close-on-exec.
#[expect(unsafe_code, reason = "a descriptor inherited by number has no safe constructor")]
fn adopt(fd: RawFd) -> Result<std::net::TcpListener, StartError> {
    if TAKEN.swap(true, Ordering::SeqCst) {
        return Err(StartError::AlreadyTaken);
    }
    // SAFETY: this runs once (TAKEN), first thing in `main`, before the process opened a
    // descriptor of its own, so `fd` is the parent's or not open, and no other code holds it.
    // The borrow lives only for the checks, which fail without effect on a closed descriptor.
    let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
    check_listening_tcp(borrowed)?;
    // SAFETY: as above; `fd` is now known to be open, and ownership is taken exactly once.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    Ok(std::net::TcpListener::from(owned))
}

fn check_listening_tcp(fd: BorrowedFd<'_>) -> Result<(), StartError> {
    let raw = fd.as_raw_fd();
    fcntl(fd, FcntlArg::F_GETFD).map_err(|source| StartError::Closed { fd: raw, source })?;
    let kind =
        getsockopt(&fd, sockopt::SockType).map_err(|source| StartError::NotSocket { fd: raw, source })?;
    if kind != SockType::Stream {
        return Err(StartError::NotTcp { fd: raw, what: format!("socket type {kind:?}") });
    }
    let family = getsockname::<SockaddrStorage>(raw)
        .map_err(|source| StartError::NotTcp { fd: raw, what: format!("no address: {source}") })?
        .family();
    if !matches!(family, Some(AddressFamily::Inet | AddressFamily::Inet6)) {
        return Err(StartError::NotTcp { fd: raw, what: format!("address family {family:?}") });
    }
    if !getsockopt(&fd, sockopt::AcceptConn).map_err(|source| StartError::NotSocket { fd: raw, source })? {
        return Err(StartError::NotListening { fd: raw });
    }
    fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC))
        .map_err(|source| StartError::CloseOnExec { fd: raw, source })?;
    Ok(())
}

/// Serves the API on the inherited socket until stdin closes or a signal.
pub async fn run(settings: &Settings, listener: std::net::TcpListener) -> Result<()> {
    let mut signals = Signals::install().context("cannot catch SIGINT, SIGTERM and SIGHUP")?;
    let stdin = watch_stdin();
    let line = tokio::time::timeout(LINE_TIMEOUT, stdin.line)
        .await
        .map_err(|_| {
            anyhow::anyhow!(
                "no configuration line on stdin within {}s: the parent writes one (base64 of a \
                 ServerConfig) when it starts `{ARG}`",
                LINE_TIMEOUT.as_secs()
            )
        })?
        .context("stdin was lost")??;
    let config =
        ParentConfig::decode_line(&line).context("the parent's configuration line on stdin was refused")?;
    let bound = listener.local_addr().context("cannot read the inherited socket's address")?;
    if let Some(port) = config.listen_port.filter(|port| *port != bound.port()) {
        anyhow::bail!(
            "the inherited socket listens on {bound}, but the parent's configuration says listen_port \
             {port}: {FD_VAR} names another socket than the parent meant"
        );
    }
    let client = wiring::charthop_client(settings)?;
    let backend = ChartHopBackend::new(client, wiring::sync_options(settings));
    listener.set_nonblocking(true).context("cannot make the inherited socket non-blocking")?;
    let listener =
        tokio::net::TcpListener::from_std(listener).context("cannot serve on the inherited socket")?;
    tracing::info!(address = %bound, "serving the connector API to the parent process");
    let shutdown = async move {
        tokio::select! {
            _ = stdin.closed => tracing::info!("stdin closed, the parent process is gone: stopping"),
            signal = signals.recv() => tracing::info!(%signal, "stopping the connector API"),
        }
    };
    serve_with_shutdown(listener, backend, Some(config.tls), ServeOptions::default(), shutdown)
        .await
        .context("the connector API could not be served")?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
enum LineError {
    #[error("the configuration line on stdin is longer than {MAX_PARENT_LINE} bytes")]
    TooLong,
    #[error("stdin closed before a whole configuration line arrived: the parent process is gone")]
    Ended,
    #[error("cannot read the configuration line from stdin")]
    Read(#[source] std::io::Error),
}

struct Stdin {
    line: oneshot::Receiver<Result<Vec<u8>, LineError>>,
    closed: oneshot::Receiver<()>,
}

/// A plain thread, not Tokio's stdin: its blocking read could hold up the runtime's shutdown.
fn watch_stdin() -> Stdin {
    let (line_tx, line) = oneshot::channel();
    let (closed_tx, closed) = oneshot::channel();
    std::thread::spawn(move || {
        let mut stdin = BufReader::new(std::io::stdin().lock());
        let first = read_line(&mut stdin);
        let ok = first.is_ok();
        if line_tx.send(first).is_err() || !ok {
            return;
        }
        // Whatever follows is ignored; only its end matters.
        let mut sink = [0u8; 4096];
        loop {
            match stdin.read(&mut sink) {
                Ok(0) => break,
                Ok(_) => {}
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let _ = closed_tx.send(());
    });
    Stdin { line, closed }
}

fn read_line(stdin: &mut impl BufRead) -> Result<Vec<u8>, LineError> {
    let mut line = Vec::new();
    let limit = u64::try_from(MAX_PARENT_LINE).unwrap_or(u64::MAX).saturating_add(1);
    stdin.take(limit).read_until(b'\n', &mut line).map_err(LineError::Read)?;
    match line.last() {
        Some(b'\n') => Ok(line),
        _ if line.len() > MAX_PARENT_LINE => Err(LineError::TooLong),
        _ => Err(LineError::Ended),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_small_descriptor_numbers_past_stdio_are_accepted() {
        assert_eq!(parse_fd(OsStr::new("3")).unwrap(), 3);
        assert_eq!(parse_fd(OsStr::new("255")).unwrap(), 255);
        for bad in ["", "0", "2", "256", "-1", "3 ", "fd3", "99999999999999999999999999999999999999999999"] {
            let error = parse_fd(OsStr::new(bad)).expect_err(bad).to_string();
            assert!(error.contains(FD_VAR) && error.contains("3 to 255"), "{error}");
            assert!(error.len() < 200, "a long value is cut: {error}");
        }
    }

    #[test]
    fn without_the_last_argument_nothing_is_taken() {
        let args: Vec<OsString> = ["b", "--org-id", "acme"].map(OsString::from).into();
        let (back, listener) = take_start(args.clone()).unwrap();
        assert_eq!(back, args);
        assert!(listener.is_none());
        // Anywhere but last it is an ordinary argument (clap refuses it).
        let args: Vec<OsString> = ["b", ARG, "--org-id", "acme"].map(OsString::from).into();
        assert!(take_start(args).unwrap().1.is_none());
    }

    #[test]
    fn the_line_is_bounded_and_must_end() {
        let mut ok = &b"abc\nrest"[..];
        assert_eq!(read_line(&mut ok).unwrap(), b"abc\n");
        assert!(matches!(read_line(&mut &b"abc"[..]), Err(LineError::Ended)));
        assert!(matches!(read_line(&mut &b""[..]), Err(LineError::Ended)));
        let long = vec![b'A'; MAX_PARENT_LINE + 10];
        assert!(matches!(read_line(&mut long.as_slice()), Err(LineError::TooLong)));
    }
}
