//! What a person row brings beyond [`charthop_domain::Person`]: the manager as the row's own
//! `manager.*` field codes describe it, and the org's own fields the operator asked for.

use charthop_domain::PersonName;

/// Extra person data for the profile. Empty by default: the profile then has none of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonExtras {
    /// `manager.contact.workEmail`.
    pub manager_email: Option<String>,
    /// `manager.name.*`: shown as preferred first (else first) and last name.
    pub manager_name: PersonName,
    /// ChartHop field codes and their values as text, in the order asked for. Each becomes
    /// the profile key [`custom_profile_key`]; a key already taken keeps its first value.
    pub custom_fields: Vec<(String, String)>,
}

/// `custom_<code>`: the code lower-cased, every character but ASCII letters and digits as `_`
/// (`customFields.costCenter` -> `custom_customfields_costcenter`).
pub fn custom_profile_key(code: &str) -> String {
    let prefix = crate::person_fields::profile_keys::CUSTOM_PREFIX;
    let mut key = String::with_capacity(prefix.len() + code.len());
    key.push_str(prefix);
    key.extend(code.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }));
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_lower_case_with_underscores() {
        assert_eq!(custom_profile_key("shirtSize"), "custom_shirtsize");
        assert_eq!(custom_profile_key("customFields.cost-Center"), "custom_customfields_cost_center");
        assert_eq!(custom_profile_key("größe"), "custom_gr__e");
    }
}
