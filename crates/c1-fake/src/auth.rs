//! The fake's token endpoint and token checks. Written apart from the client's assertion code,
//! so a misreading of the contract cannot hide in both.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{StatusCode, Version};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Verifier as _};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::{Shared, TokenRequestRecord, lock};

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Clock slack allowed when checking nbf / exp.
const LEEWAY_SECS: i64 = 5;

struct Decoded {
    header: Value,
    claims: Value,
}

pub(super) fn handle_token_request(state: &Shared, version: Version, body: &[u8]) -> (StatusCode, Value) {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let field = |name: &str| form.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    let client_id = field("client_id").unwrap_or_default().to_owned();
    let mut decoded = None;
    let outcome = check_request(state, &field, &client_id, &mut decoded);
    let mut state = lock(state);
    let (status, body) = match &outcome {
        Ok(()) => {
            let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
            let lifetime = state.knobs.token_lifetime_secs.max(1);
            state.tokens.insert(token.clone(), Instant::now() + Duration::from_secs(lifetime));
            let body = json!({"access_token": token, "token_type": "Bearer", "expires_in": lifetime});
            (StatusCode::OK, body)
        }
        Err(reason) => {
            (StatusCode::UNAUTHORIZED, json!({"error": "invalid_client", "error_description": reason}))
        }
    };
    let (assertion_header, assertion_claims) = match decoded {
        Some(Decoded { header, claims }) => (Some(header), Some(claims)),
        None => (None, None),
    };
    state.recorded.token_requests.push(TokenRequestRecord {
        client_id,
        http_version: format!("{version:?}"),
        assertion_header,
        assertion_claims,
        outcome,
    });
    (status, body)
}

fn check_request<'a>(
    state: &Shared,
    field: &impl Fn(&str) -> Option<&'a str>,
    client_id: &str,
    decoded: &mut Option<Decoded>,
) -> Result<(), String> {
    let (refuses, key) = {
        let state = lock(state);
        (state.knobs.token_endpoint_refuses, state.clients.get(client_id).copied())
    };
    let assertion = field("client_assertion").ok_or("no client_assertion")?;
    let (signing_input, header, claims, signature) = split_jwt(assertion)?;
    *decoded = Some(Decoded { header: header.clone(), claims: claims.clone() });
    if refuses {
        return Err("the token endpoint is set to refuse".to_owned());
    }
    if field("grant_type") != Some("client_credentials") {
        return Err("grant_type is not client_credentials".to_owned());
    }
    if field("client_assertion_type") != Some(ASSERTION_TYPE) {
        return Err("wrong client_assertion_type".to_owned());
    }
    let key = key.ok_or_else(|| format!("unknown client id {client_id:?}"))?;
    key.verify(signing_input.as_bytes(), &signature).map_err(|_| "bad signature".to_owned())?;
    check_header(&header)?;
    check_claims(&claims, client_id)
}

fn split_jwt(jwt: &str) -> Result<(String, Value, Value, Signature), String> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, claims, signature] = parts.as_slice() else {
        return Err(format!("the assertion has {} parts, expected 3", parts.len()));
    };
    let json = |part: &str, what: &str| -> Result<Value, String> {
        let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|err| format!("{what} is not base64url: {err}"))?;
        serde_json::from_slice(&bytes).map_err(|err| format!("{what} is not JSON: {err}"))
    };
    let signature_bytes =
        URL_SAFE_NO_PAD.decode(signature).map_err(|err| format!("signature is not base64url: {err}"))?;
    let signature = Signature::from_slice(&signature_bytes).map_err(|err| format!("bad signature: {err}"))?;
    Ok((format!("{header}.{claims}"), json(header, "header")?, json(claims, "claims")?, signature))
}

fn check_header(header: &Value) -> Result<(), String> {
    if header["alg"] != "EdDSA" {
        return Err(format!("header alg is {}, expected EdDSA", header["alg"]));
    }
    let nonce = header["nonce"].as_str().ok_or("header has no nonce")?;
    let nonce = URL_SAFE_NO_PAD.decode(nonce).map_err(|_| "nonce is not base64url")?;
    if nonce.len() != 16 {
        return Err(format!("nonce is {} bytes, expected 16", nonce.len()));
    }
    Ok(())
}

fn check_claims(claims: &Value, client_id: &str) -> Result<(), String> {
    if claims["iss"] != client_id || claims["sub"] != client_id {
        return Err("iss and sub must both be the client id".to_owned());
    }
    let host = client_id.split_once('@').and_then(|(_, rest)| rest.split_once('/')).map(|(host, _)| host);
    let audience = strip_port(host.ok_or("client id has no host")?);
    if claims["aud"] != json!([audience]) {
        return Err(format!("aud is {}, expected [{audience:?}]", claims["aud"]));
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
    let number = |name: &str| claims[name].as_i64().ok_or(format!("{name} is not a number"));
    let (iat, nbf, exp) = (number("iat")?, number("nbf")?, number("exp")?);
    if (iat - now).abs() > LEEWAY_SECS {
        return Err(format!("iat {iat} is not now ({now})"));
    }
    if nbf != iat - 120 || exp != iat + 120 {
        return Err(format!("nbf/exp must be iat -/+ 120 s (iat {iat}, nbf {nbf}, exp {exp})"));
    }
    if now + LEEWAY_SECS < nbf || now - LEEWAY_SECS > exp {
        return Err("the assertion is not valid now".to_owned());
    }
    Ok(())
}

/// Checks a gRPC call's `authorization` metadata: a token the fake issued and that has not expired.
pub(super) fn check_authorization(state: &Shared, authorization: Option<&str>) -> Result<(), String> {
    let value = authorization.ok_or("no authorization metadata")?;
    let token = value.strip_prefix("Bearer ").ok_or("authorization is not `Bearer <token>`")?;
    let state = lock(state);
    let expires = state.tokens.get(token).ok_or("unknown token")?;
    if Instant::now() >= *expires {
        return Err("the token has expired".to_owned());
    }
    Ok(())
}

/// The host of an audience without its port (`[::1]:443` -> `::1`, `host:443` -> `host`).
/// The fake's own reading, independent of the client's.
fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split_once(']').map_or(host, |(inner, _)| inner);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::strip_port;

    #[test]
    fn audiences_lose_their_port_only() {
        assert_eq!(strip_port("tenant.example:8443"), "tenant.example");
        assert_eq!(strip_port("tenant.example"), "tenant.example");
        assert_eq!(strip_port("[::1]:443"), "::1");
        assert_eq!(strip_port("::1"), "::1");
    }
}
