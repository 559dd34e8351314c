//! C1 client credentials: the client id (which names the tenant host) and the client secret
//! (an Ed25519 private key as a JWK). Nothing here ever prints the secret.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::Deserialize;

const SECRET_PREFIX: &str = "secret-token";
const SECRET_VERSION: &str = "v1";

/// Why a client id or client secret was rejected. Messages name the part that is wrong and
/// never contain the secret itself.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CredentialsError {
    #[error(
        "the client id {client_id:?} has no host: expected `<name>@<host>/<suffix>`, \
         as shown by C1 when the connector was created"
    )]
    ClientIdWithoutHost { client_id: String },
    #[error(
        "the client id starts with `secret-token:`, so it is a client secret (not shown): \
         were the client id and the client secret swapped?"
    )]
    ClientIdIsASecret,
    #[error(
        "the client secret has {parts} `:`-separated parts, expected 4 \
         (`secret-token:<issuer>:v1:<key>`)"
    )]
    SecretPartCount { parts: usize },
    #[error("the client secret does not start with `secret-token:`")]
    SecretPrefix,
    #[error(
        "the version part of the client secret (its third `:`-separated part, {len} characters) \
         is not `v1`, the only version supported"
    )]
    SecretVersion { len: usize },
    #[error("the key part of the client secret is not base64url (no padding): {reason}")]
    SecretBase64 { reason: String },
    #[error("the key part of the client secret is not a JSON Web Key: {reason}")]
    SecretJwk { reason: String },
    #[error("the client secret's key is kty={kty:?} crv={crv:?}; only OKP/Ed25519 keys are supported")]
    SecretKeyType { kty: String, crv: String },
    #[error("the client secret's key has no private part `d`")]
    SecretMissingPrivateKey,
    #[error("the client secret's private key `d` is {len} bytes after decoding, expected 32")]
    SecretPrivateKeyLength { len: usize },
    #[error("the client secret's public key `x` does not match its private key `d`")]
    SecretPublicKeyMismatch,
}

/// Only the members the secret must carry; extra JWK members (kid, use, alg) are ignored.
#[derive(Deserialize)]
struct Jwk {
    kty: String,
    #[serde(default)]
    crv: String,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    d: Option<String>,
}

/// A parsed client id and secret. `Debug` shows the client id and never the key.
#[derive(Clone)]
pub struct ClientCredentials {
    client_id: String,
    host: String,
    signing_key: SigningKey,
}

impl ClientCredentials {
    /// Parses a client id and client secret as C1 issues them (`docs/c1-wire.md`, credentials).
    pub fn parse(client_id: &str, client_secret: &str) -> Result<Self, CredentialsError> {
        let host = host_of_client_id(client_id)?;
        let signing_key = signing_key_of_secret(client_secret.trim())?;
        Ok(Self { client_id: client_id.to_owned(), host, signing_key })
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The tenant host named by the client id (`acme.conductor.one`), possibly with a port.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The host without a port: the token's audience.
    pub fn audience(&self) -> &str {
        strip_port(&self.host)
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing_key.verifying_key()
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.signing_key
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("host", &self.host)
            .field("signing_key", &"<redacted>")
            .finish()
    }
}

fn host_of_client_id(client_id: &str) -> Result<String, CredentialsError> {
    // Swapped flags: the "id" is the secret, which must not be echoed back.
    if client_id.trim_start().starts_with(SECRET_PREFIX) {
        return Err(CredentialsError::ClientIdIsASecret);
    }
    let missing = || CredentialsError::ClientIdWithoutHost { client_id: client_id.to_owned() };
    let (_, after_at) = client_id.split_once('@').ok_or_else(missing)?;
    let (host, _) = after_at.split_once('/').ok_or_else(missing)?;
    if host.is_empty() {
        return Err(missing());
    }
    Ok(host.to_owned())
}

fn signing_key_of_secret(secret: &str) -> Result<SigningKey, CredentialsError> {
    let parts: Vec<&str> = secret.split(':').collect();
    if parts.len() != 4 {
        return Err(CredentialsError::SecretPartCount { parts: parts.len() });
    }
    if parts[0] != SECRET_PREFIX {
        return Err(CredentialsError::SecretPrefix);
    }
    if parts[2] != SECRET_VERSION {
        // Nothing of it is echoed: were the parts mixed up, it could be the key.
        return Err(CredentialsError::SecretVersion { len: parts[2].chars().count() });
    }
    let json = URL_SAFE_NO_PAD
        .decode(parts[3])
        .map_err(|err| CredentialsError::SecretBase64 { reason: describe_base64_error(&err) })?;
    let jwk: Jwk = serde_json::from_slice(&json)
        .map_err(|err| CredentialsError::SecretJwk { reason: describe_json_error(&err) })?;
    if jwk.kty != "OKP" || jwk.crv != "Ed25519" {
        return Err(CredentialsError::SecretKeyType { kty: jwk.kty, crv: jwk.crv });
    }
    let d = jwk.d.ok_or(CredentialsError::SecretMissingPrivateKey)?;
    let d = URL_SAFE_NO_PAD
        .decode(d.trim_end_matches('='))
        .map_err(|err| CredentialsError::SecretBase64 { reason: describe_base64_error(&err) })?;
    let d: [u8; 32] =
        d.as_slice().try_into().map_err(|_| CredentialsError::SecretPrivateKeyLength { len: d.len() })?;
    let signing_key = SigningKey::from_bytes(&d);
    if let Some(x) = jwk.x {
        let matches = URL_SAFE_NO_PAD
            .decode(x.trim_end_matches('='))
            .is_ok_and(|x| x == signing_key.verifying_key().as_bytes());
        if !matches {
            return Err(CredentialsError::SecretPublicKeyMismatch);
        }
    }
    Ok(signing_key)
}

/// Base64 errors can quote the offending byte; say only where it is.
fn describe_base64_error(err: &base64::DecodeError) -> String {
    match err {
        base64::DecodeError::InvalidByte(offset, _) => format!("invalid character at offset {offset}"),
        base64::DecodeError::InvalidLength(len) => format!("invalid length {len}"),
        base64::DecodeError::InvalidLastSymbol(offset, _) => {
            format!("invalid last character at offset {offset}")
        }
        base64::DecodeError::InvalidPadding => "invalid padding".to_owned(),
    }
}

/// serde_json messages can quote values from the key; keep only the category and position.
fn describe_json_error(err: &serde_json::Error) -> String {
    let category = match err.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "missing or mistyped member (kty, crv, x, d are strings)",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!("{category} at line {} column {}", err.line(), err.column())
}

pub(crate) fn strip_port(host: &str) -> &str {
    // `[::1]:443` keeps its brackets off; `host:443` loses the port; a bare IPv6 stays whole.
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split_once(']').map_or(host, |(inner, _)| inner);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    }
}

/// Builds the `secret-token:conductorone.com:v1:<jwk>` form of a key; for tests and the fake C1.
pub fn encode_client_secret(signing_key: &SigningKey) -> String {
    let jwk = serde_json::json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": URL_SAFE_NO_PAD.encode(signing_key.verifying_key().as_bytes()),
        "d": URL_SAFE_NO_PAD.encode(signing_key.to_bytes()),
    });
    format!("{SECRET_PREFIX}:conductorone.com:{SECRET_VERSION}:{}", URL_SAFE_NO_PAD.encode(jwk.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_port_handles_names_ipv4_and_ipv6() {
        assert_eq!(strip_port("acme.conductor.one"), "acme.conductor.one");
        assert_eq!(strip_port("acme.conductor.one:8443"), "acme.conductor.one");
        assert_eq!(strip_port("127.0.0.1:50051"), "127.0.0.1");
        assert_eq!(strip_port("[::1]:443"), "::1");
        assert_eq!(strip_port("::1"), "::1");
    }
}
