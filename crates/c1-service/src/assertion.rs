//! The JWT client assertion that proves possession of the client secret (`docs/c1-wire.md#access-tokens`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signer as _;
use serde::Serialize;

use crate::credentials::ClientCredentials;

/// How far before and after `now` the assertion is valid; C1 rejects longer lifetimes.
const SKEW: Duration = Duration::from_secs(120);

#[derive(Serialize)]
struct Header<'a> {
    alg: &'a str,
    typ: &'a str,
    nonce: String,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: [&'a str; 1],
    iat: u64,
    nbf: u64,
    exp: u64,
}

/// Signs a compact EdDSA JWS: header {alg, typ, nonce}, claims iss = sub = client id,
/// aud = [client id host without port], iat = now, nbf = now - 2 min, exp = now + 2 min.
pub(crate) fn client_assertion(credentials: &ClientCredentials, now: SystemTime) -> String {
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let nonce: [u8; 16] = rand::random();
    let header = Header { alg: "EdDSA", typ: "JWT", nonce: URL_SAFE_NO_PAD.encode(nonce) };
    let claims = Claims {
        iss: credentials.client_id(),
        sub: credentials.client_id(),
        aud: [credentials.audience()],
        iat: now,
        nbf: now.saturating_sub(SKEW.as_secs()),
        exp: now + SKEW.as_secs(),
    };
    let signing_input = format!("{}.{}", encode_json(&header), encode_json(&claims));
    let signature = credentials.signing_key().sign(signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

fn encode_json(value: &impl Serialize) -> String {
    // Serializing these plain structs cannot fail.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap_or_default())
}
