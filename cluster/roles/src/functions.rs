//! The one place where reviewlake's UDFs and UDAFs reach all three roles of a cluster.
//!
//! Ballista resolves functions by name on the client (planning), on the scheduler (plan
//! decoding) and on every executor (task decoding); a function missing in any of them fails the
//! query. Every role calls one of the functions below, so the three lists cannot drift apart.

use std::sync::Arc;

use ballista_core::registry::BallistaFunctionRegistry;
use datafusion::execution::SessionState;
use datafusion::execution::registry::FunctionRegistry;
use datafusion::logical_expr::ScalarUDF;
use reviewlake_core::config::LakehouseSettings;
use reviewlake_sources::SourceStore;

/// Every reviewlake scalar function: the pure ones of `reviewlake_udfs`, the source readers of
/// [`reviewlake_sources`] and the sentiment-model predictions of [`crate::models`], the last
/// two reading through the lakehouse `settings`.
fn scalar_functions(settings: &LakehouseSettings) -> Vec<Arc<ScalarUDF>> {
    let mut functions = reviewlake_udfs::scalar_functions();
    functions.extend(reviewlake_sources::scalar_functions(&SourceStore::from_settings(settings)));
    functions.extend(crate::models::scalar_functions(settings));
    functions
}

/// Registers every reviewlake scalar and aggregate function on a session state; source files
/// and models are read through the lakehouse `settings`.
///
/// Call it after the state is final: rebuilding a state (as `upgrade_for_ballista` does)
/// keeps registered functions, but builders that set a whole function list replace them.
///
/// ```
/// use datafusion::execution::SessionStateBuilder;
/// use datafusion::execution::registry::FunctionRegistry;
/// let mut state = SessionStateBuilder::new().with_default_features().build();
/// let settings = reviewlake_cluster::config::LakehouseSettings::default();
/// reviewlake_cluster::functions::register_all(&mut state, &settings).unwrap();
/// assert!(state.udf("normalize_text").is_ok());
/// ```
pub fn register_all(state: &mut SessionState, settings: &LakehouseSettings) -> datafusion::error::Result<()> {
    for udf in scalar_functions(settings) {
        state.register_udf(udf)?;
    }
    for udaf in reviewlake_udfs::aggregate_functions() {
        state.register_udaf(udaf)?;
    }
    Ok(())
}

/// The executor's function registry: DataFusion's built-ins (with the array functions, which
/// Ballista's default registry leaves out although every client session plans them) plus every
/// reviewlake function, reading source files and models through the lakehouse `settings`.
///
/// ```
/// let settings = reviewlake_cluster::config::LakehouseSettings::default();
/// let registry = reviewlake_cluster::functions::executor_registry(&settings);
/// assert!(registry.scalar_functions.contains_key("normalize_text"));
/// assert!(registry.scalar_functions.contains_key("lower"));
/// assert!(registry.scalar_functions.contains_key("cardinality"));
/// ```
pub fn executor_registry(settings: &LakehouseSettings) -> BallistaFunctionRegistry {
    let mut registry = BallistaFunctionRegistry::default();
    for udf in datafusion::functions_nested::all_default_nested_functions() {
        registry.scalar_functions.entry(udf.name().to_string()).or_insert(udf);
    }
    for udf in scalar_functions(settings) {
        registry.scalar_functions.insert(udf.name().to_string(), udf);
    }
    for udaf in reviewlake_udfs::aggregate_functions() {
        registry.aggregate_functions.insert(udaf.name().to_string(), udaf);
    }
    registry
}

/// Names of every reviewlake function, for diagnostics (`reviewlake functions`).
pub fn names() -> Vec<String> {
    let mut names: Vec<String> = scalar_functions(&LakehouseSettings::default())
        .iter()
        .map(|f| f.name().to_string())
        .chain(reviewlake_udfs::aggregate_functions().iter().map(|f| f.name().to_string()))
        .collect();
    names.sort();
    names
}
