#!/usr/bin/env bash
# The gate deciding on a real promotion: builds a small GitOps repository with
# dev, test and prod branches from examples/ in a temporary folder, then asks
# `release-gate check` about gwa-core 4.2.0 moving from DEV to TEST, once inside
# Thursday's regular window (allowed) and once at 17:01 (blocked).
#
#   bash examples/demo.sh            # builds the binary with cargo if needed
#   RELEASE_GATE=/path/to/release-gate bash examples/demo.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

gate=${RELEASE_GATE:-}
if [ -z "$gate" ]; then
  cargo build --quiet --release --manifest-path "$here/../Cargo.toml"
  gate="$here/../target/release/release-gate"
fi

repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT
g() { git -C "$repo" -c user.name=Demo -c user.email=demo@example.invalid "$@"; }

unit=releases/gwa-core/4.2.0
g init -q -b main
g commit -q --allow-empty -m "empty GitOps repository"
for branch in dev test prod; do g branch "$branch"; done

# Delivery, deployment, QA and approval on DEV.
g checkout -q dev
mkdir -p "$repo/$unit"
cp -r "$here/$unit/release.yaml" "$here/$unit/docs" "$here/$unit/dev.yaml" "$repo/$unit/"
g add releases && g commit -q -m "gwa-core 4.2.0: delivered, QA passed and approved on dev"

# The promotion to TEST: the unit and its DEV record exactly as on dev, plus the
# TEST record with its deployment plan (the regular window, Thursday 07:00).
g checkout -q -b promote-gwa-core-4.2.0 test
g checkout dev -- "$unit"
sed '/^qa:/,$d' "$here/$unit/test.yaml" > "$repo/$unit/test.yaml"
g add releases && g commit -q -m "promote gwa-core 4.2.0 to test"

cd "$repo"
echo "== merged at Thu 2026-11-26 07:30, inside the regular window"
"$gate" check --base test --head promote-gwa-core-4.2.0 --at 2026-11-26T07:30:00+01:00 || true
echo
echo "== the same change merged at 17:01"
"$gate" check --base test --head promote-gwa-core-4.2.0 --at 2026-11-26T17:01:00+01:00 || true
