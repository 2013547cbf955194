//! DataFusion's series table functions (`range`, `generate_series`) across the wire.
//!
//! Their table provider, `GenerateSeriesTable`, has no protobuf form in a logical plan, so a
//! query such as `SELECT count(*) FROM range(10)` could not leave the client. The provider's
//! arguments are private, but the generator it builds exposes them; a frame carries those
//! arguments and the receiving side builds the same provider again. Once planned, the scan is a
//! `LazyMemoryExec` that DataFusion's physical protobuf already carries to the executors.
//!
//! DataFusion's physical protobuf drops the projection of that `LazyMemoryExec` (it sends the
//! projected schema and rebuilds the generator over it, so `count(*)` failed on the executors
//! with "number of columns(1) must match number of fields(0)"). The provider built here
//! therefore scans the whole series and projects in a `ProjectionExec`, which travels intact.
//!
//! Frame: the magic `RLS1`, then JSON of [`SeriesArgs`].

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::{DataType, IntervalMonthDayNano, SchemaRef};
use datafusion::catalog::{Session, TableProvider};
use datafusion::datasource::TableType;
use datafusion::error::{DataFusionError, Result};
use datafusion::functions_table::generate_series::{
    Empty, GenSeriesArgs, GenerateSeriesTable, GenericSeriesState, TimestampValue,
};
use datafusion::logical_expr::Expr;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::projection::ProjectionExec;
use serde::{Deserialize, Serialize};

const SERIES: &[u8; 4] = b"RLS1";

/// The generator is only asked for its arguments; its batch size is not part of them.
const PROBE_BATCH_SIZE: usize = 8192;

/// What a series provider needs to be built again.
#[derive(Debug, Serialize, Deserialize)]
struct SeriesArgs {
    /// `range` (end excluded) or `generate_series` (end included).
    function: String,
    values: SeriesValues,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum SeriesValues {
    /// An argument was null: the series is empty.
    Empty,
    Int64 {
        start: i64,
        end: i64,
        step: i64,
        include_end: bool,
    },
    /// Timestamps and dates both count in the generator's timestamp values; the schema tells
    /// which one the provider produces.
    Timestamp {
        start: i64,
        end: i64,
        step: Interval,
        include_end: bool,
        tz: Option<String>,
    },
}

#[derive(Debug, Serialize, Deserialize)]
struct Interval {
    months: i32,
    days: i32,
    nanoseconds: i64,
}

/// The provider's function name as the `'static` string DataFusion keeps.
fn function_name(name: &str) -> Result<&'static str> {
    match name {
        "range" => Ok("range"),
        "generate_series" => Ok("generate_series"),
        other => Err(DataFusionError::Plan(format!("unknown series table function '{other}' in a plan"))),
    }
}

/// Writes `provider` into `buf` when it is a series table; `Ok(false)` leaves `buf` untouched
/// for the next codec.
pub(crate) fn try_encode(provider: &dyn TableProvider, buf: &mut Vec<u8>) -> Result<bool> {
    let series = match provider.downcast_ref::<SeriesTable>() {
        Some(decoded) => &decoded.series,
        None => match provider.downcast_ref::<GenerateSeriesTable>() {
            Some(series) => series,
            None => return Ok(false),
        },
    };
    let generator = series.as_generator(PROBE_BATCH_SIZE)?;
    let state = generator.read();
    let state = state.as_any();
    let args = if let Some(empty) = state.downcast_ref::<Empty>() {
        SeriesArgs { function: empty.name().to_string(), values: SeriesValues::Empty }
    } else if let Some(ints) = state.downcast_ref::<GenericSeriesState<i64>>() {
        SeriesArgs {
            function: ints.name().to_string(),
            values: SeriesValues::Int64 {
                start: *ints.start(),
                end: *ints.end(),
                step: *ints.step(),
                include_end: ints.include_end(),
            },
        }
    } else if let Some(times) = state.downcast_ref::<GenericSeriesState<TimestampValue>>() {
        let step = times.step();
        SeriesArgs {
            function: times.name().to_string(),
            values: SeriesValues::Timestamp {
                start: times.start().value(),
                end: times.end().value(),
                step: Interval { months: step.months, days: step.days, nanoseconds: step.nanoseconds },
                include_end: times.include_end(),
                tz: times.start().tz_str().map(|tz| tz.to_string()),
            },
        }
    } else {
        return Err(DataFusionError::NotImplemented(format!(
            "a series table function with the generator {state:?} cannot be sent to the cluster"
        )));
    };
    buf.extend_from_slice(SERIES);
    serde_json::to_writer(buf, &args).map_err(|e| DataFusionError::External(e.into()))?;
    Ok(true)
}

/// Builds the series provider framed in `buf`, or `None` when the frame is not a series.
pub(crate) fn try_decode(buf: &[u8], schema: SchemaRef) -> Result<Option<Arc<dyn TableProvider>>> {
    let Some(body) = buf.strip_prefix(SERIES) else {
        return Ok(None);
    };
    let args: SeriesArgs = serde_json::from_slice(body).map_err(|e| DataFusionError::External(e.into()))?;
    let name = function_name(&args.function)?;
    let produces_dates = schema.fields().first().is_some_and(|field| field.data_type() == &DataType::Date32);
    let args = match args.values {
        SeriesValues::Empty => GenSeriesArgs::ContainsNull { name },
        SeriesValues::Int64 { start, end, step, include_end } => {
            GenSeriesArgs::Int64Args { start, end, step, include_end, name }
        }
        SeriesValues::Timestamp { start, end, step, include_end, tz } => {
            let step = IntervalMonthDayNano::new(step.months, step.days, step.nanoseconds);
            if produces_dates {
                GenSeriesArgs::DateArgs { start, end, step, include_end, name }
            } else {
                GenSeriesArgs::TimestampArgs { start, end, step, tz: tz.map(Arc::from), include_end, name }
            }
        }
    };
    Ok(Some(Arc::new(SeriesTable { series: GenerateSeriesTable::new(schema, args) })))
}

/// A series table that projects after its scan rather than inside it (see the module docs).
#[derive(Debug)]
struct SeriesTable {
    series: GenerateSeriesTable,
}

#[async_trait]
impl TableProvider for SeriesTable {
    fn schema(&self) -> SchemaRef {
        self.series.schema()
    }

    fn table_type(&self) -> TableType {
        self.series.table_type()
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let whole = self.series.scan(state, None, filters, limit).await?;
        let Some(projection) = projection else {
            return Ok(whole);
        };
        let schema = self.series.schema();
        let columns = projection.iter().map(|&index| {
            let name = schema.field(index).name().clone();
            (Arc::new(Column::new(&name, index)) as Arc<dyn PhysicalExpr>, name)
        });
        Ok(Arc::new(ProjectionExec::try_new(columns, whole)?))
    }
}
