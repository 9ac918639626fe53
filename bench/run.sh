#!/usr/bin/env bash
# Benchmarks `release-gate lint` against check-jsonschema and ajv-cli.
#
#   bash bench/run.sh [bench.py options]      # from any folder
#
# Steps: install the peers into bench/ if they are missing or out of date,
# build release-gate (`cargo build --release`), generate the corpora, run
# bench/bench.py. The Markdown report is printed and written to
# bench/out/results.md (raw timings in bench/out/results.json).
#
# Environment:
#   N=10000        manifests in the main corpus (bench/out/corpus)
#   SMALL_N=1000   manifests in the small corpus (bench/out/corpus-small); 0 skips it
#   SEED=20200601  random seed of the generator
#   PYTHON=python3 interpreter for the venv, the generator and the harness
#   CARGO_TARGET_DIR is honoured when looking for the binary.
#
# Needs: cargo, python3 with the venv module (Debian: python3-venv), node and npm.
# Everything it installs stays in bench/.venv and bench/node/node_modules.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$BENCH")"
N="${N:-10000}"
SMALL_N="${SMALL_N:-1000}"
SEED="${SEED:-20200601}"
PYTHON="${PYTHON:-python3}"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"

say() { printf '[run.sh] %s\n' "$*" >&2; }
need() {
    command -v "$1" >/dev/null 2>&1 || { say "needs \`$1\` on PATH ($2)"; exit 1; }
}
need cargo "install Rust"
need "$PYTHON" "install Python 3.9 or later"
need node "Debian: apt-get install nodejs npm"
need npm "Debian: apt-get install npm"

# --- Peers -------------------------------------------------------------------
# Each install leaves a copy of the file it was made from; a changed pin
# (requirements.txt, package-lock.json) or a missing executable triggers a
# clean reinstall.

venv_stamp="$BENCH/.venv/installed-requirements.txt"
if ! cmp -s "$BENCH/requirements.txt" "$venv_stamp" \
    || [ ! -x "$BENCH/.venv/bin/check-jsonschema" ]; then
    say "installing check-jsonschema into bench/.venv"
    rm -rf "$BENCH/.venv"
    "$PYTHON" -m venv "$BENCH/.venv"
    "$BENCH/.venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$BENCH/requirements.txt"
    cp "$BENCH/requirements.txt" "$venv_stamp"
fi

node_stamp="$BENCH/node/node_modules/installed-package-lock.json"
if ! cmp -s "$BENCH/node/package-lock.json" "$node_stamp" \
    || [ ! -x "$BENCH/node/node_modules/.bin/ajv" ]; then
    say "installing ajv-cli and ajv-formats into bench/node/node_modules"
    # `npm ci` installs exactly what package-lock.json says, or fails.
    npm ci --prefix "$BENCH/node" --no-audit --no-fund --loglevel=error >&2
    cp "$BENCH/node/package-lock.json" "$node_stamp"
fi

# --- release-gate ------------------------------------------------------------

say "building release-gate (cargo build --release)"
cargo build --release --quiet --manifest-path "$REPO/Cargo.toml"

# --- Corpora -----------------------------------------------------------------

"$PYTHON" "$BENCH/generate.py" --count "$N" --seed "$SEED" --out "$BENCH/out/corpus"
if [ "$SMALL_N" -gt 0 ] && [ "$SMALL_N" -lt "$N" ]; then
    "$PYTHON" "$BENCH/generate.py" --count "$SMALL_N" --seed "$SEED" --out "$BENCH/out/corpus-small"
else
    rm -rf "$BENCH/out/corpus-small"
fi

# --- Benchmark ---------------------------------------------------------------

exec "$PYTHON" "$BENCH/bench.py" \
    --release-gate "$TARGET_DIR/release/release-gate" \
    --out "$BENCH/out/results.md" \
    "$@"
