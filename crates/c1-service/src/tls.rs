//! TLS for both the token POST and gRPC: rustls with the ring provider, TLS 1.2+, the system's
//! roots (rustls-native-certs honours SSL_CERT_FILE and SSL_CERT_DIR) plus any extra CA.

use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("the extra CA certificate is not valid PEM")]
    ExtraCaPem {
        #[source]
        source: rustls_pki_types::pem::Error,
    },
    #[error("the extra CA certificate was refused")]
    ExtraCaRefused {
        #[source]
        source: rustls::Error,
    },
    #[error(
        "no trusted root certificate was found: install the system CA bundle \
         (ca-certificates) or point SSL_CERT_FILE / SSL_CERT_DIR at one"
    )]
    NoRoots,
    #[error("could not build the TLS configuration")]
    Config {
        #[source]
        source: rustls::Error,
    },
}

/// The root store shared by every connection to C1.
#[derive(Clone, Debug)]
pub(crate) struct TlsRoots {
    roots: Arc<RootCertStore>,
}

impl TlsRoots {
    /// System roots plus `extra_ca_pem` (one or more PEM certificates), if given.
    pub(crate) fn load(extra_ca_pem: Option<&[u8]>) -> Result<Self, TlsError> {
        let mut roots = RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        for error in &native.errors {
            tracing::warn!(%error, "could not read some system root certificates");
        }
        let (added, ignored) = roots.add_parsable_certificates(native.certs);
        if ignored > 0 {
            tracing::debug!(added, ignored, "ignored unparsable system root certificates");
        }
        if let Some(pem) = extra_ca_pem {
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|source| TlsError::ExtraCaPem { source })?;
                roots.add(cert).map_err(|source| TlsError::ExtraCaRefused { source })?;
            }
        }
        if roots.is_empty() {
            return Err(TlsError::NoRoots);
        }
        Ok(Self { roots: Arc::new(roots) })
    }

    /// A client configuration offering exactly `alpn`, in order of preference.
    pub(crate) fn client_config(&self, alpn: &[&[u8]]) -> Result<Arc<ClientConfig>, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|source| TlsError::Config { source })?
            .with_root_certificates(Arc::clone(&self.roots))
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
        Ok(Arc::new(config))
    }
}
