//! The parser of each [`Kind`] of setting value, and the values it gives.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::setting_table::Kind;
use crate::units::{parse_bytes, parse_duration, parse_ratio};

/// A checked value.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Text(String),
    Path(PathBuf),
    Bool(bool),
    Int(u32),
    /// One of the kind's words (an alias is given as the word it stands for).
    Word(&'static str),
    Ip(IpAddr),
    Ratio(f64),
    Duration(Duration),
    Bytes(u64),
    List(Vec<String>),
}

impl Kind {
    /// Checks `text` (trimmed, except texts and paths); the error says what was expected.
    pub fn parse(&self, text: &str) -> Result<Parsed, String> {
        let trimmed = text.trim();
        Ok(match *self {
            Kind::Text => Parsed::Text(text.to_owned()),
            Kind::Path => Parsed::Path(PathBuf::from(text)),
            Kind::Bool => Parsed::Bool(parse_bool(trimmed)?),
            Kind::Int { min, max } => match trimmed.parse::<u32>() {
                Ok(n) if (min..=max).contains(&n) => Parsed::Int(n),
                _ => return Err(format!("expected a whole number from {min} to {max}")),
            },
            Kind::Word { words, aliases } => Parsed::Word(parse_word(trimmed, words, aliases)?),
            Kind::Ip => Parsed::Ip(
                trimmed.parse().map_err(|_| "expected an IP address such as 127.0.0.1".to_owned())?,
            ),
            Kind::Ratio => Parsed::Ratio(parse_ratio(trimmed)?),
            Kind::Duration { max_secs } => {
                Parsed::Duration(parse_duration(trimmed, Duration::ZERO, Duration::from_secs(max_secs))?)
            }
            Kind::Bytes { min, max } => Parsed::Bytes(parse_bytes(trimmed, min, max)?),
            Kind::List => Parsed::List(
                text.split(',').map(str::trim).filter(|item| !item.is_empty()).map(str::to_owned).collect(),
            ),
        })
    }

    /// Texts, paths and lists: an empty value counts as unset.
    pub fn empty_is_unset(&self) -> bool {
        matches!(self, Kind::Text | Kind::Path | Kind::List)
    }

    pub fn is_bool(&self) -> bool {
        matches!(self, Kind::Bool)
    }
}

fn parse_bool(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err("expected true or false".into()),
    }
}

fn parse_word(
    value: &str,
    words: &'static [&'static str],
    aliases: &'static [(&'static str, &'static str)],
) -> Result<&'static str, String> {
    let lower = value.to_ascii_lowercase();
    if let Some(word) = words.iter().find(|w| **w == lower) {
        return Ok(word);
    }
    if let Some((_, word)) = aliases.iter().find(|(alias, _)| *alias == lower) {
        return Ok(word);
    }
    Err(match words {
        [] => "no value is accepted".to_owned(),
        [one] => format!("expected {one}"),
        [rest @ .., last] => format!("expected {} or {last}", rest.join(", ")),
    })
}

/// The typed value of a row whose kind gives it; any other pairing is a mistake in the code
/// (the settings tests read every row).
impl Parsed {
    pub fn text(self) -> String {
        match self {
            Parsed::Text(text) => text,
            other => panic!("not a text: {other:?}"),
        }
    }

    pub fn path(self) -> PathBuf {
        match self {
            Parsed::Path(path) => path,
            other => panic!("not a path: {other:?}"),
        }
    }

    pub fn bool(self) -> bool {
        match self {
            Parsed::Bool(b) => b,
            other => panic!("not a boolean: {other:?}"),
        }
    }

    pub fn int(self) -> u32 {
        match self {
            Parsed::Int(n) => n,
            other => panic!("not a whole number: {other:?}"),
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Parsed::Word(word) => word,
            other => panic!("not a word: {other:?}"),
        }
    }

    pub fn ip(self) -> IpAddr {
        match self {
            Parsed::Ip(ip) => ip,
            other => panic!("not an IP address: {other:?}"),
        }
    }

    pub fn ratio(self) -> f64 {
        match self {
            Parsed::Ratio(r) => r,
            other => panic!("not a ratio: {other:?}"),
        }
    }

    pub fn duration(self) -> Duration {
        match self {
            Parsed::Duration(d) => d,
            other => panic!("not a duration: {other:?}"),
        }
    }

    pub fn bytes(self) -> u64 {
        match self {
            Parsed::Bytes(n) => n,
            other => panic!("not a size: {other:?}"),
        }
    }

    pub fn list(self) -> Vec<String> {
        match self {
            Parsed::List(items) => items,
            other => panic!("not a list: {other:?}"),
        }
    }
}
