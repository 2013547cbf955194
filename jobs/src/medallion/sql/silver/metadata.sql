-- The silver typing of product metadata records over the new bronze rows (`bronze_new`), the
-- first record of each asin (in file and line order) winning.
WITH typed AS (
  SELECT asin, clean_title(title) AS title, normalize_brand(brand) AS brand,
         extract_category(main_cat, json_text_array(category)) AS category,
         parse_price(price) AS price, main_cat AS raw_main_cat, date AS listed_date,
         _source_file, _line_number, _ingested_at
  FROM bronze_new WHERE asin IS NOT NULL),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY asin ORDER BY _source_file, _line_number) AS dup_rank FROM typed)
SELECT asin, title, brand, category, price, raw_main_cat, listed_date, _source_file, _line_number, _ingested_at
FROM ranked AS candidate WHERE dup_rank = 1
