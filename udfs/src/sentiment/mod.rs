//! Lexicon-based sentiment scores that reproduce TextBlob 0.20.1's default `PatternAnalyzer`
//! (`TextBlob(text).sentiment`) bit for bit, in pure Rust.
//!
//! The scorer tokenizes the text as Pattern does, looks every lower-cased token up in a lexicon
//! of about 2,900 scored English words, lets modifiers ("very") scale the next word, negations
//! ("not") flip and halve it, `!` boost the previous one, emoticons count as words of their own,
//! and returns the mean polarity and subjectivity of the scored words. Reproducing TextBlob's
//! quirks, not improving on them, is the point: the numbers must match what the Python stack
//! produced for the same reviews.
//!
//! The lexicon is `udfs/data/en-sentiment.xml` from Pattern/TextBlob by Tom De Smedt and Walter
//! Daelemans, released under the PDDL (public domain); it is embedded in the binary.
//!
//! ```
//! use reviewlake_udfs::sentiment::{sentiment, Sentiment};
//!
//! assert_eq!(sentiment("Another great gift."), Sentiment { polarity: 0.8, subjectivity: 0.75 });
//! ```

pub(crate) mod lexicon;
mod tokenize;

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use lexicon::{Entry, FxBuildHasher};
use tokenize::{Buffers, EMOTICONS};

/// Polarity and subjectivity of a text, as TextBlob's `Sentiment(polarity, subjectivity)`.
///
/// ```
/// use reviewlake_udfs::sentiment::sentiment;
///
/// let s = sentiment("Very cute design and enjoyed by recipient.");
/// assert!(s.polarity > 0.0 && s.subjectivity > 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sentiment {
    /// From -1.0 (negative) to 1.0 (positive); 0.0 when no word of the text is scored.
    pub polarity: f64,
    /// From 0.0 (objective) to 1.0 (subjective).
    pub subjectivity: f64,
}

/// `(polarity in [-1,1], subjectivity in [0,1])` exactly as `TextBlob(text).sentiment`.
///
/// Never panics and runs in time linear in `text.len()`. Scratch buffers are kept per thread, so
/// after the first calls on a thread it allocates nothing for ordinary review-sized inputs.
///
/// ```
/// use reviewlake_udfs::sentiment::{sentiment, Sentiment};
///
/// assert_eq!(sentiment("great"), Sentiment { polarity: 0.8, subjectivity: 0.75 });
/// assert_eq!(sentiment("not great"), Sentiment { polarity: -0.4, subjectivity: 0.75 });
/// assert_eq!(sentiment(""), Sentiment { polarity: 0.0, subjectivity: 0.0 });
/// ```
pub fn sentiment(text: &str) -> Sentiment {
    thread_local! {
        static BUFFERS: RefCell<(Buffers, String)> = RefCell::new(Default::default());
    }
    // Falls back to fresh buffers rather than panicking if the thread-local is being torn down.
    BUFFERS
        .try_with(|cell| match cell.try_borrow_mut() {
            Ok(mut bufs) => {
                let (tokens, lower) = &mut *bufs;
                let s = score(tokenize::tokenize(text, tokens), lower);
                tokens.trim();
                if lower.capacity() > 1 << 16 {
                    *lower = String::new();
                }
                s
            }
            Err(_) => score(tokenize::tokenize(text, &mut Buffers::default()), &mut String::new()),
        })
        .unwrap_or_else(|_| score(tokenize::tokenize(text, &mut Buffers::default()), &mut String::new()))
}

/// The polarity of [`sentiment`]: -1.0 (negative) to 1.0 (positive).
///
/// ```
/// use reviewlake_udfs::sentiment::polarity;
///
/// assert_eq!(polarity("I love it"), 0.5);
/// ```
pub fn polarity(text: &str) -> f64 {
    sentiment(text).polarity
}

/// The subjectivity of [`sentiment`]: 0.0 (objective) to 1.0 (subjective).
///
/// ```
/// use reviewlake_udfs::sentiment::subjectivity;
///
/// assert_eq!(subjectivity("I love it"), 0.6);
/// ```
pub fn subjectivity(text: &str) -> f64 {
    sentiment(text).subjectivity
}

/// Everything the scorer reacts to in a lower-cased token, so that one hash probe per token
/// answers all of Pattern's questions about it.
#[derive(Debug, Clone, Copy, Default)]
struct Info {
    /// A lexicon word: scored, and possibly a modifier.
    word: Option<Entry>,
    /// "no", "not", "n't", "never".
    negation: bool,
    /// Only consulted for tokens that are not lexicon words.
    cue: Cue,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
enum Cue {
    #[default]
    None,
    /// `!` boosts the polarity of the previous assessment.
    Exclamation,
    /// `(!)` is scored as neutral but fully subjective.
    Sarcasm,
    /// Scored with this polarity and full subjectivity.
    Emoticon(f64),
}

/// Token → [`Info`], hashed with FxHash: std's default SipHash would dominate the per-token
/// cost, and HashDoS resistance is moot for a fixed key set.
struct Vocabulary {
    tokens: HashMap<Box<str>, Info, FxBuildHasher>,
    /// Lets most long tokens skip hashing.
    max_len: usize,
}

impl Vocabulary {
    fn load() -> Vocabulary {
        let mut tokens: HashMap<Box<str>, Info, FxBuildHasher> = lexicon::words(lexicon::XML)
            .into_iter()
            .map(|(w, e)| (w, Info { word: Some(e), ..Info::default() }))
            .collect();
        for w in ["no", "not", "n't", "never"] {
            tokens.entry(w.into()).or_default().negation = true;
        }
        tokens.entry("!".into()).or_default().cue = Cue::Exclamation;
        tokens.entry("(!)".into()).or_default().cue = Cue::Sarcasm;
        for (polarity, forms) in EMOTICONS.iter().rev() {
            for form in *forms {
                let lower = form.to_lowercase();
                // Pattern only tries tokens that are not purely alphabetic ("XD" is), at most five
                // characters long and not a substring of its punctuation string; of the
                // emoticons that rules out just "xd". `char::is_alphabetic` agrees with Python's
                // `isalpha` on these characters.
                let tried = !lower.chars().all(char::is_alphabetic)
                    && lower.chars().count() <= 5
                    && !".,;:!?()[]{}`''\"@#$^&*+-|=~_".contains(lower.as_str());
                if tried {
                    // In reverse, so the first group holding a form wins, as in Pattern's loop.
                    tokens.entry(lower.into()).or_default().cue = Cue::Emoticon(*polarity);
                }
            }
        }

        let max_len = tokens.keys().map(|k| k.len()).max().unwrap_or(0);
        Vocabulary { tokens, max_len }
    }

    #[inline]
    fn get(&self, token: &str) -> Option<&Info> {
        if token.len() > self.max_len {
            return None;
        }
        self.tokens.get(token)
    }
}

static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(Vocabulary::load);

/// One scored stretch of text: a known word together with the modifiers and negation that
/// attached to it, an emoticon, or a sarcasm mark.
#[derive(Clone, Copy)]
struct Assessment {
    polarity: f64,
    subjectivity: f64,
    intensity: f64,
    negated: bool,
}

#[inline]
fn clamp(x: f64) -> f64 {
    // Python's max(-1.0, min(x, +1.0)); they differ only for NaN, which finite scores never make.
    x.clamp(-1.0, 1.0)
}

/// Characters in `w`, which is what Python's `len` counts.
#[inline]
fn char_len(w: &str) -> usize {
    if w.is_ascii() { w.len() } else { w.chars().count() }
}

/// Pattern's `Sentiment.assessments` followed by its averaging, streamed over the tokens.
fn score<'t>(tokens: impl Iterator<Item = &'t str>, lower: &mut String) -> Sentiment {
    let vocabulary = &*VOCABULARY;
    // Running sums replace the list of assessments except for the last one, the only one that
    // later tokens can still change.
    let mut done = Totals::default();
    let mut last: Option<Assessment> = None;
    // Whether the previous known word can modify the next one, and whether it ends in "ly".
    let mut modifier: Option<bool> = None;
    let mut negation = false;

    for token in tokens {
        let w = lowercase(token, lower);
        let info = vocabulary.get(w).copied().unwrap_or_default();
        if let Some(Entry { polarity, subjectivity, intensity, modifier: is_modifier }) = info.word {
            match (modifier, last.as_mut()) {
                // "very good": the modifier's own assessment becomes the pair's, scaled by its
                // intensity; the next modifier in a chain uses the new word's intensity.
                (Some(_), Some(a)) => {
                    a.polarity = clamp(polarity * a.intensity);
                    a.subjectivity = clamp(subjectivity * a.intensity);
                    a.intensity = intensity;
                }
                _ => {
                    done.add(last.take());
                    last = Some(Assessment { polarity, subjectivity, intensity, negated: false });
                }
            }
            if negation && let Some(a) = last.as_mut() {
                a.intensity = 1.0 / a.intensity;
                a.negated = true;
            }
            modifier = is_modifier.then(|| w.ends_with("ly"));
            negation = info.negation;
            continue;
        }
        if info.negation {
            negation = true;
        } else if negation && char_len(w.trim_matches('\'')) > 1 {
            // Negation survives only across one-letter words ("not a good").
            negation = false;
        }
        if negation && modifier == Some(true) {
            // "really not good": the negation attaches to the "-ly" modifier's assessment.
            if let Some(a) = last.as_mut() {
                a.negated = true;
            }
            negation = false;
        } else if modifier.is_some() && char_len(w) > 2 {
            // A modifier survives only across short words ("really is a good").
            modifier = None;
        }
        let polarity = match info.cue {
            Cue::None => continue,
            Cue::Exclamation => {
                if let Some(a) = last.as_mut() {
                    a.polarity = clamp(a.polarity * 1.25);
                }
                continue;
            }
            Cue::Sarcasm => 0.0,
            Cue::Emoticon(polarity) => polarity,
        };
        // Unlike a word, this closes the modifier's assessment without ending the modifier: a
        // word after it rescales the emoticon (Pattern does the same).
        done.add(last.take());
        last = Some(Assessment { polarity, subjectivity: 1.0, intensity: 1.0, negated: false });
    }
    done.add(last);
    done.mean()
}

/// Sums in assessment order, as Pattern's own left-to-right average does.
#[derive(Default)]
struct Totals {
    polarity: f64,
    subjectivity: f64,
    count: usize,
}

impl Totals {
    #[inline]
    fn add(&mut self, a: Option<Assessment>) {
        if let Some(a) = a {
            // "not good" = slightly bad, "not bad" = slightly good.
            self.polarity += if a.negated { a.polarity * -0.5 } else { a.polarity };
            self.subjectivity += a.subjectivity;
            self.count += 1;
        }
    }

    fn mean(&self) -> Sentiment {
        let n = self.count.max(1) as f64;
        Sentiment { polarity: self.polarity / n, subjectivity: self.subjectivity / n }
    }
}

/// Python's `str.lower()` into a reused buffer; borrows the token when it is already lower-case
/// ASCII, the common case.
#[inline]
fn lowercase<'a>(token: &'a str, buf: &'a mut String) -> &'a str {
    let (mut high, mut upper) = (0u8, false);
    for &c in token.as_bytes() {
        high |= c;
        upper |= c.is_ascii_uppercase();
    }
    if high < 0x80 {
        if !upper {
            return token;
        }
        buf.clear();
        buf.push_str(token);
        buf.make_ascii_lowercase();
    } else {
        buf.clear();
        for c in token.chars() {
            // Per character, not `str::to_lowercase`: Python lower-cases a final capital sigma
            // contextually too, but the result has the same length and matches no lexicon
            // entry either way.
            buf.extend(c.to_lowercase());
        }
    }
    buf.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> (f64, f64) {
        let r = sentiment(text);
        (r.polarity, r.subjectivity)
    }

    #[test]
    fn lexicon_folds_senses_like_textblob() {
        let words = lexicon::words(lexicon::XML);
        // The 2,918 senses in the file are 1,520 forms; the rest are derived "-ly" adverbs.
        assert_eq!(words.len(), 2860);
        let get = |w: &str| {
            let e = words[w];
            (e.polarity, e.subjectivity, e.intensity, e.modifier)
        };
        assert_eq!(get("very"), (0.2, 0.3, 1.3, true));
        // Overwritten by the adverb derived from "real" (JJ), losing its own intensity.
        assert_eq!(get("really"), (0.2, 0.2, 1.0, true));
        // Senses averaged per part of speech, then over parts of speech.
        assert_eq!(get("real"), (0.2, 0.30000000000000004, 1.5, true));
        assert!(get("terribly").3);
        assert!(!get("great").3);
        assert!(words.contains_key("happily"));
    }

    #[test]
    fn empty_and_unscored_text_is_neutral() {
        assert_eq!(s(""), (0.0, 0.0));
        assert_eq!(s("   \n\n\t "), (0.0, 0.0));
        assert_eq!(s("Gift card for my daughter"), (0.0, 0.0));
    }

    #[test]
    fn negation_flips_and_halves() {
        assert_eq!(s("good"), (0.7, 0.6000000000000001));
        assert_eq!(s("not good"), (-0.35, 0.6000000000000001));
        assert_eq!(s("never good"), (-0.35, 0.6000000000000001));
        // Survives one-letter words only.
        assert_eq!(s("not a good"), (-0.35, 0.6000000000000001));
        assert_eq!(s("not the good"), (0.7, 0.6000000000000001));
        // "n't" is split off as "n ' t", so it never negates in TextBlob.
        assert_eq!(s("isn't good"), (0.7, 0.6000000000000001));
    }

    #[test]
    fn intensifiers_scale_the_next_word() {
        assert_eq!(s("very good"), (0.9099999999999999, 0.7800000000000001));
        assert_eq!(s("Very nice"), (0.78, 1.0));
        assert_eq!(s("not very good"), (-0.26923076923076916, 0.46153846153846156));
        // "really" got "real"'s intensity of 1.0.
        assert_eq!(s("really good"), (0.7, 0.6000000000000001));
    }

    #[test]
    fn exclamation_marks_boost_the_previous_assessment() {
        assert_eq!(s("good!"), (0.875, 0.6000000000000001));
        assert_eq!(s("good!!!"), (1.0, 0.6000000000000001));
        assert_eq!(s("!"), (0.0, 0.0));
        assert_eq!(s("great (!)"), (0.4, 0.875));
    }

    #[test]
    fn emoticons_count_as_words() {
        assert_eq!(s(":)"), (0.5, 1.0));
        assert_eq!(s(":-("), (-0.75, 1.0));
        assert_eq!(s("ok :)"), (0.5, 0.75));
        assert_eq!(s("meh :'("), (-1.0, 1.0));
        // Pattern's alphabetic check drops "XD".
        assert_eq!(s("XD"), (0.0, 0.0));
        assert_eq!(s(":D"), (1.0, 1.0));
        assert_eq!(s("\u{2665}"), (1.0, 1.0));
    }

    #[test]
    fn tokenizer_quirks() {
        // Expected values computed with TextBlob 0.20.1.
        let cases: &[(&str, f64, f64)] = &[
            // "n't" is split off as "n ' t", so it never negates.
            ("don't like", 0.0, 0.0),
            ("don\u{2019}t like", 0.0, 0.0),
            ("GOOD", 0.7, 0.6000000000000001),
            // Kelvin sign lower-cases to ASCII "k".
            ("\u{212a}ind words", 0.6, 0.9),
            ("\u{130} love it", 0.5, 0.6),
            ("Mr. Good.", 0.7, 0.6000000000000001),
            ("good...", 0.7, 0.6000000000000001),
            ("the best!!", 1.0, 0.3),
            ("not, good", -0.35, 0.6000000000000001),
            // Derived "-ly" adverb, and a negated "-ly" modifier.
            ("terribly bad", -0.6999999999999998, 0.6666666666666666),
            ("happily ever after", 0.8, 1.0),
            ("really not good", -0.35, 0.6000000000000001),
            ("not a very good", -0.26923076923076916, 0.46153846153846156),
            // An emoticon after a modifier is rescaled by the next word.
            ("very :) good", 0.44999999999999996, 0.45000000000000007),
            ("not :) good", 0.6, 0.8),
            // Spaced-out emoticons and sarcasm marks are glued back together, with no left
            // anchor and preferring the longer of ":c)" / ":c".
            ("great : - )", 0.65, 0.875),
            ("great ( ! )", 0.4, 0.875),
            ("8 )", 0.5, 1.0),
            ("x8 )", 0.0, 0.0),
            ("fine :c )", 0.5833333333333334, 0.75),
            ("fine :c", -0.16666666666666666, 0.75),
            ("photo :o)", 0.75, 1.0),
            // Paragraph breaks end sentences, CRLF counting as LF; the marker text is dropped.
            ("bad\r\n\r\n:(", -0.7249999999999999, 0.8333333333333333),
            ("bad\n \n:(", -0.7249999999999999, 0.8333333333333333),
            ("good\n\n:)", 0.6, 0.8),
            ("good END-OF-SENTENCE :)", 0.6, 0.8),
        ];
        for &(text, polarity, subjectivity) in cases {
            assert_eq!(s(text), (polarity, subjectivity), "{text:?}");
        }
    }

    /// A deterministic stream of awkward characters: punctuation, emoticon parts, quotes,
    /// every kind of Python whitespace, multi-byte letters that change length when lower-cased.
    fn noise(len: usize, seed: u64) -> String {
        const ALPHABET: &[&str] = &[
            "a",
            "e",
            "o",
            "x",
            "X",
            "D",
            "n",
            "'",
            "t",
            " ",
            " ",
            " ",
            "\n",
            "\r",
            "\t",
            ".",
            "...",
            "!",
            "?",
            "(",
            ")",
            ":",
            "-",
            ";",
            "8",
            "<",
            "3",
            ">",
            "=",
            "\"",
            "\u{201c}",
            "\u{2019}",
            "\u{b0}",
            "\u{2665}",
            "\u{130}",
            "\u{212a}",
            "\u{a0}",
            "\u{2028}",
            "\u{1c}",
            "\u{1f600}",
            "good ",
            "not ",
            "very ",
            "bad ",
            "Mr.",
            "END-OF-SENTENCE",
            "\u{301}",
            "\0",
        ];
        let mut out = String::with_capacity(len + 16);
        let mut x = seed;
        while out.len() < len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.push_str(ALPHABET[(x % ALPHABET.len() as u64) as usize]);
        }
        out
    }

    #[test]
    fn arbitrary_unicode_is_scored_in_range() {
        for seed in 1..300u64 {
            let text = noise((seed as usize * 7) % 400, seed);
            let r = sentiment(&text);
            assert!((-1.0..=1.0).contains(&r.polarity), "{text:?} {r:?}");
            assert!((0.0..=1.0).contains(&r.subjectivity), "{text:?} {r:?}");
        }
        for c in ['\u{0}', '\u{7f}', '\u{85}', '\u{fffd}', '\u{10ffff}', '\u{300}'] {
            let text: String = std::iter::repeat_n(c, 50).collect();
            assert_eq!(s(&text), (0.0, 0.0));
        }
    }

    #[test]
    fn one_megabyte_inputs_finish_fast() {
        let started = std::time::Instant::now();
        let mixed = noise(1 << 20, 0x9e37_79b9_7f4a_7c15);
        let r = sentiment(&mixed);
        assert!((-1.0..=1.0).contains(&r.polarity) && (0.0..=1.0).contains(&r.subjectivity));
        // Degenerate inputs that stress each loop: one giant token, one giant run of
        // punctuation, one giant sentence of terminals, nothing but line breaks.
        for unit in ["a", "!", ".", ")", "(", "(!)", ": ", "\n", "\r\n", "not ", "very ", "\u{2665}"] {
            let text = unit.repeat((1 << 20) / unit.len());
            let r = sentiment(&text);
            assert!((-1.0..=1.0).contains(&r.polarity), "{unit:?}");
        }
        // Generous even for an unoptimised build on a busy machine; quadratic behaviour on any
        // of these inputs would take minutes.
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
    }
}
