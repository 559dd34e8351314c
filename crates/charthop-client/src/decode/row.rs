//! Field lookup in one ChartHop row, flat or nested, with case-insensitive keys.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};

/// One row (a JSON object) and the field codes it can answer.
#[derive(Clone, Copy)]
pub(crate) struct Row<'a>(pub(crate) &'a Map<String, Value>);

impl<'a> Row<'a> {
    /// The value for a dotted field code: a flat key (`"name.first"`) first, then the nested
    /// path (`"name": {"first": ..}`), matching keys case-insensitively. `null` counts as absent.
    pub(crate) fn get(&self, code: &str) -> Option<&'a Value> {
        lookup(self.0, code)
    }

    /// A non-empty string (numbers are accepted and printed).
    pub(crate) fn text(&self, code: &str) -> Option<String> {
        match self.get(code)? {
            Value::String(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A `YYYY-MM-DD` date (a longer timestamp is cut to its date).
    pub(crate) fn date(&self, code: &str) -> Result<Option<NaiveDate>, String> {
        let Some(text) = self.text(code) else { return Ok(None) };
        let day = text.get(..10).unwrap_or(&text);
        NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("{code}='{text}' is not a date"))
    }

    /// An RFC 3339 timestamp, or epoch milliseconds.
    pub(crate) fn timestamp(&self, code: &str) -> Result<Option<DateTime<Utc>>, String> {
        match self.get(code) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .and_then(DateTime::from_timestamp_millis)
                .map(Some)
                .ok_or_else(|| format!("{code}={n} is not a timestamp")),
            Some(_) => {
                let Some(text) = self.text(code) else { return Ok(None) };
                DateTime::parse_from_rfc3339(&text)
                    .map(|t| Some(t.with_timezone(&Utc)))
                    .map_err(|_| format!("{code}='{text}' is not an RFC 3339 timestamp"))
            }
        }
    }

    /// A list of ids: an array of strings (or of objects with an `id`), or a comma-separated
    /// string. `None` when the key is absent or `null`.
    pub(crate) fn id_list(&self, code: &str) -> Option<Vec<String>> {
        match self.get(code)? {
            Value::Array(items) => Some(items.iter().filter_map(id_of).collect()),
            Value::String(s) => {
                Some(s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
            }
            _ => None,
        }
    }

    /// `groupIds`: `None` when absent or `null`; an array of strings; anything else is the
    /// kind of value found (a token without access may send another shape, never "no group").
    pub(crate) fn group_ids(&self) -> Result<Option<Vec<String>>, &'static str> {
        let Some(value) = self.get("groupIds") else { return Ok(None) };
        let Value::Array(items) = value else { return Err(kind_of(value)) };
        let mut ids = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Value::String(id) if !id.trim().is_empty() => ids.push(id.trim().to_owned()),
                Value::String(_) => return Err("an array holding an empty string"),
                _ => return Err("an array holding something other than strings"),
            }
        }
        Ok(Some(ids))
    }

    /// The row's `id` (a string or a number).
    pub(crate) fn id(&self) -> Option<String> {
        self.get("id").and_then(id_of)
    }
}

/// What kind of JSON value this is, for error messages (never the value itself).
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn id_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(map) => Row(map).id(),
        _ => None,
    }
}

fn lookup<'a>(map: &'a Map<String, Value>, code: &str) -> Option<&'a Value> {
    if let Some(value) = key_ci(map, code).filter(|v| !v.is_null()) {
        return Some(value);
    }
    // Try every split point so that mixed shapes (`"contact": {"work.email": ..}`) resolve too.
    code.match_indices('.').find_map(|(at, _)| {
        let (head, rest) = (&code[..at], &code[at + 1..]);
        match key_ci(map, head)? {
            Value::Object(inner) => lookup(inner, rest),
            _ => None,
        }
    })
}

fn key_ci<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).or_else(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn obj(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("test rows are objects"),
        }
    }

    #[test]
    fn flat_nested_and_mixed_case_keys_resolve() {
        let flat = obj(json!({"name.first": "Ada"}));
        let nested = obj(json!({"name": {"first": "Ada"}}));
        let shouting = obj(json!({"NAME": {"FIRST": "Ada"}}));
        let flat_case = obj(json!({"Name.First": "Ada"}));
        for map in [&flat, &nested, &shouting, &flat_case] {
            assert_eq!(Row(map).text("name.first").as_deref(), Some("Ada"), "{map:?}");
        }
    }

    #[test]
    fn flat_null_falls_through_to_nested_value() {
        let map = obj(json!({"name.first": null, "name": {"first": "Ada"}}));
        assert_eq!(Row(&map).text("name.first").as_deref(), Some("Ada"));
    }

    #[test]
    fn nulls_empty_strings_and_wrong_shapes_are_absent() {
        let map = obj(json!({"title": null, "jobId": "", "name": "not an object", "endDate": " "}));
        let row = Row(&map);
        assert_eq!(row.text("title"), None);
        assert_eq!(row.text("jobId"), None);
        assert_eq!(row.text("name.first"), None);
        assert_eq!(row.date("endDate"), Ok(None));
    }

    #[test]
    fn dates_and_timestamps_parse_or_say_why_not() {
        let map = obj(json!({
            "startDate": "2024-03-01", "endDate": "2025-01-31T00:00:00Z", "bad": "March",
            "createAt": "2020-05-06T07:08:09Z", "millis": 1_600_000_000_000_i64
        }));
        let row = Row(&map);
        assert_eq!(row.date("startDate"), Ok(NaiveDate::from_ymd_opt(2024, 3, 1)));
        assert_eq!(row.date("endDate"), Ok(NaiveDate::from_ymd_opt(2025, 1, 31)));
        assert!(row.date("bad").unwrap_err().contains("bad='March'"));
        assert_eq!(row.timestamp("createAt").unwrap().unwrap().to_rfc3339(), "2020-05-06T07:08:09+00:00");
        assert_eq!(row.timestamp("millis").unwrap().unwrap().timestamp(), 1_600_000_000);
    }

    #[test]
    fn id_lists_take_several_shapes() {
        let map = obj(json!({"a": ["g1", {"id": "g2"}, 7, null], "b": "g1, g2", "c": null}));
        let row = Row(&map);
        assert_eq!(row.id_list("a"), Some(vec!["g1".into(), "g2".into(), "7".into()]));
        assert_eq!(row.id_list("b"), Some(vec!["g1".into(), "g2".into()]));
        assert_eq!(row.id_list("c"), None);
        assert_eq!(row.id_list("missing"), None);
    }

    #[test]
    fn group_ids_are_an_array_of_strings_or_absent() {
        let ok = obj(json!({"groupIds": ["g1", " g2 "]}));
        assert_eq!(Row(&ok).group_ids(), Ok(Some(vec!["g1".into(), "g2".into()])));
        assert_eq!(Row(&obj(json!({"groupIds": null}))).group_ids(), Ok(None));
        assert_eq!(Row(&obj(json!({}))).group_ids(), Ok(None));
        for (bad, kind) in [
            (json!({"groupIds": "g1,g2"}), "a string"),
            (json!({"groupIds": 3}), "a number"),
            (json!({"groupIds": {"id": "g1"}}), "an object"),
            (json!({"groupIds": true}), "a boolean"),
            (json!({"groupIds": ["g1", 7]}), "an array holding something other than strings"),
            (json!({"groupIds": [""]}), "an array holding an empty string"),
        ] {
            assert_eq!(Row(&obj(bad)).group_ids(), Err(kind));
        }
    }
}
