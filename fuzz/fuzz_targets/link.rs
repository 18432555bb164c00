//! cargo-fuzz target: the link parser (see authspec::parse::fuzz::link_bytes).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| authspec::parse::fuzz::link_bytes(data));
