//! Opening TLS connections to C1 (`host[:port]`, port 443 by default).

use std::io;
use std::sync::Arc;

use rustls::ClientConfig;
use rustls_pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

pub(crate) const DEFAULT_PORT: u16 = 443;

/// A `host[:port]` authority split into its parts; IPv6 literals keep no brackets in `host`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Authority {
    pub(crate) host: String,
    pub(crate) port: u16,
}

impl Authority {
    pub(crate) fn parse(authority: &str) -> Result<Self, String> {
        let authority = authority.trim();
        let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or("unclosed `[` in an IPv6 address")?;
            (host, after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) if !host.contains(':') => (host, Some(port)),
                _ => (authority, None),
            }
        };
        if host.is_empty() {
            return Err("no host name".to_owned());
        }
        let port = match port {
            Some(port) => port.parse().map_err(|_| format!("port {port:?} is not a number in 1..65535"))?,
            None => DEFAULT_PORT,
        };
        Ok(Self { host: host.to_owned(), port })
    }

    /// `host:port` as it goes into a URI (`[::1]:443` for IPv6).
    pub(crate) fn uri_authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    pub(crate) async fn connect_tls(&self, config: Arc<ClientConfig>) -> io::Result<TlsStream<TcpStream>> {
        let server_name = ServerName::try_from(self.host.clone())
            .map_err(|err| io::Error::new(io::ErrorKind::InvalidInput, err))?;
        let tcp = TcpStream::connect((self.host.as_str(), self.port)).await?;
        tcp.set_nodelay(true)?;
        TlsConnector::from(config).connect(server_name, tcp).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hosts_ports_and_ipv6() {
        let a = Authority::parse("acme.conductor.one").unwrap();
        assert_eq!((a.host.as_str(), a.port), ("acme.conductor.one", 443));
        let a = Authority::parse("127.0.0.1:50051").unwrap();
        assert_eq!((a.host.as_str(), a.port), ("127.0.0.1", 50051));
        assert_eq!(a.uri_authority(), "127.0.0.1:50051");
        let a = Authority::parse("[::1]:8443").unwrap();
        assert_eq!((a.host.as_str(), a.port), ("::1", 8443));
        assert_eq!(a.uri_authority(), "[::1]:8443");
        assert!(Authority::parse("host:http").unwrap_err().contains("http"));
        assert!(Authority::parse(":443").is_err());
    }
}
