//! The BatonService client: one TLS (ALPN h2) channel, an `authorization` header on every call.

use std::sync::Arc;
use std::time::Duration;

use c1_proto::connectorapi::baton::v1::baton_service_client::BatonServiceClient;
use c1_proto::connectorapi::baton::v1::{
    BatonServiceFinishTaskRequest, BatonServiceGetTaskRequest, BatonServiceGetTaskResponse,
    BatonServiceHeartbeatRequest, BatonServiceHeartbeatResponse, BatonServiceHelloRequest,
    BatonServiceUploadAssetRequest,
};
use futures::Stream;
use http::{HeaderValue, Uri};
use hyper_util::rt::TokioIo;
use tonic::metadata::{AsciiMetadataValue, MetadataMap};
use tonic::transport::{Channel, Endpoint};

use crate::net::Authority;
use crate::tls::TlsRoots;
use crate::token::{TokenError, TokenSource};

/// A failed call: either no token could be had, or C1 answered with an error status.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CallError {
    #[error(transparent)]
    Token(#[from] TokenError),
    /// Not a `#[source]`: the message already says all a `Status` would.
    #[error("C1 answered {}: {}", .0.code(), .0.message())]
    Status(tonic::Status),
}

impl From<tonic::Status> for CallError {
    fn from(status: tonic::Status) -> Self {
        Self::Status(status)
    }
}

impl CallError {
    /// Codes after which retrying cannot help (`docs/c1-wire.md#service-loop`), and refused credentials.
    pub(crate) fn is_fatal(&self) -> bool {
        match self {
            Self::Token(err) => err.is_authentication_failure(),
            Self::Status(status) => is_fatal_code(status.code()),
        }
    }
}

impl CallError {
    /// Fatal, except for Unauthenticated from C1: the stale token has been dropped, so one more
    /// try with a fresh token can succeed. For calls inside a task (upload, finish).
    pub(crate) fn is_fatal_for_retry(&self) -> bool {
        match self {
            Self::Status(status) if status.code() == tonic::Code::Unauthenticated => false,
            _ => self.is_fatal(),
        }
    }
}

/// Sets `authorization`, marked sensitive so `Debug` hides it and HPACK never indexes it.
fn insert_authorization(metadata: &mut MetadataMap, value: &HeaderValue) -> Result<(), tonic::Status> {
    let mut value = AsciiMetadataValue::try_from(value.as_bytes())
        .map_err(|_| tonic::Status::internal("the access token is not valid header text"))?;
    value.set_sensitive(true);
    metadata.insert("authorization", value);
    Ok(())
}

/// `<connector>/<version> c1-service/<version>`, as the Go SDK sends `<name> baton-sdk/<version>`
/// (tonic appends its own token).
pub(crate) fn user_agent(build: &crate::BuildInfo) -> String {
    format!("{}/{} c1-service/{}", build.package, build.package_version, env!("CARGO_PKG_VERSION"))
}

pub(crate) fn is_fatal_code(code: tonic::Code) -> bool {
    use tonic::Code;
    matches!(
        code,
        Code::Unauthenticated
            | Code::PermissionDenied
            | Code::InvalidArgument
            | Code::Unimplemented
            | Code::FailedPrecondition
            | Code::NotFound
    )
}

#[derive(Clone)]
pub(crate) struct C1Client {
    grpc: BatonServiceClient<Channel>,
    tokens: Arc<TokenSource>,
    call_timeout: Duration,
}

impl C1Client {
    pub(crate) fn new(
        authority: &Authority,
        roots: &TlsRoots,
        tokens: Arc<TokenSource>,
        call_timeout: Duration,
        build: &crate::BuildInfo,
    ) -> Result<Self, crate::ServiceError> {
        let tls = roots.client_config(&[b"h2"])?;
        let target = authority.uri_authority();
        // The connector does TLS itself; tonic sees plain `http` (so it adds no TLS of its own)
        // while the requests carry the real `https` origin.
        let invalid = |reason: String| crate::ServiceError::InvalidApiHost { host: target.clone(), reason };
        let origin = format!("https://{target}").parse::<Uri>().map_err(|err| invalid(err.to_string()))?;
        let endpoint = Endpoint::from_shared(format!("http://{target}"))
            .map_err(|err| invalid(err.to_string()))?
            .origin(origin)
            .user_agent(user_agent(build))
            .map_err(|err| invalid(format!("the user agent is not valid header text: {err}")))?
            .connect_timeout(Duration::from_secs(15))
            .http2_keep_alive_interval(Duration::from_secs(30))
            .keep_alive_timeout(Duration::from_secs(20))
            .keep_alive_while_idle(true);
        let authority = authority.clone();
        let connector = tower::service_fn(move |_: Uri| {
            let authority = authority.clone();
            let tls = Arc::clone(&tls);
            async move { authority.connect_tls(tls).await.map(TokioIo::new) }
        });
        let channel = endpoint.connect_with_connector_lazy(connector);
        Ok(Self { grpc: BatonServiceClient::new(channel), tokens, call_timeout })
    }

    async fn request<T>(
        &self,
        message: T,
        timeout: Option<Duration>,
    ) -> Result<tonic::Request<T>, CallError> {
        let authorization = self.tokens.authorization().await?;
        let mut request = tonic::Request::new(message);
        insert_authorization(request.metadata_mut(), authorization.header_value())?;
        if let Some(timeout) = timeout {
            request.set_timeout(timeout);
        }
        Ok(request)
    }

    /// Drops the cached token when C1 says it is no longer good, so the next call fetches one.
    async fn observe<R>(&self, result: Result<tonic::Response<R>, tonic::Status>) -> Result<R, CallError> {
        match result {
            Ok(response) => Ok(response.into_inner()),
            Err(status) => {
                if status.code() == tonic::Code::Unauthenticated {
                    self.tokens.invalidate().await;
                }
                Err(status.into())
            }
        }
    }

    pub(crate) async fn hello(&self, message: BatonServiceHelloRequest) -> Result<(), CallError> {
        let request = self.request(message, Some(self.call_timeout)).await?;
        let result = self.grpc.clone().hello(request).await;
        self.observe(result).await.map(drop)
    }

    pub(crate) async fn get_task(&self, host_id: &str) -> Result<BatonServiceGetTaskResponse, CallError> {
        let message = BatonServiceGetTaskRequest { host_id: host_id.to_owned() };
        let request = self.request(message, Some(self.call_timeout)).await?;
        let result = self.grpc.clone().get_task(request).await;
        self.observe(result).await
    }

    pub(crate) async fn heartbeat(
        &self,
        message: BatonServiceHeartbeatRequest,
    ) -> Result<BatonServiceHeartbeatResponse, CallError> {
        let request = self.request(message, Some(self.call_timeout)).await?;
        let result = self.grpc.clone().heartbeat(request).await;
        self.observe(result).await
    }

    pub(crate) async fn finish_task(&self, message: BatonServiceFinishTaskRequest) -> Result<(), CallError> {
        let request = self.request(message, Some(self.call_timeout)).await?;
        let result = self.grpc.clone().finish_task(request).await;
        self.observe(result).await.map(drop)
    }

    /// Uploads one stream; no deadline, as a large file legitimately takes long.
    pub(crate) async fn upload_asset(
        &self,
        stream: impl Stream<Item = BatonServiceUploadAssetRequest> + Send + 'static,
    ) -> Result<(), CallError> {
        let request = self.request(stream, None).await?;
        let result = self.grpc.clone().upload_asset(request).await;
        self.observe(result).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorization_metadata_is_sensitive_and_hidden_from_debug() {
        let token = "Bearer tok-7f3a9c-very-secret";
        let mut metadata = MetadataMap::new();
        insert_authorization(&mut metadata, &HeaderValue::from_static(token)).unwrap();
        let value = metadata.get("authorization").expect("authorization is set");
        assert!(value.is_sensitive());
        assert_eq!(value.as_bytes(), token.as_bytes());
        let shown = format!("{metadata:?} {value:?}");
        assert!(!shown.contains("tok-7f3a9c"), "{shown}");
    }
}
