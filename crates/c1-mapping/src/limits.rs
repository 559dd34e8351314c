//! The validation rules of the public C1 protos that ChartHop data can break, and how the
//! mapping holds values to them: cut over-long text, leave out values that cannot be valid,
//! refuse rows whose values are absurdly large (`docs/c1-wire.md`, "Validation limits").

/// `Resource.display_name`, `Entitlement.display_name`: at most 1,024 bytes.
pub const DISPLAY_NAME_MAX: usize = 1024;
/// `Resource.description`, `Entitlement.description`: at most 2,048 bytes.
pub const DESCRIPTION_MAX: usize = 2048;
/// `Status.details`, `UserTrait.Status.details`: at most 1,024 bytes.
pub const STATUS_DETAILS_MAX: usize = 1024;
/// `UserTrait.Email.address` is an `email`: at most 254 bytes, local part at most 64.
pub const EMAIL_MAX: usize = 254;
pub const EMAIL_LOCAL_MAX: usize = 64;
/// `ResourceId.resource`, `Entitlement.id` and `Grant.id` are at most 1,024 bytes. Grant ids
/// join a group id and a person id (`group:<g>:member:person:<p>`, 20 bytes besides), so
/// each id may take at most 500 bytes for every derived id to fit.
pub const ID_MAX: usize = 500;
/// A value larger than this refuses its whole row: no real name, title or email is this long,
/// so the data is broken or hostile, and a cut value would pretend otherwise.
pub const FIELD_CAP: usize = 64 * 1024;

/// Marks a value that was cut to fit.
pub const CUT_MARKER: &str = "…";

/// The value as is when it fits in `max` bytes; else cut at a UTF-8 character boundary and
/// ended with [`CUT_MARKER`], the whole at most `max` bytes. The flag says whether it was cut.
pub fn fit(value: &str, max: usize) -> (String, bool) {
    if value.len() <= max {
        return (value.to_owned(), false);
    }
    let mut end = max.saturating_sub(CUT_MARKER.len());
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    (format!("{}{CUT_MARKER}", &value[..end]), true)
}

/// Whether `address` passes the protos' `email` rule: `local@domain`, with a dot-atom local
/// part (no quoted forms, no display name, no spaces or control characters) and a domain of
/// letter, digit and hyphen labels, as the SDK's validator checks it.
pub fn is_valid_email(address: &str) -> bool {
    if address.len() > EMAIL_MAX {
        return false;
    }
    let Some((local, domain)) = address.rsplit_once('@') else { return false };
    is_dot_atom(local) && is_hostname(domain)
}

fn is_dot_atom(local: &str) -> bool {
    local.len() <= EMAIL_LOCAL_MAX
        && !local.is_empty()
        && local.split('.').all(|atom| !atom.is_empty() && atom.chars().all(is_atext))
}

/// RFC 5322 `atext`; non-ASCII characters are allowed (RFC 6532), control characters are not.
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || (!c.is_ascii() && !c.is_control())
}

fn is_hostname(domain: &str) -> bool {
    let host = domain.strip_suffix('.').unwrap_or(domain);
    domain.len() <= 253
        && host.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_at_a_character_boundary_with_a_marker() {
        assert_eq!(fit("short", 10), ("short".to_owned(), false));
        let (cut, was_cut) = fit(&"é".repeat(600), 1024);
        assert!(was_cut);
        assert!(cut.len() <= 1024, "{}", cut.len());
        assert!(cut.ends_with(CUT_MARKER));
        assert_eq!(cut.trim_end_matches(CUT_MARKER).chars().count(), 510);
        let exact = "a".repeat(1024);
        assert_eq!(fit(&exact, 1024), (exact.clone(), false));
        assert_eq!(fit(&format!("{exact}b"), 1024).0.len(), 1024);
    }

    #[test]
    fn emails_follow_the_protos_rule() {
        for good in ["ada@example.com", "a.b+tag@sub.example.co", "o'neil@x.io", "jürgen@example.de", "a@b"]
        {
            assert!(is_valid_email(good), "{good}");
        }
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada lovelace@example.com",
            "Ada <ada@example.com>",
            "ada@exa mple.com",
            "ada@-example.com",
            "ada@example..com",
            "a..b@example.com",
            ".ada@example.com",
            "ada\u{7}@example.com",
            "ada@exämple.com",
            "\"ada\"@example.com",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
        assert!(!is_valid_email(&format!("{}@example.com", "a".repeat(65))));
        assert!(!is_valid_email(&format!("a@{}.com", "b".repeat(64))));
        assert!(!is_valid_email(&format!("a@{}", vec!["b".repeat(60); 5].join("."))));
    }
}
