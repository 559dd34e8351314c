//! Small text helpers shared by the mappers.

/// The trimmed value, or `None` when it is missing or blank. ChartHop returns empty strings
/// for cleared fields; the mapping treats them exactly like missing ones.
pub(crate) fn non_blank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// A type name as words for prose: `COST_CENTER` -> `cost center`.
pub(crate) fn type_words(type_name: &str) -> String {
    type_name.trim().replace('_', " ").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_missing() {
        assert_eq!(non_blank(Some("  ")), None);
        assert_eq!(non_blank(None), None);
        assert_eq!(non_blank(Some(" Ada ")), Some("Ada"));
    }

    #[test]
    fn type_names_read_as_words() {
        assert_eq!(type_words("DEPARTMENT"), "department");
        assert_eq!(type_words("COST_CENTER"), "cost center");
        assert_eq!(type_words("Squad"), "squad");
    }
}
