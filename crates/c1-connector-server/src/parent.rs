//! The Go SDK's parent/child start: the one line a parent process writes to the stdin of the
//! connector it starts, base64 of `c1.connector_wrapper.v1.ServerConfig`. Reading stdin and
//! taking the inherited socket are the caller's business; this only decodes the line.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use c1_proto::connector_wrapper::v1::ServerConfig;
use prost::Message as _;

use crate::serve::{ServeError, TlsConfig};

/// The longest configuration line accepted (a credential is a few KiB).
pub const MAX_PARENT_LINE: usize = 1024 * 1024;

/// What the parent's line says: the TLS to serve (client certificates required, signed by the
/// parent's CA) and the port of the socket it passed, when it said.
#[derive(Debug)]
pub struct ParentConfig {
    pub tls: TlsConfig,
    pub listen_port: Option<u16>,
}

/// Why the parent's line was refused.
#[derive(Debug, thiserror::Error)]
pub enum ParentConfigError {
    #[error("the configuration line is empty")]
    Empty,
    #[error("the configuration line is {0} bytes, more than the {MAX_PARENT_LINE} accepted")]
    TooLong(usize),
    #[error("the configuration line is not base64")]
    Base64(#[source] base64::DecodeError),
    #[error("the configuration line is not a c1.connector_wrapper.v1.ServerConfig")]
    Protobuf(#[source] prost::DecodeError),
    #[error("the configuration holds no credential")]
    NoCredential,
    #[error("the configuration's listen_port {0} is not a TCP port")]
    ListenPort(u32),
    #[error("the configuration's credential is unusable")]
    Credential(#[source] ServeError),
}

impl ParentConfig {
    /// Decodes one line (a trailing `\n` or `\r\n` is allowed). The key never reaches an error.
    pub fn decode_line(line: &[u8]) -> Result<Self, ParentConfigError> {
        if line.len() > MAX_PARENT_LINE {
            return Err(ParentConfigError::TooLong(line.len()));
        }
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return Err(ParentConfigError::Empty);
        }
        let bytes = STANDARD.decode(line).map_err(ParentConfigError::Base64)?;
        let config = ServerConfig::decode(bytes.as_slice()).map_err(ParentConfigError::Protobuf)?;
        let port = config.listen_port;
        let credential = config.credential.ok_or(ParentConfigError::NoCredential)?;
        let tls = TlsConfig::from_credential(&credential).map_err(ParentConfigError::Credential)?;
        let listen_port = match port {
            0 => None,
            port => Some(u16::try_from(port).map_err(|_| ParentConfigError::ListenPort(port))?),
        };
        Ok(Self { tls, listen_port })
    }
}

#[cfg(test)]
mod tests {
    use c1_proto::utls::v1::Credential;

    use super::*;

    fn line(credential: Option<Credential>, port: u32) -> Vec<u8> {
        let config = ServerConfig { credential, rate_limiter_config: None, listen_port: port };
        let mut line = STANDARD.encode(config.encode_to_vec()).into_bytes();
        line.push(b'\n');
        line
    }

    fn credential(key_len: usize) -> Credential {
        Credential { ca_cert: vec![1, 2], key: vec![7; key_len], cert: vec![3, 4] }
    }

    #[test]
    fn a_line_gives_the_tls_with_the_parent_ca_and_the_port() {
        let config = ParentConfig::decode_line(&line(Some(credential(64)), 40123)).expect("decodes");
        assert_eq!(config.listen_port, Some(40123));
        assert_eq!(config.tls.client_ca.as_deref(), Some(&[1u8, 2][..]));
        assert_eq!(config.tls.cert_chain.len(), 1);
        let unset = ParentConfig::decode_line(&line(Some(credential(64)), 0)).expect("decodes");
        assert_eq!(unset.listen_port, None);
        let crlf = String::from_utf8(line(Some(credential(64)), 9)).unwrap().replace('\n', "\r\n");
        assert_eq!(ParentConfig::decode_line(crlf.as_bytes()).expect("decodes").listen_port, Some(9));
    }

    #[test]
    fn the_port_is_field_3_as_the_go_parent_writes_it() {
        let mut bytes =
            ServerConfig { credential: Some(credential(64)), ..Default::default() }.encode_to_vec();
        // Field 3, varint (tag byte 0x18), 40123 as a varint: what the Go parent appends.
        bytes.extend_from_slice(&[0x18, 0xbb, 0xb9, 0x02]);
        let line = STANDARD.encode(bytes);
        assert_eq!(ParentConfig::decode_line(line.as_bytes()).expect("decodes").listen_port, Some(40123));
    }

    #[test]
    fn bad_lines_are_refused_with_what_was_wrong() {
        let refused = |line: &[u8]| ParentConfig::decode_line(line).expect_err("refused");
        assert!(matches!(refused(b"\n"), ParentConfigError::Empty));
        assert!(matches!(refused(&vec![b'A'; MAX_PARENT_LINE + 1]), ParentConfigError::TooLong(_)));
        assert!(matches!(refused(b"not base64!\n"), ParentConfigError::Base64(_)));
        assert!(matches!(refused(b"/w==\n"), ParentConfigError::Protobuf(_)));
        assert!(matches!(refused(&line(None, 1)), ParentConfigError::NoCredential));
        assert!(matches!(refused(&line(Some(credential(64)), 70000)), ParentConfigError::ListenPort(70000)));
        let short_key = refused(&line(Some(credential(32)), 1));
        assert!(matches!(short_key, ParentConfigError::Credential(ServeError::CredentialKey(32))));
        // The key's bytes are never shown.
        assert!(!format!("{short_key:?}").contains("7, 7"));
    }
}
