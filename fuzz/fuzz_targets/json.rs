//! cargo-fuzz target: the json parser (see authspec::parse::fuzz::json_bytes).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| authspec::parse::fuzz::json_bytes(data));
