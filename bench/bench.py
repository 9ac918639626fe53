#!/usr/bin/env python3
"""Time `release-gate lint` against check-jsonschema and ajv-cli on one corpus.

All tools validate the same YAML files against the same schema
(schemas/release.schema.json, draft 2020-12). Every command is first run once,
untimed, to check that the tool accepts the corpus (exit 0, and it saw every
file); a tool that rejects the corpus aborts the benchmark, since its timings
would not mean anything. Then each command is timed by wall clock, process
start included, with output sent to /dev/null, its runs back to back, each
after reading the corpus once (untimed) so that every run finds it in the page
cache.

Usually started by bench/run.sh, which installs the peers, builds the binary and
generates the corpora; see bench/README.md. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent

# The evaluation instant: before the embedded policy's `valid-until`
# (2020-12-31), so release-gate does not add its "policy expired" warning.
AT = "2020-06-01T12:00:00+02:00"

SCHEMA = "schemas/release.schema.json"

# Targets from the project's requirements (peer time / release-gate time).
TARGET_CHECK_JSONSCHEMA = 30.0
TARGET_AJV = 5.0
TARGET_SINGLE_MS = 5.0


class BenchError(Exception):
    """A reason to stop: a tool is missing or does not accept the corpus."""


@dataclass
class Tool:
    """One command line to time, and how to tell that it accepted the corpus."""

    label: str
    argv: list[str]
    runs: int
    # Checks the output of the verification run; returns an error or None.
    verify: Callable[[str], str | None]
    times: list[float] = field(default_factory=list)  # seconds

    def shown(self) -> str:
        """The command as a person would type it (long file lists shortened)."""
        parts = [_short(p) for p in self.argv]
        if len(parts) > 12:
            parts = parts[:6] + [f"<{len(parts) - 6} more files>"]
        return " ".join(_quote(p) for p in parts)


def _short(arg: str) -> str:
    """An absolute path inside the repository, written relative to it."""
    if os.path.isabs(arg) and Path(arg).is_relative_to(REPO):
        return os.path.relpath(arg, REPO)
    return arg


def _quote(arg: str) -> str:
    return f"'{arg}'" if any(c in arg for c in "*? ") else arg


# --------------------------------------------------------------------------
# Output checks: each tool must have validated every file and found no error.


def release_gate_saw(count: int):
    def verify(out: str) -> str | None:
        match = re.search(r"^(\d+) files? clean$", out, re.MULTILINE)
        if not match:
            return "release-gate did not report the files clean"
        if int(match.group(1)) != count:
            return f"release-gate linted {match.group(1)} files, expected {count}"
        return None

    return verify


def check_jsonschema_ok(_count: int):
    def verify(out: str) -> str | None:
        return None if "ok -- validation done" in out else "check-jsonschema did not say `ok`"

    return verify


def ajv_saw(count: int):
    def verify(out: str) -> str | None:
        valid = sum(1 for line in out.splitlines() if line.endswith(" valid"))
        if valid != count:
            return f"ajv reported {valid} files valid, expected {count}"
        return None

    return verify


# --------------------------------------------------------------------------
# Running and timing.


def run_captured(tool: Tool) -> None:
    """The untimed verification (and warm-up) run."""
    proc = subprocess.run(tool.argv, cwd=REPO, capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    problem = None if proc.returncode == 0 else f"exit code {proc.returncode}"
    problem = problem or tool.verify(out)
    if problem:
        lines = out.splitlines()
        excerpt = "\n".join(lines[:60] + ([f"... ({len(lines) - 60} more lines)"] if len(lines) > 60 else []))
        raise BenchError(
            f"{tool.label} does not accept the corpus ({problem}); no benchmark without that.\n"
            f"command: {tool.shown()}\noutput:\n{excerpt}"
        )


def time_once(argv: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise BenchError(f"`{' '.join(argv[:6])} ...` exited {proc.returncode} during timing")
    return elapsed


def warm(paths: list[Path]) -> None:
    """Reads every file below `paths` (untimed), so the next run finds the
    corpus in the page cache. Needed on machines that page out memory left
    untouched for a minute or so (proactive reclaim, e.g. DAMON): while a peer
    runs for 90 s, the corpus and the other tools' files would go cold."""
    for path in paths:
        files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file())
        for file in files:
            with open(file, "rb") as handle:
                while handle.read(1 << 20):
                    pass


def measure(tools: list[Tool], progress: str, corpus: list[Path]) -> None:
    """Per tool: one untimed run that checks the output (and warms up the
    tool's own files), then the timed runs back to back, each after `warm`."""
    for tool in tools:
        print(f"[bench] {progress}: checking {tool.label} ...", file=sys.stderr, flush=True)
        warm(corpus)
        run_captured(tool)
        for _ in range(tool.runs):
            warm(corpus)
            tool.times.append(time_once(tool.argv))
        print(f"[bench] {progress}: {tool.label}: {tool.runs} runs, median "
              f"{ms(statistics.median(tool.times))}", file=sys.stderr, flush=True)


class ForeignCpu:
    """Measures the CPU time that other processes used while the benchmark ran:
    all busy time of the machine (/proc/stat) minus this process and its
    children. Load averages lag by minutes (and count the build just before)."""

    def __init__(self) -> None:
        self.start = self._sample()

    @staticmethod
    def _sample() -> tuple[float, float, float] | None:
        try:
            fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        except (OSError, ValueError):
            return None
        tick = os.sysconf("SC_CLK_TCK")
        busy = sum(fields[i] for i in (0, 1, 2, 5, 6)) / tick  # user nice system irq softirq
        own = os.times()
        mine = own.user + own.system + own.children_user + own.children_system
        return busy, mine, time.monotonic()

    def share(self) -> float | None:
        """Other processes' CPU time per second of wall time (1.0 = one full CPU)."""
        end = self._sample()
        if self.start is None or end is None:
            return None
        busy, mine, wall = (e - s for e, s in zip(end, self.start))
        return max(0.0, busy - mine) / max(wall, 1e-9)


def p95(values: list[float]) -> float:
    """The 95th percentile, nearest-rank method."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


# --------------------------------------------------------------------------
# Facts about the machine and the tools.


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def output_of(argv: list[str]) -> str:
    try:
        proc = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=60)
        return (proc.stdout or proc.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unknown"


def npm_version(package: str) -> str:
    try:
        data = json.loads((BENCH / "node/node_modules" / package / "package.json").read_text())
        return data["version"]
    except (OSError, ValueError, KeyError):
        return "unknown"


def git_head() -> str:
    """The checked-out commit, read from .git without running git."""
    try:
        head = (REPO / ".git/HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:12]
        ref = head[5:]
        loose = REPO / ".git" / ref
        if loose.exists():
            return f"{loose.read_text().strip()[:12]} ({ref.removeprefix('refs/heads/')})"
        for line in (REPO / ".git/packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return f"{line.split()[0][:12]} ({ref.removeprefix('refs/heads/')})"
    except OSError:
        pass
    return "unknown"


def facts(release_gate: str, check_jsonschema: str, ajv: str) -> list[tuple[str, str]]:
    venv_python = str(Path(check_jsonschema).parent / "python")
    py_libs = output_of([
        venv_python, "-c",
        "from importlib.metadata import version as v; "
        "print(f\"jsonschema {v('jsonschema')}, ruamel.yaml {v('ruamel.yaml')}\")",
    ])
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        ("CPU", cpu_model()),
        ("nproc (usable CPUs)", f"{affinity} (of {os.cpu_count()} online)"),
        ("memory", mem_total()),
        ("kernel", f"{platform.system()} {platform.release()}"),
        ("release-gate", f"{output_of([release_gate, '--version'])}, commit {git_head()} "
                         "(working tree may hold uncommitted changes)"),
        ("check-jsonschema", f"{output_of([check_jsonschema, '--version'])} "
                             f"(Python {output_of([venv_python, '--version']).split()[-1]}; {py_libs})"),
        ("ajv-cli", f"{npm_version('ajv-cli')} (ajv {npm_version('ajv')}, ajv-formats "
                    f"{npm_version('ajv-formats')}, js-yaml {npm_version('js-yaml')}; "
                    f"Node.js {output_of(['node', '--version'])})"),
        ("harness", f"Python {platform.python_version()}, subprocess + time.perf_counter"),
    ]


def corpus_files(corpus: Path) -> list[str]:
    """The manifests of a corpus, relative to the repository, sorted."""
    files = sorted(corpus.glob("releases/*/*/release.yaml"))
    if not files:
        raise BenchError(f"no manifests under {corpus}/releases; run bench/generate.py first")
    return [os.path.relpath(f, REPO) for f in files]


# --------------------------------------------------------------------------
# Markdown.


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"


def ratio(peer: float, base: float) -> str:
    return f"{peer / base:.1f}x"


def corpus_table(title: str, tools: list[Tool], base: Tool, one_cpu: Tool | None) -> list[str]:
    head = "| tool | runs | median | min | mean | peer / release-gate (median) |"
    rule = "|---|---:|---:|---:|---:|---:|"
    if one_cpu:
        head += " peer / release-gate on 1 CPU (median) |"
        rule += "---:|"
    lines = [f"### {title}", "", head, rule]
    for tool in tools:
        med = statistics.median(tool.times)
        row = (f"| {tool.label} | {len(tool.times)} | {ms(med)} | {ms(min(tool.times))} | "
               f"{ms(statistics.mean(tool.times))} | ")
        peer = not tool.label.startswith("release-gate")
        row += (ratio(med, statistics.median(base.times)) if peer else "-") + " |"
        if one_cpu:
            row += " " + (ratio(med, statistics.median(one_cpu.times)) if peer else "-") + " |"
        lines.append(row)
    return lines + [""]


def single_table(tools: list[Tool], base: Tool) -> list[str]:
    lines = [
        "### 1 manifest (the pre-commit case)",
        "",
        "| tool | runs | mean | p95 | median | min | peer / release-gate (mean) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for tool in tools:
        mean = statistics.mean(tool.times)
        peer = tool is not base
        lines.append(
            f"| {tool.label} | {len(tool.times)} | {ms(mean)} | {ms(p95(tool.times))} | "
            f"{ms(statistics.median(tool.times))} | {ms(min(tool.times))} | "
            f"{ratio(mean, statistics.mean(base.times)) if peer else '-'} |"
        )
    return lines + [""]


def verdict(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


# --------------------------------------------------------------------------


def corpus_tools(args, corpus: Path, runs_fast: int, runs_slow: int) -> tuple[list[Tool], int]:
    files = corpus_files(corpus)
    count = len(files)
    rel = os.path.relpath(corpus, REPO)
    lint = [args.release_gate, "lint", "--at", AT, rel]
    tools = [Tool("release-gate", lint, runs_fast, release_gate_saw(count))]
    cpu = one_cpu()
    if cpu is not None:
        tools.append(Tool("release-gate (1 CPU, taskset)", ["taskset", "-c", cpu] + lint,
                          runs_fast, release_gate_saw(count)))
    tools += [
        Tool("check-jsonschema", [args.check_jsonschema, "--schemafile", SCHEMA, *files],
             runs_slow, check_jsonschema_ok(count)),
        Tool("ajv-cli", ajv_argv(args.ajv, f"{rel}/releases/*/*/release.yaml"), runs_slow, ajv_saw(count)),
    ]
    return tools, count


def ajv_argv(ajv: str, data: str) -> list[str]:
    # ajv-cli reads .yaml data files itself (js-yaml); -c loads ajv-formats into
    # the Ajv instance. Strict mode stays on: the schema passes it.
    return [ajv, "validate", "--spec=draft2020", "-c", "ajv-formats", "-s", SCHEMA, "-d", data]


def one_cpu() -> str | None:
    """The first usable CPU, for a single-core release-gate run; None if pointless."""
    if not hasattr(os, "sched_getaffinity") or shutil.which("taskset") is None:
        return None
    cpus = sorted(os.sched_getaffinity(0))
    return str(cpus[0]) if len(cpus) > 1 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=BENCH / "out/corpus",
                        help="main corpus (default bench/out/corpus)")
    parser.add_argument("--small-corpus", type=Path, default=BENCH / "out/corpus-small",
                        help="optional smaller corpus, skipped when missing (default bench/out/corpus-small)")
    parser.add_argument("--runs", type=int, default=10,
                        help="timed runs of release-gate per corpus (default 10)")
    parser.add_argument("--runs-slow", type=int, default=3,
                        help="timed runs of each peer per corpus (default 3)")
    parser.add_argument("--single-runs", type=int, default=200,
                        help="timed runs of release-gate on one file (default 200)")
    parser.add_argument("--single-runs-slow", type=int, default=20,
                        help="timed runs of each peer on one file (default 20)")
    parser.add_argument("--out", type=Path, default=BENCH / "out/results.md",
                        help="Markdown report; a .json twin is written beside it")
    parser.add_argument("--release-gate", default=str(REPO / "target/release/release-gate"))
    parser.add_argument("--check-jsonschema", default=str(BENCH / ".venv/bin/check-jsonschema"))
    parser.add_argument("--ajv", default=str(BENCH / "node/node_modules/.bin/ajv"))
    args = parser.parse_args()

    for name in ("release_gate", "check_jsonschema", "ajv"):
        path = getattr(args, name)
        if not os.access(path, os.X_OK):
            raise BenchError(f"{path} is missing; run bench/run.sh, which installs and builds it")
    # The corpus is written for the embedded policy; a repository policy would
    # judge it by other rules (and time other work).
    policy = output_of([args.release_gate, "policy", "show"])
    if "embedded default" not in policy:
        raise BenchError(f"release-gate does not use its embedded policy here: {policy}")

    foreign = ForeignCpu()
    started = time.strftime("%Y-%m-%d %H:%M:%S %z")
    sections: list[str] = []
    targets: list[str] = []
    record: dict = {"started": started, "corpora": {}, "single": {}}

    # Spawn cost of the harness itself, included in every number below.
    floor = Tool("/bin/true", [shutil.which("true") or "/bin/true"], args.single_runs, lambda _out: None)
    measure([floor], "harness floor", [])

    corpora = [args.corpus]
    if args.small_corpus.exists() and args.small_corpus.resolve() != args.corpus.resolve():
        corpora.append(args.small_corpus)
    main_count = None
    for corpus in corpora:
        tools, count = corpus_tools(args, corpus, args.runs, args.runs_slow)
        measure(tools, f"{count:,} files", [corpus])
        base = tools[0]
        single_core = next((t for t in tools if "taskset" in t.argv), None)
        sections += corpus_table(f"{count:,} manifests", tools, base, single_core)
        record["corpora"][str(count)] = {t.label: {"argv": t.shown(), "seconds": t.times} for t in tools}
        if main_count is None:
            main_count = count
            by_label = {t.label: t for t in tools}
            base_med = statistics.median(base.times)
            cj = statistics.median(by_label["check-jsonschema"].times) / base_med
            aj = statistics.median(by_label["ajv-cli"].times) / base_med
            targets += [
                f"| {count:,} manifests: check-jsonschema / release-gate >= {TARGET_CHECK_JSONSCHEMA:.0f}x "
                f"| {cj:.1f}x | {verdict(cj >= TARGET_CHECK_JSONSCHEMA)} |",
                f"| {count:,} manifests: ajv-cli / release-gate >= {TARGET_AJV:.0f}x "
                f"| {aj:.1f}x | {verdict(aj >= TARGET_AJV)} |",
            ]
            commands = tools

    # One file, as a pre-commit hook sees it.
    first = corpus_files(args.corpus)[0]
    singles = [
        Tool("release-gate", [args.release_gate, "lint", "--at", AT, first], args.single_runs,
             release_gate_saw(1)),
        Tool("check-jsonschema", [args.check_jsonschema, "--schemafile", SCHEMA, first],
             args.single_runs_slow, check_jsonschema_ok(1)),
        Tool("ajv-cli", ajv_argv(args.ajv, first), args.single_runs_slow, ajv_saw(1)),
    ]
    measure(singles, "1 file", [REPO / first])
    sections += single_table(singles, singles[0])
    record["single"] = {t.label: {"argv": t.shown(), "seconds": t.times} for t in singles}
    mean_ms = statistics.mean(singles[0].times) * 1000
    p95_ms = p95(singles[0].times) * 1000
    targets.append(f"| 1 manifest: release-gate mean < {TARGET_SINGLE_MS:.0f} ms (p95 {p95_ms:.2f} ms) "
                   f"| {mean_ms:.2f} ms | {verdict(mean_ms < TARGET_SINGLE_MS)} |")

    other = foreign.share()
    ncpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    floor_ms = statistics.mean(floor.times) * 1000

    report = [f"## release-gate benchmark ({started})", ""]
    report += ["| machine / tool | |", "|---|---|"]
    report += [f"| {k} | {v} |" for k, v in facts(args.release_gate, args.check_jsonschema, args.ajv)]
    other_text = "unknown" if other is None else f"{other:.2f} CPUs on average"
    report += [f"| CPU used by other processes during the run | {other_text} |", ""]
    report += sections
    report += ["### Targets", "", "| target | measured | |", "|---|---:|---|", *targets, ""]
    report += ["### Commands (run from the repository root)", ""]
    report += [f"- {t.label}: `{t.shown()}`" for t in commands]
    report += [f"- 1 manifest: the same commands with `{first}` as the only file", ""]
    report += [
        "### Notes",
        "",
        f"- Wall clock per process, started from Python's `subprocess`; process start is included. "
        f"Starting `/bin/true` the same way takes {floor_ms:.2f} ms on average here (the harness floor).",
        "- Warm cache: each command ran once untimed (checking that the tool accepts every file), "
        "then its timed runs back to back, each after the corpus was read once, untimed. Output goes "
        "to /dev/null.",
        f"- release-gate spreads files over all usable CPUs ({ncpu} here); check-jsonschema and ajv-cli "
        "run on one. The `taskset` row pins release-gate to one CPU for a per-core comparison.",
        "- release-gate does more than the peers: besides the schema it checks the policy's rules "
        "(people, version shape, layout, time offsets, unique names).",
        "- All tools read the same YAML files. `delivered` is quoted in them: ajv-cli's YAML 1.1 "
        "loader (js-yaml 3) turns an unquoted timestamp into a date, which `type: string` rejects.",
        "- ajv-cli ran with its default strict mode; `--strict=false` was not needed. The schema uses "
        "no `format`, so ajv-formats (and check-jsonschema's format checks) have nothing to check.",
        "- ratio = peer time / release-gate time; above 1 means release-gate is faster.",
    ]
    if other is not None and other > 0.1 * ncpu:
        report.append(f"- **Warning:** other processes used {other:.2f} of the {ncpu} CPUs on "
                      "average during the run; the numbers are noisy. Rerun on a quiet machine.")
    text = "\n".join(report) + "\n"

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    record["markdown"] = text
    args.out.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(text)
    print(f"[bench] written to {args.out} and {args.out.with_suffix('.json')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as err:
        print(f"bench.py: {err}", file=sys.stderr)
        sys.exit(1)
