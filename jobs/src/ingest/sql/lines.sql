-- One row per line of the files in `ingest_files` (a `path` column), read on the executors.
SELECT path AS _source_file, l['line_number'] AS _line_number, l['text'] AS _raw
FROM (SELECT path, unnest(read_text_lines(path)) AS l FROM ingest_files)
