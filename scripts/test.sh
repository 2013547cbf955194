#!/usr/bin/env bash
# The reviewlake test command: builds the binaries once, then runs every unit, doc and
# end-to-end test against real scheduler and executor processes.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=never

# The Kafka-protocol broker of the streaming tests (tansu, from crates.io), built once into its own
# cache before the workspace build, so that two cargo builds never run at the same time.
./scripts/tansu.sh >/dev/null
cargo build --release --locked --workspace --all-targets
# End-to-end tests start clusters of several processes; two at a time fit a 2-core machine.
cargo test --release --locked --workspace -- --test-threads=2
