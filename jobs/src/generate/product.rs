//! Product metadata records: the stable content from the product's own generator (category,
//! title, brand, details), and rank and price from the file's, as the scraped pages had them.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::calendar::days_in_month;
use super::ids::push_asin;
use super::json::{push_grouped, push_json_string, push_key, push_two_digits, push_uint};
use super::plan::Plan;
use super::random::{Stream, derive_seed, pick, push_random_alphanumerics};
use super::vocabulary::{
    BRANDS, CATEGORIES, Category, DESCRIPTIONS, DETAILS, FEATURES, FIRST_REVIEW_YEAR, FIT_JUNK, LAST_REVIEW_YEAR,
    MONTH_NAMES, PRICE_JUNK, SIMILAR_ITEM_JUNK, TECH_DETAILS, TITLE_ADJECTIVES, TITLE_DETAILS, TITLE_ENTITY_WORDS,
};

/// Writes the metadata object of `product` (without newline) into `line`.
///
/// The stable content comes from the product's own generator, so a relisted product repeats its
/// title, brand and category; rank and price come from the file's generator (`volatile`) and so
/// differ between the two rows. A relisted row always has a price, so it never repeats the first
/// row exactly.
pub(super) fn write_product(
    plan: &Plan,
    product: u64,
    relisted: bool,
    volatile: &mut ChaCha8Rng,
    line: &mut String,
    scratch: &mut String,
) {
    let mut product_rng = ChaCha8Rng::seed_from_u64(derive_seed(plan.seed, Stream::Product, product));
    let rng = &mut product_rng;
    let category = &CATEGORIES[plan.categories.sample(rng)];
    let brand = pick(rng, BRANDS);

    line.push_str("{\"category\": ");
    push_breadcrumb(rng, line, category);

    push_key(line, "tech1");
    let tech1 = if rng.random_bool(0.05) { pick(rng, TECH_DETAILS) } else { "" };
    push_json_string(line, tech1);

    push_key(line, "description");
    push_string_array(rng, line, DESCRIPTIONS, 0.3, 2);

    push_key(line, "fit");
    let fit = if rng.random_bool(0.08) { FIT_JUNK } else { "" };
    push_json_string(line, fit);

    push_key(line, "title");
    scratch.clear();
    push_title(rng, scratch, category, brand);
    push_json_string(line, scratch);

    push_key(line, "also_buy");
    push_related_asins(plan, rng, line);

    push_key(line, "image");
    push_product_images(rng, line);

    push_key(line, "tech2");
    let tech2 = if rng.random_bool(0.02) { pick(rng, TECH_DETAILS) } else { "" };
    push_json_string(line, tech2);

    push_key(line, "brand");
    scratch.clear();
    push_brand(rng, scratch, brand);
    push_json_string(line, scratch);

    push_key(line, "feature");
    push_string_array(rng, line, FEATURES, 0.4, 4);

    push_key(line, "rank");
    push_rank(volatile, line, category);

    push_key(line, "also_view");
    push_related_asins(plan, rng, line);

    push_key(line, "details");
    push_details(rng, line, product);

    push_key(line, "main_cat");
    scratch.clear();
    push_main_cat(rng, scratch, category);
    push_json_string(line, scratch);

    push_key(line, "similar_item");
    let similar = if rng.random_bool(0.05) { SIMILAR_ITEM_JUNK } else { "" };
    push_json_string(line, similar);

    push_key(line, "date");
    push_release_date(rng, line);

    push_key(line, "price");
    push_price(volatile, line, category.typical_price, relisted);

    push_key(line, "asin");
    line.push('"');
    push_asin(line, product);
    line.push_str("\"}");
}

fn push_related_asins(plan: &Plan, rng: &mut ChaCha8Rng, out: &mut String) {
    out.push('[');
    if !rng.random_bool(0.5) {
        for index in 0..rng.random_range(1..=8) {
            if index > 0 {
                out.push_str(", ");
            }
            out.push('"');
            push_asin(out, rng.random_range(0..plan.products));
            out.push('"');
        }
    }
    out.push(']');
}

/// A JSON array of `0..=max_len` entries of `items`; empty with probability `empty_rate`.
pub(super) fn push_string_array(
    rng: &mut ChaCha8Rng,
    out: &mut String,
    items: &[&str],
    empty_rate: f64,
    max_len: usize,
) {
    out.push('[');
    if !rng.random_bool(empty_rate) {
        for index in 0..rng.random_range(1..=max_len) {
            if index > 0 {
                out.push_str(", ");
            }
            push_json_string(out, pick(rng, items));
        }
    }
    out.push(']');
}

/// `["Toys & Games", "Puzzles"]`: the category name, then up to two sub-categories; rarely empty.
pub(super) fn push_breadcrumb(rng: &mut ChaCha8Rng, out: &mut String, category: &Category) {
    out.push('[');
    if !rng.random_bool(0.05) {
        push_json_string(out, category.name);
        for _ in 0..rng.random_range(0..=2) {
            out.push_str(", ");
            push_json_string(out, pick(rng, category.subcategories));
        }
    }
    out.push(']');
}

pub(super) fn push_product_images(rng: &mut ChaCha8Rng, out: &mut String) {
    out.push('[');
    if !rng.random_bool(0.4) {
        for index in 0..rng.random_range(1..=3) {
            if index > 0 {
                out.push_str(", ");
            }
            out.push_str("\"https://images-na.ssl-images-amazon.com/images/I/");
            push_random_alphanumerics(rng, out, 11);
            out.push_str("._SX38_SY50_CR,0,0,38,50_.jpg\"");
        }
    }
    out.push(']');
}

/// A product title, sometimes empty, wrapped in the page's `<span>`, or holding entities.
pub(super) fn push_title(rng: &mut ChaCha8Rng, out: &mut String, category: &Category, brand: &str) {
    let form = rng.random_range(0..100);
    if form < 3 {
        return;
    }
    let wrapped = form < 8;
    if wrapped {
        out.push_str("<span id=\"productTitle\" class=\"a-size-large\">");
    }
    if rng.random_bool(0.7) {
        out.push_str(brand);
        out.push(' ');
    }
    if (8..18).contains(&form) {
        out.push_str(pick(rng, TITLE_ENTITY_WORDS));
    }
    out.push_str(pick(rng, TITLE_ADJECTIVES));
    out.push(' ');
    out.push_str(pick(rng, category.items));
    out.push_str(pick(rng, TITLE_DETAILS));
    if wrapped {
        out.push_str("</span>");
    }
}

/// The brand as the reference saw it: blank, `Unknown`, `by\n    \n    X`, `Visit Amazon's X Page`,
/// or in another case.
pub(super) fn push_brand(rng: &mut ChaCha8Rng, out: &mut String, brand: &str) {
    match rng.random_range(0..100) {
        0..8 => {}
        8..15 => out.push_str("Unknown"),
        15..21 => {
            out.push_str("by\n    \n    ");
            out.push_str(brand);
        }
        21..27 => {
            out.push_str("Visit Amazon's ");
            out.push_str(brand);
            out.push_str(" Page");
        }
        27..34 => out.extend(brand.chars().map(|c| c.to_ascii_uppercase())),
        34..40 => out.extend(brand.chars().map(|c| c.to_ascii_lowercase())),
        _ => out.push_str(brand),
    }
}

/// `main_cat`: mostly the plain (entity-escaped) value, sometimes the store's `<img>` tag, blank, or
/// in another case.
pub(super) fn push_main_cat(rng: &mut ChaCha8Rng, out: &mut String, category: &Category) {
    match rng.random_range(0..100) {
        0..5 => {
            out.push_str(
                "<img src=\"https://images-na.ssl-images-amazon.com/images/G/01/nav2/images/gui/\
                 amazon-fashion-store-new._CB520838675_.png\" class=\"nav-categ-image\" alt=\"",
            );
            out.push_str(category.main_cat);
            out.push_str("\"/>");
        }
        5..10 => {}
        10..16 => push_case_variant(out, category.main_cat),
        _ => out.push_str(category.main_cat),
    }
}

/// `AMAZON FASHION` -> `Amazon Fashion`, `Toys &amp; Games` -> `TOYS &amp; GAMES`; entities are
/// copied unchanged so they still decode.
pub(super) fn push_case_variant(out: &mut String, text: &str) {
    let title_case = !text.bytes().any(|byte| byte.is_ascii_lowercase());
    let mut in_entity = false;
    let mut word_start = true;
    for c in text.chars() {
        if c == '&' {
            in_entity = true;
        }
        let changed = if in_entity {
            c
        } else if !title_case || word_start {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        };
        out.push(changed);
        if c == ';' {
            in_entity = false;
        }
        word_start = !c.is_ascii_alphanumeric();
    }
}

/// `">#2,165,223 in Books (See Top 100 in Books)"`, a truncated form, a list of such, or `[]`.
pub(super) fn push_rank(rng: &mut ChaCha8Rng, out: &mut String, category: &Category) {
    match rng.random_range(0..100) {
        0..30 => out.push_str("[]"),
        30..70 => {
            out.push('"');
            push_rank_text(rng, out, category.name);
            out.push('"');
        }
        70..75 => {
            out.push('"');
            push_grouped(out, sales_rank(rng));
            out.push_str(" in ");
            out.push_str(category.name);
            out.push_str(" (\"");
        }
        _ => {
            out.push_str("[\"");
            push_rank_text(rng, out, category.name);
            if rng.random_bool(0.5) {
                out.push_str("\", \"#");
                push_grouped(out, sales_rank(rng));
                out.push_str(" in ");
                out.push_str(category.name);
                out.push_str(" > ");
                out.push_str(pick(rng, category.subcategories));
            }
            out.push_str("\"]");
        }
    }
}

pub(super) fn push_rank_text(rng: &mut ChaCha8Rng, out: &mut String, name: &str) {
    out.push_str(">#");
    push_grouped(out, sales_rank(rng));
    out.push_str(" in ");
    out.push_str(name);
    out.push_str(" (See Top 100 in ");
    out.push_str(name);
    out.push(')');
}

/// Best-sellers rank, 1 to 5,000,000, mostly in the hundreds of thousands and up.
pub(super) fn sales_rank(rng: &mut ChaCha8Rng) -> u64 {
    1 + (rng.random::<f64>().powi(2) * 5_000_000.0) as u64
}

/// `"June 6, 2016"` for about a third of the products, else `""`.
pub(super) fn push_release_date(rng: &mut ChaCha8Rng, out: &mut String) {
    out.push('"');
    if rng.random_bool(0.35) {
        let year = rng.random_range(FIRST_REVIEW_YEAR..=LAST_REVIEW_YEAR);
        let month = rng.random_range(1..=12_u32);
        out.push_str(MONTH_NAMES[month as usize - 1]);
        out.push(' ');
        push_uint(out, u64::from(rng.random_range(1..=days_in_month(year, month))));
        out.push_str(", ");
        push_uint(out, u64::from(year));
    }
    out.push('"');
}

/// `"$12.99"`, `"$1,250.00"`, `"$10.00 - $20.00"`, blank in 55% of rows, rarely CSS junk; a relisted
/// row always carries a listed price.
pub(super) fn push_price(rng: &mut ChaCha8Rng, out: &mut String, typical_price: f64, relisted: bool) {
    let form = if relisted { rng.random_range(560..1000) } else { rng.random_range(0..1000) };
    out.push('"');
    match form {
        0..550 => {}
        550..555 => out.push_str(pick(rng, PRICE_JUNK)),
        555..610 => {
            let low = price_cents(rng, typical_price);
            let high = low + low * rng.random_range(20..=200) / 100;
            push_dollars(out, low);
            out.push_str(" - ");
            push_dollars(out, high);
        }
        _ => push_dollars(out, price_cents(rng, typical_price)),
    }
    out.push('"');
}

/// A price around the category's typical price (log-uniform, 0.2x to 5x), rarely a luxury 40x;
/// mostly ending in .99.
pub(super) fn price_cents(rng: &mut ChaCha8Rng, typical_price: f64) -> u64 {
    let spread: f64 = rng.random_range(-1.6..1.6);
    let luxury = if rng.random_bool(0.01) { 40.0 } else { 1.0 };
    let dollars = (typical_price * spread.exp() * luxury).max(1.0) as u64;
    let cents = match rng.random_range(0..10) {
        0..7 => 99,
        7..9 => 0,
        _ => rng.random_range(0..100),
    };
    dollars * 100 + cents
}

pub(super) fn push_dollars(out: &mut String, cents: u64) {
    out.push('$');
    push_grouped(out, cents / 100);
    out.push('.');
    push_two_digits(out, (cents % 100) as u32);
}

/// A few entries of the product-details object, whose keys are as messy as the scraped ones.
pub(super) fn push_details(rng: &mut ChaCha8Rng, out: &mut String, product: u64) {
    out.push('{');
    if rng.random_bool(0.8) {
        let mut first = true;
        for &(key, values) in DETAILS {
            if rng.random_bool(0.3) {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                push_json_string(out, key);
                out.push_str(": ");
                push_json_string(out, pick(rng, values));
            }
        }
        if rng.random_bool(0.7) {
            if !first {
                out.push_str(", ");
            }
            push_json_string(out, pick(rng, &["ASIN:", "ASIN: "]));
            out.push_str(": \"");
            push_asin(out, product);
            out.push('"');
        }
    }
    out.push('}');
}
