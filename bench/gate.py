#!/usr/bin/env python3
"""How fast `release-gate check` decides on a large repository.

Builds GitOps repositories with `git fast-import`: 1,000 release units on the
dev, test and prod branches (dev and test hold all of them, prod 800), filler
commits up to the wanted history length, and a pull-request branch that
promotes one more unit from dev to test. Then times `release-gate check` on that
promotion, for a short and a long history, so the cost of history length shows.

    python3 bench/gate.py [--commits 20000] [--units 1000] [--runs 10]

Needs git and a release build (`cargo build --release`).
"""

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "release-gate")
AT = "2026-11-26T07:30:00+01:00"

RELEASE = """api: release-gate/v1
kind: Release
unit: {unit}
version: 1.0.0
author: dora
vendor: {{ name: Example Vendor }}
delivered: 2026-11-16T09:30:00+01:00
scope: full
downtime: false
components:
  - name: {unit}-backend
    version: 1.0.0
    artifact: registry.example/{unit}/backend:1.0.0
    digest: sha256:{digest}
documentation: {{}}
"""

RECORD = """api: release-gate/v1
kind: StageRecord
unit: {unit}
version: 1.0.0
environment: {env}
release-digest: sha256:{digest}
deployment:
{window}  start: {start}
  end: {end}
qa:
  catalogue: catalogue 2026.4
  by: {qa}
  at: {qa_at}
  result: passed
approval:
  by: {qa}
  at: {qa_at}
{to}"""


def release(unit):
    text = RELEASE.format(unit=unit, digest=hashlib.sha256(unit.encode()).hexdigest())
    return text, hashlib.sha256(text.encode()).hexdigest()


def record(unit, digest, env, week):
    if env == "dev":
        window, start, end, qa, to = "", "2026-11-17T10:00:00+01:00", "2026-11-17T11:00:00+01:00", "anna", "  to: test\n"
    elif env == "test":
        # Dates spread over the year, so the window rules read real history.
        day = f"2026-{11 - week // 4:02d}-{(1 + week % 4 * 7):02d}"
        window, start, end, qa, to = "  window: regular\n", f"{day}T08:00:00+01:00", f"{day}T09:00:00+01:00", "ben", "  to: prod\n"
    else:
        window, start, end, qa, to = "  window: small\n", "2026-10-07T08:00:00+02:00", "2026-10-07T09:00:00+02:00", "carla", ""
    return RECORD.format(unit=unit, env=env, digest=digest, window=window, start=start, end=end,
                         qa=qa, qa_at="2026-11-20T15:00:00+01:00", to=to)


class Stream:
    """Writes a git fast-import stream."""

    def __init__(self, out):
        self.out = out
        self.mark = 0
        self.when = 1_700_000_000

    def commit(self, branch, files, message, parent=None):
        self.mark += 1
        self.when += 60
        data = message.encode()
        w = self.out.write
        w(f"commit refs/heads/{branch}\nmark :{self.mark}\n".encode())
        w(f"committer Bench <bench@example.invalid> {self.when} +0000\n".encode())
        w(f"data {len(data)}\n".encode() + data + b"\n")
        if parent:
            w(f"from {parent}\n".encode())
        for path, text in files:
            blob = text.encode()
            w(f"M 100644 inline {path}\ndata {len(blob)}\n".encode() + blob + b"\n")
        w(b"\n")
        return f":{self.mark}"


def build(directory, units, commits):
    subprocess.run(["git", "init", "-q", "-b", "main", directory], check=True)
    proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=directory, stdin=subprocess.PIPE)
    s = Stream(proc.stdin)
    root = s.commit("main", [("README.md", "GitOps repository\n")], "start")
    made = 1
    for branch in ("dev", "test", "prod"):
        s.commit(branch, [], f"{branch} starts", parent=root)
        made += 1

    for i in range(units + 1):
        unit = f"u{i:04d}"
        text, digest = release(unit)
        folder = f"releases/{unit}/1.0.0"
        dev = [(f"{folder}/release.yaml", text), (f"{folder}/dev.yaml", record(unit, digest, "dev", i))]
        s.commit("dev", dev, f"{unit} on dev")
        made += 1
        if i == units:
            break  # the last unit is only on dev: the pull request promotes it
        s.commit("test", dev + [(f"{folder}/test.yaml", record(unit, digest, "test", i % 40 + 1))], f"{unit} on test")
        made += 1
        if i < units * 8 // 10:
            s.commit("prod", dev + [(f"{folder}/test.yaml", record(unit, digest, "test", i % 40 + 1)),
                                    (f"{folder}/prod.yaml", record(unit, digest, "prod", 0))], f"{unit} on prod")
            made += 1

    # Filler history: standard changes edited over and over on every branch.
    branches = ("dev", "test", "prod")
    n = 0
    while made < commits:
        change = f"changes/CHG-{n % 300:04d}.yaml"
        text = (f"api: release-gate/v1\nkind: StandardChange\nid: CHG-{n % 300:04d}\nchange: user-creation\n"
                f"customer: Customer {n}\ndocuments-complete: 2026-03-02T10:00:00+01:00\n")
        s.commit(branches[n % 3], [(change, text)], f"change {n}")
        made += 1
        n += 1

    # The pull request: unit u{units} from dev to test, in Thursday's regular window.
    unit = f"u{units:04d}"
    text, digest = release(unit)
    folder = f"releases/{unit}/1.0.0"
    test = record(unit, digest, "test", 0).replace("2026-11-01T08:00:00+01:00", "2026-11-26T07:00:00+01:00")
    test = test.replace("2026-11-01T09:00:00+01:00", "2026-11-26T09:00:00+01:00")
    test = test[: test.index("qa:")]
    s.commit("promote", [(f"{folder}/release.yaml", text), (f"{folder}/dev.yaml", record(unit, digest, "dev", 0)),
                         (f"{folder}/test.yaml", test)], f"promote {unit}", parent="refs/heads/test")
    made += 1
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    return made


def timed(directory, runs):
    command = [BINARY, "check", "--base", "test", "--head", "promote", "--at", AT, "--format", "json"]
    first = subprocess.run(command, cwd=directory, capture_output=True, text=True)
    if first.returncode != 0:
        raise SystemExit(f"the benchmark promotion is not allowed:\n{first.stdout}\n{first.stderr}")
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=directory, capture_output=True, check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000, min(samples) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if not os.path.exists(BINARY):
        raise SystemExit("build first: cargo build --release")

    rows = []
    for commits in (args.units * 3, args.commits):
        directory = tempfile.mkdtemp(prefix="release-gate-bench-")
        try:
            made = build(directory, args.units, commits)
            median, fastest = timed(directory, args.runs)
            rows.append((made, median, fastest))
        finally:
            shutil.rmtree(directory)

    print(f"`release-gate check` on a promotion of one unit, {args.units:,} units on the branches, "
          f"median of {args.runs} runs:\n")
    print("| commits in the repository | median | fastest |")
    print("|---:|---:|---:|")
    for made, median, fastest in rows:
        print(f"| {made:,} | {median:.0f} ms | {fastest:.0f} ms |")


if __name__ == "__main__":
    main()
