-- The lines of `ingest_lines` that are not JSON records, with the reason.
SELECT _source_file AS file, _line_number AS line, json_record_error(_raw) AS error, _raw AS raw_text
FROM ingest_lines WHERE json_record_error(_raw) IS NOT NULL
