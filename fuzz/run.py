"""Run every parser's atheris harness for a time budget: `python3 fuzz/run.py --seconds 30`.

Prints one line per harness (runs executed, crash or clean) and exits 1 on a crash.
Crash inputs are written by libFuzzer to --artifacts (default: a temp directory).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS = ("apache", "uwsgi_ini", "envvars", "nginx")


def run_one(target: str, seconds: int, artifacts: str) -> tuple[bool, int, str]:
    cmd = [sys.executable, os.path.join(HERE, f"fuzz_{target}.py"), f"-max_total_time={seconds}",
           "-rss_limit_mb=2048", "-timeout=10", f"-artifact_prefix={artifacts}/{target}-", "-max_len=4096"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    runs = re.findall(r"Done (\d+) runs", proc.stderr)
    ok = proc.returncode == 0
    return ok, int(runs[-1]) if runs else 0, proc.stderr[-3000:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=int, default=30, help="budget per harness")
    ap.add_argument("--only", choices=TARGETS, action="append", help="run only these harnesses")
    ap.add_argument("--artifacts", default=None, help="where crash inputs go")
    args = ap.parse_args()
    artifacts = args.artifacts or tempfile.mkdtemp(prefix="wsgilint-fuzz-")
    failed = False
    for target in args.only or TARGETS:
        ok, runs, log = run_one(target, args.seconds, artifacts)
        print(f"{target}: {runs} inputs in {args.seconds}s: {'clean' if ok else 'CRASH (see ' + artifacts + ')'}")
        if not ok:
            failed = True
            print(log, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
