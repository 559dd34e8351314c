//! Failures below HTTP are named, with the host, and retried only when retrying can help:
//! a name that does not resolve, a refused connection, an untrusted certificate, a server
//! that does not speak TLS, a connect timeout. Servers listen on 127.0.0.1 only.

use std::sync::Arc;
use std::time::{Duration, Instant};

use charthop_client::{ChartHopClient, Error, NetworkKind, TlsProblem, Transient, Url};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::{Stub, TOKEN, client, config, fast_retry, json};

fn no_flag_named(error: &Error) {
    let text = error.to_string();
    assert!(!text.contains("--") && !text.contains("BATON_"), "{text}");
}

/// Accepts connections and runs `serve` on each, until the returned guard is dropped.
async fn server<F, Fut>(serve: F) -> (u16, tokio::task::JoinHandle<()>)
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(serve(socket));
        }
    });
    (port, task)
}

fn https_client(port: u16, attempts: u32) -> ChartHopClient {
    let base = Url::parse(&format!("https://127.0.0.1:{port}")).unwrap();
    let mut config = config(base, TOKEN, "acme");
    config.retry = fast_retry(attempts);
    config.connect_timeout = Duration::from_secs(5);
    client(config)
}

#[tokio::test]
async fn a_host_that_does_not_resolve_fails_at_once_and_is_named() {
    let base = Url::parse("https://no-such-host.invalid").unwrap();
    let mut config = config(base, TOKEN, "acme");
    config.retry = fast_retry(6);
    let client = client(config);
    let started = Instant::now();
    let error = tokio::time::timeout(Duration::from_secs(20), client.validate_access())
        .await
        .expect("a lookup that fails does not hang")
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(
        matches!(&error, Error::HostNotFound { host, .. } if host == "no-such-host.invalid"),
        "{error:?}"
    );
    assert_eq!(error.network(), Some(NetworkKind::HostNotFound));
    assert_eq!(client.stats().requests, 1, "a name that does not resolve is not retried");
    assert!(
        error
            .to_string()
            .starts_with("could not resolve host no-such-host.invalid (GET /v2/org/acme/person)")
    );
    assert!(std::error::Error::source(&error).is_some(), "the cause is kept");
    no_flag_named(&error);
}

#[tokio::test]
async fn a_refused_connection_is_retried_briefly_then_named_with_host_and_port() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let base: Url = format!("http://127.0.0.1:{port}").parse().unwrap();
    // Three attempts however many the policy allows; fewer when it allows fewer.
    for (allowed, expected) in [(6, 3), (2, 2), (1, 1)] {
        let mut config = config(base.clone(), TOKEN, "acme");
        config.retry = fast_retry(allowed);
        let client = client(config);
        let error = client.validate_access().await.unwrap_err();
        match &error {
            Error::ConnectionRefused { host, port: p, attempts, .. } => {
                assert_eq!((host.as_str(), *p, *attempts), ("127.0.0.1", port, expected))
            }
            other => panic!("expected ConnectionRefused, got {other:?}"),
        }
        assert_eq!(client.stats().requests, u64::from(expected));
        assert_eq!(error.network(), Some(NetworkKind::ConnectionRefused));
        assert!(
            error.to_string().starts_with(&format!("127.0.0.1 refused the connection on port {port}")),
            "{error}"
        );
        no_flag_named(&error);
    }
}

#[tokio::test]
async fn an_untrusted_certificate_is_named_and_not_retried() {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap().self_signed(&key).unwrap();
    let key = rustls_pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let (port, task) = server(move |socket| {
        let acceptor = acceptor.clone();
        async move {
            // The client gives up during the handshake: nothing to serve.
            let _ = acceptor.accept(socket).await;
        }
    })
    .await;
    let client = https_client(port, 4);
    let error = client.validate_access().await.unwrap_err();
    match &error {
        Error::Tls { host, problem, .. } => {
            assert_eq!((host.as_str(), *problem), ("127.0.0.1", TlsProblem::UntrustedCertificate))
        }
        other => panic!("expected Tls, got {other:?}"),
    }
    assert_eq!(client.stats().requests, 1, "a certificate problem is not retried");
    assert_eq!(error.network(), Some(NetworkKind::Tls(TlsProblem::UntrustedCertificate)));
    assert!(error.to_string().starts_with("the TLS certificate of 127.0.0.1 is not trusted"), "{error}");
    no_flag_named(&error);
    task.abort();
}

#[tokio::test]
async fn a_server_that_does_not_speak_tls_fails_the_handshake() {
    let (port, task) = server(|mut socket| async move {
        let mut buf = [0u8; 512];
        let _ = socket.read(&mut buf).await;
        let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n").await;
    })
    .await;
    let client = https_client(port, 4);
    let error = client.validate_access().await.unwrap_err();
    assert!(matches!(error, Error::Tls { problem: TlsProblem::Handshake, .. }), "{error:?}");
    assert_eq!(client.stats().requests, 1);
    assert!(error.to_string().starts_with("the TLS handshake with 127.0.0.1 failed"), "{error}");
    task.abort();
}

#[tokio::test]
async fn a_handshake_that_never_ends_is_a_connect_timeout_with_the_host() {
    // Accepts and holds the socket: the TLS handshake, part of connecting, never completes.
    let (port, task) = server(|socket| async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(socket);
    })
    .await;
    let base = Url::parse(&format!("https://127.0.0.1:{port}")).unwrap();
    let mut config = config(base, TOKEN, "acme");
    config.retry = fast_retry(2);
    config.connect_timeout = Duration::from_millis(200);
    let client = client(config);
    let error = client.validate_access().await.unwrap_err();
    assert!(
        matches!(&error, Error::RetriesExhausted { attempts: 2, last: Transient::ConnectTimeout { host, .. }, .. } if host == "127.0.0.1"),
        "{error:?}"
    );
    assert_eq!(error.network(), Some(NetworkKind::ConnectTimeout));
    let cause = std::error::Error::source(&error).map(ToString::to_string);
    assert_eq!(cause.as_deref(), Some("connecting to 127.0.0.1 timed out"));
    task.abort();
}

#[tokio::test]
async fn localhost_resolves_through_the_clients_resolver() {
    let stub = Stub::start(|_, _| json(200, json!({"data": []}))).await;
    let port = stub.base_url().port().unwrap();
    let base = Url::parse(&format!("http://localhost:{port}")).unwrap();
    let client = client(config(base, TOKEN, "acme"));
    client.validate_access().await.expect("localhost is reachable by name");
}
