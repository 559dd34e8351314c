//! The server's page tokens: which listing, the backend's token, rows of it already sent.
//!
//! Encoded as base64url (no padding) of a version byte, a protobuf [`Cursor`] and the first
//! 8 bytes of the SHA-256 of both, so a damaged or made-up token is told apart from a real one.
//! Nothing is kept on the server: a token can be replayed, also by another server process.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use prost::Message as _;
use sha2::{Digest as _, Sha256};

const VERSION: u8 = 1;
const CHECK_LEN: usize = 8;
/// The SDK's protos cap page tokens at 1 MiB.
pub(crate) const MAX_TOKEN_LEN: usize = 1024 * 1024;

/// Where a listing stands.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Cursor {
    /// The listing: its kind, then its key (type id, or type id and resource id).
    #[prost(string, repeated, tag = "1")]
    pub scope: Vec<String>,
    /// The backend's token for the page being sent; unset for its first page.
    #[prost(string, optional, tag = "2")]
    pub backend: Option<String>,
    /// Rows of that backend page already sent.
    #[prost(uint32, tag = "3")]
    pub skip: u32,
}

/// Why a token was refused; each is an `InvalidArgument` to the caller.
#[derive(Debug, thiserror::Error, PartialEq)]
pub(crate) enum TokenError {
    #[error("the page token is longer than 1 MiB")]
    TooLong,
    #[error("the page token was not issued by this connector")]
    Foreign,
    #[error("the page token belongs to another listing ({issued_for}, not {asked_for})")]
    OtherListing { issued_for: String, asked_for: String },
}

fn check(body: &[u8]) -> [u8; CHECK_LEN] {
    let digest = Sha256::digest(body);
    let mut out = [0; CHECK_LEN];
    out.copy_from_slice(&digest[..CHECK_LEN]);
    out
}

pub(crate) fn encode(cursor: &Cursor) -> String {
    let mut body = vec![VERSION];
    cursor.encode(&mut body).expect("a Vec grows as needed");
    let check = check(&body);
    body.extend_from_slice(&check);
    URL_SAFE_NO_PAD.encode(body)
}

/// The cursor of `token` for the listing `scope`; an empty token starts it.
pub(crate) fn decode(token: &str, scope: &[String]) -> Result<Cursor, TokenError> {
    if token.is_empty() {
        return Ok(Cursor { scope: scope.to_vec(), backend: None, skip: 0 });
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::TooLong);
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| TokenError::Foreign)?;
    if bytes.len() < 1 + CHECK_LEN || bytes[0] != VERSION {
        return Err(TokenError::Foreign);
    }
    let (body, sum) = bytes.split_at(bytes.len() - CHECK_LEN);
    if check(body) != sum {
        return Err(TokenError::Foreign);
    }
    let cursor = Cursor::decode(&body[1..]).map_err(|_| TokenError::Foreign)?;
    if cursor.scope != scope {
        return Err(TokenError::OtherListing {
            issued_for: cursor.scope.join("/"),
            asked_for: scope.join("/"),
        });
    }
    Ok(cursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn a_token_round_trips_and_is_bound_to_its_listing() {
        let grants = scope(&["grants", "group", "g1"]);
        let cursor = Cursor { scope: grants.clone(), backend: Some("p2".into()), skip: 7 };
        let token = encode(&cursor);
        assert_eq!(decode(&token, &grants), Ok(cursor));
        let other = decode(&token, &scope(&["grants", "group", "g2"]));
        assert!(matches!(other, Err(TokenError::OtherListing { .. })), "{other:?}");
    }

    #[test]
    fn damaged_and_made_up_tokens_are_foreign() {
        let s = scope(&["resources", "user"]);
        let token = encode(&Cursor { scope: s.clone(), backend: None, skip: 1 });
        let mut damaged = token.clone().into_bytes();
        let last = damaged.len() - 3;
        damaged[last] = if damaged[last] == b'A' { b'B' } else { b'A' };
        let damaged = String::from_utf8(damaged).expect("ascii");
        for bad in [damaged.as_str(), "cursor-42", "AAAA", "not base64 !"] {
            assert_eq!(decode(bad, &s), Err(TokenError::Foreign), "{bad}");
        }
        assert_eq!(decode(&"A".repeat(MAX_TOKEN_LEN + 1), &s), Err(TokenError::TooLong));
    }

    #[test]
    fn an_empty_token_starts_the_listing() {
        let s = scope(&["resource_types"]);
        assert_eq!(decode("", &s), Ok(Cursor { scope: s, backend: None, skip: 0 }));
    }
}
