#!/usr/bin/env bash
# Creates (once) the Python environment the end-to-end tests use: moto's S3-compatible server,
# the deltalake / pyarrow / duckdb peers for interoperability and reference answers,
# scikit-learn for the ML metrics' reference, the ADBC Flight SQL driver with pandas and polars
# for the notebook clients, and nbclient with ipykernel, which run the example notebook.
# Prints the environment's bin directory. Idempotent and cheap when already installed.
set -euo pipefail
venv="${REVIEWLAKE_PYTHON_ENV:-$HOME/.cache/reviewlake/python}"
packages=("moto[server]==5.2.5" "deltalake==1.6.6" "pyarrow" "pandas" "duckdb" "scikit-learn" "adbc-driver-flightsql" "polars" "nbclient" "ipykernel")
mkdir -p "$(dirname "$venv")"
# Tests call this concurrently; one installs while the others wait.
exec 9>"$venv.lock"
flock 9
stamp="$venv/.installed-$(printf '%s ' "${packages[@]}" | sha1sum | cut -c1-12)"
if [[ ! -f "$stamp" ]]; then
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${packages[@]}" >&2
    touch "$stamp"
fi
echo "$venv/bin"
