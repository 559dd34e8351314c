//! `serve`: the connector gRPC API over the ChartHop backend, on one address, until a signal.
//! The client and the sync options are built as one-shot mode builds them.

use std::io::Write;
use std::net::SocketAddr;

use anyhow::{Context, Result};
use c1_connector_server::{ServeOptions, TlsConfig, serve_with_shutdown};
use charthop_connector::ChartHopBackend;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;

use crate::cli::TlsFiles;
use crate::settings::Settings;
use crate::signals::Signals;
use crate::wiring;

pub async fn run(settings: &Settings, listen: SocketAddr, tls: Option<&TlsFiles>) -> Result<()> {
    let client = wiring::charthop_client(settings)?;
    let options = wiring::sync_options(settings);
    let tls = tls.map(load_tls).transpose()?;
    let mut signals = Signals::install().context("cannot catch SIGINT, SIGTERM and SIGHUP")?;
    let listener = TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    let bound = listener.local_addr().context("cannot read the bound address")?;
    if tls.is_none() && !bound.ip().is_loopback() {
        tracing::warn!(
            address = %bound,
            "serving plain text on a non-loopback address: the API answers anyone who reaches it, \
             unencrypted; give --tls-cert and --tls-key (and --tls-client-ca) to require TLS"
        );
    }
    // One line on stdout, so a caller that asked for port 0 learns the port.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{bound}").and_then(|()| stdout.flush()).context("cannot print the bound address")?;
    drop(stdout);
    tracing::info!(address = %bound, tls = tls.is_some(), "serving the connector API");
    let shutdown = async move {
        let signal = signals.recv().await;
        tracing::info!(%signal, "stopping the connector API");
    };
    let backend = ChartHopBackend::new(client, options);
    serve_with_shutdown(listener, backend, tls, ServeOptions::default(), shutdown)
        .await
        .context("the connector API could not be served")?;
    Ok(())
}

fn load_tls(files: &TlsFiles) -> Result<TlsConfig> {
    let cert_chain = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("cannot read the certificates of --tls-cert {}", files.cert.display()))?;
    anyhow::ensure!(!cert_chain.is_empty(), "--tls-cert {} holds no PEM certificate", files.cert.display());
    // The key's bytes never reach an error message: only the path does.
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .with_context(|| format!("cannot read a private key from --tls-key {}", files.key.display()))?;
    let client_ca = match &files.client_ca {
        Some(path) => Some(CertificateDer::from_pem_file(path).with_context(|| {
            format!("cannot read the CA certificate of --tls-client-ca {}", path.display())
        })?),
        None => None,
    };
    Ok(TlsConfig { cert_chain, key, client_ca })
}
