//! `_connector-service`: the test plays the Go SDK's parent. It binds 127.0.0.1:0, passes the
//! listener as fd 3 with `BATON_CONNECTOR_SERVICE_LISTENER_FD=3`, writes one base64
//! `ServerConfig` line (Ed25519 credential, the key as Go's 64 bytes) on stdin, then talks
//! TLS 1.3 + h2 with a client certificate from its CA. Closing stdin ends the child.

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::OwnedFd;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use c1_proto::connector::v2::connector_service_client::ConnectorServiceClient;
use c1_proto::connector::v2::resource_types_service_client::ResourceTypesServiceClient;
use c1_proto::connector::v2::resources_service_client::ResourcesServiceClient;
use c1_proto::connector::v2::{
    ConnectorServiceGetMetadataRequest, ConnectorServiceValidateRequest,
    ResourceTypesServiceListResourceTypesRequest, ResourcesServiceListResourcesRequest,
};
use c1_proto::connector_wrapper::v1::ServerConfig;
use c1_proto::prost::Message as _;
use c1_proto::tonic::transport::Channel;
use c1_proto::utls::v1::Credential;
use charthop_fake::{FakeChartHop, Knobs, OrgSpec, generate_org};
use command_fds::{CommandFdExt, FdMapping};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose, PKCS_ED25519,
};

/// Distinctive, so a leak into the output is easy to find.
const TOKEN: &str = "csvc-chtok-0b7e41c2";
const FD_VAR: &str = "BATON_CONNECTOR_SERVICE_LISTENER_FD";

struct Ca(CertifiedIssuer<'static, KeyPair>);

impl Ca {
    fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        Self(CertifiedIssuer::self_signed(params, KeyPair::generate_for(&PKCS_ED25519).unwrap()).unwrap())
    }

    /// An Ed25519 certificate for 127.0.0.1 and ::1 signed by this CA, and its key.
    fn leaf(&self) -> (rcgen::Certificate, KeyPair) {
        let key = KeyPair::generate_for(&PKCS_ED25519).unwrap();
        let params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "::1".to_owned()]).unwrap();
        (params.signed_by(&key, &self.0).unwrap(), key)
    }
}

/// A Go `ed25519.PrivateKey`: the 32-byte seed, then the public key.
fn go_key(key: &KeyPair) -> Vec<u8> {
    let pkcs8 = key.serialize_der();
    // PKCS#8 of Ed25519: a 16-byte header ending in the OID 1.3.101.112 and the seed's
    // OCTET STRING header, then the seed.
    assert_eq!(pkcs8[9..16], [0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
    let mut out = pkcs8[16..48].to_vec();
    out.extend_from_slice(key.public_key_raw());
    out
}

/// The parent's stdin line.
fn config_line(ca: &Ca, server: &(rcgen::Certificate, KeyPair), listen_port: u16) -> Vec<u8> {
    let credential =
        Credential { ca_cert: ca.0.der().to_vec(), key: go_key(&server.1), cert: server.0.der().to_vec() };
    let config = ServerConfig {
        credential: Some(credential),
        rate_limiter_config: None,
        listen_port: listen_port.into(),
    };
    let mut line = base64::engine::general_purpose::STANDARD.encode(config.encode_to_vec()).into_bytes();
    line.push(b'\n');
    line
}

/// Starts the binary as the parent does: settings flags, then `_connector-service`.
fn spawn(fd3: Option<OwnedFd>, fd_var: Option<&str>, args: &[&str]) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_baton-charthop"));
    command
        .args(args)
        .arg("_connector-service")
        .env_clear()
        .env("BATON_API_TOKEN", TOKEN)
        .env("BATON_LOG_FORMAT", "console")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(value) = fd_var {
        command.env(FD_VAR, value);
    }
    if let Some(fd) = fd3 {
        command.fd_mappings(vec![FdMapping { parent_fd: fd, child_fd: 3 }]).unwrap();
    }
    // Dropping the command closes the test's copy of the descriptor.
    command.spawn().unwrap()
}

fn wait_within(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the child did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn read_all(pipe: Option<impl Read>) -> String {
    let mut out = String::new();
    pipe.unwrap().read_to_string(&mut out).unwrap();
    out
}

/// A child that exits by itself: its status and stderr.
fn refused(fd3: Option<OwnedFd>, fd_var: Option<&str>, stdin: &[u8]) -> (ExitStatus, String) {
    let mut child = spawn(fd3, fd_var, &["--org-id", "acme", "--charthop-url", "http://127.0.0.1:9"]);
    // The child may be gone before reading: a broken pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    let status = wait_within(&mut child, Duration::from_secs(10));
    (status, read_all(child.stderr.take()))
}

/// A channel over TLS to `port`, trusting `ca`, presenting `client` if given.
fn channel(port: u16, ca: &Ca, client: Option<&(rcgen::Certificate, KeyPair)>) -> Channel {
    common::tls_channel(
        format!("127.0.0.1:{port}"),
        ca.0.der().clone(),
        client.map(|(cert, key)| (cert, key)),
    )
}

async fn validate(channel: Channel) -> Result<String, c1_proto::tonic::Status> {
    let answer = ConnectorServiceClient::new(channel).validate(ConnectorServiceValidateRequest {}).await?;
    Ok(answer.into_inner().sdk_version)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_parent_start_serves_mtls_clients_of_its_ca_and_ends_when_stdin_closes() {
    let knobs = Knobs { token: TOKEN.to_owned(), ..Knobs::default() };
    let fake = FakeChartHop::start(generate_org(&OrgSpec::new(40, 3)), knobs).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (ca, other_ca) = (Ca::new(), Ca::new());
    let server = ca.leaf();
    let org_id = fake.org().org_id.clone();
    let args = ["--org-id", org_id.as_str(), "--charthop-url", &fake.base_url(), "--page-size", "25"];
    let mut child = spawn(Some(listener.into()), Some("3"), &args);
    let mut stdin: ChildStdin = child.stdin.take().unwrap();
    stdin.write_all(&config_line(&ca, &server, port)).unwrap();

    // The socket listens already: no need to wait for the child to be ready.
    let client = ca.leaf();
    let served = channel(port, &ca, Some(&client));
    let version = validate(served.clone()).await.expect("Validate answers a client of the CA");
    assert!(version.trim_start_matches('v').split('.').count() == 3, "sdk_version {version:?}");
    let types = ResourceTypesServiceClient::new(served.clone())
        .list_resource_types(ResourceTypesServiceListResourceTypesRequest::default())
        .await
        .unwrap()
        .into_inner();
    let type_ids: BTreeSet<String> = types.list.into_iter().map(|t| t.id).collect();
    assert_eq!(type_ids, BTreeSet::from(["group".to_owned(), "person".to_owned()]));
    let request =
        ResourcesServiceListResourcesRequest { resource_type_id: "person".into(), ..Default::default() };
    let page =
        ResourcesServiceClient::new(served.clone()).list_resources(request).await.unwrap().into_inner();
    let known: BTreeSet<&str> = fake.org().persons.iter().map(|p| p.id.as_str()).collect();
    assert!(!page.list.is_empty() && !page.next_page_token.is_empty(), "one page of 25 of 40 persons");
    for resource in &page.list {
        let id = resource.id.as_ref().map(|id| id.resource.as_str()).unwrap_or_default();
        assert!(known.contains(id), "{id} is no person of the fake org");
    }

    let no_certificate = validate(channel(port, &ca, None)).await;
    assert!(no_certificate.is_err(), "served a client without a certificate");
    let stranger = other_ca.leaf();
    let foreign = validate(channel(port, &ca, Some(&stranger))).await;
    assert!(foreign.is_err(), "served a client certificate from another CA");

    drop((served, stdin));
    let status = wait_within(&mut child, Duration::from_secs(5));
    let stderr = read_all(child.stderr.take());
    assert!(status.success(), "{status}; stderr:\n{stderr}");
    assert!(stderr.contains("stdin closed"), "{stderr}");
    assert!(!stderr.contains(TOKEN), "the token leaked:\n{stderr}");
    assert_eq!(read_all(child.stdout.take()), "", "stdout stays empty");
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_child_while_stdin_stays_open() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let ca = Ca::new();
    // Metadata needs no ChartHop request: nothing listens on port 9.
    let args = ["--org-id", "acme", "--charthop-url", "http://127.0.0.1:9"];
    let mut child = spawn(Some(listener.into()), Some("3"), &args);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&config_line(&ca, &ca.leaf(), port)).unwrap();
    let client = ca.leaf();
    let metadata = ConnectorServiceClient::new(channel(port, &ca, Some(&client)))
        .get_metadata(ConnectorServiceGetMetadataRequest {})
        .await
        .expect("GetMetadata answers");
    assert!(metadata.into_inner().metadata.is_some_and(|m| !m.display_name.is_empty()));

    let kill = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let status = wait_within(&mut child, Duration::from_secs(5));
    let stderr = read_all(child.stderr.take());
    assert!(status.success(), "{status}; stderr:\n{stderr}");
    assert!(stderr.contains("SIGTERM"), "{stderr}");
    drop(stdin);
}

#[test]
fn a_socket_on_another_port_than_listen_port_is_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let ca = Ca::new();
    let line = config_line(&ca, &ca.leaf(), port.checked_add(1).unwrap_or(1));
    let (status, stderr) = refused(Some(listener.into()), Some("3"), &line);
    assert!(!status.success());
    assert!(
        stderr.contains(&format!("listens on 127.0.0.1:{port}")) && stderr.contains("listen_port"),
        "{stderr}"
    );
}

#[test]
fn a_bad_configuration_line_is_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let (status, stderr) = refused(Some(listener.into()), Some("3"), b"not base64\n");
    assert!(!status.success());
    assert!(stderr.contains("configuration line") && stderr.contains("base64"), "{stderr}");
}

#[test]
fn descriptors_that_are_no_listening_tcp_socket_are_refused() {
    let file = tempfile::tempfile().unwrap();
    let peer = TcpListener::bind("127.0.0.1:0").unwrap();
    let connected = TcpStream::connect(peer.local_addr().unwrap()).unwrap();
    let cases: [(Option<OwnedFd>, Option<&str>, &str); 5] = [
        (
            Some(file.into()),
            Some("3"),
            "descriptor 3 (from BATON_CONNECTOR_SERVICE_LISTENER_FD) is not a socket",
        ),
        (Some(connected.into()), Some("3"), "is a TCP socket that is not listening"),
        (None, Some("200"), "descriptor 200 (from BATON_CONNECTOR_SERVICE_LISTENER_FD) is not open"),
        (None, Some("1"), "BATON_CONNECTOR_SERVICE_LISTENER_FD is \"1\": expected"),
        (None, None, "BATON_CONNECTOR_SERVICE_LISTENER_FD; it is not set"),
    ];
    for (fd3, fd_var, want) in cases {
        let (status, stderr) = refused(fd3, fd_var, b"");
        assert!(!status.success(), "{want}: {status}");
        assert!(stderr.contains(want), "want {want:?} in:\n{stderr}");
    }
}
