//! cargo-fuzz target: the mediatype parser (see authspec::parse::fuzz::mediatype_bytes).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| authspec::parse::fuzz::mediatype_bytes(data));
