use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use c1_service::{ClientCredentials, CredentialsError, encode_client_secret};
use ed25519_dalek::SigningKey;

const CLIENT_ID: &str = "calm-lamb-12345@acme.conductor.one/pcc";

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

fn secret_with_jwk(jwk: &str) -> String {
    format!("secret-token:conductorone.com:v1:{}", URL_SAFE_NO_PAD.encode(jwk))
}

fn d() -> String {
    URL_SAFE_NO_PAD.encode(key().to_bytes())
}

#[test]
fn a_good_pair_parses_and_debug_hides_the_key() {
    let secret = encode_client_secret(&key());
    let credentials = ClientCredentials::parse(CLIENT_ID, &secret).unwrap();
    assert_eq!(credentials.client_id(), CLIENT_ID);
    assert_eq!(credentials.host(), "acme.conductor.one");
    assert_eq!(credentials.audience(), "acme.conductor.one");
    assert_eq!(credentials.verifying_key(), key().verifying_key());
    let debug = format!("{credentials:?}");
    assert!(debug.contains(CLIENT_ID), "{debug}");
    assert!(!debug.contains(&d()), "{debug}");
    assert!(!debug.contains(secret.rsplit(':').next().unwrap()), "{debug}");
}

#[test]
fn a_host_with_a_port_keeps_it_but_the_audience_drops_it() {
    let credentials =
        ClientCredentials::parse("x@tenant.example:8443/pcc", &encode_client_secret(&key())).unwrap();
    assert_eq!(credentials.host(), "tenant.example:8443");
    assert_eq!(credentials.audience(), "tenant.example");
}

#[test]
fn a_jwk_without_x_is_accepted() {
    let jwk = format!(r#"{{"kty":"OKP","crv":"Ed25519","d":"{}"}}"#, d());
    let credentials = ClientCredentials::parse(CLIENT_ID, &secret_with_jwk(&jwk)).unwrap();
    assert_eq!(credentials.verifying_key(), key().verifying_key());
}

#[test]
fn each_malformed_part_is_named_and_the_secret_never_echoed() {
    let x = URL_SAFE_NO_PAD.encode(key().verifying_key().as_bytes());
    let other_x = URL_SAFE_NO_PAD.encode(SigningKey::from_bytes(&[9; 32]).verifying_key().as_bytes());
    let short_d = URL_SAFE_NO_PAD.encode([1_u8; 31]);
    let cases: Vec<(String, String, CredentialsError)> = vec![
        (
            "no-host".to_owned(),
            encode_client_secret(&key()),
            CredentialsError::ClientIdWithoutHost { client_id: "no-host".to_owned() },
        ),
        (
            "name@host-without-slash".to_owned(),
            encode_client_secret(&key()),
            CredentialsError::ClientIdWithoutHost { client_id: "name@host-without-slash".to_owned() },
        ),
        (
            CLIENT_ID.to_owned(),
            format!("secret-token:v1:{}", d()),
            CredentialsError::SecretPartCount { parts: 3 },
        ),
        (
            CLIENT_ID.to_owned(),
            format!("password:conductorone.com:v1:{}", d()),
            CredentialsError::SecretPrefix,
        ),
        (
            CLIENT_ID.to_owned(),
            format!("secret-token:conductorone.com:v2:{}", d()),
            CredentialsError::SecretVersion { len: 2 },
        ),
        (
            CLIENT_ID.to_owned(),
            format!("secret-token:conductorone.com:v1:ab*{}", d()),
            CredentialsError::SecretBase64 { reason: "invalid character at offset 2".to_owned() },
        ),
        (
            CLIENT_ID.to_owned(),
            secret_with_jwk(&format!("{{\"d\":\"{}\"", d())),
            CredentialsError::SecretJwk { reason: "truncated JSON at line 1 column 50".to_owned() },
        ),
        (
            CLIENT_ID.to_owned(),
            secret_with_jwk(&format!(r#"{{"kty":"EC","crv":"P-256","d":"{}"}}"#, d())),
            CredentialsError::SecretKeyType { kty: "EC".to_owned(), crv: "P-256".to_owned() },
        ),
        (
            CLIENT_ID.to_owned(),
            secret_with_jwk(&format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}"}}"#)),
            CredentialsError::SecretMissingPrivateKey,
        ),
        (
            CLIENT_ID.to_owned(),
            secret_with_jwk(&format!(r#"{{"kty":"OKP","crv":"Ed25519","d":"{short_d}"}}"#)),
            CredentialsError::SecretPrivateKeyLength { len: 31 },
        ),
        (
            CLIENT_ID.to_owned(),
            secret_with_jwk(&format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{other_x}","d":"{}"}}"#, d())),
            CredentialsError::SecretPublicKeyMismatch,
        ),
    ];
    for (client_id, secret, expected) in cases {
        let error = ClientCredentials::parse(&client_id, &secret).unwrap_err();
        assert_eq!(error, expected, "for secret case {expected}");
        let shown = format!("{error} / {error:?}");
        assert!(!shown.contains(&d()), "{shown}");
        assert!(!shown.contains(secret.rsplit(':').next().unwrap()), "{shown}");
    }
}

#[test]
fn the_messages_say_what_is_wrong_and_name_no_flag() {
    let error = ClientCredentials::parse(CLIENT_ID, "secret-token:x:v1").unwrap_err();
    assert_eq!(
        error.to_string(),
        "the client secret has 3 `:`-separated parts, expected 4 (`secret-token:<issuer>:v1:<key>`)"
    );
}

#[test]
fn a_key_in_the_version_slot_is_not_echoed() {
    // Parts swapped: the key where the version belongs.
    let secret = format!("secret-token:conductorone.com:{}:v1", d());
    let error = ClientCredentials::parse(CLIENT_ID, &secret).unwrap_err();
    assert_eq!(error, CredentialsError::SecretVersion { len: d().len() });
    let shown = format!("{error} / {error:?}");
    assert!(!shown.contains(&d()[..6]), "{shown}");
    assert!(shown.contains("version part") && shown.contains("43 characters"), "{shown}");
}

#[test]
fn a_secret_given_as_the_client_id_is_not_echoed() {
    let secret = encode_client_secret(&key());
    let error = ClientCredentials::parse(&secret, CLIENT_ID).unwrap_err();
    assert_eq!(error, CredentialsError::ClientIdIsASecret);
    let shown = format!("{error} / {error:?}");
    assert!(!shown.contains(secret.rsplit(':').next().unwrap()), "{shown}");
    assert!(shown.contains("swapped"), "{shown}");
}
