//! The web assets, embedded in the binary: the page, its script and styles, and the chart
//! libraries vendored from npm (with their licences). Each is gzip-compressed once, at first
//! use, for clients that accept it.

use std::sync::LazyLock;

use flate2::Compression;
use flate2::write::GzEncoder;

/// An embedded file.
pub struct Asset {
    /// Path under `/assets/`.
    pub path: &'static str,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The bytes as written.
    pub bytes: &'static [u8],
    /// The bytes gzip-compressed.
    pub gzip: Vec<u8>,
}

macro_rules! asset {
    ($path:literal, $content_type:literal) => {
        ($path, $content_type, include_bytes!(concat!("../assets/", $path)) as &'static [u8])
    };
}

const FILES: &[(&str, &str, &[u8])] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("app.js", "text/javascript; charset=utf-8"),
    asset!("style.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("vendor/echarts.min.js", "text/javascript; charset=utf-8"),
    asset!("vendor/echarts-wordcloud.min.js", "text/javascript; charset=utf-8"),
    asset!("vendor/echarts.LICENSE", "text/plain; charset=utf-8"),
    asset!("vendor/echarts.NOTICE", "text/plain; charset=utf-8"),
    asset!("vendor/echarts.LICENSE-d3", "text/plain; charset=utf-8"),
    asset!("vendor/echarts-wordcloud.LICENSE", "text/plain; charset=utf-8"),
];

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    FILES.iter().map(|&(path, content_type, bytes)| Asset { path, content_type, bytes, gzip: gzip(bytes) }).collect()
});

/// The asset at `path` (under `/assets/`).
pub fn asset(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|asset| asset.path == path)
}

/// The single page every page path serves.
pub fn index() -> &'static Asset {
    asset("index.html").unwrap_or_else(|| unreachable!("index.html is embedded"))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 3), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}
