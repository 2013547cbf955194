//! Property tests for the text and parse functions: no panics on any input, linear time on
//! hostile megabyte inputs, and the invariants the UDFs rely on.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use reviewlake_udfs::parse::{
    clean_title, days_from_ymd, extract_category, normalize_brand, parse_bool, parse_price, parse_rating,
    parse_review_date, parse_vote, unix_seconds_to_days,
};
use reviewlake_udfs::text::{
    TokenBuffer, clean_markup, hash_features, is_stop_word, normalize_text, unescape_html, word_count,
};

fn normalized(s: &str) -> String {
    let mut out = String::new();
    normalize_text(s, &mut out);
    out
}

/// Text made of the characters that matter to the scanner, so that tags, entities and URLs
/// actually occur in generated inputs.
fn markup_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<br />".to_owned()),
        Just("<a href=\"x>y\">".to_owned()),
        Just("</a>".to_owned()),
        Just("<!--".to_owned()),
        Just("-->".to_owned()),
        Just("<script>".to_owned()),
        Just("</script>".to_owned()),
        Just("&amp;".to_owned()),
        Just("&lt;".to_owned()),
        Just("&gt;".to_owned()),
        Just("&#39;".to_owned()),
        Just("&#x1F600;".to_owned()),
        Just("&nbsp;".to_owned()),
        Just("&eacute".to_owned()),
        Just("&".to_owned()),
        Just("http://".to_owned()),
        Just("www.".to_owned()),
        Just("😀".to_owned()),
        Just("\u{fe0f}".to_owned()),
        Just("\u{200d}".to_owned()),
        Just("'".to_owned()),
        Just("’".to_owned()),
        Just("<".to_owned()),
        Just(">".to_owned()),
        Just("\"".to_owned()),
        "[a-zA-Z0-9 ]{0,8}",
        "[\\PC\\s]{0,4}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), markup_text()]
}

fn check_normalized_shape(out: &str) -> Result<(), TestCaseError> {
    prop_assert!(!out.starts_with(' ') && !out.ends_with(' '), "{out:?}");
    prop_assert!(!out.contains("  "), "{out:?}");
    prop_assert!(out.chars().all(|c| c == ' ' || !(c.is_whitespace() || c.is_control())), "{out:?}");
    prop_assert_eq!(out.to_lowercase(), out);
    prop_assert!(
        !out.chars().any(|c| matches!(c as u32, 0x1F300..=0x1FAFF | 0x2600..=0x27BF | 0xFE0F | 0x200D)),
        "{out:?}"
    );
    Ok(())
}

proptest! {
    // No regression files: the test directory is read-only in CI and failures print the input.
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn normalize_text_output_is_clean(s in any_text()) {
        let out = normalized(&s);
        check_normalized_shape(&out)?;
    }

    /// Not for every input: entities decode one level per pass, removing an emoji or a joiner
    /// can create a URL or tag that was not there, and so can removing a tag (`<rt<b>x` becomes
    /// `<rt x`, whose `<rt ` now opens a tag). Text without `&`, `<` and emoji is stable.
    #[test]
    fn normalize_text_is_idempotent_without_markup_or_emoji(s in "[a-zA-Z0-9 >/!.,:'éÉß日\t\n-]{0,60}|[hHtTpPwW:/. ]{0,30}") {
        let once = normalized(&s);
        prop_assert_eq!(normalized(&once), once.clone());
    }

    #[test]
    fn normalize_text_reuses_and_clears_the_buffer(a in any_text(), b in any_text()) {
        let mut buf = String::new();
        normalize_text(&a, &mut buf);
        normalize_text(&b, &mut buf);
        prop_assert_eq!(buf, normalized(&b));
    }

    #[test]
    fn word_count_counts_alphanumeric_pieces_of_normalized_text(s in any_text()) {
        let expected = normalized(&s).split(' ').filter(|w| w.chars().any(char::is_alphanumeric)).count();
        prop_assert_eq!(word_count(Some(&s)) as usize, expected);
    }

    #[test]
    fn word_count_of_plain_words(words in prop::collection::vec("[a-z]{1,8}", 0..30), sep in "[ \t\n]{1,3}") {
        let text = format!("{sep}{}{sep}", words.join(&sep));
        prop_assert_eq!(word_count(Some(&text)) as usize, words.len());
    }

    #[test]
    fn tokens_are_lowercase_words_without_stop_words(s in any_text()) {
        let mut tokens = TokenBuffer::new();
        tokens.tokenize(&s);
        let norm = normalized(&s);
        for t in tokens.iter() {
            prop_assert!(!t.is_empty());
            prop_assert!(!is_stop_word(t), "{t:?}");
            prop_assert!(!t.chars().all(char::is_numeric), "{t:?}");
            prop_assert!(t.chars().all(|c| c.is_alphanumeric() || c == '\''), "{t:?}");
            prop_assert!(!t.starts_with('\'') && !t.ends_with('\'') && !t.contains("''"), "{t:?}");
            let plain: String = t.chars().filter(|c| c.is_alphanumeric()).collect();
            let norm_plain: String = norm.chars().filter(|c| c.is_alphanumeric()).collect();
            prop_assert!(norm_plain.contains(&plain), "{t:?} not in {norm:?}");
        }
    }

    #[test]
    fn hashed_features_are_a_sorted_sparse_count_vector(s in any_text(), n in 1i32..5000) {
        let mut tokens = TokenBuffer::new();
        tokens.tokenize(&s);
        let (idx, val) = hash_features(tokens.iter(), n);
        prop_assert_eq!(idx.len(), val.len());
        prop_assert!(idx.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(idx.iter().all(|&i| (0..n).contains(&i)));
        prop_assert!(val.iter().all(|&v| v >= 1.0 && v.fract() == 0.0));
        prop_assert_eq!(val.iter().sum::<f64>() as usize, tokens.len());
    }

    #[test]
    fn unescape_leaves_text_without_ampersands_alone(s in "[^&]*") {
        let mut out = String::new();
        unescape_html(&s, &mut out);
        prop_assert_eq!(out, s);
    }

    #[test]
    fn display_cleaners_never_return_blank(s in any_text()) {
        let t = clean_title(Some(&s));
        prop_assert!(!t.trim().is_empty() && t.trim() == t);
        let b = normalize_brand(Some(&s));
        prop_assert!(!b.trim().is_empty() && b.trim() == b);
        let mut m = String::new();
        clean_markup(&s, &mut m);
        prop_assert!(!m.contains("  ") && m.trim() == m);
        if let Some(c) = extract_category(Some(&s), &[&s]) {
            prop_assert!(!c.is_empty() && c.trim() == c && !c.contains("  "), "{c:?}");
        }
    }

    #[test]
    fn parsers_never_panic_and_respect_ranges(s in any_text()) {
        if let Some(p) = parse_price(&s) { prop_assert!(p.is_finite() && p >= 0.0); }
        if let Some(v) = parse_vote(&s) { prop_assert!(v >= 0); }
        let _ = parse_bool(&s);
        if let Some(r) = parse_rating(&s) { prop_assert!((0.0..=5.0).contains(&r)); }
        let _ = parse_review_date(&s);
    }

    #[test]
    fn price_round_trip(cents in 0u64..10_000_000_000, hi_cents in 0u64..10_000_000_000) {
        let fmt = |c: u64| {
            let dollars = (c / 100).to_string();
            let mut grouped = String::new();
            for (k, ch) in dollars.chars().enumerate() {
                if k > 0 && (dollars.len() - k).is_multiple_of(3) { grouped.push(','); }
                grouped.push(ch);
            }
            format!("${grouped}.{:02}", c % 100)
        };
        let expect = |c: u64| (c / 100) as f64 + (c % 100) as f64 / 100.0;
        let p = parse_price(&fmt(cents)).unwrap();
        prop_assert!((p - expect(cents)).abs() < 1e-6, "{} -> {p}", fmt(cents));
        let range = parse_price(&format!("{} - {}", fmt(cents), fmt(hi_cents))).unwrap();
        prop_assert!((range - (expect(cents) + expect(hi_cents)) / 2.0).abs() < 1e-6);
    }

    #[test]
    fn vote_round_trip(v in any::<u32>()) {
        let plain = v.to_string();
        let mut grouped = String::new();
        for (k, ch) in plain.chars().enumerate() {
            if k > 0 && (plain.len() - k).is_multiple_of(3) { grouped.push(','); }
            grouped.push(ch);
        }
        prop_assert_eq!(parse_vote(&plain), Some(i64::from(v)));
        prop_assert_eq!(parse_vote(&grouped), Some(i64::from(v)));
    }

    #[test]
    fn review_time_and_unix_time_agree(y in 1971i32..2100, m in 1u32..=12, d in 1u32..=31, secs in 0i64..86_400) {
        let text = format!("{m:02} {d}, {y}");
        match days_from_ymd(y, m, d) {
            Some(days) => {
                prop_assert_eq!(parse_review_date(&text), Some(days));
                let unix = i64::from(days) * 86_400 + secs;
                prop_assert_eq!(unix_seconds_to_days(unix), days);
                prop_assert_eq!(parse_review_date(&unix.to_string()), Some(days));
            }
            None => prop_assert_eq!(parse_review_date(&text), None),
        }
    }

    #[test]
    fn rating_round_trip(tenths in 0u32..=50) {
        let text = format!("{}.{}", tenths / 10, tenths % 10);
        prop_assert_eq!(parse_rating(&text), Some(f64::from(tenths) / 10.0));
    }
}

/// Runs every function over `text` and fails if that takes longer than `limit`: a quadratic
/// scan of a megabyte would take minutes, a linear one milliseconds (even unoptimised).
fn assert_fast(name: &str, text: &str, limit: Duration) {
    let start = Instant::now();
    let mut out = String::new();
    normalize_text(text, &mut out);
    clean_markup(text, &mut out);
    unescape_html(text, &mut out);
    let _ = word_count(Some(text));
    let mut tokens = TokenBuffer::new();
    tokens.tokenize(text);
    let _ = hash_features(tokens.iter(), 1 << 18);
    let _ = clean_title(Some(text));
    let _ = normalize_brand(Some(text));
    let _ = extract_category(Some(text), &[text]);
    let _ = parse_price(text);
    let _ = parse_vote(text);
    let _ = parse_rating(text);
    let _ = parse_bool(text);
    let _ = parse_review_date(text);
    let took = start.elapsed();
    eprintln!("{name}: {took:?}");
    assert!(took < limit, "{name}: {took:?} for {} bytes", text.len());
}

#[test]
fn megabyte_inputs_run_in_linear_time() {
    const MB: usize = 1 << 20;
    let limit = Duration::from_secs(if cfg!(debug_assertions) { 20 } else { 3 });
    let patterns: &[(&str, &str)] = &[
        ("unclosed tag openers", "<a "),
        ("tag openers closed at the end", "<b x=\"1\" "),
        ("lone angle brackets", "<"),
        ("comment openers", "<!--"),
        ("script openers", "<script>"),
        ("closing-tag starts in script", "</scrip"),
        ("quote after equals", "<p a=\""),
        ("entity-like prefixes", "&ampx"),
        ("long unknown entity names", "&abcdefghijklmnopqrstuvwxyzabcdefghijkl"),
        ("numeric references", "&#99999999999"),
        ("url prefixes", "http://"),
        ("www prefixes", " www."),
        ("emoji", "😀\u{200d}\u{fe0f}"),
        ("apostrophes", "a'"),
        ("digits and commas", "1,234"),
        ("uppercase non-ascii", "ÉİΣ"),
        ("img alts", "<img alt=\""),
    ];
    for (name, pat) in patterns {
        let text = pat.repeat(MB / pat.len() + 1);
        assert_fast(name, &text, limit);
    }
    let mut with_end = "<a ".repeat(MB / 3);
    with_end.push('>');
    assert_fast("one huge tag", &with_end, limit);
    assert_fast("single word", &"a".repeat(MB), limit);
}

#[test]
fn megabyte_of_random_unicode_does_not_panic() {
    // A deterministic pseudo-random mix of ASCII markup characters and arbitrary scalar values.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut text = String::with_capacity(1 << 21);
    let specials = ['<', '>', '&', '#', ';', '/', '!', '-', '\'', '"', '=', ' ', 'h', 'w', '.', ':'];
    while text.len() < (1 << 20) + 17 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let c = match state % 4 {
            0 => specials[(state >> 8) as usize % specials.len()],
            1 => (b'a' + (state >> 8) as u8 % 26) as char,
            _ => char::from_u32((state >> 16) as u32 % 0x11_0000).unwrap_or('\u{fffd}'),
        };
        text.push(c);
    }
    assert_fast("random unicode", &text, Duration::from_secs(if cfg!(debug_assertions) { 20 } else { 3 }));
    let out = normalized(&text);
    assert!(!out.starts_with(' ') && !out.ends_with(' ') && !out.contains("  "));
}
