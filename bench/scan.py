#!/usr/bin/env python3
"""Benchmarks the acceptance checklist's scan of one large delivery.

    python3 bench/scan.py [--files 5000] [--megabytes 200] [--runs 3]

Builds a repository in bench/out/scan/ holding the example unit gwa-core 4.2.0
with FILES extra files of about MEGABYTES in total: configuration files (YAML,
properties, XML, JSON, .env), Markdown and plain-text documents, shell scripts,
and binary blobs (one in fifty, skipped by the scanner). The files are clean:
placeholders where secrets would be, so the run measures the scan, not the
reporting. Then it times, after one warm-up run each:

- `release-gate lint` on the unit (release build; both cores), and pinned to one
  core with `taskset -c 0`;
- `detect-secrets scan --all-files` (Yelp's secret scanner, from PyPI, installed
  into bench/.venv-scan with `python3 -m venv bench/.venv-scan &&
  bench/.venv-scan/bin/pip install detect-secrets==1.5.0`) on the same folder,
  when it is installed: once (`--peer-runs`), as one run takes minutes.

It prints a Markdown table with medians and the ratio, and writes the raw
timings to bench/out/scan.json. Needs a release build (`cargo build --release`).
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
UNIT = Path("releases/gwa-core/4.2.0")
AT = "2026-11-17T12:00:00+01:00"

WORDS = (
    "gateway meter tenant certificate renewal operator window deployment backend "
    "session timeout audit entry revocation tariff zone profile channel retry "
    "interval threshold export import schedule queue worker cache limit"
).split()


def line_config(rng, i):
    key = f"{rng.choice(WORDS)}.{rng.choice(WORDS)}.{rng.choice(WORDS)}{i}"
    kind = rng.random()
    if kind < 0.02:
        return f"{key}.password=${{{key.upper().replace('.', '_')}}}"
    if kind < 0.5:
        return f"{key}={rng.randint(0, 100000)}"
    return f"{key}={' '.join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))}"


def text_for(rng, kind, size):
    lines, length, i = [], 0, 0
    while length < size:
        i += 1
        if kind == "properties" or kind == "env":
            line = line_config(rng, i)
            if kind == "env":
                line = line.replace(".", "_").upper().replace("=", "=", 1)
        elif kind == "yaml":
            line = f"{'  ' * (i % 3)}{rng.choice(WORDS)}-{i}: {rng.choice(WORDS)} {rng.randint(0, 999)}"
        elif kind == "xml":
            line = f'  <entry key="{rng.choice(WORDS)}.{i}">{rng.choice(WORDS)} {rng.randint(0, 99)}</entry>'
        elif kind == "json":
            line = f'  "{rng.choice(WORDS)}{i}": "{rng.choice(WORDS)}-{rng.randint(0, 9999)}",'
        elif kind == "sh":
            line = f'echo "{rng.choice(WORDS)} {i}" && ./bin/{rng.choice(WORDS)} --{rng.choice(WORDS)}={rng.randint(0, 9)}'
        else:  # md, txt
            line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 16))) + "."
        lines.append(line)
        length += len(line) + 1
    return "\n".join(lines) + "\n"


def build(files, megabytes, seed):
    out = BENCH / "out" / "scan"
    if out.exists():
        shutil.rmtree(out)
    unit = out / UNIT
    shutil.copytree(REPO / "examples" / UNIT, unit)
    (out / ".git").mkdir()
    policy = (REPO / "policy" / "default.yaml").read_text()
    (out / ".release-gate.yaml").write_text(
        policy.replace("valid-until: 2020-12-31", "valid-until: 2027-12-31")
    )
    rng = random.Random(seed)
    average = megabytes * 1_000_000 // files
    kinds = ["properties", "yaml", "xml", "json", "env", "sh", "md", "txt"]
    total = 0
    for n in range(files):
        size = max(64, int(rng.expovariate(1 / average)))
        folder = unit / "payload" / f"part-{n % 50:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        if n % 50 == 49:
            data = bytes(rng.getrandbits(8) for _ in range(min(size, 4096))) * max(1, size // 4096)
            (folder / f"blob-{n}.bin").write_bytes(b"\0" + data)
            total += len(data) + 1
            continue
        kind = kinds[n % len(kinds)]
        name = f"file-{n}.{kind}" if kind != "env" else f"file-{n}.env"
        text = text_for(rng, kind, size)
        (folder / name).write_text(text)
        total += len(text)
    return out, total


def timed(command, cwd, runs, warm_up=True):
    if warm_up:
        subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
    return times, done


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--peer-runs", type=int, default=1, help="timed runs of the peer (default 1)")
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args()

    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    binary = target / "release" / "release-gate"
    if not binary.exists():
        sys.exit(f"no release build at {binary}: run `cargo build --release` first")

    out, total = build(args.files, args.megabytes, args.seed)
    print(f"delivery: {args.files} files + the example unit, {total / 1e6:.0f} MB", file=sys.stderr)

    lint = [str(binary), "lint", "--at", AT, "--format", "json", str(UNIT)]
    rows = {}
    times, done = timed(lint, out, args.runs)
    report = json.loads(done.stdout)
    acceptance = report["acceptance"][0]
    if acceptance["verdict"] != "accepted":
        sys.exit(f"the generated delivery is not accepted: {json.dumps(report)[:2000]}")
    rows["release-gate lint (2 cores)"] = times
    if shutil.which("taskset"):
        rows["release-gate lint (1 core)"] = timed(["taskset", "-c", "0"] + lint, out, args.runs)[0]

    detect = BENCH / ".venv-scan" / "bin" / "detect-secrets"
    if detect.exists():
        command = [str(detect), "scan", "--all-files", str(UNIT)]
        # Minutes per run: one run, after release-gate's runs warmed the cache.
        runs = args.peer_runs
        rows["detect-secrets scan --all-files"] = timed(command, out, runs, warm_up=False)[0]

    base = statistics.median(rows["release-gate lint (2 cores)"])
    print(f"\nscanned: {acceptance['files-scanned']} files, "
          f"{acceptance['bytes-scanned'] / 1e6:.0f} MB, {acceptance['binary-skipped']} binary skipped\n")
    print("| tool | median | runs | / release-gate |")
    print("|---|---:|---:|---:|")
    for name, values in rows.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.2f} s | {len(values)} | {median / base:.1f}x |")
    (BENCH / "out" / "scan.json").write_text(json.dumps({
        "files": args.files, "bytes": total, "acceptance": acceptance,
        "timings": rows,
    }, indent=2))


if __name__ == "__main__":
    main()
