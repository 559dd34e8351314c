//! Packing messages into `google.protobuf.Any` and finding them again.
//!
//! Annotations and traits travel as `Any` with `type.googleapis.com/<full name>` URLs; the
//! URL comes from the generated [`prost::Name`] impls, so it cannot drift from the proto.

use prost::{DecodeError, Message, Name};
use prost_types::Any;

/// Wraps `message` in an `Any` with its `type.googleapis.com/...` URL.
pub fn pack_any<M: Message + Name>(message: &M) -> Any {
    Any { type_url: M::type_url(), value: message.encode_to_vec() }
}

/// Decodes `any` as `M`; `Ok(None)` when it holds another type, `Err` when it claims to be
/// an `M` but the bytes do not decode.
pub fn unpack_any<M: Message + Name + Default>(any: &Any) -> Result<Option<M>, DecodeError> {
    if !holds::<M>(any) {
        return Ok(None);
    }
    M::decode(any.value.as_slice()).map(Some)
}

/// The first annotation of type `M` in `annotations`, decoded.
pub fn find_annotation<M: Message + Name + Default>(annotations: &[Any]) -> Result<Option<M>, DecodeError> {
    match annotations.iter().find(|any| holds::<M>(any)) {
        Some(any) => M::decode(any.value.as_slice()).map(Some),
        None => Ok(None),
    }
}

/// Whether `annotations` holds an `M` (without decoding it).
pub fn has_annotation<M: Name>(annotations: &[Any]) -> bool {
    annotations.iter().any(|any| holds::<M>(any))
}

/// Matches on the full name after the last `/`, as the Go SDK does, so a URL with another
/// host still matches.
fn holds<M: Name>(any: &Any) -> bool {
    let name = any.type_url.rsplit_once('/').map_or(any.type_url.as_str(), |(_, name)| name);
    let (package, message) = name.rsplit_once('.').unwrap_or(("", name));
    package == M::PACKAGE && message == M::NAME
}

/// Type URLs of the traits and annotations this connector writes or reads.
pub mod type_url {
    /// `c1.connector.v2.UserTrait`.
    pub const USER_TRAIT: &str = "type.googleapis.com/c1.connector.v2.UserTrait";
    /// `c1.connector.v2.GroupTrait`.
    pub const GROUP_TRAIT: &str = "type.googleapis.com/c1.connector.v2.GroupTrait";
    /// `c1.connector.v2.SkipEntitlementsAndGrants`.
    pub const SKIP_ENTITLEMENTS_AND_GRANTS: &str =
        "type.googleapis.com/c1.connector.v2.SkipEntitlementsAndGrants";
    /// `c1.connector.v2.SkipGrants`.
    pub const SKIP_GRANTS: &str = "type.googleapis.com/c1.connector.v2.SkipGrants";
    /// `c1.connector.v2.SkipEntitlements`.
    pub const SKIP_ENTITLEMENTS: &str = "type.googleapis.com/c1.connector.v2.SkipEntitlements";
    /// `c1.connector.v2.V1Identifier`.
    pub const V1_IDENTIFIER: &str = "type.googleapis.com/c1.connector.v2.V1Identifier";
    /// `c1.connector.v2.ExternalLink`.
    pub const EXTERNAL_LINK: &str = "type.googleapis.com/c1.connector.v2.ExternalLink";
    /// `c1.connector.v2.GrantExpandable`.
    pub const GRANT_EXPANDABLE: &str = "type.googleapis.com/c1.connector.v2.GrantExpandable";
    /// `c1.connector.v2.RateLimitDescription`.
    pub const RATE_LIMIT_DESCRIPTION: &str = "type.googleapis.com/c1.connector.v2.RateLimitDescription";
    /// `c1.connector.v2.ConnectorCapabilities`.
    pub const CONNECTOR_CAPABILITIES: &str = "type.googleapis.com/c1.connector.v2.ConnectorCapabilities";
}
