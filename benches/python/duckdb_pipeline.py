# DuckDB's own equivalent of `reviewlake pipeline run`, the peer of benches/benches/pipeline.rs:
# reads the gzip JSON Lines of SOURCE/amazon_reviews and SOURCE/amazon_metadata, types the fields
# (the raw data writes numbers and booleans as strings too), drops duplicate reviews on the content
# key (reviewer, product, rating, summary, text; first in file order wins), cleans the text (HTML
# entities and tags, whitespace, lower case) and counts its words, joins the product metadata and
# computes the dashboard's aggregates, writing every layer as Parquet under OUT. No sentiment and
# no Delta log: DuckDB has neither, so it does less work than reviewlake.
# usage: python duckdb_pipeline.py SOURCE OUT        prints {"bronze": s, "silver": s, "gold": s, "rows": n}
import json
import os
import sys
import time

import duckdb

source, out = sys.argv[1], sys.argv[2]
for layer in ("bronze", "silver", "gold"):
    os.makedirs(os.path.join(out, layer), exist_ok=True)
db = duckdb.connect()
db.execute(f"SET threads = {os.cpu_count()}")
db.execute("SET preserve_insertion_order = false")
sql = db.execute


def parquet(table, layer):
    sql(f"COPY {table} TO '{os.path.join(out, layer, table)}.parquet' (FORMAT parquet, COMPRESSION snappy)")


times = {}
started = time.monotonic()
# Bronze: every field as text, with its file and line; lines that are not JSON are skipped.
text = "{'reviewerID':'VARCHAR','asin':'VARCHAR','overall':'VARCHAR','vote':'VARCHAR','verified':'VARCHAR'," \
       "'unixReviewTime':'VARCHAR','summary':'VARCHAR','reviewText':'VARCHAR'}"
sql(f"""CREATE TABLE bronze_reviews AS SELECT *, row_number() OVER () AS line
        FROM read_json('{source}/amazon_reviews/*/*.json.gz', format = 'newline_delimited', columns = {text},
                       filename = true, ignore_errors = true)""")
parquet("bronze_reviews", "bronze")
meta = "{'asin':'VARCHAR','title':'VARCHAR','brand':'VARCHAR','main_cat':'VARCHAR','price':'VARCHAR'}"
sql(f"""CREATE TABLE bronze_metadata AS SELECT *, row_number() OVER () AS line
        FROM read_json('{source}/amazon_metadata/*/*.json.gz', format = 'newline_delimited', columns = {meta},
                       filename = true, ignore_errors = true)""")
parquet("bronze_metadata", "bronze")
times["bronze"] = time.monotonic() - started

started = time.monotonic()
sql("""CREATE MACRO clean(s) AS lower(trim(regexp_replace(regexp_replace(
         replace(replace(replace(replace(replace(s, '&amp;', '&'), '&quot;', '"'), '&#39;', ''''), '&lt;', '<'), '&gt;', '>'),
         '<[^>]*>', ' ', 'g'), '\\s+', ' ', 'g')))""")
sql("""CREATE TABLE silver_reviews AS
       SELECT *, len(string_split(clean_text, ' ')) AS word_count
       FROM (SELECT reviewerID AS reviewer_id, asin, overall, verified, vote, review_date, reviewText AS review_text, summary,
                    clean(reviewText) AS clean_text,
                    CASE WHEN overall < 3 THEN 'Negative' WHEN overall > 3 THEN 'Positive' ELSE 'Neutral' END AS rating_sentiment
             FROM (SELECT reviewerID, asin, TRY_CAST(overall AS DOUBLE) AS overall, TRY_CAST(verified AS BOOLEAN) AS verified,
                          coalesce(TRY_CAST(replace(vote, ',', '') AS BIGINT), 0) AS vote,
                          CAST(to_timestamp(TRY_CAST(unixReviewTime AS BIGINT)) AS DATE) AS review_date, reviewText, summary,
                          filename, line
                   FROM bronze_reviews WHERE reviewerID IS NOT NULL AND asin IS NOT NULL)
             QUALIFY row_number() OVER (PARTITION BY reviewerID, asin, overall, summary, reviewText ORDER BY filename, line) = 1)""")
parquet("silver_reviews", "silver")
sql("""CREATE TABLE silver_metadata AS
       SELECT asin, coalesce(nullif(trim(title), ''), 'Unknown') AS title, coalesce(nullif(trim(brand), ''), 'Unknown') AS brand,
              coalesce(nullif(trim(main_cat), ''), 'Unknown') AS category,
              TRY_CAST(replace(regexp_extract(price, '[0-9][0-9,]*(\\.[0-9]+)?'), ',', '') AS DOUBLE) AS price
       FROM bronze_metadata WHERE asin IS NOT NULL
       QUALIFY row_number() OVER (PARTITION BY asin ORDER BY filename, line) = 1""")
parquet("silver_metadata", "silver")
times["silver"] = time.monotonic() - started

started = time.monotonic()
sql("""CREATE TABLE gold_reviews AS
       WITH category_price AS (SELECT category, round(avg(price), 2) AS price FROM silver_metadata WHERE price IS NOT NULL GROUP BY 1),
            global_price AS (SELECT round(avg(price), 2) AS price FROM silver_metadata WHERE price IS NOT NULL)
       SELECT r.*, year(r.review_date) AS year, month(r.review_date) AS month, coalesce(m.category, 'Unknown') AS category,
              coalesce(m.brand, 'Unknown') AS brand, coalesce(m.title, 'Unknown') AS title,
              coalesce(m.price, c.price, g.price) AS average_price
       FROM silver_reviews r LEFT JOIN silver_metadata m USING (asin)
       LEFT JOIN category_price c ON c.category = coalesce(m.category, 'Unknown') CROSS JOIN global_price g""")
parquet("gold_reviews", "gold")
top = "ORDER BY reviews DESC, 1 LIMIT 10"
length = "CASE WHEN word_count < 10 THEN '0-9' WHEN word_count < 50 THEN '10-49' WHEN word_count < 100 THEN '50-99' " \
         "WHEN word_count < 250 THEN '100-249' ELSE '250+' END"
price = "CASE WHEN average_price IS NULL THEN 'unknown' WHEN average_price < 10 THEN '0-10' WHEN average_price < 25 THEN '10-25' " \
        "WHEN average_price < 50 THEN '25-50' WHEN average_price < 100 THEN '50-100' ELSE '100+' END"
aggregates = {
    "q01_rating_distribution": "SELECT overall, count(*) AS reviews FROM gold_reviews GROUP BY 1",
    "q02_verified_by_rating": "SELECT overall, verified, count(*) AS reviews FROM gold_reviews GROUP BY 1, 2",
    "q03_review_length": f"SELECT {length} AS length_bucket, count(*) AS reviews FROM gold_reviews GROUP BY 1",
    "q04_rating_by_year": "SELECT year, avg(overall) AS average_rating FROM gold_reviews GROUP BY 1",
    "q05_rating_by_month": "SELECT month, avg(overall) AS average_rating FROM gold_reviews GROUP BY 1",
    "q06_reviews_by_year": "SELECT year, count(*) AS reviews FROM gold_reviews GROUP BY 1",
    "q07_reviews_by_month": "SELECT month, count(*) AS reviews FROM gold_reviews GROUP BY 1",
    "q08_sentiment_overview": "SELECT coalesce(rating_sentiment, 'Total') AS sentiment, count(*) AS reviews, "
                              "round(100.0 * count(*) / max(count(*)) OVER (), 2) AS percent FROM gold_reviews GROUP BY ROLLUP (1)",
    "q09_length_by_sentiment": "SELECT rating_sentiment, count(*) AS reviews, min(word_count), quantile_cont(word_count, 0.25), "
                               "median(word_count), quantile_cont(word_count, 0.75), max(word_count), avg(word_count) "
                               "FROM gold_reviews GROUP BY 1",
    "q10_sentiment_by_year": "SELECT year, rating_sentiment, count(*) AS reviews FROM gold_reviews GROUP BY 1, 2",
    "q11_top_categories": "SELECT category, count(review_text) AS reviews FROM gold_reviews GROUP BY 1 " + top,
    "q12_lowest_rated_categories": "SELECT category, avg(overall) AS average_rating, count(*) AS reviews FROM gold_reviews "
                                   "GROUP BY 1 ORDER BY 2, 1 LIMIT 10",
    "q13_price_distribution": f"SELECT {price} AS price_bucket, count(*) AS reviews FROM gold_reviews GROUP BY 1",
    "q14_negative_by_category": "SELECT category, count(*) AS reviews FROM gold_reviews WHERE overall < 3 GROUP BY 1 " + top,
    "q15_negative_by_brand": "SELECT brand, count(*) AS reviews FROM gold_reviews WHERE overall < 3 GROUP BY 1 " + top,
    "q16_negative_by_title": "SELECT title, count(*) AS reviews FROM gold_reviews WHERE overall < 3 GROUP BY 1 " + top,
    "q17_positive_by_brand": "SELECT brand, count(*) AS reviews FROM gold_reviews WHERE overall > 3 GROUP BY 1 " + top,
    "q17_positive_by_category": "SELECT category, count(*) AS reviews FROM gold_reviews WHERE overall > 3 GROUP BY 1 " + top,
    "q17_positive_by_title": "SELECT title, count(*) AS reviews FROM gold_reviews WHERE overall > 3 GROUP BY 1 " + top,
    "q18_active_reviewers": "SELECT reviewer_id, count(*) AS reviews FROM gold_reviews GROUP BY 1 " + top,
    "q19_kpis": "SELECT count(*) AS reviews, count(DISTINCT asin) AS products, count(DISTINCT reviewer_id) AS reviewers "
                "FROM gold_reviews",
    "q20_key_themes": "SELECT word, count(*) AS frequency FROM (SELECT unnest(regexp_extract_all(clean_text, '[a-z0-9'']+')) AS word "
                      "FROM gold_reviews) WHERE length(word) > 1 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3000",
    "review_cube": f"SELECT year, month, category, brand, overall, verified, rating_sentiment, {length} AS length_bucket, "
                   f"{price} AS price_bucket, count(*) AS reviews, count(review_text) AS reviews_with_text, sum(vote) AS votes, "
                   "sum(word_count) AS words FROM gold_reviews GROUP BY ALL",
}
for name, query in aggregates.items():
    sql(f"CREATE TABLE {name} AS {query}")
    parquet(name, "gold")
times["gold"] = time.monotonic() - started
times["rows"] = sql("SELECT count(*) FROM silver_reviews").fetchone()[0]
print(json.dumps(times))
