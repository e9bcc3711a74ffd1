#!/usr/bin/env python3
"""Benchmark: `wsgilint check` (whole process, cold) against `apache2 -t` on the same trees.

Generates the synthetic trees with ../shared/tools/gen_tree.py (1k and 10k vhosts,
18 lines each), then alternates the two commands REPEAT times per tree and prints
medians, the wsgilint/httpd ratio, the 10k/1k scaling and wsgilint's peak RSS.
Also times start-up on a tiny deployment and on a typical Debian tree (stock apache2 with
envvars, a few sites, a few uWSGI inis: ``debian_tree``) against a bare `python -c pass`
and `python -I -S -c pass`.

    python3 bench/run.py [--sizes 1000,10000] [--repeat 3] [--out bench/out]
    python3 bench/run.py --sizes ''      # the start-up cases only
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


def debian_tree(out: Path) -> Path:
    """A typical Debian host's /etc as a --root tree: Debian's stock /etc/apache2 (this
    machine's apache2 package: apache2.conf, ports.conf, envvars, magic, mods-/conf-available
    and -enabled, 000-default) when installed, else the example's; the example deployment's
    sites (glance, heat, cinder, keystone, swift) enabled beside 000-default; its uWSGI inis
    under /etc/<service>/. Rebuilt on every run (a few dozen small files)."""
    example = PROJECT / "fixtures" / "example" / "etc"
    tree = out / "debian"
    if tree.exists():
        shutil.rmtree(tree)
    etc = tree / "etc"
    etc.mkdir(parents=True)
    stock = Path("/etc/apache2")
    if (stock / "apache2.conf").is_file() and (stock / "envvars").is_file():
        shutil.copytree(stock, etc / "apache2", symlinks=True,
                        ignore=shutil.ignore_patterns("sites-available", "sites-enabled"))
        (etc / "apache2" / "sites-available").mkdir()
        (etc / "apache2" / "sites-enabled").mkdir()
        default = stock / "sites-available" / "000-default.conf"
        if default.is_file():
            shutil.copy(default, etc / "apache2" / "sites-available")
            os.symlink("../sites-available/000-default.conf", etc / "apache2" / "sites-enabled" / "000-default.conf")
    else:
        shutil.copytree(example / "apache2", etc / "apache2", symlinks=True,
                        ignore=shutil.ignore_patterns("sites-available", "sites-enabled"))
        (etc / "apache2" / "sites-available").mkdir()
        (etc / "apache2" / "sites-enabled").mkdir()
    for site in sorted((example / "apache2" / "sites-available").iterdir()):
        shutil.copy(site, etc / "apache2" / "sites-available")
        if (example / "apache2" / "sites-enabled" / site.name).exists():
            os.symlink(f"../sites-available/{site.name}", etc / "apache2" / "sites-enabled" / site.name)
    for ini in sorted(example.glob("*/*uwsgi*.ini")):
        (etc / ini.parent.name).mkdir(exist_ok=True)
        shutil.copy(ini, etc / ini.parent.name)
    return tree


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
    # The other outputs users run on the same trees (issues 17 and 18): each format of `check`, and
    # `wsgilint map`; printed after the table, next to the json check's time.
    formats = [(f"check -f {fmt}", [*entry, "check", "--format", fmt, "--fail-on", "never",
                                      "--output", os.devnull]) for fmt in ("sarif", "gitlab", "html")]
    formats += [(f"map -f {fmt}", [*entry, "map", "--format", fmt, "--output", os.devnull])
                for fmt in ("text", "dot")]
    others: dict[int, list] = {}
    # ratio: of the medians; paired: the median of each back-to-back pair's ratio.
    print(f"{'tree':>12} {'wsgilint s':>11} {'apache2 -t s':>13} {'ratio':>6} {'paired':>7} {'peak RSS MB':>12}")
    for n in [int(s) for s in args.sizes.split(",") if s.strip()]:
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
        others[n] = [(name, statistics.median(timed(cmd + [str(tree)])[0] for _ in range(max(1, args.repeat // 3))),
                      peak_rss_kib(cmd + [str(tree)]) / 1024)
                     for name, cmd in formats]
    for n, rows in others.items():
        for name, secs, rss in rows:
            print(f"{n:>12} {name:<16} {secs:>7.3f} s = {secs / medians[n]:.2f}x check -f json, peak RSS {rss:.1f} MB")
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
    # A typical Debian host (issue 16 item 10): stock apache2 with envvars, five sites, three
    # uWSGI inis; warm; the target is 4x `python -I -S -c pass`.
    debian = debian_tree(out)
    deb_cmd = wsgilint + ["--root", str(debian)]
    timed(deb_cmd)
    deb = statistics.median(timed(deb_cmd)[0] for _ in range(10))
    n_files = sum(1 for p in (debian / "etc").rglob("*") if p.is_file())
    print(f"start-up: wsgilint check --root (Debian tree: stock apache2 + envvars, 5 sites, 3 uWSGI inis; "
          f"{n_files} files) {deb:.3f} s = {deb / bare:.1f}x python -c pass, {deb / bare_s:.1f}x python -I -S "
          f"-c pass (warm)")
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
