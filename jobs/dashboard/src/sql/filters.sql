  -- The dashboard's filters, over a table with year, month, category and brand columns:
  -- $from_month and $to_month (YYYYMM, inclusive), $category and $brand; a null parameter
  -- filters nothing.
  WHERE ($from_month IS NULL OR year * 100 + month >= $from_month)
    AND ($to_month IS NULL OR year * 100 + month <= $to_month)
    AND ($category IS NULL OR category = $category)
    AND ($brand IS NULL OR brand = $brand))
