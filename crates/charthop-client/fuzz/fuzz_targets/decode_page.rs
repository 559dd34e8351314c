//! Any bytes as a ChartHop list page: decoding refuses or accepts, and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = charthop_client::decode_page_for_fuzzing(bytes);
});
