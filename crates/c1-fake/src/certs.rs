//! A throwaway CA and a server certificate for 127.0.0.1 / localhost, made at start.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::FakeError;

pub(super) struct FakeTls {
    pub(super) ca_pem: String,
    pub(super) server_config: Arc<ServerConfig>,
}

pub(super) fn generate() -> Result<FakeTls, FakeError> {
    let certificate = |err: rcgen::Error| FakeError::Certificate(err.to_string());
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(certificate)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "fake C1 test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(certificate)?)
        .map_err(certificate)?;

    let leaf_key = KeyPair::generate().map_err(certificate)?;
    let mut leaf_params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).map_err(certificate)?;
    leaf_params.distinguished_name.push(DnType::CommonName, "fake C1");
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf = leaf_params.signed_by(&leaf_key, &ca).map_err(certificate)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let mut server_config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| FakeError::Certificate(err.to_string()))?
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone(), ca.der().clone()], key)
        .map_err(|err| FakeError::Certificate(err.to_string()))?;
    server_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(FakeTls { ca_pem: ca.pem(), server_config: Arc::new(server_config) })
}
