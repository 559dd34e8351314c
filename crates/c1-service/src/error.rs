use crate::client::CallError;
use crate::tls::TlsError;
use crate::token::TokenError;

/// Why [`crate::run`] stopped without being asked to.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("cannot set up TLS to C1: {0}")]
    Tls(#[from] TlsError),
    #[error("the C1 API host {host:?} is not a valid `host[:port]` ({reason}): check BATON_C1_API_HOST")]
    InvalidApiHost { host: String, reason: String },
    #[error("could not authenticate to C1: {0}")]
    Authentication(#[source] TokenError),
    #[error(
        "C1 rejected {call} with {code:?}: {message}; a retry cannot fix this (check the client \
         credentials and that the connector is still registered in C1)"
    )]
    Rejected { call: &'static str, code: tonic::Code, message: String },
}

impl ServiceError {
    pub(crate) fn from_call(call: &'static str, error: CallError) -> Self {
        match error {
            CallError::Token(err) => Self::Authentication(err),
            CallError::Status(status) => {
                Self::Rejected { call, code: status.code(), message: status.message().to_owned() }
            }
        }
    }
}
