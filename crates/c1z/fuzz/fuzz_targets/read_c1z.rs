//! Any bytes given to the `.c1z` reader give a result, never a panic or a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("a temp dir for the input and its decompressed copy");
    // Errors are the expected answer to most inputs; only panics and crashes are findings.
    let _ = c1z::fuzz::read_everything(data, dir.path());
});
