//! Shared by the test binaries that talk to the connector API over TLS.

use std::sync::Arc;
use std::time::Duration;

use c1_proto::tonic::transport::{Channel, Endpoint};
use hyper_util::rt::TokioIo;
use rcgen::KeyPair;
use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio_rustls::TlsConnector;

/// A channel over TLS 1.3 (ALPN `h2`, checked) to `address` on 127.0.0.1, trusting `ca`,
/// presenting `client` if given.
pub fn tls_channel(
    address: String,
    ca: CertificateDer<'static>,
    client: Option<(&rcgen::Certificate, &KeyPair)>,
) -> Channel {
    let mut roots = RootCertStore::empty();
    roots.add(ca).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots);
    let mut config = match client {
        Some((cert, key)) => {
            let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
            builder.with_client_auth_cert(vec![cert.der().clone()], key).unwrap()
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = TlsConnector::from(Arc::new(config));
    let connect = tower::service_fn(move |_| {
        let (connector, address) = (connector.clone(), address.clone());
        async move {
            let tcp = tokio::net::TcpStream::connect(&address).await?;
            let tls = connector.connect(ServerName::try_from("127.0.0.1").unwrap(), tcp).await?;
            assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
            Ok::<_, std::io::Error>(TokioIo::new(tls))
        }
    });
    Endpoint::from_static("http://127.0.0.1")
        .timeout(Duration::from_secs(10))
        .connect_with_connector_lazy(connect)
}
