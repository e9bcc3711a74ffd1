#!/usr/bin/env python3
"""Where a check's time goes: each phase timed in-process, best of REPEAT runs.

    python3 bench/phases.py [TREE] [--repeat 3]

TREE defaults to bench/out/apache-10000 (run bench/run.py once to generate it). Each
repetition runs in a fresh process.
The phases are the pipeline's own layers (linter/pipeline.py): discover, resolve
(read + parse + includes/defines/conditionals), model (build + link), rules
(with inline suppressions), report (json). Start-up and exit are what the whole
process adds around them (bench/run.py measures the process).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PHASES = ("discover", "resolve", "model", "rules", "report")


def _once(tree: str) -> dict[str, float]:
    """One check's phases, in this (fresh) process."""
    from wsgilint import discover, knowledge, pipeline, registry, report
    from wsgilint.fsroot import FileSystem
    from wsgilint.model.build import build_apache, link
    from wsgilint.model.types import Deployment
    from wsgilint.resolve import apache as apache_resolve

    gc.disable()
    registry.all_rules()
    t = [time.perf_counter()]
    fs = FileSystem(None)
    plan = discover.discover(fs, [tree])
    t.append(time.perf_counter())
    configs = [apache_resolve.resolve(fs, root, defines={}, complete=True) for root in plan.apache_roots]
    t.append(time.perf_counter())
    model = Deployment(targets=knowledge.Targets())
    model.apache.extend(build_apache(cfg) for cfg in configs)
    link(model)
    t.append(time.perf_counter())
    model.sources = pipeline._sources(model)
    opts = pipeline.CheckOptions()
    result = pipeline.CheckResult([], model, [])
    found = result.findings = pipeline.after_rules(result, opts, pipeline._run_rules(model, opts))
    t.append(time.perf_counter())
    with open(os.devnull, "w") as out:
        report.get("json")(result, out, color=False, fail_on="never")
    t.append(time.perf_counter())
    times = {name: b - a for name, a, b in zip(PHASES, t, t[1:])}
    times["findings"] = len(found)
    return times


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("tree", nargs="?", default=str(HERE / "out" / "apache-10000"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not Path(args.tree).exists():
        print(f"missing {args.tree}: run bench/run.py first", file=sys.stderr)
        return 2
    if args.once:
        print(json.dumps(_once(args.tree)))
        return 0
    # Each repetition in a fresh process, as a real check runs: a second check in the same
    # process would start with the first one's heap.
    best: dict[str, float] = {}
    findings = 0
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, __file__, args.tree, "--once"], capture_output=True, text=True,
                             check=True).stdout
        times = json.loads(out)
        findings = times.pop("findings")
        for name, secs in times.items():
            best[name] = min(best.get(name, 1e9), secs)
    total = sum(best.values())
    for name, secs in best.items():
        print(f"{name:>9} {secs:7.3f} s  {secs / total:5.1%}")
    print(f"{'total':>9} {total:7.3f} s  ({findings} findings, best of {args.repeat} fresh processes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
