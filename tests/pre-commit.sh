#!/usr/bin/env bash
# Checks the pre-commit hook end to end: `pre-commit try-repo` builds this
# repository's hook with pre-commit's Rust support and runs it on a bad and on a
# good manifest. pre-commit is installed into a private venv under target/.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/pre-commit-venv
if [ ! -x "$venv/bin/pre-commit" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'pre-commit==4.7.0'
fi
export PATH="$PWD/$venv/bin:$PATH"

# try-repo needs a commit to clone; CI runs on a clean clone of main.
bad=tests/fixtures/bad/releases/gwa-core/4.2.0/release.yaml
good=examples/releases/gwa-core/4.2.0/release.yaml

set +e
out=$(pre-commit try-repo . release-gate-lint --files "$bad" 2>&1)
status=$?
set -e
if [ "$status" -eq 0 ]; then
  echo "pre-commit hook passed on $bad, which is invalid:"; echo "$out"; exit 1
fi
expected="$bad:4:7: error: unit \`gwa-cor\` differs from the path, which says \`gwa-core\` [layout-mismatch]"
if ! grep -qF "$expected" <<<"$out"; then
  echo "pre-commit hook failed without the expected diagnostic:"; echo "$out"; exit 1
fi

if ! out=$(pre-commit try-repo . release-gate-lint --files "$good" 2>&1); then
  echo "pre-commit hook failed on the valid $good:"; echo "$out"; exit 1
fi
echo "pre-commit hook: 2 passed, 0 failed"
