//! What the scheduler, its operator API, the executor and client sessions share of Ballista:
//! the scheduler server type, the scheduling policy mapping and the base session
//! configuration.

use ballista_core::extension::SessionConfigExt;
use ballista_scheduler::scheduler_server::SchedulerServer;
use datafusion::prelude::SessionConfig;
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};
use reviewlake_core::config::SchedulingPolicy;

/// The scheduler server type reviewlake runs.
pub type ReviewlakeScheduler = SchedulerServer<LogicalPlanNode, PhysicalPlanNode>;

/// The session configuration every role starts from.
///
/// ```
/// let config = reviewlake_cluster::scheduler::base_session_config();
/// assert!(config.information_schema());
/// ```
pub fn base_session_config() -> SessionConfig {
    let mut config = SessionConfig::new_with_ballista().with_information_schema(true);
    // Leaf-expression pushdown moves `get_field(r, 'x')` below the projection that computes
    // `r`, inlining it once per field: `parse_review_json(line)['asin']`, `[...]['overall']`,
    // ... parse every line once per field instead of once. Our tables have no nested columns
    // for it to prune, so it only costs.
    config.options_mut().optimizer.enable_leaf_expression_pushdown = false;
    config
}

/// Maps reviewlake's policy onto Ballista's.
pub fn policy(policy: SchedulingPolicy) -> ballista_core::config::TaskSchedulingPolicy {
    match policy {
        SchedulingPolicy::PullStaged => ballista_core::config::TaskSchedulingPolicy::PullStaged,
        SchedulingPolicy::PushStaged => ballista_core::config::TaskSchedulingPolicy::PushStaged,
    }
}
