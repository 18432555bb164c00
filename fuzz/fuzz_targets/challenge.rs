//! cargo-fuzz target: the challenge parser (see authspec::parse::fuzz::challenge_bytes).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| authspec::parse::fuzz::challenge_bytes(data));
