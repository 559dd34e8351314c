use crate::client::CallError;
use crate::tls::TlsError;
use crate::token::TokenError;

/// Why [`crate::run`] stopped without being asked to.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("cannot set up TLS to C1")]
    Tls(#[from] TlsError),
    #[error("the C1 API host {host:?} is not a valid `host[:port]` ({reason})")]
    InvalidApiHost { host: String, reason: String },
    #[error("could not authenticate to C1")]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upload::{Asset, UploadError};
    use error_reporter::Report;
    use std::error::Error;

    fn io(message: &str) -> std::io::Error {
        std::io::Error::other(message.to_owned())
    }

    #[test]
    fn each_cause_appears_once_in_the_chain() {
        let transport = || TokenError::Transport {
            url: "https://c1.test/auth/v1/token".into(),
            source: Box::new(io("cause-A")),
        };
        let cases: Vec<Box<dyn Error + 'static>> = vec![
            Box::new(ServiceError::Authentication(transport())),
            Box::new(ServiceError::Tls(TlsError::Config {
                source: rustls::Error::General("cause-A".into()),
            })),
            Box::new(ServiceError::Tls(TlsError::ExtraCaRefused {
                source: rustls::Error::General("cause-A".into()),
            })),
            Box::new(ServiceError::Tls(TlsError::ExtraCaPem {
                source: rustls_pki_types::pem::Error::Base64Decode("cause-A".into()),
            })),
            Box::new(UploadError::Read {
                asset: Asset::SyncFile,
                path: "/tmp/sync.c1z".into(),
                source: io("cause-A"),
            }),
            Box::new(UploadError::Call {
                asset: Asset::SyncFile,
                attempts: 3,
                source: CallError::Token(transport()),
            }),
            Box::new(UploadError::Call {
                asset: Asset::DebugLog,
                attempts: 3,
                source: CallError::Status(tonic::Status::unavailable("cause-A")),
            }),
        ];
        for error in &cases {
            let shown = Report::new(error.as_ref()).to_string();
            assert_eq!(shown.matches("cause-A").count(), 1, "{shown}");
        }
        let shown = Report::new(cases[0].as_ref()).to_string();
        assert_eq!(
            shown,
            "could not authenticate to C1: could not reach C1's token endpoint \
             https://c1.test/auth/v1/token: cause-A"
        );
    }
}
