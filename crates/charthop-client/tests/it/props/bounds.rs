//! Allocation stays bounded: the decoder's peak heap is a small multiple of its input (counted
//! per thread by `allocation-counter`), and a body over `max_body_bytes` is refused while it
//! is read, before it is buffered whole, even when it never ends.

use axum::body::Body;
use axum::response::Response;
use charthop_client::{Error, PersonQuery, decode_cost_estimate, decode_page_for_fuzzing as decode};
use proptest::prelude::*;
use serde_json::json;

use super::model::{config, json, page};
use crate::support::{Stub, TOKEN, client, config as client_config};

/// Peak heap of a decode, in bytes.
fn peak(bytes: &[u8]) -> u64 {
    allocation_counter::measure(|| {
        let _ = std::hint::black_box(decode(std::hint::black_box(bytes)));
    })
    .bytes_max
}

/// Per input byte. The worst text is many one-key objects: `{"":0},` is 7 bytes and a
/// 632-byte B-tree leaf in `serde_json`'s map (measured: 98 bytes held per byte); an array
/// of `0` holds 32-byte values with a Vec's doubling (40 per byte). Linear, but not small,
/// so the client estimates the cost before decoding and refuses a page above its budget
/// (256 MiB at the default cap): the estimate must never be below what decoding takes.
const PER_BYTE: u64 = 128;
const SLACK: u64 = 16 << 10;

/// Rows built to cost the most memory per byte of text: many tiny values.
fn dense_page() -> impl Strategy<Value = String> {
    let element =
        prop::sample::select(vec!["0", "[]", "{}", "\"\"", "null", "[0]", r#"{"":0}"#, r#"{"a":{"b":0}}"#]);
    (element, 1usize..20_000, 1usize..4).prop_map(|(element, n, rows)| {
        let field = format!("[{}]", vec![element; n].join(","));
        let row = format!(r#"{{"id":"p","groupIds":[],"x":{field}}}"#);
        format!(r#"{{"data":[{}]}}"#, vec![row; rows].join(","))
    })
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn decoding_holds_a_small_multiple_of_the_input(value in prop_oneof![json(), page()]) {
        let bytes = serde_json::to_vec(&value).unwrap();
        let held = peak(&bytes);
        prop_assert!(held <= PER_BYTE * bytes.len() as u64 + SLACK, "{} bytes held {}", bytes.len(), held);
    }

    #[test]
    fn dense_pages_hold_a_small_multiple_of_the_input(text in dense_page()) {
        let held = peak(text.as_bytes());
        prop_assert!(held <= PER_BYTE * text.len() as u64 + SLACK, "{} bytes held {}", text.len(), held);
    }

    #[test]
    fn the_estimate_checked_before_decoding_is_never_below_the_real_peak(
        text in prop_oneof![dense_page(), prop_oneof![json(), page()].prop_map(|v| v.to_string())]
    ) {
        let (held, estimate) = (peak(text.as_bytes()), decode_cost_estimate(text.as_bytes()));
        prop_assert!(held <= estimate + SLACK, "{} bytes: held {held}, estimated {estimate}", text.len());
    }
}

#[test]
fn the_allocation_count_sees_the_decoder() {
    // The bound above means nothing if the counter misses the decoder's allocations.
    let text = format!(r#"{{"data":[{{"id":"p","x":[{}]}}]}}"#, vec!["0"; 10_000].join(","));
    let held = peak(text.as_bytes());
    assert!(held >= 10_000 * 16, "{held}");
}

/// A body that never ends, in `chunk`-byte pieces, with or without a declared length.
fn endless(chunk: usize, declared: bool) -> Response {
    let piece = vec![b' '; chunk];
    let stream = futures::stream::repeat_with(move || Ok::<_, std::io::Error>(piece.clone()));
    let response = Response::builder().status(200).header("content-type", "application/json");
    let response =
        if declared { response.header("content-length", (1u64 << 40).to_string()) } else { response };
    response.body(Body::from_stream(stream)).unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

proptest! {
    #![proptest_config(config(16))]

    #[test]
    fn an_endless_body_is_refused_within_one_chunk_of_the_cap(cap in 64u64..256 << 10, chunk in 1usize..16 << 10, declared in any::<bool>()) {
        let error = runtime().block_on(async {
            let stub = Stub::start(move |_, _| endless(chunk, declared)).await;
            let mut config = client_config(stub.base_url(), TOKEN, "acme");
            config.max_body_bytes = cap;
            client(config).persons_page(&PersonQuery::default(), None).await.unwrap_err()
        });
        match error {
            // Declared: refused on the header, nothing read. Streamed: refused at the first
            // chunk past the cap, so at most cap + one chunk was ever held.
            Error::BodyTooLarge { size, declared: true, .. } if declared => prop_assert_eq!(size, 1u64 << 40),
            Error::BodyTooLarge { size, declared: false, .. } if !declared => {
                prop_assert!(size > cap && size <= cap + chunk as u64, "size {} cap {} chunk {}", size, cap, chunk);
            }
            other => prop_assert!(false, "expected BodyTooLarge (declared {}), got {:?}", declared, other),
        }
    }

    #[test]
    fn a_body_within_the_cap_is_read_whole(cap in 64u64..64 << 10, pad in any::<prop::sample::Index>(), chunk in 1usize..4096) {
        let page = json!({"data": [{"id": "p1"}]}).to_string();
        // Padded with trailing whitespace to any size up to exactly the cap.
        let size = page.len() + pad.index((cap as usize - page.len()) + 1);
        let body: Vec<u8> = page.bytes().chain(std::iter::repeat(b' ')).take(size).collect();
        let persons = runtime().block_on(async {
            let stub = Stub::start(move |_, _| {
                let pieces: Vec<_> = body.chunks(chunk).map(|c| Ok::<_, std::io::Error>(c.to_vec())).collect();
                Response::new(Body::from_stream(futures::stream::iter(pieces)))
            })
            .await;
            let mut config = client_config(stub.base_url(), TOKEN, "acme");
            config.max_body_bytes = cap;
            client(config).persons_page(&PersonQuery::default(), None).await
        });
        let persons = persons.map_err(|e| TestCaseError::fail(format!("{size} bytes under a cap of {cap}: {e}")))?;
        prop_assert_eq!(persons.items.len(), 1);
    }
}
