#!/usr/bin/env bash
# Checks against peer tools, installed into a private venv under target/:
# 1. the pre-commit hook end to end: `pre-commit try-repo` builds this
#    repository's hook with pre-commit's Rust support and runs it on a bad and on
#    a good manifest;
# 2. the iCalendar output of `windows --format ics`, parsed by the Python
#    `icalendar` package, with the daylight-saving change in between;
# 3. action.yml and the workflows against GitHub's published schemas (vendored in
#    check-jsonschema).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/peers-venv
requirements="pre-commit==4.7.0 icalendar==7.3.2 check-jsonschema==0.39.0"
if [ "$(cat "$venv/.installed" 2>/dev/null)" != "$requirements" ]; then
  python3 -m venv "$venv"
  # shellcheck disable=SC2086 # the list is split on purpose
  "$venv/bin/pip" install --quiet $requirements
  echo "$requirements" > "$venv/.installed"
fi
export PATH="$PWD/$venv/bin:$PATH"

"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows \
  .github/workflows/ci.yml examples/workflows/release-gate.yml
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml

cargo build --quiet --locked
ics=$(mktemp)
./target/debug/release-gate windows --from 2026-03-20T00:00:00+01:00 \
  --until 2026-04-10T00:00:00+02:00 --format ics > "$ics" 2>/dev/null
"$venv/bin/python" - "$ics" <<'PY'
import sys
from datetime import timedelta
import icalendar

calendar = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
events = list(calendar.walk("VEVENT"))
assert len(events) == 69, len(events)
before = [e for e in events if e["UID"] == "test-regular-20260326T060000Z@release-gate"][0]
after = [e for e in events if e["UID"] == "test-regular-20260402T050000Z@release-gate"][0]
assert before["DTSTART"].dt.utcoffset() == timedelta(hours=1)
assert after["DTSTART"].dt.utcoffset() == timedelta(hours=2)
assert before["DTSTART"].dt.hour == after["DTSTART"].dt.hour == 7
print("icalendar: 69 events parsed, 07:00 on both sides of the change")
PY
rm -f "$ics"

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
echo "peer checks: 5 passed, 0 failed"
