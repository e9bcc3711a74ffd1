#!/usr/bin/env python3
"""Benchmark: `wsgilint check` (whole process, cold) against `apache2 -t` on the same trees.

Generates the synthetic trees with ../shared/tools/gen_tree.py (1k and 10k vhosts,
18 lines each), then alternates the two commands REPEAT times per tree and prints
medians, the wsgilint/httpd ratio, the 10k/1k scaling and wsgilint's peak RSS.
Also times start-up on a tiny deployment against a bare `python -c pass`.

    python3 bench/run.py [--sizes 1000,10000] [--repeat 3] [--out bench/out]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
GEN = PROJECT.parent / "shared" / "tools" / "gen_tree.py"


# Measure what users run: bytecode caching on (some shells export
# PYTHONDONTWRITEBYTECODE=1, which recompiles every module on every run).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, int, int]:
    """Wall seconds, exit code and peak RSS (KiB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    dt = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return dt, proc.returncode, max(after, before) if after > before else after


def peak_rss_kib(cmd: list[str]) -> int:
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        return int(out.stderr.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return -1


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(HERE / "out"))
    args = ap.parse_args()
    if not GEN.exists():
        print(f"missing {GEN} (../shared)", file=sys.stderr)
        return 2
    apache2 = shutil.which("apache2") or "/usr/sbin/apache2"
    # The `wsgilint` console script that pip wrote next to this interpreter (what users run;
    # a pyenv shim on PATH would add a shell), else `python -m wsgilint` (runpy: ~3 ms more).
    script = Path(sys.executable).parent / "wsgilint"
    entry = [str(script)] if script.is_file() else [sys.executable, "-m", "wsgilint"]
    wsgilint = [*entry, "check", "--format", "json", "--fail-on", "never"]
    print(f"wsgilint command: {' '.join(wsgilint)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    medians = {}
    # ratio: of the medians; paired: the median of each back-to-back pair's ratio.
    print(f"{'tree':>12} {'wsgilint s':>11} {'apache2 -t s':>13} {'ratio':>6} {'paired':>7} {'peak RSS MB':>12}")
    for n in [int(s) for s in args.sizes.split(",")]:
        tree = out / f"apache-{n}"
        if not (tree / "httpd.conf").exists():
            subprocess.run([sys.executable, str(GEN), "apache", str(n), str(tree)], check=True,
                           stdout=subprocess.DEVNULL)
        (tree / "run").mkdir(exist_ok=True)
        w_times, h_times = [], []
        httpd = [apache2, "-d", str(tree), "-f", str(tree / "httpd.conf"), "-t"]
        for i in range(args.repeat):
            # Back to back, first one then the other: the VM's speed drifts over seconds.
            if i % 2 == 0:
                w_times.append(timed(wsgilint + [str(tree)])[0])
                h_times.append(timed(httpd)[0])
            else:
                h_times.append(timed(httpd)[0])
                w_times.append(timed(wsgilint + [str(tree)])[0])
        w, h = statistics.median(w_times), statistics.median(h_times)
        paired = statistics.median(a / b for a, b in zip(w_times, h_times))
        rss = peak_rss_kib(wsgilint + [str(tree)]) / 1024
        medians[n] = w
        print(f"{n:>12} {w:>11.3f} {h:>13.3f} {w / h:>6.2f} {paired:>7.2f} {rss:>12.1f}")
    if len(medians) >= 2:
        lo, hi = min(medians), max(medians)
        print(f"scaling {hi}/{lo}: {medians[hi] / medians[lo]:.2f}x for {hi / lo:.0f}x the input")
    tiny = PROJECT / "fixtures" / "deployments" / "correct"
    timed(wsgilint + [str(tiny)])  # write the bytecode caches once
    bare = statistics.median(timed([sys.executable, "-c", "pass"])[0] for _ in range(10))
    small = statistics.median(timed(wsgilint + [str(tiny)])[0] for _ in range(10))
    print(f"start-up: python -c pass {bare:.3f} s; wsgilint check (5-file deployment) {small:.3f} s "
          f"= {small / bare:.1f}x (warm: bytecode cached)")
    # The interpreter alone, without site (this machine's site-packages run .pth files at
    # every start: ~30 ms here). A venv without them starts about this fast.
    bare_s = statistics.median(timed([sys.executable, "-I", "-S", "-c", "pass"])[0] for _ in range(10))
    print(f"start-up: python -I -S -c pass {bare_s:.3f} s; the warm check is {small / bare_s:.1f}x that")
    # Cold: wsgilint's own modules have no bytecode yet (the first run after an editable
    # install or `pip install --no-compile`): a copy of the package is imported from a
    # temporary directory with bytecode writing off, so every one of its modules is
    # compiled on each run. The standard library and typer keep their installed bytecode.
    import tempfile

    with tempfile.TemporaryDirectory(prefix="wsgilint-cold-") as tmp:
        pkg = Path(tmp) / "wsgilint"
        shutil.copytree(PROJECT / "linter", pkg, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(PROJECT / "rules", pkg / "rules", ignore=shutil.ignore_patterns("__pycache__"))
        cold_cmd = [sys.executable, "-c", f"import sys; sys.path.insert(0, {tmp!r}); "
                    "from wsgilint.cli import main; sys.argv[0] = 'wsgilint'; main()",
                    *wsgilint[len(entry):], str(tiny)]
        global ENV
        warm_env = ENV
        ENV = {**warm_env, "PYTHONDONTWRITEBYTECODE": "1"}
        try:
            cold = statistics.median(timed(cold_cmd)[0] for _ in range(5))
        finally:
            ENV = warm_env
    print(f"start-up cold: wsgilint check (5-file deployment, wsgilint's modules without bytecode) "
          f"{cold:.3f} s = {cold / bare:.1f}x python -c pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
