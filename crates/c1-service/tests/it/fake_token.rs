//! The fake's token endpoint, spoken to directly over h2 with hand-made assertions: it must
//! accept a correct one and refuse each kind of wrong one (the other tests rely on it).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use c1_fake::{FakeC1, Knobs};
use ed25519_dalek::{Signer as _, SigningKey};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls_pki_types::pem::PemObject as _;
use serde_json::{Value, json};

use crate::support::TENANT_HOST;

fn key_of_secret(secret: &str) -> SigningKey {
    let jwk: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(secret.rsplit(':').next().unwrap()).unwrap()).unwrap();
    let d: [u8; 32] = URL_SAFE_NO_PAD.decode(jwk["d"].as_str().unwrap()).unwrap().try_into().unwrap();
    SigningKey::from_bytes(&d)
}

fn jwt(key: &SigningKey, header: &Value, claims: &Value) -> String {
    let encode = |value: &Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let input = format!("{}.{}", encode(header), encode(claims));
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(key.sign(input.as_bytes()).to_bytes()))
}

async fn post(fake: &FakeC1, body: String, h2: bool) -> (u16, Value) {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(rustls_pki_types::CertificateDer::from_pem_slice(fake.ca_pem().as_bytes()).unwrap()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![if h2 { b"h2".to_vec() } else { b"http/1.1".to_vec() }];
    let tcp = tokio::net::TcpStream::connect(fake.api_host()).await.unwrap();
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol() == Some(&b"h2"[..]), h2);
    let request = http::Request::post(format!("https://{}/auth/v1/token", fake.api_host()))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", fake.api_host())
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let response = if h2 {
        let (mut sender, connection) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls)).await.unwrap();
        tokio::spawn(connection);
        sender.send_request(request).await.unwrap()
    } else {
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(tls)).await.unwrap();
        tokio::spawn(connection);
        sender.send_request(request).await.unwrap()
    };
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

fn form(client_id: &str, assertion: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("grant_type", "client_credentials")
        .append_pair("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        .append_pair("client_assertion", assertion)
        .finish()
}

#[tokio::test]
async fn the_fake_token_endpoint_accepts_a_good_assertion_over_h2_and_http1_and_refuses_bad_ones() {
    let fake = FakeC1::start(Knobs { token_lifetime_secs: 77, ..Knobs::default() }).await.unwrap();
    let credentials = fake.mint_credentials(TENANT_HOST);
    let key = key_of_secret(&credentials.client_secret);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let header = json!({"alg": "EdDSA", "nonce": URL_SAFE_NO_PAD.encode([5_u8; 16])});
    let claims = json!({
        "iss": credentials.client_id, "sub": credentials.client_id, "aud": [TENANT_HOST],
        "iat": now, "nbf": now - 120, "exp": now + 120,
    });

    for h2 in [true, false] {
        let (status, body) =
            post(&fake, form(&credentials.client_id, &jwt(&key, &header, &claims)), h2).await;
        assert_eq!(
            (status, body["token_type"].as_str(), body["expires_in"].as_u64()),
            (200, Some("Bearer"), Some(77))
        );
        assert!(!body["access_token"].as_str().unwrap().is_empty());
    }
    let versions: Vec<String> =
        fake.recorded().token_requests.iter().map(|r| r.http_version.clone()).collect();
    assert_eq!(versions, ["HTTP/2.0", "HTTP/1.1"]);

    let with = |name: &str, value: Value| {
        let mut claims = claims.clone();
        claims[name] = value;
        claims
    };
    let other_key = SigningKey::from_bytes(&[3; 32]);
    let old = now - 3600;
    let bad: Vec<(&str, String)> = vec![
        ("signature", jwt(&other_key, &header, &claims)),
        ("aud", jwt(&key, &header, &with("aud", json!(["127.0.0.1"])))),
        ("iss", jwt(&key, &header, &with("iss", json!("someone-else")))),
        ("nonce", jwt(&key, &json!({"alg": "EdDSA"}), &claims)),
        ("alg", jwt(&key, &json!({"alg": "HS256", "nonce": header["nonce"]}), &claims)),
        (
            "iat",
            jwt(
                &key,
                &header,
                &json!({"iss": credentials.client_id, "sub": credentials.client_id,
            "aud": [TENANT_HOST], "iat": old, "nbf": old - 120, "exp": old + 120}),
            ),
        ),
    ];
    for (what, assertion) in bad {
        let (status, body) = post(&fake, form(&credentials.client_id, &assertion), true).await;
        assert_eq!(status, 401, "{what}: {body}");
        assert!(body.get("access_token").is_none(), "{what}");
    }
    let reasons: Vec<String> =
        fake.recorded().token_requests.iter().filter_map(|r| r.outcome.clone().err()).collect();
    assert_eq!(reasons.len(), 6);
    for (reason, what) in reasons.iter().zip(["signature", "aud", "iss", "nonce", "alg", "iat"]) {
        assert!(reason.contains(what), "refused for {reason:?}, expected a word on {what}");
    }
}
