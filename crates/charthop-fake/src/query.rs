use std::collections::HashMap;
use std::str::FromStr;

use crate::error::ApiError;

/// A request's query parameters, readable only by the names its route declares in
/// [`crate::ROUTES`] (so that list, which a test holds to ChartHop's OpenAPI files, is
/// complete). Empty values count as absent, as for `from=` on a first page.
pub(crate) struct Params {
    values: HashMap<String, String>,
    declared: &'static [&'static str],
}

impl Params {
    pub fn new(values: HashMap<String, String>, declared: &'static [&'static str]) -> Self {
        Params { values, declared }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        assert!(self.declared.contains(&name), "query parameter `{name}` is read but not declared in ROUTES");
        self.values.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// A parsed value; a value that does not parse is a 400 naming the parameter.
    pub fn parse<T: FromStr>(&self, name: &str, expected: &str) -> Result<Option<T>, ApiError> {
        self.get(name)
            .map(|raw| {
                raw.parse().map_err(|_| {
                    ApiError::bad_request(format!("query parameter {name}={raw:?} is not {expected}"))
                })
            })
            .transpose()
    }

    pub fn flag(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(raw) if raw.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(raw) if raw.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(raw) => {
                Err(ApiError::bad_request(format!("query parameter {name}={raw:?} is not true or false")))
            }
        }
    }

    /// A comma-separated list (`ids`).
    pub fn list(&self, name: &str) -> Option<Vec<&str>> {
        self.get(name).map(|raw| raw.split(',').map(str::trim).filter(|v| !v.is_empty()).collect())
    }

    /// The page size: `limit` (positive) bounded by the page cap.
    pub fn limit(&self, knobs: &crate::Knobs) -> Result<usize, ApiError> {
        match self.parse::<i64>("limit", "an integer")? {
            Some(limit) if limit < 1 => {
                Err(ApiError::bad_request(format!("query parameter limit={limit} must be at least 1")))
            }
            limit => Ok(knobs.page_size(limit.map(|l| l as usize))),
        }
    }

    /// Every parameter as decoded, sorted: with the route and item, what identifies an answer.
    pub fn sorted_pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<_> = self.values.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        pairs.sort();
        pairs
    }

    /// Every parameter but `from`: what identifies one listing across its pages.
    pub fn listing_key(&self) -> String {
        let mut pairs: Vec<_> = self.values.iter().filter(|(k, _)| k.as_str() != "from").collect();
        pairs.sort();
        pairs.iter().map(|(k, v)| format!("{k}={v}&")).collect()
    }
}
