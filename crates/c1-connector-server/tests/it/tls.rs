//! TLS 1.3 with ALPN h2 and a client certificate signed by the given CA, as a parent process
//! starting the connector sets it up (Ed25519 keys, a server certificate for 127.0.0.1).

use std::sync::Arc;

use c1_connector_server::{ServeOptions, TlsConfig, serve_with_shutdown};
use c1_proto::connector::v2::ConnectorServiceGetMetadataRequest;
use c1_proto::connector::v2::connector_service_client::ConnectorServiceClient;
use c1_proto::tonic::transport::{Channel, Endpoint};
use c1_proto::utls::v1::Credential;
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose, PKCS_ED25519,
};
use rustls::RootCertStore;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_rustls::TlsConnector;

use crate::backend::StaticBackend;

struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        let key = KeyPair::generate_for(&PKCS_ED25519).expect("key");
        Self { issuer: CertifiedIssuer::self_signed(params, key).expect("CA") }
    }

    fn der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }

    /// A certificate for 127.0.0.1 and ::1 and its key.
    fn leaf(&self) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let key = KeyPair::generate_for(&PKCS_ED25519).expect("key");
        let params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "::1".to_owned()]).expect("params");
        let cert = params.signed_by(&key, &self.issuer).expect("signed");
        (cert.der().clone(), PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())))
    }
}

async fn serve_tls(ca: &Ca) -> (String, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    let (cert, key) = ca.leaf();
    let tls = TlsConfig { cert_chain: vec![cert], key, client_ca: Some(ca.der()) };
    let (stop, stopped) = oneshot::channel::<()>();
    let backend = Arc::new(StaticBackend::default());
    tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        serve_with_shutdown(listener, backend, Some(tls), ServeOptions::default(), shutdown)
            .await
            .expect("serve");
    });
    (address, stop)
}

/// A channel over TLS to `address`, trusting `server_ca`, presenting `client` if given.
async fn tls_channel(
    address: String,
    server_ca: CertificateDer<'static>,
    client: Option<(CertificateDer<'static>, PrivateKeyDer<'static>)>,
) -> Channel {
    let mut roots = RootCertStore::empty();
    roots.add(server_ca).expect("root");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("TLS 1.3")
        .with_root_certificates(roots);
    let mut config = match client {
        Some((cert, key)) => builder.with_client_auth_cert(vec![cert], key).expect("client cert"),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = TlsConnector::from(Arc::new(config));
    let connect = tower::service_fn(move |_| {
        let connector = connector.clone();
        let address = address.clone();
        async move {
            let tcp = TcpStream::connect(&address).await?;
            let tls = connector.connect(ServerName::try_from("127.0.0.1").expect("name"), tcp).await?;
            assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
            Ok::<_, std::io::Error>(TokioIo::new(tls))
        }
    });
    Endpoint::from_static("http://127.0.0.1").connect_with_connector_lazy(connect)
}

async fn metadata(channel: Channel) -> Result<String, c1_proto::tonic::Status> {
    let mut client = ConnectorServiceClient::new(channel);
    let response = client.get_metadata(ConnectorServiceGetMetadataRequest {}).await?;
    Ok(response.into_inner().metadata.unwrap_or_default().display_name)
}

#[tokio::test]
async fn a_client_with_a_certificate_from_the_ca_is_served_over_h2() {
    let ca = Ca::new();
    let (address, _stop) = serve_tls(&ca).await;
    let channel = tls_channel(address, ca.der(), Some(ca.leaf())).await;
    assert_eq!(metadata(channel).await.expect("served"), "Static");
}

#[tokio::test]
async fn the_credential_a_parent_hands_over_serves_with_its_raw_ed25519_key() {
    let ca = Ca::new();
    // The server key as Go holds it: 64 bytes, the seed then the public key.
    let signing = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let go_key = signing.to_keypair_bytes().to_vec();
    let mut pkcs8 =
        vec![0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
    pkcs8.extend_from_slice(&go_key[..32]);
    let key = KeyPair::try_from(pkcs8.as_slice()).expect("an Ed25519 key");
    let params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("params");
    let cert = params.signed_by(&key, &ca.issuer).expect("signed");
    let credential = Credential { ca_cert: ca.der().to_vec(), key: go_key, cert: cert.der().to_vec() };

    let tls = TlsConfig::from_credential(&credential).expect("a usable credential");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    let backend = Arc::new(StaticBackend::default());
    let server = tokio::spawn(serve_with_shutdown(
        listener,
        backend,
        Some(tls),
        ServeOptions::default(),
        std::future::pending(),
    ));
    let channel = tls_channel(address, ca.der(), Some(ca.leaf())).await;
    assert_eq!(metadata(channel).await.expect("served"), "Static");
    server.abort();

    let short = Credential { key: vec![0; 32], ..credential };
    let refused = TlsConfig::from_credential(&short).expect_err("a 32-byte key");
    assert!(refused.to_string().contains("32 bytes"), "{refused}");
}

#[tokio::test]
async fn a_client_without_a_certificate_or_with_another_cas_is_refused() {
    let ca = Ca::new();
    let (address, _stop) = serve_tls(&ca).await;
    let none = tls_channel(address.clone(), ca.der(), None).await;
    assert!(metadata(none).await.is_err(), "served without a client certificate");
    let stranger = Ca::new();
    let other = tls_channel(address, ca.der(), Some(stranger.leaf())).await;
    assert!(metadata(other).await.is_err(), "served a certificate from another CA");
}
