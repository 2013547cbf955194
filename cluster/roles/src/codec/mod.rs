//! The codecs every role uses: DataFusion's series table functions ([`series`]) beside the
//! lakehouse's tables and write nodes, then Ballista's own nodes.

mod series;

use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::TableProvider;
use datafusion::common::TableReference;
use datafusion::datasource::file_format::FileFormatFactory;
use datafusion::error::Result;
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{Extension, LogicalPlan};
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use datafusion_proto::physical_plan::PhysicalExtensionCodec;
use reviewlake_lakehouse::codec::{LakehouseLogicalCodec, LakehousePhysicalCodec};

/// The logical codec of every role: `range` / `generate_series` tables, then the lakehouse's.
#[derive(Debug, Default)]
pub struct ClusterLogicalCodec {
    lakehouse: LakehouseLogicalCodec,
}

impl LogicalExtensionCodec for ClusterLogicalCodec {
    fn try_decode(&self, buf: &[u8], inputs: &[LogicalPlan], ctx: &TaskContext) -> Result<Extension> {
        self.lakehouse.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> Result<()> {
        self.lakehouse.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        table_ref: &TableReference,
        schema: SchemaRef,
        ctx: &TaskContext,
    ) -> Result<Arc<dyn TableProvider>> {
        match series::try_decode(buf, schema.clone())? {
            Some(provider) => Ok(provider),
            None => self.lakehouse.try_decode_table_provider(buf, table_ref, schema, ctx),
        }
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        if series::try_encode(node.as_ref(), buf)? {
            return Ok(());
        }
        self.lakehouse.try_encode_table_provider(table_ref, node, buf)
    }

    fn try_decode_file_format(&self, buf: &[u8], ctx: &TaskContext) -> Result<Arc<dyn FileFormatFactory>> {
        self.lakehouse.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(&self, buf: &mut Vec<u8>, node: Arc<dyn FileFormatFactory>) -> Result<()> {
        self.lakehouse.try_encode_file_format(buf, node)
    }
}

/// Both codecs, as the `Arc`s every role's configuration takes.
pub fn codecs() -> (Arc<dyn LogicalExtensionCodec>, Arc<dyn PhysicalExtensionCodec>) {
    (Arc::new(ClusterLogicalCodec::default()), Arc::new(LakehousePhysicalCodec::default()))
}
