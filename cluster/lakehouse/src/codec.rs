//! Codecs that carry lakehouse tables and write nodes between client, scheduler and
//! executors, wrapping Ballista's own codecs for everything else.
//!
//! Frames: a 4-byte magic, then JSON. `RLT1` + [`TableHandle`] for a table provider (its
//! schema travels beside it in the plan); `RLW1` / `RLC1` + [`WriteSpec`] for
//! [`DeltaWriteExec`] / [`DeltaCommitExec`]. The magic is checked before delegating, because
//! the inner codecs decode any bytes as protobuf. Functions travel by name (every role
//! registers the same ones), so the UDF hooks keep their defaults, as Ballista's codecs do.

use std::sync::Arc;

use ballista_core::serde::{BallistaLogicalExtensionCodec, BallistaPhysicalExtensionCodec};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::TableProvider;
use datafusion::common::TableReference;
use datafusion::datasource::file_format::FileFormatFactory;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{Extension, LogicalPlan};
use datafusion::physical_plan::ExecutionPlan;
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use datafusion_proto::physical_plan::{PhysicalExtensionCodec, PhysicalProtoConverterExtension};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::handle::TableHandle;
use crate::table::LakehouseTable;
use crate::write::{DeltaCommitExec, DeltaWriteExec, WriteSpec};

const TABLE: &[u8; 4] = b"RLT1";
const WRITE: &[u8; 4] = b"RLW1";
const COMMIT: &[u8; 4] = b"RLC1";

fn encode<T: Serialize>(magic: &[u8; 4], value: &T, buf: &mut Vec<u8>) -> Result<()> {
    buf.extend_from_slice(magic);
    serde_json::to_writer(buf, value).map_err(|e| DataFusionError::External(e.into()))
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| DataFusionError::External(e.into()))
}

/// The logical codec of every reviewlake role: lakehouse tables, then Ballista's nodes.
///
/// ```
/// let codec = reviewlake_lakehouse::codec::LakehouseLogicalCodec::default();
/// ```
#[derive(Debug, Default)]
pub struct LakehouseLogicalCodec {
    inner: BallistaLogicalExtensionCodec,
}

impl LogicalExtensionCodec for LakehouseLogicalCodec {
    fn try_decode(&self, buf: &[u8], inputs: &[LogicalPlan], ctx: &TaskContext) -> Result<Extension> {
        self.inner.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        table_ref: &TableReference,
        schema: SchemaRef,
        ctx: &TaskContext,
    ) -> Result<Arc<dyn TableProvider>> {
        match buf.strip_prefix(TABLE) {
            Some(body) => Ok(Arc::new(LakehouseTable::from_handle(decode::<TableHandle>(body)?, schema))),
            None => self.inner.try_decode_table_provider(buf, table_ref, schema, ctx),
        }
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        match node.downcast_ref::<LakehouseTable>() {
            Some(table) => encode(TABLE, table.handle(), buf),
            None => self.inner.try_encode_table_provider(table_ref, node, buf),
        }
    }

    fn try_decode_file_format(&self, buf: &[u8], ctx: &TaskContext) -> Result<Arc<dyn FileFormatFactory>> {
        self.inner.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(&self, buf: &mut Vec<u8>, node: Arc<dyn FileFormatFactory>) -> Result<()> {
        self.inner.try_encode_file_format(buf, node)
    }
}

/// The physical codec of every reviewlake role: Delta write nodes, then Ballista's nodes.
#[derive(Debug, Default)]
pub struct LakehousePhysicalCodec {
    inner: BallistaPhysicalExtensionCodec,
}

impl PhysicalExtensionCodec for LakehousePhysicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[Arc<dyn ExecutionPlan>],
        ctx: &TaskContext,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let input = || {
            inputs
                .first()
                .cloned()
                .ok_or_else(|| DataFusionError::Internal("a Delta write node arrived without its input".into()))
        };
        if let Some(body) = buf.strip_prefix(WRITE) {
            return Ok(Arc::new(DeltaWriteExec::try_new(decode::<WriteSpec>(body)?, input()?)?));
        }
        if let Some(body) = buf.strip_prefix(COMMIT) {
            return Ok(Arc::new(DeltaCommitExec::new(decode::<WriteSpec>(body)?, input()?)));
        }
        self.inner.try_decode(buf, inputs, ctx, proto_converter)
    }

    fn try_encode(
        &self,
        node: Arc<dyn ExecutionPlan>,
        buf: &mut Vec<u8>,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<()> {
        if let Some(write) = node.downcast_ref::<DeltaWriteExec>() {
            return encode(WRITE, write.spec(), buf);
        }
        if let Some(commit) = node.downcast_ref::<DeltaCommitExec>() {
            return encode(COMMIT, commit.spec(), buf);
        }
        self.inner.try_encode(node, buf, proto_converter)
    }
}
