//! Type URLs of the annotations the store looks at.

pub(crate) const USER_TRAIT_URL: &str = "type.googleapis.com/c1.connector.v2.UserTrait";
pub(crate) const GROUP_TRAIT_URL: &str = "type.googleapis.com/c1.connector.v2.GroupTrait";
pub(crate) const GRANT_EXPANDABLE_URL: &str = "type.googleapis.com/c1.connector.v2.GrantExpandable";

#[cfg(test)]
mod tests {
    use c1_proto::connector::v2::{GrantExpandable, GroupTrait, UserTrait};
    use c1_proto::prost::Name;

    #[test]
    fn urls_match_the_generated_names() {
        assert_eq!(super::USER_TRAIT_URL, UserTrait::type_url());
        assert_eq!(super::GROUP_TRAIT_URL, GroupTrait::type_url());
        assert_eq!(super::GRANT_EXPANDABLE_URL, GrantExpandable::type_url());
    }
}
