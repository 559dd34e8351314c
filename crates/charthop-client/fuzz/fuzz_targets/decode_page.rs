//! Any bytes as a ChartHop list page: decoding refuses or accepts, and never panics. What it
//! accepts is JSON with a `data` array of as many rows as it reports.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(rows) = charthop_client::decode_page_for_fuzzing(bytes) {
        let page: serde_json::Value = serde_json::from_slice(bytes).expect("accepted bytes are JSON");
        let data = page
            .as_object()
            .and_then(|map| map.iter().find(|(k, _)| k.eq_ignore_ascii_case("data")))
            .and_then(|(_, data)| data.as_array())
            .expect("an accepted page has a data array");
        assert_eq!(data.len(), rows, "the row count is the data array's length");
    }
});
