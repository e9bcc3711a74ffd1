#!/usr/bin/env python3
"""Generate linter/data/uwsgi_options.txt from uWSGI's own sources, one 2.0.x tag at a time.

    python3 scripts/gen_uwsgi_options.py GIT_DIR [-o linter/data/uwsgi_options.txt] [--since 2.0]

GIT_DIR is a (bare) clone of https://github.com/unbit/uwsgi with its tags (the `fetch` tool's
mirror: /work/.mirror/unbit+uwsgi/repo). For every tag 2.0, 2.0.1, ... (2.0.x and 2.0.x.y, no
release candidates) from --since on, it reads the option tables uWSGI registers:
`static struct uwsgi_option uwsgi_base_options[]` in core/uwsgi.c (plugin "core") and every
`struct uwsgi_option NAME[] = {` in plugins/*/*.c and plugins/*/*.cc (plugin = the directory
name, e.g. "python", which Debian builds as python3_plugin.so), and keeps the first string of each
`{"name", ...}` entry. Entries inside `#ifdef`/`#if` blocks are kept (valid on builds that define
the symbol) and their guard is written after them. Reads only through `git`; stdlib only.
Nothing of uWSGI is copied besides option names.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "linter", "data", "uwsgi_options.txt")
_TAG = re.compile(r"^2\.0(\.\d+)*$")
_TABLE = re.compile(r"struct\s+uwsgi_option\s+(\w+)\s*\[\s*\]\s*=\s*\{")
_ENTRY = re.compile(r'\{\s*"([^"]+)"')
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|(/\*.*?\*/|//[^\n]*)', re.S)
_PP = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)$")


def vtuple(tag: str) -> tuple[int, ...]:
    return tuple(int(p) for p in tag.split("."))


def git(git_dir: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", git_dir, *args], check=True, stdout=subprocess.PIPE,
                          text=True).stdout


def tags(git_dir: str, since: str) -> list[str]:
    found = [t for t in git(git_dir, "tag", "--list", "2.0*").split() if _TAG.match(t)]
    return sorted((t for t in found if vtuple(t) >= vtuple(since)), key=vtuple)


def _guard(stack: list[str]) -> str:
    return "&&".join("(%s)" % c if "||" in c and len(stack) > 1 else c for c in stack)


def merge_guards(guards) -> str:
    """One guard for a name seen under several: "" when unguarded anywhere or under X and !X."""
    found = set(guards)
    if "" in found or any(_negate(g) in found for g in found):
        return ""
    return "||".join(sorted("(%s)" % g if "&&" in g and len(found) > 1 else g for g in found))


def strip_comments(text: str) -> str:
    """C comments out (newlines kept, so line structure stays), string and char literals kept."""
    return _TOKEN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)) if m.group(1) else m.group(0), text)


def _negate(cond: str) -> str:
    if re.fullmatch(r"\w+", cond):
        return "!" + cond
    if re.fullmatch(r"!\w+", cond):
        return cond[1:]
    return "!(%s)" % cond


def parse_tables(text: str) -> list[tuple[str, str]]:
    """(option name, #if guard or "") of every uwsgi_option table in one C source."""
    out = []
    lines = strip_comments(text).split("\n")
    i = 0
    stack: list[str] = []  # conditions of the enclosing #if blocks (whole file, so guards around tables count)
    inside, depth = False, 0
    while i < len(lines):
        line = lines[i]
        pp = _PP.match(line)
        if pp:
            kind, cond = pp.group(1), re.sub(r"\s+", "", pp.group(2))
            if kind == "ifdef":
                stack.append(cond)
            elif kind == "ifndef":
                stack.append("!" + cond)
            elif kind == "if":
                stack.append(cond)
            elif kind == "elif" and stack:
                stack[-1] = "%s&&%s" % (_negate(stack[-1]), cond)
            elif kind == "else" and stack:
                stack[-1] = _negate(stack[-1])
            elif kind == "endif" and stack:
                stack.pop()
            i += 1
            continue
        if not inside:
            m = _TABLE.search(line)
            if m:
                inside, depth = True, 0
                line = line[m.end() - 1:]  # from the table's opening brace
            else:
                i += 1
                continue
        code = line
        for m in _ENTRY.finditer(code):
            if depth + code[:m.start()].count("{") - code[:m.start()].count("}") == 1:  # a top-level entry
                out.append((m.group(1), _guard(stack)))
        bare = _STRING.sub('""', code)
        depth += bare.count("{") - bare.count("}")
        if depth <= 0:
            inside = False
        i += 1
    return out


def _read_blobs(git_dir: str, shas: list[str]) -> dict[str, str]:
    proc = subprocess.run(["git", "--git-dir", git_dir, "cat-file", "--batch"], input=("\n".join(shas) + "\n").encode(),
                          stdout=subprocess.PIPE, check=True, text=False)
    data, pos, out = proc.stdout, 0, {}
    for sha in shas:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        size = int(header[2])
        out[sha] = data[end + 1:end + 1 + size].decode("utf-8", "replace")
        pos = end + 1 + size + 1
    return out


def options_of_tag(git_dir: str, tag: str, cache: dict) -> dict[tuple[str, str], str]:
    """(name, plugin) -> guard for one tag."""
    listing = git(git_dir, "ls-tree", "-r", tag, "--", "core/uwsgi.c", "plugins")
    files = []
    for row in listing.splitlines():
        meta, path = row.split("\t", 1)
        parts = path.split("/")
        if path == "core/uwsgi.c":
            plugin = "core"
        elif len(parts) == 3 and parts[2].endswith((".c", ".cc")):
            plugin = parts[1]
        else:
            continue
        files.append((plugin, meta.split()[2]))
    todo = sorted({sha for _, sha in files if sha not in cache})
    if todo:
        for sha, text in _read_blobs(git_dir, todo).items():
            cache[sha] = parse_tables(text) if "uwsgi_option" in text else []
    seen: dict[tuple[str, str], list[str]] = {}
    for plugin, sha in files:
        for name, guard in cache[sha]:
            seen.setdefault((name, plugin), []).append(guard)
    return {key: merge_guards(guards) for key, guards in seen.items()}


def generate(git_dir: str, since: str = "2.0") -> str:
    tag_list = tags(git_dir, since)
    if not tag_list:
        raise SystemExit("no 2.0.x tag from %s on in %s" % (since, git_dir))
    cache: dict = {}
    per_tag = [options_of_tag(git_dir, t, cache) for t in tag_list]
    rows = []
    for key in sorted(set().union(*per_tag)):
        start = None
        for i, present in enumerate(key in opts for opts in per_tag + [{}]):
            if present and start is None:
                start = i
            elif not present and start is not None:
                last = tag_list[i - 1] if i < len(tag_list) else ""
                guard = per_tag[i - 1][key]
                rows.append(" ".join(p for p in (key[0], key[1], tag_list[start], last,
                                                  "if=" + guard if guard else "") if p))
                start = None
    head = [
        "# uWSGI 2.0.x option names (what an ini key may be), per release, from uWSGI's own sources.",
        "# Generated by: python3 scripts/gen_uwsgi_options.py GIT_DIR --since %s  (GIT_DIR: a clone of" % since,
        "#   https://github.com/unbit/uwsgi); do not edit by hand. Tables read: uwsgi_base_options[] in",
        "#   core/uwsgi.c (plugin core) and every `struct uwsgi_option NAME[]` in plugins/*/*.c|cc (plugin =",
        "#   directory name; Debian's python3_plugin.so is plugin python).",
        "# Format, one line per option and contiguous run of releases:",
        "#   NAME PLUGIN FIRST [LAST] [if=GUARD]",
        "# FIRST/LAST: the first and last tag below that has it (no LAST: still in the newest tag).",
        "# GUARD: the #if/#ifdef condition around the entry (&&-joined): the option exists only in builds",
        "#   where it holds (e.g. UWSGI_SSL, UWSGI_PCRE, __linux__). Short aliases (-s) are not ini keys.",
        "# Read by wsgilint.uwsgi_options. The 2.0.21 set is checked against Debian's `uwsgi --help` (every",
        "#   plugin it ships) by tests/test_uwsgi_options.py.",
        "# Tags read (tag = commit):",
    ]
    for tag in tag_list:
        head.append("#   %s = %s" % (tag, git(git_dir, "rev-parse", tag + "^{commit}").strip()))
    return "\n".join(head + rows) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("git_dir", help="a clone (bare is fine) of unbit/uwsgi with tags")
    ap.add_argument("-o", "--output", default=DEFAULT_OUT, help="output file ('-' for stdout)")
    ap.add_argument("--since", default="2.0", help="first 2.0.x tag to read (default 2.0)")
    args = ap.parse_args(argv)
    text = generate(args.git_dir, args.since)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
