//! The vendored XML lexicon reduced to one `(polarity, subjectivity, intensity)` triple per word
//! form, folded exactly the way TextBlob 0.20.1 folds the senses of a word, so that the scorer
//! needs a single hash probe per token.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The scores the analyzer sees for one word form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Entry {
    pub polarity: f64,
    pub subjectivity: f64,
    /// Multiplier applied to the next known word when this word acts as a modifier.
    pub intensity: f64,
    /// TextBlob treats a word as a modifier ("very", "really", derived "-ly" adverbs) when any of
    /// its senses is tagged `RB`, whatever the neighbouring words are.
    pub modifier: bool,
}

/// The vendored lexicon.
pub(crate) const XML: &str = include_str!("../../data/en-sentiment.xml");

pub(crate) type FxBuildHasher = BuildHasherDefault<FxHasher>;

/// One `<word>` element; every sense of a word is a separate element in the file.
struct Sense<'a> {
    form: Cow<'a, str>,
    /// `None` when the attribute is absent, which TextBlob keeps apart from `pos=""`.
    pos: Option<Cow<'a, str>>,
    scores: [f64; 3],
}

/// Python's `sum(xs) / float(len(xs) or 1)` as CPython up to 3.11 computes it: a plain
/// left-to-right sum, which is what the reference scores were made with. (CPython 3.12+ compensates
/// the sum, which moves 21 of the averages by an ulp.)
fn mean3<'a>(rows: impl IntoIterator<Item = &'a [f64; 3]>) -> [f64; 3] {
    let mut sum = [0.0f64; 3];
    let mut n = 0usize;
    for row in rows {
        for k in 0..3 {
            sum[k] += row[k];
        }
        n += 1;
    }
    let d = n.max(1) as f64;
    [sum[0] / d, sum[1] / d, sum[2] / d]
}

/// The score triples of one word form's senses, grouped by part of speech.
type SensesByPos<'a> = Vec<(Option<Cow<'a, str>>, Vec<[f64; 3]>)>;

/// Word form → scores, from the lexicon XML.
pub(crate) fn words(xml: &str) -> HashMap<Box<str>, Entry, FxBuildHasher> {
    // Grouping keeps first-appearance order at both levels because the float sums depend on it,
    // and because later "-ly" derivations overwrite earlier ones.
    let mut order: Vec<(Cow<str>, SensesByPos)> = Vec::new();
    let mut index: HashMap<Cow<str>, usize> = HashMap::new();
    for sense in parse_senses(xml) {
        if sense.form.is_empty() {
            continue;
        }
        let slot = *index.entry(sense.form.clone()).or_insert_with(|| {
            order.push((sense.form.clone(), Vec::new()));
            order.len() - 1
        });
        let groups = &mut order[slot].1;
        match groups.iter_mut().find(|(pos, _)| *pos == sense.pos) {
            Some((_, rows)) => rows.push(sense.scores),
            None => groups.push((sense.pos, vec![sense.scores])),
        }
    }

    let mut words: HashMap<Box<str>, Entry, FxBuildHasher> = HashMap::default();
    let mut adjectives: Vec<(&str, [f64; 3])> = Vec::new();
    for (form, groups) in &order {
        let per_pos: Vec<(Option<&str>, [f64; 3])> =
            groups.iter().map(|(pos, rows)| (pos.as_deref(), mean3(rows))).collect();
        let [polarity, subjectivity, intensity] = mean3(per_pos.iter().map(|(_, v)| v));
        let modifier = per_pos.iter().any(|(pos, _)| *pos == Some("RB"));
        words.insert(form.as_ref().into(), Entry { polarity, subjectivity, intensity, modifier });
        if let Some((_, jj)) = per_pos.iter().find(|(pos, _)| *pos == Some("JJ")) {
            adjectives.push((form, *jj));
        }
    }

    // TextBlob's English loader also scores adverbs it derives from adjectives ("terrible" →
    // "terribly") with the adjective's scores. The derived entry replaces whatever the file said
    // about that adverb, which is why e.g. "really" ends up with "real"'s intensity of 1.0.
    for (form, [polarity, subjectivity, intensity]) in adjectives {
        let mut stem = form.to_string();
        if stem.ends_with('y') {
            stem.pop();
            stem.push('i');
        }
        if stem.ends_with("le") {
            stem.truncate(stem.len() - 2);
        }
        stem.push_str("ly");
        words.insert(stem.into(), Entry { polarity, subjectivity, intensity, modifier: true });
    }
    words
}

/// Collects the `<word>` children of the root element. The file is trusted, vendored data, so
/// this is a small tolerant scanner rather than a validating parser: it understands comments,
/// declarations, quoted attributes and entity references, and ignores stray text.
fn parse_senses(xml: &str) -> Vec<Sense<'_>> {
    let b = xml.as_bytes();
    let mut senses = Vec::new();
    let mut depth = 0usize;
    let mut i = 0usize;
    let skip_past = |from: usize, pat: &str| xml[from..].find(pat).map(|k| from + k + pat.len());
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        let start = i + off;
        let rest = &xml[start..];
        let next = if rest.starts_with("<!--") {
            skip_past(start, "-->")
        } else if rest.starts_with("<?") {
            skip_past(start, "?>")
        } else if rest.starts_with("<![CDATA[") {
            skip_past(start, "]]>")
        } else if rest.starts_with("<!") {
            skip_past(start, ">")
        } else if rest.starts_with("</") {
            depth = depth.saturating_sub(1);
            skip_past(start, ">")
        } else {
            parse_start_tag(xml, start + 1).map(|(name, attrs, self_closing, end)| {
                if depth == 1 && name == "word" {
                    senses.push(sense_from(attrs));
                }
                if !self_closing {
                    depth += 1;
                }
                end
            })
        };
        match next {
            Some(n) => i = n,
            None => break,
        }
    }
    senses
}

type Attrs<'a> = Vec<(&'a str, Cow<'a, str>)>;

/// Parses `name attr="v" ... >` starting just after `<`; returns the name, the attributes,
/// whether the tag was self-closing and the offset just past `>`.
fn parse_start_tag(xml: &str, mut i: usize) -> Option<(&str, Attrs<'_>, bool, usize)> {
    let b = xml.as_bytes();
    let is_space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    let name_start = i;
    while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name = &xml[name_start..i];
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        match *b.get(i)? {
            b'>' => return Some((name, attrs, false, i + 1)),
            b'/' => {
                let close = i + 1 + b[i + 1..].iter().position(|&c| c == b'>')?;
                return Some((name, attrs, true, close + 1));
            }
            _ => {}
        }
        let key_start = i;
        while i < b.len() && b[i] != b'=' && !is_space(b[i]) && b[i] != b'>' && b[i] != b'/' {
            i += 1;
        }
        let key = &xml[key_start..i];
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if b.get(i) != Some(&b'=') {
            // A bare name is not XML; skip it rather than loop forever.
            if i == key_start {
                i += 1;
            }
            continue;
        }
        i += 1;
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        let quote = *b.get(i)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let value_start = i + 1;
        let value_end = value_start + b[value_start..].iter().position(|&c| c == quote)?;
        attrs.push((key, decode_attr(&xml[value_start..value_end])));
        i = value_end + 1;
    }
}

/// XML attribute-value normalisation: entity references are expanded and literal tab/newline
/// characters become spaces, as the expat parser under ElementTree does.
fn decode_attr(raw: &str) -> Cow<'_, str> {
    if !raw.bytes().any(|c| matches!(c, b'&' | b'\t' | b'\n' | b'\r')) {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(k) = rest.find(['&', '\t', '\n', '\r']) {
        out.push_str(&rest[..k]);
        rest = &rest[k..];
        if !rest.starts_with('&') {
            out.push(' ');
            rest = &rest[1..];
            continue;
        }
        let Some(semi) = rest.find(';') else {
            break;
        };
        let name = &rest[1..semi];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => name
                .strip_prefix("#x")
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| name.strip_prefix('#').map(|d| d.parse::<u32>()))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn sense_from(attrs: Attrs<'_>) -> Sense<'_> {
    let mut form = Cow::Borrowed("");
    let mut pos = None;
    // Defaults are TextBlob's for a missing attribute.
    let mut scores = [0.0, 0.0, 1.0];
    for (key, value) in attrs {
        let slot = match key {
            "form" => {
                form = value;
                continue;
            }
            "pos" => {
                pos = Some(value);
                continue;
            }
            "polarity" => 0,
            "subjectivity" => 1,
            "intensity" => 2,
            _ => continue,
        };
        scores[slot] =
            value.trim().parse().unwrap_or_else(|_| panic!("vendored lexicon has a non-numeric {key}: {value:?}"));
    }
    Sense { form, pos, scores }
}

/// The multiply-rotate hash used by rustc (FxHash): a few cycles per word for the short ASCII
/// keys looked up once per token, where std's SipHash would dominate the per-token cost.
/// HashDoS resistance is moot because the key set is fixed.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0xf135_7aea_2e62_a9c5;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // Whole-word loads only: assembling the tail in a stack buffer costs a store-forwarding
        // stall per token, which showed up as the single hottest instruction of the scorer.
        let n = bytes.len();
        let word = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&bytes[at..at + 8]);
            u64::from_le_bytes(w)
        };
        let half = |at: usize| {
            let mut w = [0u8; 4];
            w.copy_from_slice(&bytes[at..at + 4]);
            u32::from_le_bytes(w) as u64
        };
        if n >= 8 {
            let mut at = 0;
            while at + 8 < n {
                self.add(word(at));
                at += 8;
            }
            self.add(word(n - 8));
        } else if n >= 4 {
            self.add(half(0) | half(n - 4) << 32);
        } else if n > 0 {
            let (a, b, c) = (bytes[0] as u64, bytes[n / 2] as u64, bytes[n - 1] as u64);
            self.add(a | b << 8 | c << 16);
        }
        // Overlapping loads see the same bytes for different lengths; the length tells them apart.
        self.add(n as u64);
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // The multiply leaves its entropy in the high bits; hashbrown indexes buckets with the
        // low ones.
        self.hash.rotate_left(26)
    }
}
