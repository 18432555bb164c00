//! Property tests: every parser is total. Arbitrary input gives a value or a typed error, never a panic.

use authspec::parse::{challenge, json, link, mediatype::MediaType, ratelimit, retry};
use proptest::prelude::*;

/// Strings drawn from the characters these grammars care about, so the fuzzing reaches deep states.
fn grammar_soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("Bearer".to_string()),
            Just(" ".to_string()),
            Just(",".to_string()),
            Just("=".to_string()),
            Just("\"".to_string()),
            Just("\\".to_string()),
            Just(";".to_string()),
            Just("<".to_string()),
            Just(">".to_string()),
            Just("realm".to_string()),
            Just("resource_metadata".to_string()),
            Just("rel=\"api-catalog\"".to_string()),
            Just("r=".to_string()),
            Just("q=".to_string()),
            "[a-z0-9]{1,4}",
            any::<char>().prop_map(|c| c.to_string()),
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn challenge_parser_is_total(s in grammar_soup()) {
        if let Err(e) = challenge::parse(&s) {
            prop_assert!(e.offset <= s.len());
        }
    }

    #[test]
    fn link_parser_is_total(s in grammar_soup()) {
        if let Err(e) = link::parse(&s) {
            prop_assert!(e.offset <= s.len());
        }
    }

    #[test]
    fn ratelimit_parser_is_total(a in grammar_soup(), b in grammar_soup(), c in "[-0-9a-zA-Z ,;=\"]{0,30}") {
        for name in ["RateLimit", "RateLimit-Policy", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"] {
            let headers = vec![(name.to_string(), a.clone()), ("RateLimit-Policy".to_string(), b.clone()), ("RateLimit-Reset".to_string(), c.clone())];
            let _ = ratelimit::parse(&headers);
        }
    }

    #[test]
    fn retry_after_and_media_types_are_total(s in any::<String>()) {
        let _ = retry::parse(&s);
        let _ = MediaType::parse(&s);
    }

    #[test]
    fn json_reader_is_total(bytes in proptest::collection::vec(any::<u8>(), 0..200), s in "[\\[\\]{}:,\"a-z0-9 ]{0,80}") {
        let _ = json::parse(&bytes);
        let _ = json::parse(s.as_bytes());
    }
}

#[test]
fn json_reader_survives_deep_nesting_and_huge_numbers() {
    let deep = "[".repeat(200_000);
    assert!(json::parse(deep.as_bytes()).is_err());
    let big = format!("{{\"n\": {}}}", "9".repeat(10_000));
    match json::parse(big.as_bytes()) {
        Err(json::JsonError::Syntax { message, .. }) => {
            assert!(message.contains("out of range"), "{message}")
        }
        other => panic!("a 10,000-digit number should be refused as out of range, got {other:?}"),
    }
}

/// Every input under fuzz/regressions/<target>/ (crashes a fuzz run once found, and tricky seeds)
/// still goes through its target without a panic.
#[test]
fn fuzz_regressions_stay_fixed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut ran = 0;
    for (name, target) in authspec::parse::fuzz::TARGETS {
        let dir = root.join(name);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("dir entry").path();
            let data = std::fs::read(&path).expect("fixture reads");
            target(&data);
            ran += 1;
        }
    }
    assert!(
        ran >= authspec::parse::fuzz::TARGETS.len(),
        "only {ran} fixtures ran"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The fuzz targets' invariants hold on the grammar soup too (a short stand-in for cargo fuzz).
    #[test]
    fn fuzz_targets_hold_on_soup(s in grammar_soup()) {
        for (_, target) in authspec::parse::fuzz::TARGETS {
            target(s.as_bytes());
        }
    }

    /// Duplicate members the JSON reader reports can always be located in the text.
    #[test]
    fn json_duplicates_are_located(keys in proptest::collection::vec("[a-c~/]{0,3}", 1..6), nest in 0usize..4) {
        let members: Vec<String> = keys.iter().map(|k| format!("{}: 1", serde_json::to_string(k).expect("key"))).collect();
        let object = format!("{{{}}}", members.join(", "));
        let doc = format!("{}{object}{}", "{\"n\": ".repeat(nest), "}".repeat(nest));
        authspec::parse::fuzz::json_bytes(doc.as_bytes());
    }
}
