//! One listener, HTTP/2 only, plain or TLS (optionally requiring a client certificate).

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tonic::service::Routes;

use crate::backend::ConnectorBackend;
use crate::services::{DEFAULT_MAX_RESPONSE_BYTES, routes};

/// How responses are bounded.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Upper bound of one encoded response message; pages are split to stay under it.
    pub max_response_bytes: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self { max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES }
    }
}

/// The server's certificate chain and key (DER), and the CA a client certificate must be
/// signed by (none: clients need no certificate). TLS 1.3 only, ALPN `h2`.
pub struct TlsConfig {
    pub cert_chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
    pub client_ca: Option<CertificateDer<'static>>,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("cert_chain", &format_args!("{} certificates", self.cert_chain.len()))
            .field("key", &"<redacted>")
            .field("client_ca", &self.client_ca.is_some())
            .finish()
    }
}

/// DER prefix of a PKCS#8 v1 Ed25519 private key; the 32-byte seed follows.
const ED25519_PKCS8_PREFIX: [u8; 16] =
    [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

impl TlsConfig {
    /// The key material a parent process hands the connector it starts
    /// (`c1.utls.v1.Credential`): DER certificates, and the key as the 64 bytes of a Go
    /// Ed25519 private key (seed, then public key). The CA also signs client certificates.
    pub fn from_credential(credential: &c1_proto::utls::v1::Credential) -> Result<Self, ServeError> {
        let seed = match credential.key.len() {
            64 => &credential.key[..32],
            other => return Err(ServeError::CredentialKey(other)),
        };
        let mut pkcs8 = ED25519_PKCS8_PREFIX.to_vec();
        pkcs8.extend_from_slice(seed);
        Ok(Self {
            cert_chain: vec![CertificateDer::from(credential.cert.clone())],
            key: PrivateKeyDer::Pkcs8(pkcs8.into()),
            client_ca: Some(CertificateDer::from(credential.ca_cert.clone())),
        })
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("the credential's key is {0} bytes, not the 64 of an Ed25519 private key")]
    CredentialKey(usize),
    #[error("the client CA certificate was refused")]
    ClientCa(#[source] rustls::Error),
    #[error("no client certificate verifier could be built from the client CA")]
    ClientVerifier(#[source] rustls::server::VerifierBuilderError),
    #[error("the server certificate or key was refused")]
    ServerCertificate(#[source] rustls::Error),
}

fn acceptor(tls: TlsConfig) -> Result<TlsAcceptor, ServeError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(ServeError::ServerCertificate)?;
    let builder = match tls.client_ca {
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            roots.add(ca).map_err(ServeError::ClientCa)?;
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(ServeError::ClientVerifier)?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config =
        builder.with_single_cert(tls.cert_chain, tls.key).map_err(ServeError::ServerCertificate)?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves the API on `listener` until the process ends.
pub async fn serve<B: ConnectorBackend>(
    listener: TcpListener,
    backend: B,
    tls: Option<TlsConfig>,
) -> Result<(), ServeError> {
    serve_with_shutdown(listener, backend, tls, ServeOptions::default(), std::future::pending()).await
}

/// Serves the API on `listener` until `shutdown` completes; open connections are then closed.
pub async fn serve_with_shutdown<B, F>(
    listener: TcpListener,
    backend: B,
    tls: Option<TlsConfig>,
    options: ServeOptions,
    shutdown: F,
) -> Result<(), ServeError>
where
    B: ConnectorBackend,
    F: Future<Output = ()> + Send,
{
    let acceptor = tls.map(acceptor).transpose()?;
    let routes = routes(backend, options.max_response_bytes);
    // Dropping the set when serving ends closes every connection.
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => return Ok(()),
            accepted = listener.accept() => accepted,
        };
        while connections.try_join_next().is_some() {}
        let tcp = match accepted {
            Ok((tcp, _)) => tcp,
            Err(error) => {
                // Running out of descriptors passes; do not spin on it.
                tracing::warn!(%error, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let routes = routes.clone();
        let acceptor = acceptor.clone();
        connections.spawn(async move {
            match acceptor {
                Some(acceptor) => match acceptor.accept(tcp).await {
                    Ok(stream) => connection(stream, routes).await,
                    Err(error) => tracing::debug!(%error, "TLS handshake failed"),
                },
                None => connection(tcp, routes).await,
            }
        });
    }
}

async fn connection<S>(stream: S, routes: Routes)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let builder = Builder::new(TokioExecutor::new()).http2_only();
    if let Err(error) = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(routes)).await
    {
        // Mostly callers going away.
        tracing::debug!(%error, "connection ended with an error");
    }
}
