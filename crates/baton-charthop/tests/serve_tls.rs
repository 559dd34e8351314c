//! `serve --tls-cert --tls-key --tls-client-ca`: the built binary serves TLS 1.3 with ALPN h2
//! from PEM files, and only to a client whose certificate the given CA signed.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use c1_proto::connector::v2::ConnectorServiceGetMetadataRequest;
use c1_proto::connector::v2::connector_service_client::ConnectorServiceClient;
use c1_proto::tonic::transport::{Channel, Endpoint};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose};

fn ca() -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// A certificate for 127.0.0.1 signed by `ca`, and its key.
fn leaf(ca: &CertifiedIssuer<'static, KeyPair>) -> (rcgen::Certificate, KeyPair) {
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap().signed_by(&key, ca).unwrap();
    (cert, key)
}

fn start(dir: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_baton-charthop"))
        .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert", "server.pem", "--tls-key", "server-key.pem"])
        .args(["--tls-client-ca", "ca.pem"])
        .current_dir(dir)
        .env_clear()
        .env("BATON_API_TOKEN", "tls-test-token")
        .env("BATON_ORG_ID", "acme")
        // Never asked: metadata needs no ChartHop request.
        .env("BATON_CHARTHOP_URL", "http://127.0.0.1:9")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    (child, line.trim().to_owned())
}

async fn metadata(channel: Channel) -> Result<String, c1_proto::tonic::Status> {
    let response =
        ConnectorServiceClient::new(channel).get_metadata(ConnectorServiceGetMetadataRequest {}).await?;
    Ok(response.into_inner().metadata.unwrap_or_default().display_name)
}

#[tokio::test]
async fn tls_from_pem_files_serves_only_clients_the_ca_signed() {
    let dir = tempfile::tempdir().unwrap();
    let ca = ca();
    let (server, server_key) = leaf(&ca);
    std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
    std::fs::write(dir.path().join("server.pem"), server.pem()).unwrap();
    std::fs::write(dir.path().join("server-key.pem"), server_key.serialize_pem()).unwrap();
    let (mut child, address) = start(dir.path());

    let (client, client_key) = leaf(&ca);
    let served =
        metadata(common::tls_channel(address.clone(), ca.der().clone(), Some((&client, &client_key)))).await;
    let refused = metadata(common::tls_channel(address.clone(), ca.der().clone(), None)).await;
    let plain = Endpoint::from_shared(format!("http://{address}")).unwrap().connect_lazy();
    let plain = metadata(plain).await;
    child.kill().unwrap();
    child.wait().unwrap();

    assert!(!served.expect("a client certificate from the CA is served").is_empty());
    assert!(refused.is_err(), "served without a client certificate");
    assert!(plain.is_err(), "served plain text");
}
