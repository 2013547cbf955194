//! The metadata generic tools ask for: catalogs, schemas, tables with their Arrow schemas and
//! types, SqlInfo and the SQL types (XdbcTypeInfo), read from the session's catalog list (the
//! lakehouse schemas and the ad-hoc `public` tables).

use std::sync::{Arc, LazyLock};

use arrow_flight::sql::metadata::{
    GetCatalogsBuilder, GetDbSchemasBuilder, GetTablesBuilder, SqlInfoData, SqlInfoDataBuilder, XdbcTypeInfo,
    XdbcTypeInfoData, XdbcTypeInfoDataBuilder,
};
use arrow_flight::sql::{Nullable, Searchable, SqlInfo, SqlSupportedTransaction, XdbcDataType};
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::datasource::TableType;
use datafusion::prelude::SessionContext;
use tonic::Status;

use super::service::status;

/// The table types the catalog holds, as Flight SQL names them.
pub const TABLE_TYPES: [&str; 3] = ["TABLE", "VIEW", "LOCAL TEMPORARY"];

fn table_type_name(table_type: TableType) -> &'static str {
    match table_type {
        TableType::Base => TABLE_TYPES[0],
        TableType::View => TABLE_TYPES[1],
        TableType::Temporary => TABLE_TYPES[2],
    }
}

/// Every catalog of the session.
pub fn catalogs(ctx: &SessionContext, mut builder: GetCatalogsBuilder) -> Result<RecordBatch, Status> {
    let mut names = ctx.catalog_names();
    names.sort();
    for name in names {
        builder.append(name);
    }
    builder.build().map_err(built)
}

/// Every schema of every catalog; the builder applies the request's filters.
pub fn schemas(ctx: &SessionContext, mut builder: GetDbSchemasBuilder) -> Result<RecordBatch, Status> {
    for (catalog, schema) in schema_names(ctx) {
        builder.append(&catalog, &schema);
    }
    builder.build().map_err(built)
}

/// Every table of every schema with its type and, when asked, its Arrow schema (lakehouse
/// tables are opened for it); the builder applies the request's filters.
pub async fn tables(ctx: &SessionContext, mut builder: GetTablesBuilder) -> Result<RecordBatch, Status> {
    for (catalog_name, schema_name) in schema_names(ctx) {
        let Some(schema) = ctx.catalog(&catalog_name).and_then(|c| c.schema(&schema_name)) else { continue };
        let mut names = schema.table_names();
        names.sort();
        for name in names {
            if let Some(table) = schema.table(&name).await.map_err(status)? {
                let table_type = table_type_name(table.table_type());
                builder.append(&catalog_name, &schema_name, &name, table_type, &table.schema()).map_err(built)?;
            }
        }
    }
    builder.build().map_err(built)
}

fn built(error: arrow_flight::error::FlightError) -> Status {
    Status::internal(format!("metadata: {error}"))
}

fn schema_names(ctx: &SessionContext) -> Vec<(String, String)> {
    let mut all = Vec::new();
    for catalog_name in ctx.catalog_names() {
        if let Some(catalog) = ctx.catalog(&catalog_name) {
            for schema in catalog.schema_names() {
                all.push((catalog_name.clone(), schema));
            }
        }
    }
    all.sort();
    all
}

/// What the server says about itself.
pub static SQL_INFO: LazyLock<SqlInfoData> = LazyLock::new(|| {
    let mut builder = SqlInfoDataBuilder::new();
    builder.append(SqlInfo::FlightSqlServerName, "reviewlake");
    builder.append(SqlInfo::FlightSqlServerVersion, env!("CARGO_PKG_VERSION"));
    builder.append(SqlInfo::FlightSqlServerArrowVersion, "59");
    builder.append(SqlInfo::FlightSqlServerReadOnly, false);
    builder.append(SqlInfo::FlightSqlServerSql, true);
    builder.append(SqlInfo::FlightSqlServerSubstrait, false);
    builder.append(SqlInfo::FlightSqlServerTransaction, SqlSupportedTransaction::None as i32);
    builder.append(SqlInfo::FlightSqlServerCancel, true);
    builder.append(SqlInfo::FlightSqlServerBulkIngestion, true);
    builder.append(SqlInfo::FlightSqlServerIngestTransactionsSupported, false);
    builder.append(SqlInfo::SqlDdlCatalog, false);
    builder.append(SqlInfo::SqlDdlSchema, false);
    builder.append(SqlInfo::SqlDdlTable, true);
    builder.append(SqlInfo::SqlIdentifierQuoteChar, "\"");
    builder.build().expect("static SqlInfo builds")
});

/// The SQL types a client may use in DDL and casts.
pub static XDBC_TYPES: LazyLock<XdbcTypeInfoData> = LazyLock::new(|| {
    let mut builder = XdbcTypeInfoDataBuilder::new();
    let types = [
        ("BOOLEAN", XdbcDataType::XdbcBit, None, None),
        ("SMALLINT", XdbcDataType::XdbcSmallint, Some(16), Some(2)),
        ("INTEGER", XdbcDataType::XdbcInteger, Some(32), Some(2)),
        ("BIGINT", XdbcDataType::XdbcBigint, Some(64), Some(2)),
        ("REAL", XdbcDataType::XdbcFloat, Some(24), Some(2)),
        ("DOUBLE", XdbcDataType::XdbcDouble, Some(53), Some(2)),
        ("DECIMAL", XdbcDataType::XdbcDecimal, Some(38), Some(10)),
        ("VARCHAR", XdbcDataType::XdbcVarchar, None, None),
        ("DATE", XdbcDataType::XdbcDate, None, None),
        ("TIMESTAMP", XdbcDataType::XdbcTimestamp, None, None),
        ("VARBINARY", XdbcDataType::XdbcVarbinary, None, None),
    ];
    for (name, data_type, column_size, radix) in types {
        let textual = matches!(data_type, XdbcDataType::XdbcVarchar);
        builder.append(XdbcTypeInfo {
            type_name: name.into(),
            data_type,
            column_size,
            literal_prefix: textual.then(|| "'".into()),
            literal_suffix: textual.then(|| "'".into()),
            create_params: None,
            nullable: Nullable::NullabilityNullable,
            case_sensitive: textual,
            searchable: Searchable::Full,
            unsigned_attribute: radix.map(|_| false),
            fixed_prec_scale: false,
            auto_increment: radix.map(|_| false),
            local_type_name: Some(name.into()),
            minimum_scale: None,
            maximum_scale: None,
            sql_data_type: data_type,
            datetime_subcode: None,
            num_prec_radix: radix,
            interval_precision: None,
        });
    }
    builder.build().expect("static XdbcTypeInfo builds")
});

/// The columns of a `GetPrimaryKeys` answer (reviewlake tables declare no keys, so it is empty).
pub fn primary_keys_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("catalog_name", DataType::Utf8, true),
        Field::new("db_schema_name", DataType::Utf8, true),
        Field::new("table_name", DataType::Utf8, false),
        Field::new("column_name", DataType::Utf8, false),
        Field::new("key_sequence", DataType::Int32, false),
        Field::new("key_name", DataType::Utf8, true),
    ]))
}

/// The columns of a `GetExportedKeys`, `GetImportedKeys` or `GetCrossReference` answer (empty).
pub fn foreign_keys_schema() -> SchemaRef {
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    Arc::new(Schema::new(vec![
        text("pk_catalog_name", true),
        text("pk_db_schema_name", true),
        text("pk_table_name", false),
        text("pk_column_name", false),
        text("fk_catalog_name", true),
        text("fk_db_schema_name", true),
        text("fk_table_name", false),
        text("fk_column_name", false),
        Field::new("key_sequence", DataType::Int32, false),
        text("fk_key_name", true),
        text("pk_key_name", true),
        Field::new("update_rule", DataType::UInt8, false),
        Field::new("delete_rule", DataType::UInt8, false),
    ]))
}
