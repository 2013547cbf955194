# The gold questions answered again by DuckDB from the raw JSON, written from seed-spec.md and
# not from the pipeline's code: an independent reference for tests/tests/pipeline.rs.
# usage: python gold_answers.py '{"name": "duckdb query", ...}' REVIEW_FILE... [--meta METADATA_FILE...]
# Files are read in the order given (give them sorted: the first occurrence wins on dedup, whose
# key is reviewer, product, rating, summary and text: not the date, which streamed events lack).
# Tables: r (deduplicated reviews: s = rating sentiment, d = UTC date), m (metadata: one row per
# asin, cleaned), g (r LEFT JOIN m: category, brand, title, average_price, w = words in reviewText),
# tokens (Q20: one row per word of a review text, tokens = runs of letters and digits).
# Prints {name: rows}.
import sys, json, duckdb
a = sys.argv[2:]
k = a.index('--meta') if '--meta' in a else len(a)
rf, mf = a[:k], a[k + 1:]
c = duckdb.connect()
x = c.execute
x("SET TimeZone = 'UTC'")
E = {'amp': '&', 'lt': '<', 'gt': '>', 'quot': '"', 'apos': "'", 'nbsp': '\xa0', 'rsquo': '\u2019', 'lsquo': '\u2018',
     'rdquo': '\u201d', 'ldquo': '\u201c', 'ndash': '\u2013', 'mdash': '\u2014', 'hellip': '\u2026', 'bull': '\u2022',
     'eacute': '\xe9', 'egrave': '\xe8', 'ecirc': '\xea', 'aacute': '\xe1', 'agrave': '\xe0', 'acirc': '\xe2', 'iacute': '\xed',
     'oacute': '\xf3', 'uacute': '\xfa', 'ntilde': '\xf1', 'ccedil': '\xe7', 'auml': '\xe4', 'ouml': '\xf6', 'uuml': '\xfc',
     'szlig': '\xdf', 'copy': '\xa9', 'reg': '\xae', 'trade': '\u2122', 'deg': '\xb0', 'middot': '\xb7', 'times': '\xd7',
     'frac12': '\xbd', 'cent': '\xa2', 'pound': '\xa3', 'euro': '\u20ac', 'shy': '\xad'}
ent = 'MAP {' + ','.join("'%s':'%s'" % (n, v.replace("'", "''")) for n, v in E.items()) + '}'
W = '[\\s\\pZ]'  # whitespace, including no-break and other Unicode spaces
for macro in [
    # one entity -> its character (decimal, hex or named; unknown names stay as they are)
    f"ent1(e) AS CASE WHEN e[2] = '#' THEN chr(CAST(CASE WHEN lower(e[3]) = 'x' THEN '0x' || e[4:-2] ELSE e[3:-2] END AS INT)) ELSE coalesce({ent}[e[2:-2]], e) END",
    # HTML entities decoded in one pass (&amp; last, so &amp;lt; gives &lt;)
    "unesc(s) AS CASE WHEN s LIKE '%&%' THEN list_reduce(list_append(list_filter(list_distinct(regexp_extract_all(s, '&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);')), lambda e: e <> '&amp;'), '&amp;'), lambda acc, e: replace(acc, e, ent1(e)), s) ELSE s END",
    # tags become spaces (a tag starts with a letter: `<3` is text); `$` also ends a never-closed tag (display strings)
    "untag(s) AS regexp_replace(s, '(?s)<!--.*?-->|</?[A-Za-z][A-Za-z0-9]*(\\s[^>]*)?/?>', ' ', 'g')",
    "untag_open(s) AS regexp_replace(untag(s), '</?[A-Za-z][A-Za-z0-9]*(\\s[^>]*)?$', ' ')",
    f"ws(s) AS trim(regexp_replace(s, '{W}+', ' ', 'g'))",
    "display(s) AS ws(untag_open(unesc(s)))",
    # review text for word statistics: entities, tags and URLs removed
    "plain(s) AS regexp_replace(untag(unesc(s)), '(?i)(^|[\\s\\pZ])(https?://|www\\.)[^\\s\\pZ<>\"]*', ' ', 'g')",
    f"words(s) AS coalesce(len(list_filter(regexp_extract_all(plain(s), '[^\\s\\pZ]+'), lambda w: regexp_matches(w, '[\\pL\\pN]'))), 0)",
    "amount(s) AS CAST(replace(s, ',', '') AS DOUBLE)",
]:
    x('CREATE MACRO ' + macro)
A = '\\$?\\s*((?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\\.[0-9]+)?|\\.[0-9]+)'
x(f"""CREATE MACRO price(p) AS CASE
 WHEN regexp_matches(p, '^\\s*{A}\\s*$') THEN amount(regexp_extract(p, '^\\s*{A}\\s*$', 1))
 WHEN regexp_matches(p, '^\\s*{A}\\s*(?:-|\u2013|\u2014|to)\\s*{A}\\s*$') THEN
  (amount(regexp_extract(p, '^\\s*{A}\\s*(?:-|\u2013|\u2014|to)\\s*{A}\\s*$', 1)) + amount(regexp_extract(p, '^\\s*{A}\\s*(?:-|\u2013|\u2014|to)\\s*{A}\\s*$', 2))) / 2 END""")
x("""CREATE TABLE raw AS SELECT *, row_number() OVER () AS seq FROM read_json(?, format='newline_delimited', union_by_name=true,
 columns={'reviewerID':'VARCHAR','asin':'VARCHAR','overall':'DOUBLE','unixReviewTime':'BIGINT','summary':'VARCHAR','reviewText':'VARCHAR','verified':'BOOLEAN'})""", [rf])
x("""CREATE TABLE r AS SELECT *, CASE WHEN overall < 3 THEN 'Negative' WHEN overall > 3 THEN 'Positive' ELSE 'Neutral' END AS s
 FROM (SELECT *, CAST(to_timestamp(unixReviewTime) AS DATE) AS d FROM raw)
 QUALIFY row_number() OVER (PARTITION BY reviewerID, asin, overall, summary, reviewText ORDER BY seq) = 1""")
if mf:
    x("""CREATE TABLE mraw AS SELECT *, row_number() OVER () AS seq FROM read_json(?, format='newline_delimited', union_by_name=true,
     columns={'asin':'VARCHAR','title':'VARCHAR','brand':'VARCHAR','main_cat':'VARCHAR','category':'VARCHAR[]','price':'VARCHAR'})""", [mf])
else:
    x("CREATE TABLE mraw (asin VARCHAR, title VARCHAR, brand VARCHAR, main_cat VARCHAR, category VARCHAR[], price VARCHAR, seq BIGINT)")
# one row per asin (first in file/line order); category = <img alt>, else main_cat, else first non-blank breadcrumb entry;
# brand without the scraped `by` / `Visit Amazon's X Page` wrappers, null/blank/Unknown -> Unknown; title blank -> Unknown
x(f"""CREATE TABLE m1 AS SELECT asin,
 coalesce(nullif(display(title), ''), 'Unknown') AS title,
 CASE WHEN lower(b) IN ('', 'unknown') THEN 'Unknown' ELSE b END AS brand,
 nullif(coalesce(nullif(ws(regexp_extract(unesc(main_cat), '(?i)<img{W}[^>]*alt{W}*={W}*["'']([^"'']*)', 1)), ''), nullif(display(main_cat), ''),
   list_filter(list_transform(category, lambda e: display(e)), lambda e: e <> '')[1]), '') AS category,
 price(price) AS price
 FROM (SELECT *, regexp_replace(display(regexp_replace(brand, '^{W}*by{W}+', '')), '(?i)^visit amazon[''\u2019]s (.*) page$', '\\1') AS b
       FROM mraw WHERE asin IS NOT NULL QUALIFY row_number() OVER (PARTITION BY asin ORDER BY seq) = 1)""")
# case variants of a brand or category meet under their most common spelling (among products; ties: smallest)
x("""CREATE TABLE m AS WITH
 bs AS (SELECT lower(brand) AS k, arg_max(brand, (n, -rank)) AS v FROM (SELECT brand, count(*) AS n, rank() OVER (ORDER BY brand) AS rank FROM m1 GROUP BY brand) GROUP BY 1),
 cs AS (SELECT lower(category) AS k, arg_max(category, (n, -rank)) AS v FROM (SELECT category, count(*) AS n, rank() OVER (ORDER BY category) AS rank FROM m1 WHERE category IS NOT NULL GROUP BY category) GROUP BY 1)
 SELECT asin, title, bs.v AS brand, cs.v AS category, price FROM m1 LEFT JOIN bs ON lower(brand) = bs.k LEFT JOIN cs ON lower(category) = cs.k""")
# gold: missing price -> mean price of the category's products (2 decimals), else of all products
x("""CREATE TABLE g AS WITH cp AS (SELECT category, round(avg(price), 2) AS p FROM m WHERE price IS NOT NULL GROUP BY 1),
 gp AS (SELECT round(avg(price), 2) AS p FROM m WHERE price IS NOT NULL)
 SELECT r.*, coalesce(m.category, 'Unknown') AS category, coalesce(m.brand, 'Unknown') AS brand, coalesce(m.title, 'Unknown') AS title,
  coalesce(m.price, cp.p, gp.p) AS average_price, words(r.reviewText) AS w
 FROM r LEFT JOIN m USING (asin) LEFT JOIN cp ON cp.category = coalesce(m.category, 'Unknown') CROSS JOIN gp""")
SW = ("i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its itself they "
      "them their theirs themselves what which who whom this that these those am is are was were be been being have has had having do does "
      "did doing a an the and but if or because as until while of at by for with about against between into through during before after above "
      "below to from up down in out on off over under again further then once here there when where why how all any both each few more most "
      "other some such no nor not only own same so than too very s t can will just don should now i'll you'll he'll she'll we'll they'll i'd "
      "you'd he'd she'd we'd they'd i'm you're he's she's it's we're they're i've we've you've they've isn't aren't wasn't weren't haven't "
      "hasn't hadn't don't doesn't didn't won't wouldn't shan't shouldn't mustn't can't couldn't cannot could here's how's let's ought that's "
      "there's what's when's where's who's why's would").split()  # Spark 3.5 StopWordsRemover english.txt (181 words)
x("CREATE TABLE sw AS SELECT unnest(?) AS word", [SW])
# Q20 with tokens = runs of letters/digits (an apostrophe between two of them kept, as '), tokens of digits (and apostrophes) dropped
x("""CREATE TABLE tokens AS SELECT word FROM (SELECT regexp_replace(unnest(regexp_extract_all(lower(plain(reviewText)), '[\\pL\\pN]+(?:[''\u2019\u2018\u02bc][\\pL\\pN]+)*')), '[\u2019\u2018\u02bc]', '''', 'g') AS word FROM g)
 WHERE NOT regexp_matches(word, '^[0-9'']+$') AND word NOT IN (SELECT word FROM sw)""")
q = json.loads(sys.argv[1])
print(json.dumps({n: [[v if isinstance(v, (int, float, str, bool)) or v is None else float(v) for v in row] for row in x(s).fetchall()] for n, s in q.items()}))
