//! How a snapshot's active files become a Parquet scan: the column layout of the scan, each
//! file with its partition values and statistics, and files spread over task partitions.

use std::sync::Arc;

use datafusion::arrow::datatypes::{Field, FieldRef, Schema, SchemaRef};
use datafusion::common::ScalarValue;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::FileGroup;
use datafusion::error::Result;
use deltalake::DeltaTable;
use deltalake::ObjectMeta;
use object_store::path::Path as StorePath;

use crate::delta::root_path;
use crate::error::LakehouseError;
use crate::handle::TableHandle;
use crate::stats::file_statistics;

/// How the provider's columns map onto the Parquet scan: file columns first, then partition
/// columns, which is the order `FileScanConfig` produces.
pub(crate) struct ScanLayout {
    pub(crate) file_schema: SchemaRef,
    pub(crate) partition_fields: Vec<FieldRef>,
    pub(crate) scan_schema: Schema,
    /// For each provider column, its index in `scan_schema`.
    scan_index: Vec<usize>,
}

impl ScanLayout {
    pub(crate) fn new(table_schema: &Schema, partition_columns: &[String]) -> Result<Self, LakehouseError> {
        let mut file_fields = Vec::new();
        let mut partition_fields = Vec::new();
        for column in partition_columns {
            let field = table_schema.field_with_name(column).map_err(|_| LakehouseError::SchemaMismatch {
                name: column.clone(),
                reason: format!("partition column {column} is not in the table schema"),
            })?;
            partition_fields.push(Arc::new(field.clone()));
        }
        for field in table_schema.fields() {
            if !partition_columns.contains(field.name()) {
                file_fields.push(field.clone());
            }
        }
        let scan_fields: Vec<FieldRef> = file_fields.iter().chain(&partition_fields).cloned().collect();
        let scan_schema = Schema::new(scan_fields.clone());
        let scan_index = table_schema
            .fields()
            .iter()
            .map(|field| scan_fields.iter().position(|f| f.name() == field.name()).expect("every column is placed"))
            .collect();
        Ok(Self { file_schema: Arc::new(Schema::new(file_fields)), partition_fields, scan_schema, scan_index })
    }

    pub(crate) fn projection(&self, projection: Option<&Vec<usize>>) -> Vec<usize> {
        match projection {
            Some(columns) => columns.iter().map(|&i| self.scan_index[i]).collect(),
            None => self.scan_index.clone(),
        }
    }
}

/// The snapshot's active files as `PartitionedFile`s with partition values and statistics.
pub(crate) fn active_files(
    handle: &TableHandle,
    table: &DeltaTable,
    layout: &ScanLayout,
) -> Result<Vec<PartitionedFile>, LakehouseError> {
    let delta_error = |source| LakehouseError::Delta { name: handle.name.clone(), source };
    let snapshot = table.snapshot().map_err(delta_error)?;
    let log = snapshot.snapshot().try_log_data().map_err(delta_error)?;
    let root = root_path(&handle.url)?;
    let mut files = Vec::with_capacity(log.num_files());
    for file in log.iter() {
        if file.deletion_vector_descriptor().is_some() {
            return Err(LakehouseError::Unsupported { name: handle.name.clone(), feature: "deletion vectors".into() });
        }
        let mut meta = ObjectMeta::try_from(&file).map_err(delta_error)?;
        meta.location = StorePath::from_iter(root.parts().chain(file.object_store_path().parts()));
        let raw_values = file.partition_values_map();
        let values = layout
            .partition_fields
            .iter()
            .map(|field| partition_value(raw_values.get(field.name()).cloned().flatten(), field))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| LakehouseError::SchemaMismatch { name: handle.name.clone(), reason: e.to_string() })?;
        let statistics = file_statistics(file.stats().as_deref(), meta.size, &layout.file_schema, &values);
        let mut partitioned = PartitionedFile::new_from_meta(meta).with_partition_values(values);
        partitioned.statistics = Some(Arc::new(statistics));
        files.push(partitioned);
    }
    Ok(files)
}

fn partition_value(raw: Option<String>, field: &Field) -> Result<ScalarValue> {
    match raw {
        Some(text) => ScalarValue::try_from_string(text, field.data_type()),
        None => ScalarValue::try_from(field.data_type()),
    }
}

/// Spreads files over `groups` task partitions, largest first onto the lightest group.
pub(crate) fn bin_pack(files: Vec<PartitionedFile>, groups: usize) -> Vec<FileGroup> {
    if files.is_empty() {
        return vec![FileGroup::new(Vec::new())];
    }
    reviewlake_core::bin_pack(files, groups, |file| file.object_meta.size).into_iter().map(FileGroup::new).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::DataType;

    #[test]
    fn partition_columns_move_to_the_end_of_the_scan_and_back() {
        let schema = Schema::new(vec![
            Field::new("year", DataType::Int32, true),
            Field::new("id", DataType::Int64, true),
            Field::new("text", DataType::Utf8, true),
        ]);
        let layout = ScanLayout::new(&schema, &["year".to_string()]).unwrap();
        let names: Vec<_> = layout.scan_schema.fields().iter().map(|f| f.name().clone()).collect();
        assert_eq!(names, ["id", "text", "year"]);
        assert_eq!(layout.projection(None), [2, 0, 1]);
        assert_eq!(layout.projection(Some(&vec![2, 0])), [1, 2]);
    }

    #[test]
    fn bin_packing_balances_bytes() {
        let files = [50u64, 40, 30, 20, 10]
            .iter()
            .enumerate()
            .map(|(i, size)| PartitionedFile::new(format!("f{i}"), *size))
            .collect();
        let groups = bin_pack(files, 2);
        let sizes: Vec<u64> = groups.iter().map(|g| g.files().iter().map(|f| f.object_meta.size).sum()).collect();
        assert_eq!(sizes, [80, 70]);
        assert_eq!(bin_pack(Vec::new(), 4).len(), 1);
    }

    #[test]
    fn partition_values_parse_to_column_types() {
        let date = Field::new("d", DataType::Date32, true);
        assert_eq!(partition_value(Some("2020-01-02".into()), &date).unwrap(), ScalarValue::Date32(Some(18263)));
        assert_eq!(partition_value(None, &date).unwrap(), ScalarValue::Date32(None));
        assert!(partition_value(Some("junk".into()), &date).is_err());
    }
}
