-- The lines of `ingest_lines` that are JSON records.
SELECT _source_file, _line_number, _raw FROM ingest_lines WHERE json_record_error(_raw) IS NULL
