#!/usr/bin/env bash
# Makes the dashboard's browser test runnable: Debian's Chromium (the test drives it through
# playwright-core and never downloads a browser of its own) and the npm packages of
# tests/browser/package.json, installed with `npm ci` from the committed lock into a cache outside
# the clone, again only when the lock changes.
# Prints the node_modules folder (the test's NODE_PATH) and nothing else on stdout.
# Idempotent and cheap when already installed.
set -euo pipefail
src="$(cd "$(dirname "$0")/../tests/browser" && pwd)"
cache="${REVIEWLAKE_CACHE:-$HOME/.cache/reviewlake}/browser"
mkdir -p "$cache"
# Tests call this concurrently; one installs while the others wait.
exec 9>"$cache.lock"
flock 9

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# Runs a command with its output kept in $log, shown (on stderr) only when it fails.
quiet() {
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        return 1
    fi
}

if [[ ! -x /usr/bin/chromium ]]; then
    apt_install=(apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 chromium)
    export DEBIAN_FRONTEND=noninteractive
    if ! "${apt_install[@]}" >"$log" 2>&1; then
        # A fresh machine has no package lists yet; fetch them once and try again.
        if grep -qE 'Unable to locate package|has no installation candidate|Failed to fetch' "$log"; then
            quiet apt-get update -q -o DPkg::Lock::Timeout=600
            quiet "${apt_install[@]}"
        else
            cat "$log" >&2
            exit 1
        fi
    fi
fi

for tool in node npm; do
    command -v "$tool" >/dev/null || { echo "browser-env.sh: $tool is not installed" >&2; exit 1; }
done

# The copy of the lock that node_modules was installed from, written once the install succeeded.
stamp="$cache/installed-package-lock.json"
if [[ ! -d "$cache/node_modules" ]] || ! cmp -s "$src/package-lock.json" "$stamp"; then
    rm -rf "$cache/node_modules" "$stamp"
    cp "$src/package.json" "$src/package-lock.json" "$cache/"
    (
        cd "$cache"
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 quiet npm ci --ignore-scripts --no-audit --no-fund \
            --loglevel=error
    )
    cp "$src/package-lock.json" "$stamp"
fi
echo "$cache/node_modules"
