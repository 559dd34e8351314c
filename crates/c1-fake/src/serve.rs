//! One TLS listener; each connection speaks h2 or HTTP/1.1 (ALPN) to one router holding both
//! the gRPC service and the token endpoint.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::IntoResponse as _;
use c1_proto::connectorapi::baton::v1::baton_service_server::BatonServiceServer;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::Shared;
use crate::auth::handle_token_request;
use crate::grpc::FakeBatonService;

const MAX_TOKEN_BODY: usize = 64 * 1024;

fn router(state: Shared) -> axum::Router {
    let grpc = BatonServiceServer::new(FakeBatonService { state: Arc::clone(&state) });
    let token = move |request: Request| {
        let state = Arc::clone(&state);
        async move {
            let version = request.version();
            match axum::body::to_bytes(request.into_body(), MAX_TOKEN_BODY).await {
                Ok(body) => {
                    let (status, json) = handle_token_request(&state, version, &body);
                    (status, axum::Json(json)).into_response()
                }
                Err(_) => StatusCode::PAYLOAD_TOO_LARGE.into_response(),
            }
        }
    };
    tonic::service::Routes::new(grpc).into_axum_router().route("/auth/v1/token", axum::routing::post(token))
}

pub(super) async fn serve(listener: TcpListener, tls: Arc<ServerConfig>, state: Shared) {
    let acceptor = TlsAcceptor::from(tls);
    let service = TowerToHyperService::new(router(state));
    // Dropping this set (when the fake is dropped and this task aborted) closes every connection.
    let mut connections = JoinSet::new();
    loop {
        let Ok((tcp, _)) = listener.accept().await else { continue };
        while connections.try_join_next().is_some() {}
        let acceptor = acceptor.clone();
        let service = service.clone();
        connections.spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else { return };
            let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            // Errors here are clients going away, which tests do on purpose.
            let _ = builder.serve_connection(TokioIo::new(tls), service).await;
        });
    }
}
