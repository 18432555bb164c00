//! cargo-fuzz target: the ratelimit parser (see authspec::parse::fuzz::ratelimit_bytes).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| authspec::parse::fuzz::ratelimit_bytes(data));
