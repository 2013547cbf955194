#!/usr/bin/env bash
# Installs (once) the Kafka-protocol broker the streaming tests run: tansu 0.6.0 from crates.io
# with its sqlite storage engine (its memory engine loses messages). Built outside the clone
# and cached; prints the path of the binary. Idempotent and cheap when already installed.
set -euo pipefail
root="${REVIEWLAKE_TANSU_ROOT:-$HOME/.cache/reviewlake/tansu}"
version="0.6.0"
mkdir -p "$root"
exec 9>"$root.lock"
flock 9
binary="$root/bin/tansu"
stamp="$root/.installed-$version"
if [[ ! -x "$binary" || ! -f "$stamp" ]]; then
    # Its own target directory: the workspace's build stays untouched.
    CARGO_TARGET_DIR="$root/build" cargo install tansu --version "$version" \
        --features dynostore,libsql --locked --root "$root" --quiet >&2
    rm -rf "$root/build"
    touch "$stamp"
fi
echo "$binary"
