//! TextBlob's (Pattern's) English tokenizer, reproduced exactly as far as the sentiment scorer can
//! observe it.
//!
//! The Python original rewrites the whole string several times (contractions, quotes, line
//! breaks, whitespace), splits punctuation off each whitespace-separated word, groups the tokens
//! into sentences, re-joins each sentence with spaces and then runs two regexes over it that glue
//! sarcasm marks `( ! )` and emoticons `: )` back together.
//!
//! Here the rewrites and the punctuation split are one pass that records token spans in the
//! input. Only when two neighbouring tokens of a sentence could be glued (rare in real reviews)
//! are the sentences joined into a buffer, tokens separated by `' '` and sentences by `'\n'`, for
//! the regex emulation to run over. A newline is as good a sentence boundary for the two regexes
//! as the end of a separate string: neither pattern can cross it, and it satisfies their trailing
//! `($|\s)`.

use std::sync::LazyLock;

/// Pattern's marker for a paragraph break; user text containing it behaves the same way.
const EOS: &str = "END-OF-SENTENCE";

/// Token spans are byte ranges of the input; a paragraph break has no bytes of its own.
#[derive(Clone, Copy)]
pub(crate) struct Span {
    start: usize,
    end: usize,
    kind: Kind,
}

impl Span {
    #[inline]
    fn new(text: &str, start: usize, end: usize) -> Span {
        Span { start, end, kind: kind(&text.as_bytes()[start..end]) }
    }
}

const EOS_SPAN: Span = Span { start: 0, end: 0, kind: Kind::Break };

/// Reusable buffers, so a call allocates nothing once they have grown to the largest input.
#[derive(Default)]
pub(crate) struct Buffers {
    spans: Vec<Span>,
    tail: Vec<Span>,
    joined: String,
    rewritten: String,
}

impl Buffers {
    /// Keeps one huge input from pinning megabytes per thread for the rest of the process.
    pub(crate) fn trim(&mut self) {
        const KEEP_BYTES: usize = 1 << 20;
        let span_bytes = (self.spans.capacity() + self.tail.capacity()) * size_of::<Span>();
        if span_bytes + self.joined.capacity() + self.rewritten.capacity() > KEEP_BYTES {
            *self = Buffers::default();
        }
    }
}

/// Pattern's `PUNCTUATION` minus the period, which has rules of its own. All of it is ASCII, so
/// a byte test never matches inside a multi-byte character.
const PUNCT: [bool; 256] = {
    let mut t = [false; 256];
    let chars = b",;:!?()[]{}`'\"@#$^&*+-|=~_";
    let mut k = 0;
    while k < chars.len() {
        t[chars[k] as usize] = true;
        k += 1;
    }
    t
};

/// Exceptions to splitting a trailing period, matched case-sensitively as Pattern does.
const ABBREVIATIONS: &[&str] = &[
    "a.", "adj.", "adv.", "al.", "a.m.", "c.", "cf.", "comp.", "conf.", "def.", "ed.", "e.g.", "esp.", "etc.", "ex.",
    "f.", "fig.", "gen.", "id.", "i.e.", "int.", "l.", "m.", "Med.", "Mil.", "Mr.", "n.", "n.q.", "orig.", "pl.",
    "pred.", "pres.", "p.m.", "ref.", "v.", "vs.", "w/",
];

/// Tokenizes `text`, using `bufs` for scratch space.
pub(crate) fn tokenize<'a>(text: &'a str, bufs: &'a mut Buffers) -> Tokens<'a> {
    let Buffers { spans, tail, joined, rewritten } = bufs;
    spans.clear();
    split_words(text, spans, tail);
    if !may_glue(text, spans) {
        return Tokens::Spans { text, spans: spans.iter() };
    }
    join_sentences(text, spans, joined);
    if joined.as_bytes().contains(&b'!') && glue_sarcasm(joined, rewritten) {
        std::mem::swap(joined, rewritten);
    }
    if glue_emoticons(joined, rewritten) {
        std::mem::swap(joined, rewritten);
    }
    Tokens::Joined { buf: joined, pos: 0 }
}

/// The tokens of a text, in order.
pub(crate) enum Tokens<'a> {
    /// Nothing needed gluing: the split words are the tokens, less paragraph breaks.
    Spans { text: &'a str, spans: std::slice::Iter<'a, Span> },
    /// Sentences re-joined and re-glued: tokens are separated by `' '` or `'\n'`.
    Joined { buf: &'a str, pos: usize },
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        match self {
            Tokens::Spans { text, spans } => spans.find(|s| s.kind != Kind::Break).map(|s| &text[s.start..s.end]),
            Tokens::Joined { buf, pos } => {
                let b = buf.as_bytes();
                while *pos < b.len() && (b[*pos] == b' ' || b[*pos] == b'\n') {
                    *pos += 1;
                }
                if *pos == b.len() {
                    return None;
                }
                let start = *pos;
                while *pos < b.len() && b[*pos] != b' ' && b[*pos] != b'\n' {
                    *pos += 1;
                }
                Some(&buf[start..*pos])
            }
        }
    }
}

/// `(last byte of a token, first byte of the next)` pairs across which the sarcasm or emoticon
/// regex could match, i.e. consecutive characters of a form, and `(` `!`. Any glued match spans
/// at least one such pair, so a text without them skips joining and regex emulation entirely.
const GLUE_PAIRS: [[u64; 4]; 256] = {
    let mut t = [[0u64; 4]; 256];
    let mut g = 0;
    while g < EMOTICONS.len() {
        let forms = EMOTICONS[g].1;
        let mut f = 0;
        while f < forms.len() {
            let b = forms[f].as_bytes();
            let mut k = 0;
            while k + 1 < b.len() {
                // Spaces may only appear between characters, not inside a multi-byte one.
                if b[k + 1] & 0xc0 != 0x80 {
                    let y = b[k + 1] as usize;
                    t[b[k] as usize][y / 64] |= 1 << (y % 64);
                }
                k += 1;
            }
            f += 1;
        }
        g += 1;
    }
    t[b'(' as usize][b'!' as usize / 64] |= 1 << (b'!' as usize % 64);
    t
};

/// Whether any two neighbouring tokens of one sentence form a [`GLUE_PAIRS`] pair.
fn may_glue(text: &str, spans: &[Span]) -> bool {
    let b = text.as_bytes();
    let mut found = false;
    for_each_sentence(spans, |sentence| {
        let mut last: Option<u8> = None;
        for t in sentence.iter().filter(|t| t.kind != Kind::Break) {
            if let Some(x) = last {
                let y = b[t.start] as usize;
                if GLUE_PAIRS[x as usize][y / 64] >> (y % 64) & 1 != 0 {
                    found = true;
                    return false;
                }
            }
            last = Some(b[t.end - 1]);
        }
        true
    });
    found
}

/// Python's `str.isspace()` (and so `\s` in `re` and `str.split()`): Unicode White_Space plus
/// the four ASCII information separators U+001C..U+001F.
#[inline]
fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// ASCII bytes that simply continue (or start) a word: everything but Python whitespace and the
/// two straight quotes.
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x80 {
        t[c] = !matches!(c as u8, b'\t'..=b'\r' | 0x1c..=b' ' | b'\'' | b'"');
        c += 1;
    }
    t
};

/// The whitespace split, with the string rewrites that precede it folded in:
/// - `n't` gets a space before the `n` ("don't" → "do n't"); the other contractions Pattern
///   rewrites only gain a space before an apostrophe that the next rule isolates anyway;
/// - every ASCII or curly quote becomes a token of its own;
/// - two or more consecutive line feeds (CRLF counting as one) become an [`EOS`] token.
fn split_words(text: &str, spans: &mut Vec<Span>, tail: &mut Vec<Span>) {
    let b = text.as_bytes();
    let mut word_start: Option<usize> = None;
    let mut newlines = 0usize;
    let mut i = 0usize;

    // Closing a word or a newline run is needed at every boundary, so both are macros over the
    // loop's state rather than closures fighting the borrow checker.
    macro_rules! end_word {
        ($at:expr) => {
            if let Some(s) = word_start.take() {
                split_punctuation(text, s, $at, spans, tail);
            }
        };
    }
    macro_rules! end_newlines {
        () => {
            if newlines >= 2 {
                spans.push(EOS_SPAN);
            }
            newlines = 0;
        };
    }

    while i < b.len() {
        let c = b[i];
        if PLAIN[c as usize] {
            end_newlines!();
            word_start.get_or_insert(i);
            i += 1;
            while i < b.len() && PLAIN[b[i] as usize] {
                i += 1;
            }
            continue;
        }
        if c < 0x80 {
            match c {
                b'\n' => {
                    end_word!(i);
                    newlines += 1;
                }
                // Half of a CRLF pair: the LF that follows does the counting.
                b'\r' if b.get(i + 1) == Some(&b'\n') => end_word!(i),
                b'\'' | b'"' => {
                    // "n't": the "n" leaves the word it ends, whatever the quote rule does next.
                    if c == b'\''
                        && b.get(i + 1) == Some(&b't')
                        && i > 0
                        && b[i - 1] == b'n'
                        && let Some(s) = word_start.filter(|&s| s < i - 1)
                    {
                        split_punctuation(text, s, i - 1, spans, tail);
                        word_start = Some(i - 1);
                    }
                    end_word!(i);
                    end_newlines!();
                    spans.push(Span::new(text, i, i + 1));
                }
                _ => {
                    end_word!(i);
                    end_newlines!();
                }
            }
            i += 1;
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            let len = ch.len_utf8();
            if is_py_space(ch) {
                end_word!(i);
                end_newlines!();
            } else if matches!(ch, '\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}') {
                end_word!(i);
                end_newlines!();
                spans.push(Span::new(text, i, i + len));
            } else {
                end_newlines!();
                word_start.get_or_insert(i);
            }
            i += len;
        }
    }
    end_word!(b.len());
    if newlines >= 2 {
        spans.push(EOS_SPAN);
    }
}

/// Splits leading and trailing punctuation off one whitespace-separated word. A trailing
/// period stays when the word looks like an abbreviation; `...` is split as one token and eats
/// any further periods before it.
#[inline]
fn split_punctuation(text: &str, s: usize, e: usize, spans: &mut Vec<Span>, tail: &mut Vec<Span>) {
    let b = text.as_bytes();
    // Most words have nothing to split.
    if !PUNCT[b[s] as usize] && !PUNCT[b[e - 1] as usize] && b[e - 1] != b'.' {
        spans.push(Span::new(text, s, e));
    } else {
        split_punctuation_slow(text, s, e, spans, tail);
    }
}

/// Splitting for words that start or end with punctuation or a period.
fn split_punctuation_slow(text: &str, mut s: usize, mut e: usize, spans: &mut Vec<Span>, tail: &mut Vec<Span>) {
    let b = text.as_bytes();
    while s < e && PUNCT[b[s] as usize] {
        spans.push(Span::new(text, s, s + 1));
        s += 1;
    }
    tail.clear();
    while s < e && (PUNCT[b[e - 1] as usize] || b[e - 1] == b'.') {
        if PUNCT[b[e - 1] as usize] {
            tail.push(Span::new(text, e - 1, e));
            e -= 1;
        }
        if e - s >= 3 && &b[e - 3..e] == b"..." {
            tail.push(Span::new(text, e - 3, e));
            e -= 3;
            while e > s && b[e - 1] == b'.' {
                e -= 1;
            }
        }
        if e > s && b[e - 1] == b'.' {
            if is_abbreviation(&b[s..e]) {
                break;
            }
            tail.push(Span::new(text, e - 1, e));
            e -= 1;
        }
    }
    if e > s {
        spans.push(Span::new(text, s, e));
    }
    spans.extend(tail.iter().rev());
}

/// Pattern's abbreviation test for a word ending in a period: a listed abbreviation, letters
/// alternating with periods ("U.S."), or a capital followed by consonants ("Mr.", "Dr.").
/// The consonant class of the original regex also admits `|`, so this does too.
fn is_abbreviation(w: &[u8]) -> bool {
    if ABBREVIATIONS.iter().any(|a| a.as_bytes() == w) {
        return true;
    }
    let alternating =
        w.len().is_multiple_of(2) && w.chunks_exact(2).all(|p| p[0].is_ascii_alphabetic() && p[1] == b'.');
    if alternating {
        return true;
    }
    w.len() >= 3 && w[0].is_ascii_uppercase() && w[1..w.len() - 1].iter().all(|c| b"bcdfghjklmnpqrstvwxz|".contains(c))
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// A paragraph break, or the marker text itself: ends a sentence and is dropped.
    Break,
    /// Ends a sentence: `.`, `...`, `!`, `?`.
    Terminal,
    /// May trail a terminal and stay in its sentence: `)`, `”`, `’`.
    Trailer,
    /// `'` or `"`: Pattern checks whether quotes are balanced by counting them in a list that is
    /// always empty at that point, so a straight quote always starts the next sentence.
    Quote,
    Other,
}

#[inline]
fn kind(token: &[u8]) -> Kind {
    match token {
        b"." | b"..." | b"!" | b"?" => Kind::Terminal,
        // `)`, `”`, `’`
        b")" | b"\xe2\x80\x9d" | b"\xe2\x80\x99" => Kind::Trailer,
        b"'" | b"\"" => Kind::Quote,
        t if t == EOS.as_bytes() => Kind::Break,
        _ => Kind::Other,
    }
}

/// Pattern's sentence grouping: a terminal and the run of terminals and trailers after it end a
/// sentence. Calls `f` with each sentence's tokens, paragraph breaks included, until it returns
/// false.
fn for_each_sentence(spans: &[Span], mut f: impl FnMut(&[Span]) -> bool) {
    let n = spans.len();
    let (mut i, mut j) = (0usize, 0usize);
    while j < n {
        if matches!(spans[j].kind, Kind::Terminal | Kind::Break) {
            while j < n {
                match spans[j].kind {
                    Kind::Break | Kind::Terminal | Kind::Trailer => j += 1,
                    Kind::Quote | Kind::Other => break,
                }
            }
            if !f(&spans[i..j]) {
                return;
            }
            i = j;
        }
        // As in Pattern, the token right after a sentence end is never tested as a terminal:
        // it is known not to be one.
        j += 1;
    }
    f(&spans[i.min(n)..]);
}

/// The sentences joined the way Pattern hands them to its regexes, paragraph breaks dropped.
fn join_sentences(text: &str, spans: &[Span], out: &mut String) {
    out.clear();
    for_each_sentence(spans, |sentence| {
        let mut first = true;
        for t in sentence.iter().filter(|t| t.kind != Kind::Break) {
            if first {
                if !out.is_empty() {
                    out.push('\n');
                }
                first = false;
            } else {
                out.push(' ');
            }
            out.push_str(&text[t.start..t.end]);
        }
        true
    });
}

/// `re.sub(r"\( ?\! ?\)", "(!)", sentence)`. Returns false, leaving `out` unspecified, when
/// nothing changed.
fn glue_sarcasm(buf: &str, out: &mut String) -> bool {
    let b = buf.as_bytes();
    let mut copied = 0usize;
    let mut changed = false;
    let mut p = 0usize;
    while let Some(k) = b[p..].iter().position(|&c| c == b'(') {
        let start = p + k;
        let mut q = start + 1;
        let mut spaced = false;
        if b.get(q) == Some(&b' ') {
            q += 1;
            spaced = true;
        }
        if b.get(q) != Some(&b'!') {
            p = start + 1;
            continue;
        }
        q += 1;
        if b.get(q) == Some(&b' ') {
            q += 1;
            spaced = true;
        }
        if b.get(q) != Some(&b')') {
            p = start + 1;
            continue;
        }
        q += 1;
        if spaced {
            if !changed {
                out.clear();
                changed = true;
            }
            out.push_str(&buf[copied..start]);
            out.push_str("(!)");
            copied = q;
        }
        p = q;
    }
    if changed {
        out.push_str(&buf[copied..]);
    }
    changed
}

/// Pattern's emoticon table, in its order: `(polarity, forms)`.
pub(crate) const EMOTICONS: [(f64, &[&str]); 9] = [
    (1.0, &["<3", "\u{2665}"]),
    (1.0, &[">:D", ":-D", ":D", "=-D", "=D", "X-D", "x-D", "XD", "xD", "8-D"]),
    (0.75, &[">:P", ":-P", ":P", ":-p", ":p", ":-b", ":b", ":c)", ":o)", ":^)"]),
    (0.5, &[">:)", ":-)", ":)", "=)", "=]", ":]", ":}", ":>", ":3", "8)", "8-)"]),
    (0.25, &[">;]", ";-)", ";)", ";-]", ";]", ";D", ";^)", "*-)", "*)"]),
    (0.05, &[">:o", ":-O", ":O", ":o", ":-o", "o_O", "o.O", "\u{b0}O\u{b0}", "\u{b0}o\u{b0}"]),
    (-0.25, &[">:/", ":-/", ":/", ":\\", ">:\\", ":-.", ":-s", ":s", ":S", ":-S", ">.>"]),
    (-0.75, &[">:[", ":-(", ":(", "=(", ":-[", ":[", ":{", ":-<", ":c", ":-c", "=/"]),
    (-1.0, &[":'(", ":'''(", ";'("]),
];

/// A byte trie of the emoticon forms, so that each candidate position is checked against all
/// of them in one walk.
struct Trie {
    /// Node reached by each first byte; 0 (the root) when no form starts with that byte.
    first: [u16; 256],
    nodes: Vec<Node>,
}

#[derive(Default)]
struct Node {
    children: Vec<(u8, u16)>,
    /// A whole character ends here, so the `" ?"` between characters may skip a space.
    char_end: bool,
    /// Rank in Pattern's alternation of the form that ends here.
    form: Option<u16>,
}

static EMOTICON_TRIE: LazyLock<Trie> = LazyLock::new(|| {
    let mut trie = Trie { first: [0; 256], nodes: vec![Node::default()] };
    let forms = EMOTICONS.iter().flat_map(|(_, forms)| forms.iter());
    for (rank, form) in forms.enumerate() {
        let mut node = 0usize;
        for (k, &byte) in form.as_bytes().iter().enumerate() {
            let existing = if node == 0 {
                Some(trie.first[byte as usize]).filter(|&n| n != 0)
            } else {
                trie.nodes[node].children.iter().find(|(c, _)| *c == byte).map(|&(_, n)| n)
            };
            node = match existing {
                Some(n) => n as usize,
                None => {
                    let n = trie.nodes.len();
                    trie.nodes.push(Node { char_end: form.is_char_boundary(k + 1), ..Node::default() });
                    if node == 0 {
                        trie.first[byte as usize] = n as u16;
                    } else {
                        trie.nodes[node].children.push((byte, n as u16));
                    }
                    n
                }
            };
        }
        trie.nodes[node].form.get_or_insert(rank as u16);
    }
    trie
});

/// The end of the emoticon the regex would match at `p`, if any: among the forms that match
/// there (spaces allowed between characters) and are followed by whitespace or the end, the
/// one earliest in Pattern's alternation. Only ":c" / ":c)" and ":o" / ":o)" ever compete, and
/// the longer form comes first.
#[inline]
fn emoticon_at(trie: &Trie, b: &[u8], p: usize) -> Option<usize> {
    let mut node = trie.first[b[p] as usize] as usize;
    if node == 0 {
        return None;
    }
    let mut q = p + 1;
    let mut best: Option<(u16, usize)> = None;
    loop {
        let n = &trie.nodes[node];
        if let Some(rank) = n.form {
            let bounded = q == b.len() || b[q] == b' ' || b[q] == b'\n';
            if bounded && best.is_none_or(|(r, _)| rank < r) {
                best = Some((rank, q));
            }
        }
        let mut r = q;
        // No form contains a space, so skipping one greedily can't lose a match.
        if n.char_end && b.get(r) == Some(&b' ') {
            r += 1;
        }
        let Some(&byte) = b.get(r) else { break };
        match n.children.iter().find(|(c, _)| *c == byte) {
            Some(&(_, next)) => {
                node = next as usize;
                q = r + 1;
            }
            None => break,
        }
    }
    best.map(|(_, end)| end)
}

/// `RE_EMOTICONS.sub(...)`: an emoticon spelled with spaces between its characters and followed
/// by whitespace or the end of the sentence loses its spaces. The pattern has no left anchor, so
/// a match may start inside a token ("2018 )" → "2018)"). Returns false, leaving `out`
/// unspecified, when nothing changed.
fn glue_emoticons(buf: &str, out: &mut String) -> bool {
    let trie = &*EMOTICON_TRIE;
    let b = buf.as_bytes();
    let mut copied = 0usize;
    let mut changed = false;
    let mut p = 0usize;
    while p < b.len() {
        let Some(q) = emoticon_at(trie, b, p) else {
            p += 1;
            continue;
        };
        if b[p..q].contains(&b' ') {
            if !changed {
                out.clear();
                changed = true;
            }
            out.push_str(&buf[copied..p]);
            out.extend(buf[p..q].chars().filter(|&c| c != ' '));
            copied = q;
        }
        // The regex also consumes the whitespace after the match; no emoticon starts with one,
        // so resuming at `q` finds the same next match.
        p = q;
    }
    if changed {
        out.push_str(&buf[copied..]);
    }
    changed
}
