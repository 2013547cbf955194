//! The integration tests of reviewlake-udfs, in one test binary: SQL calls of every UDF, the
//! property tests of the pure functions and the sentiment parity with TextBlob.

mod sentiment_parity;
mod text_properties;
mod udf_sql;
