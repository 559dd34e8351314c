//! Property tests of the page and row decoder (proptest): arbitrary JSON, valid pages mutated
//! value by value and byte by byte, deep nesting and huge numbers give the answer the rules in
//! `props/model.rs` call for, and never a panic. `bounds` holds the allocation properties.
//! Cases stay few so `cargo test` is quick; `PROPTEST_CASES=10000` runs more.

mod bounds;
mod model;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

use charthop_client::decode_page_for_fuzzing as decode;
use model::{apply, config, expected, json, mutation, page, valid_page};

/// The decoder agrees with the oracle wherever the oracle has an answer.
fn check(value: &Value) -> Result<(), TestCaseError> {
    let bytes = serde_json::to_vec(value).expect("a Value serializes");
    let result = decode(&bytes);
    if let Some(want) = expected(value) {
        prop_assert_eq!(result.clone().map_err(drop), want, "page {} gave {:?}", value, result);
    }
    Ok(())
}

#[test]
fn the_valid_page_is_accepted_whole() {
    assert_eq!(expected(&valid_page()), Some(Ok(2)));
    assert_eq!(decode(&serde_json::to_vec(&valid_page()).unwrap()), Ok(2));
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn arbitrary_json_is_judged_by_the_rules(value in json()) {
        check(&value)?;
    }

    #[test]
    fn arbitrary_pages_are_judged_by_the_rules(value in page()) {
        check(&value)?;
    }

    #[test]
    fn mutated_valid_pages_are_judged_by_the_rules(mutations in prop::collection::vec(mutation(), 1..4)) {
        let mut page = valid_page();
        for m in &mutations {
            apply(&mut page, m);
        }
        check(&page)?;
    }
}

/// A change to the bytes of the valid page.
#[derive(Debug, Clone)]
enum ByteMutation {
    Truncate(Index),
    Flip(Index, u8),
    Insert(Index, Vec<u8>),
}

/// Bytes worth splicing in: JSON punctuation, unicode, control characters, huge numbers.
const SPLICES: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b",",
    b":",
    b"0",
    b"\\",
    b"\\u0000",
    b"\\ud800",
    b"null",
    "é".as_bytes(),
    "🦀".as_bytes(),
    "\u{202e}".as_bytes(),
    b"\x00",
    b"\x1b",
    b"\xff",
    b"\xc3",
    b"1e400",
    b"-1e-400",
    b"18446744073709551616",
    b"123456789012345678901234567890",
    b"-0",
];

fn byte_mutation() -> impl Strategy<Value = ByteMutation> {
    prop_oneof![
        any::<Index>().prop_map(ByteMutation::Truncate),
        (any::<Index>(), 0u8..8).prop_map(|(at, bit)| ByteMutation::Flip(at, bit)),
        (any::<Index>(), prop::sample::select(SPLICES))
            .prop_map(|(at, b)| ByteMutation::Insert(at, b.to_vec())),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, b)| ByteMutation::Insert(at, b)),
    ]
}

fn valid_bytes() -> Vec<u8> {
    serde_json::to_vec(&valid_page()).unwrap()
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn mutated_bytes_never_panic(mutations in prop::collection::vec(byte_mutation(), 1..5)) {
        let mut bytes = valid_bytes();
        for m in &mutations {
            match m {
                ByteMutation::Truncate(at) => bytes.truncate(at.index(bytes.len() + 1)),
                ByteMutation::Flip(at, bit) => {
                    let len = bytes.len();
                    if let Some(byte) = bytes.get_mut(at.index(len.max(1))) {
                        *byte ^= 1 << bit;
                    }
                }
                ByteMutation::Insert(at, new) => {
                    let at = at.index(bytes.len() + 1);
                    bytes.splice(at..at, new.iter().copied());
                }
            }
        }
        if let Ok(rows) = decode(&bytes) {
            // Whatever was accepted parsed as JSON and passed the rules.
            let value: Value = serde_json::from_slice(&bytes).unwrap();
            prop_assert_eq!(expected(&value).unwrap_or(Ok(rows)), Ok(rows));
        }
    }

    #[test]
    fn a_cut_page_is_refused(at in any::<Index>()) {
        let bytes = valid_bytes();
        let cut = &bytes[..at.index(bytes.len())];
        prop_assert!(decode(cut).is_err(), "accepted a cut page: {}", String::from_utf8_lossy(cut));
    }

    #[test]
    fn a_stray_control_or_non_utf8_byte_is_refused(at in any::<Index>(), byte in prop_oneof![0u8..0x09, 0x0bu8..0x0d, 0x0eu8..0x20, 0x80u8..=0xff]) {
        // Raw control characters are never valid JSON, in a string or between tokens; the
        // valid page is ASCII, so a lone byte above 0x7f cannot complete a UTF-8 sequence.
        let mut bytes = valid_bytes();
        bytes.insert(at.index(bytes.len() + 1), byte);
        prop_assert!(decode(&bytes).is_err(), "accepted {}", String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn a_huge_numeric_id_is_read_if_finite_and_refused_if_not(digits in 1usize..400, negative in any::<bool>()) {
        let id = format!("{}1{}", if negative { "-" } else { "" }, "0".repeat(digits - 1));
        let bytes = format!(r#"{{"data": [{{"id": {id}}}]}}"#);
        let finite = id.parse::<f64>().is_ok_and(f64::is_finite);
        prop_assert_eq!(decode(bytes.as_bytes()).is_ok(), finite, "id {}", id);
    }

    #[test]
    fn deep_nesting_is_refused_past_a_limit_and_never_overflows(depth in 0usize..5_000, arrays in any::<bool>()) {
        let (open, close) = if arrays { ("[", "]") } else { (r#"{"k":"#, "}") };
        let bytes = format!(r#"{{"data": [{{"id": "p1", "x": {}0{}}}]}}"#, open.repeat(depth), close.repeat(depth));
        let result = decode(bytes.as_bytes());
        if depth <= 100 {
            prop_assert_eq!(result, Ok(1));
        } else if depth >= 200 {
            prop_assert!(result.is_err());
        }
    }
}

#[test]
fn nesting_a_hundred_thousand_deep_is_refused_without_overflowing_the_stack() {
    let depth = 100_000;
    let bytes = format!(r#"{{"data": [{}]}}"#, "[".repeat(depth) + &"]".repeat(depth));
    assert!(decode(bytes.as_bytes()).is_err());
}
