-- gold.reviews narrowed by the dashboard's filters: $from_month and $to_month (YYYYMM,
-- inclusive), $category and $brand; a null parameter filters nothing.
WITH reviews AS (
  SELECT * FROM gold.reviews
  WHERE ($from_month IS NULL OR year * 100 + month >= $from_month)
    AND ($to_month IS NULL OR year * 100 + month <= $to_month)
    AND ($category IS NULL OR category = $category)
    AND ($brand IS NULL OR brand = $brand))
