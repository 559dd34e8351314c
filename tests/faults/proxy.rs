//! A tampering HTTP proxy on 127.0.0.1 in front of the fake ChartHop: it forwards each request,
//! then lets a row rewrite the answer (malformed JSON, rows without `id`, odd cursors, ...)
//! that the fake itself never sends. One request per connection (`Connection: close`), plain
//! threads, so it stays small and independent of the client under test.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

/// One forwarded exchange, as the tamper function sees it.
pub struct Exchange<'a> {
    /// Path and query, e.g. `/v2/org/ID/person?limit=50`.
    pub target: &'a str,
    /// How many requests to the same path (query left out) came before this one.
    pub nth: usize,
    pub status: u16,
    pub body: &'a [u8],
}

impl Exchange<'_> {
    pub fn is_person_list(&self) -> bool {
        let path = self.target.split('?').next().unwrap_or_default();
        path.starts_with("/v2/org/") && path.ends_with("/person")
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(self.body).ok()
    }
}

/// What the proxy sends back.
pub enum Action {
    /// The upstream answer as it was.
    Pass,
    /// This status and body (JSON content type) instead.
    Replace(u16, Vec<u8>),
    /// Never answer: hold the connection until the proxy stops.
    Hang,
}

pub type Tamper = fn(&Exchange<'_>) -> Action;

pub struct Proxy {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    pub fn start(upstream: SocketAddr, tamper: Tamper) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let stop = Arc::new(AtomicBool::new(false));
        let seen: Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>> = Arc::default();
        let stopping = stop.clone();
        thread::spawn(move || {
            for conn in listener.incoming() {
                if stopping.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (stop, seen) = (stopping.clone(), seen.clone());
                thread::spawn(move || {
                    let _ = serve(conn, upstream, tamper, &seen, &stop);
                });
            }
        });
        Proxy { addr, stop }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

type Seen = std::sync::Mutex<std::collections::HashMap<String, usize>>;

fn serve(
    client: TcpStream,
    upstream: SocketAddr,
    tamper: Tamper,
    seen: &Seen,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let end = line == "\r\n";
        let lower = line.to_ascii_lowercase();
        if !lower.starts_with("connection:") && !end {
            head.push(line);
        }
        if end {
            break;
        }
    }
    let target = head.first().and_then(|l| l.split(' ').nth(1)).unwrap_or("/").to_owned();
    let nth = {
        let path = target.split('?').next().unwrap_or_default().to_owned();
        let mut seen = seen.lock().expect("proxy counters");
        let count = seen.entry(path).or_default();
        *count += 1;
        *count - 1
    };

    let mut up = TcpStream::connect(upstream)?;
    let mut request = head.concat();
    request.push_str("connection: close\r\n\r\n");
    up.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    up.read_to_end(&mut raw)?;
    let (status, headers, body) = parse_response(&raw);

    let exchange = Exchange { target: &target, nth, status, body: &body };
    let (status, headers, body) = match tamper(&exchange) {
        Action::Pass => (status, headers, body),
        Action::Replace(status, body) => (status, vec!["content-type: application/json".to_owned()], body),
        Action::Hang => {
            while !stop.load(Ordering::Relaxed) {
                thread::sleep(Duration::from_millis(50));
            }
            return Ok(());
        }
    };
    let mut out = client;
    let mut answer = format!("HTTP/1.1 {status} X\r\n");
    for header in headers {
        answer.push_str(&header);
        answer.push_str("\r\n");
    }
    answer.push_str(&format!("content-length: {}\r\nconnection: close\r\n\r\n", body.len()));
    out.write_all(answer.as_bytes())?;
    out.write_all(&body)?;
    out.flush()
}

/// Status, the headers worth passing on, and the de-chunked body.
fn parse_response(raw: &[u8]) -> (u16, Vec<String>, Vec<u8>) {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]);
    let rest = raw.get(split + 4..).unwrap_or_default();
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap_or(502);
    let mut chunked = false;
    let mut headers = Vec::new();
    for line in lines {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("transfer-encoding:") {
            chunked = lower.contains("chunked");
        } else if !lower.starts_with("content-length:") && !lower.starts_with("connection:") {
            headers.push(line.to_owned());
        }
    }
    let body = if chunked { dechunk(rest) } else { rest.to_vec() };
    (status, headers, body)
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&rest[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16).unwrap_or(0);
        rest = &rest[eol + 2..];
        if size == 0 || rest.len() < size {
            break;
        }
        body.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).unwrap_or_default();
    }
    body
}

/// Counts answers by tamper functions that need a fresh number each time (cursors).
pub fn next_number() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
