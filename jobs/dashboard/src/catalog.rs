//! Every page and panel of the dashboard, and the SQL behind each panel.
//!
//! A panel's SQL lives in a `.sql` file under `sql/`. Panels of the cube start with the
//! `cube` common table expression: `gold.review_cube` narrowed by the filters of
//! `sql/filters.sql`, bound as parameters; panels that an aggregate table answers unfiltered
//! have a second statement over `reviews`, `gold.reviews` narrowed by the same filters, run on
//! the cluster when a filter is set.

use serde::Serialize;

/// The statement of a cube panel: the filtered cube, then the panel's own `SELECT`.
macro_rules! cube_sql {
    ($file:literal) => {
        concat!(
            "WITH cube AS (\n  SELECT * FROM gold.review_cube\n",
            include_str!("sql/filters.sql"),
            include_str!(concat!("sql/cube/", $file))
        )
    };
}

/// The filtered statement of an aggregate panel: the filtered reviews, then its `SELECT`.
macro_rules! reviews_sql {
    ($file:literal) => {
        concat!(
            "WITH reviews AS (\n  SELECT * FROM gold.reviews\n",
            include_str!("sql/filters.sql"),
            include_str!(concat!("sql/reviews/", $file))
        )
    };
}

/// The table every filtered cube panel reads.
pub const CUBE_TABLE: &str = "gold.review_cube";
/// The table filtered aggregate panels scan on the cluster.
pub const REVIEWS_TABLE: &str = "gold.reviews";

/// What a panel shows while the tables it reads do not exist.
const NO_GOLD: &str = "Gold is empty: run `reviewlake pipeline run` to build it.";
const NO_MODEL: &str = "No model registered yet: run `reviewlake ml features` and `reviewlake ml train`.";

/// A page of the dashboard.
#[derive(Debug, Serialize)]
pub struct Page {
    /// Identifier, also the path (`/` for `overview`, else `/{id}`). The page's title and
    /// blurb are written once, in the navigation of `assets/index.html`.
    pub id: &'static str,
    /// Panels, in display order.
    pub panels: &'static [&'static str],
}

/// How a panel draws its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    /// One number per value column of a one-row result.
    Tiles,
    /// Bars per category.
    Bar,
    /// A line per value column or series.
    Line,
    /// Shares of a whole.
    Pie,
    /// Words sized by weight.
    Wordcloud,
    /// Five-number summaries per group.
    Boxplot,
    /// Values on a grid of two categories.
    Heatmap,
}

/// The filter a click on a chart element sets to the element's category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClickFilter {
    /// `?category=`.
    Category,
    /// `?brand=`.
    Brand,
}

/// How a column's values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A count.
    Integer,
    /// A ratio in 0..1 (AUC, accuracy).
    Decimal,
    /// A percentage in 0..100.
    Percent,
    /// Stars.
    Rating,
}

/// The chart of a panel: which columns go where.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ChartSpec {
    /// The kind of chart.
    pub kind: ChartKind,
    /// Category (or x value) column.
    pub x: &'static str,
    /// Value columns.
    pub y: &'static [&'static str],
    /// Column whose distinct values make one series each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<&'static str>,
    /// Stacked bars.
    pub stack: bool,
    /// Categories on the vertical axis.
    pub horizontal: bool,
    /// `category`, or `value` for a numeric x axis.
    pub x_type: &'static str,
    /// Filter set by clicking an element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<ClickFilter>,
}

impl ChartSpec {
    const fn new(kind: ChartKind, x: &'static str, y: &'static [&'static str]) -> Self {
        Self { kind, x, y, series: None, stack: false, horizontal: false, x_type: "category", filter: None }
    }

    const fn tiles(y: &'static [&'static str]) -> Self {
        Self::new(ChartKind::Tiles, "", y)
    }

    const fn bar(x: &'static str, y: &'static [&'static str]) -> Self {
        Self::new(ChartKind::Bar, x, y)
    }

    const fn line(x: &'static str, y: &'static [&'static str]) -> Self {
        Self::new(ChartKind::Line, x, y)
    }

    /// Horizontal bars of `y` per `x`, in row order.
    const fn ranking(x: &'static str, y: &'static [&'static str]) -> Self {
        Self { horizontal: true, ..Self::bar(x, y) }
    }

    /// Bars of `y` per `x`, stacked by `series`.
    const fn stacked(x: &'static str, series: &'static str, y: &'static [&'static str]) -> Self {
        Self { series: Some(series), stack: true, ..Self::bar(x, y) }
    }

    const fn grouped(self, series: &'static str) -> Self {
        Self { series: Some(series), ..self }
    }

    const fn numeric_x(self) -> Self {
        Self { x_type: "value", ..self }
    }

    const fn click_sets(self, filter: ClickFilter) -> Self {
        Self { filter: Some(filter), ..self }
    }
}

/// Where a panel's rows come from.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// A statement over the filtered cube ([`CUBE_TABLE`]), run on the dashboard's copy.
    Cube(&'static str),
    /// Aggregate tables answer it unfiltered (run on the dashboard's copy); under a filter,
    /// `filtered` scans [`REVIEWS_TABLE`] on the cluster.
    Aggregate {
        /// The aggregate tables `sql` reads.
        tables: &'static [&'static str],
        /// The unfiltered statement.
        sql: &'static str,
        /// The statement under a filter.
        filtered: &'static str,
    },
    /// Tables the filters do not apply to (the model registry), run on the dashboard's copy.
    Unfiltered {
        /// The tables `sql` reads.
        tables: &'static [&'static str],
        /// The statement.
        sql: &'static str,
    },
}

/// A panel: a titled chart over one statement.
#[derive(Debug)]
pub struct Panel {
    /// Identifier, used in the API path.
    pub id: &'static str,
    /// Heading.
    pub title: &'static str,
    /// One sentence on what it shows.
    pub description: &'static str,
    /// How it is drawn.
    pub chart: ChartSpec,
    /// How some columns read.
    pub formats: &'static [(&'static str, Format)],
    /// The statement behind it.
    pub source: Source,
    /// Shown while the tables it reads do not exist.
    pub absent: &'static str,
}

impl Panel {
    /// The tables whose versions decide whether a cached answer is current: for a filtered
    /// request, the ones `filtered` reads.
    pub fn tables(&self, filtered: bool) -> &'static [&'static str] {
        match self.source {
            Source::Cube(_) => &[CUBE_TABLE],
            Source::Aggregate { .. } if filtered => &[REVIEWS_TABLE],
            Source::Aggregate { tables, .. } | Source::Unfiltered { tables, .. } => tables,
        }
    }

    /// True when the filters narrow its rows.
    pub fn filterable(&self) -> bool {
        !matches!(self.source, Source::Unfiltered { .. })
    }
}

const fn cube(
    id: &'static str,
    title: &'static str,
    description: &'static str,
    chart: ChartSpec,
    sql: &'static str,
) -> Panel {
    Panel { id, title, description, chart, formats: &[], source: Source::Cube(sql), absent: NO_GOLD }
}

const fn aggregate(
    id: &'static str,
    title: &'static str,
    description: &'static str,
    chart: ChartSpec,
    tables: &'static [&'static str],
    (sql, filtered): (&'static str, &'static str),
) -> Panel {
    Panel {
        id,
        title,
        description,
        chart,
        formats: &[],
        source: Source::Aggregate { tables, sql, filtered },
        absent: NO_GOLD,
    }
}

const fn model(
    id: &'static str,
    title: &'static str,
    description: &'static str,
    chart: ChartSpec,
    tables: &'static [&'static str],
    sql: &'static str,
) -> Panel {
    Panel { id, title, description, chart, formats: &[], source: Source::Unfiltered { tables, sql }, absent: NO_MODEL }
}

const RATING: &[(&str, Format)] = &[("average_rating", Format::Rating)];

/// Every panel.
pub static PANELS: &[Panel] = &[
    Panel {
        formats: &[
            ("reviews", Format::Integer),
            ("products", Format::Integer),
            ("reviewers", Format::Integer),
            ("positive_percent", Format::Percent),
        ],
        ..aggregate(
            "kpis",
            "Key figures",
            "Reviews, distinct products and reviewers, and the share of positive reviews (4-5 stars).",
            ChartSpec::tiles(&["reviews", "products", "reviewers", "positive_percent"]),
            &["gold.q19_kpis", "gold.q08_sentiment_overview"],
            (include_str!("sql/aggregate/kpis.sql"), reviews_sql!("kpis.sql")),
        )
    },
    cube(
        "reviews_by_year",
        "Reviews per year",
        "Reviews written each year (reviews with a date).",
        ChartSpec::line("year", &["reviews"]),
        cube_sql!("reviews_by_year.sql"),
    ),
    cube(
        "rating_distribution",
        "Rating distribution",
        "Reviews per star rating.",
        ChartSpec::bar("overall", &["reviews"]),
        cube_sql!("rating_distribution.sql"),
    ),
    Panel {
        formats: &[("percent", Format::Percent)],
        ..cube(
            "sentiment_overview",
            "Sentiment overview",
            "Reviews per rating sentiment (positive 4-5, neutral 3, negative 1-2 stars) and their share of the total.",
            ChartSpec::new(ChartKind::Pie, "sentiment", &["reviews"]),
            cube_sql!("sentiment_overview.sql"),
        )
    },
    cube(
        "sentiment_by_year",
        "Sentiment by year",
        "Reviews per year and rating sentiment.",
        ChartSpec::stacked("year", "sentiment", &["reviews"]),
        cube_sql!("sentiment_by_year.sql"),
    ),
    cube(
        "sentiment_by_verified",
        "Sentiment by verified purchase",
        "Reviews per rating sentiment, for verified and other purchases.",
        ChartSpec::stacked("purchase", "sentiment", &["reviews"]),
        cube_sql!("sentiment_by_verified.sql"),
    ),
    cube(
        "sentiment_by_length",
        "Sentiment by review length",
        "Reviews per length bucket (words) and rating sentiment.",
        ChartSpec::stacked("length_bucket", "sentiment", &["reviews"]),
        cube_sql!("sentiment_by_length.sql"),
    ),
    aggregate(
        "length_by_sentiment",
        "Review length by sentiment",
        "Words per review: minimum, quartiles, median and maximum per rating sentiment.",
        ChartSpec::new(
            ChartKind::Boxplot,
            "sentiment",
            &["min_words", "q1_words", "median_words", "q3_words", "max_words"],
        ),
        &["gold.q09_length_by_sentiment"],
        (include_str!("sql/aggregate/length_by_sentiment.sql"), reviews_sql!("length_by_sentiment.sql")),
    ),
    Panel {
        formats: RATING,
        ..cube(
            "rating_by_year",
            "Average rating per year",
            "Mean star rating of the reviews written each year.",
            ChartSpec::line("year", &["average_rating"]),
            cube_sql!("rating_by_year.sql"),
        )
    },
    cube(
        "reviews_by_month",
        "Reviews per month of the year",
        "Seasonality: reviews written in each calendar month, all years together.",
        ChartSpec::bar("month", &["reviews"]),
        cube_sql!("reviews_by_month.sql"),
    ),
    Panel {
        formats: RATING,
        ..cube(
            "rating_by_month",
            "Average rating per month of the year",
            "Mean star rating per calendar month, all years together.",
            ChartSpec::line("month", &["average_rating"]),
            cube_sql!("rating_by_month.sql"),
        )
    },
    cube(
        "verified_by_rating",
        "Verified purchases by rating",
        "Reviews per star rating, for verified and other purchases.",
        ChartSpec::bar("overall", &["reviews"]).grouped("purchase"),
        cube_sql!("verified_by_rating.sql"),
    ),
    aggregate(
        "key_themes",
        "Key themes",
        "The 150 most frequent words of the cleaned review texts, stop words removed.",
        ChartSpec::new(ChartKind::Wordcloud, "word", &["frequency"]),
        &["gold.q20_key_themes"],
        (include_str!("sql/aggregate/key_themes.sql"), reviews_sql!("key_themes.sql")),
    ),
    aggregate(
        "top_words",
        "Top 30 words",
        "The 30 most frequent words of the cleaned review texts.",
        ChartSpec::ranking("word", &["frequency"]),
        &["gold.q20_key_themes"],
        (include_str!("sql/aggregate/top_words.sql"), reviews_sql!("top_words.sql")),
    ),
    Panel {
        formats: RATING,
        ..cube(
            "lowest_rated_categories",
            "Lowest-rated categories",
            "The 10 categories with the lowest average rating: where to focus first.",
            ChartSpec::ranking("category", &["average_rating"]).click_sets(ClickFilter::Category),
            cube_sql!("lowest_rated_categories.sql"),
        )
    },
    cube(
        "negative_by_category",
        "Negative reviews by category",
        "The 10 categories with most reviews below 3 stars.",
        ChartSpec::ranking("category", &["reviews"]).click_sets(ClickFilter::Category),
        cube_sql!("negative_by_category.sql"),
    ),
    cube(
        "negative_by_brand",
        "Negative reviews by brand",
        "The 10 brands with most reviews below 3 stars.",
        ChartSpec::ranking("brand", &["reviews"]).click_sets(ClickFilter::Brand),
        cube_sql!("negative_by_brand.sql"),
    ),
    aggregate(
        "negative_by_product",
        "Negative reviews by product",
        "The 10 products with most reviews below 3 stars.",
        ChartSpec::ranking("title", &["reviews"]),
        &["gold.q16_negative_by_title"],
        (include_str!("sql/aggregate/negative_by_product.sql"), reviews_sql!("negative_by_product.sql")),
    ),
    cube(
        "positive_by_brand",
        "Positive reviews by brand",
        "The 10 brands with most reviews above 3 stars.",
        ChartSpec::ranking("brand", &["reviews"]).click_sets(ClickFilter::Brand),
        cube_sql!("positive_by_brand.sql"),
    ),
    cube(
        "positive_by_category",
        "Positive reviews by category",
        "The 10 categories with most reviews above 3 stars.",
        ChartSpec::ranking("category", &["reviews"]).click_sets(ClickFilter::Category),
        cube_sql!("positive_by_category.sql"),
    ),
    aggregate(
        "positive_by_product",
        "Positive reviews by product",
        "The 10 products with most reviews above 3 stars.",
        ChartSpec::ranking("title", &["reviews"]),
        &["gold.q17_positive_by_title"],
        (include_str!("sql/aggregate/positive_by_product.sql"), reviews_sql!("positive_by_product.sql")),
    ),
    aggregate(
        "top_reviewers",
        "Most active reviewers",
        "The 10 reviewers with most reviews.",
        ChartSpec::ranking("reviewer_id", &["reviews"]),
        &["gold.q18_active_reviewers"],
        (include_str!("sql/aggregate/top_reviewers.sql"), reviews_sql!("top_reviewers.sql")),
    ),
    cube(
        "categories_by_feedback",
        "Categories by feedback",
        "The 10 categories with most reviews that have text, with the helpful votes they got.",
        ChartSpec::ranking("category", &["reviews_with_text", "votes"]).click_sets(ClickFilter::Category),
        cube_sql!("categories_by_feedback.sql"),
    ),
    cube(
        "price_distribution",
        "Reviews by price",
        "Reviews per price bucket (US dollars) of the product; products without a price imputed from their category.",
        ChartSpec::bar("price_bucket", &["reviews"]),
        cube_sql!("price_distribution.sql"),
    ),
    Panel {
        formats: RATING,
        ..cube(
            "rating_by_price",
            "Average rating by price",
            "Mean star rating per price bucket of the product.",
            ChartSpec::bar("price_bucket", &["average_rating"]),
            cube_sql!("rating_by_price.sql"),
        )
    },
    Panel {
        formats: &[
            ("auc", Format::Decimal),
            ("accuracy", Format::Decimal),
            ("f1_positive", Format::Decimal),
            ("f1_negative", Format::Decimal),
            ("test_rows", Format::Integer),
        ],
        ..model(
            "model_summary",
            "Latest sentiment model",
            "The latest registered model's area under the ROC curve, accuracy and F1 per class on its test split.",
            ChartSpec::tiles(&["auc", "accuracy", "f1_positive", "f1_negative", "test_rows"]),
            &["ml.models", "ml.model_metrics"],
            include_str!("sql/model/model_summary.sql"),
        )
    },
    model(
        "model_roc",
        "ROC curve",
        "True against false positive rate of the latest model over its decision thresholds.",
        ChartSpec::line("false_positive_rate", &["true_positive_rate"]).numeric_x(),
        &["ml.models", "ml.model_roc"],
        include_str!("sql/model/model_roc.sql"),
    ),
    model(
        "model_confusion",
        "Confusion matrix",
        "Test reviews by actual and predicted label at probability 0.5.",
        ChartSpec { series: Some("actual"), ..ChartSpec::new(ChartKind::Heatmap, "predicted", &["reviews"]) },
        &["ml.models", "ml.model_metrics"],
        include_str!("sql/model/model_confusion.sql"),
    ),
];

/// Every page, in navigation order. The Cluster page has no panels: it shows the scheduler's
/// operator API.
pub static PAGES: &[Page] = &[
    Page { id: "overview", panels: &["kpis", "reviews_by_year", "rating_distribution", "sentiment_overview"] },
    Page {
        id: "sentiment",
        panels: &[
            "sentiment_overview",
            "sentiment_by_year",
            "sentiment_by_verified",
            "sentiment_by_length",
            "length_by_sentiment",
        ],
    },
    Page {
        id: "trends",
        panels: &["reviews_by_year", "rating_by_year", "reviews_by_month", "rating_by_month", "verified_by_rating"],
    },
    Page { id: "themes", panels: &["key_themes", "top_words"] },
    Page {
        id: "focus",
        panels: &["lowest_rated_categories", "negative_by_category", "negative_by_brand", "negative_by_product"],
    },
    Page {
        id: "brands",
        panels: &["negative_by_brand", "positive_by_brand", "positive_by_category", "positive_by_product"],
    },
    Page { id: "engagement", panels: &["top_reviewers", "categories_by_feedback"] },
    Page { id: "prices", panels: &["price_distribution", "rating_by_price"] },
    Page { id: "cluster", panels: &[] },
    Page { id: "model", panels: &["model_summary", "model_roc", "model_confusion"] },
];

/// The panel `id`.
pub fn panel(id: &str) -> Option<&'static Panel> {
    PANELS.iter().find(|panel| panel.id == id)
}

/// Every table a panel reads, each once, in a stable order.
pub fn tables() -> Vec<&'static str> {
    let mut tables: Vec<&str> =
        PANELS.iter().flat_map(|panel| panel.tables(false).iter().chain(panel.tables(true))).copied().collect();
    tables.sort_unstable();
    tables.dedup();
    tables
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_name_existing_panels_and_every_panel_is_shown() {
        for page in PAGES {
            for id in page.panels {
                assert!(panel(id).is_some(), "page {} lists unknown panel {id}", page.id);
            }
        }
        for panel in PANELS {
            assert!(PAGES.iter().any(|page| page.panels.contains(&panel.id)), "panel {} is on no page", panel.id);
            assert_eq!(PANELS.iter().filter(|p| p.id == panel.id).count(), 1, "panel {} twice", panel.id);
        }
    }

    /// The navigation of index.html names every page (its title and blurb live there) and no other.
    #[test]
    fn the_navigation_links_every_page_with_a_title_and_a_blurb() {
        let html = std::str::from_utf8(crate::assets::index().bytes).expect("index.html is UTF-8");
        let links: Vec<&str> = html.split(r#"<a class="nav-link""#).skip(1).collect();
        assert_eq!(links.len(), PAGES.len(), "nav links vs PAGES");
        for (page, link) in PAGES.iter().zip(&links) {
            let path = if page.id == "overview" { "/".to_string() } else { format!("/{}", page.id) };
            assert!(link.contains(&format!(r#"href="{path}" data-page="{}""#, page.id)), "{}: {link}", page.id);
            assert!(link.contains(r#"data-blurb=""#) && !link.contains(r#"data-blurb="""#), "{} has no blurb", page.id);
            assert!(link.contains("<span>"), "{} has no title", page.id);
        }
    }

    #[test]
    fn statements_parse_and_bind_only_the_filter_parameters() {
        use datafusion::sql::parser::DFParser;
        for panel in PANELS {
            let statements = match panel.source {
                Source::Cube(sql) | Source::Unfiltered { sql, .. } => vec![sql],
                Source::Aggregate { sql, filtered, .. } => vec![sql, filtered],
            };
            for sql in statements {
                let parsed = DFParser::parse_sql(sql).unwrap_or_else(|e| panic!("{}: {e}", panel.id));
                assert_eq!(parsed.len(), 1, "{}: one statement", panel.id);
                for word in sql.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')) {
                    if let Some(name) = word.strip_prefix('$') {
                        assert!(crate::filters::PARAMETERS.contains(&name), "{}: unknown parameter ${name}", panel.id);
                    }
                }
            }
        }
    }

    #[test]
    fn mirrored_tables_are_gold_or_model_tables() {
        let tables = tables();
        assert!(tables.contains(&CUBE_TABLE) && tables.contains(&REVIEWS_TABLE));
        assert!(tables.iter().all(|t| t.starts_with("gold.") || t.starts_with("ml.")));
    }
}
