"""uWSGI 2.0.x option names per release, from linter/data/uwsgi_options.txt.

The data file is generated from uWSGI's own sources, one line per option and run of releases
(`NAME PLUGIN FIRST [LAST] [if=GUARD]`; scripts/gen_uwsgi_options.py reads the option tables of
core/uwsgi.c and plugins/*/*.c of every unbit/uwsgi tag 2.0 ... 2.0.30; its header lists the commit
of each tag). Read once, lazily, through the package loader (no file access besides that).
"""
from __future__ import annotations

import functools

DATA_FILE = "data/uwsgi_options.txt"

def _vtuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


@functools.cache
def _table() -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[str, str, tuple, tuple | None, str], ...]]:
    """(tags read, ((name, plugin, first, last or None, guard), ...)) from the data file."""
    import os

    import wsgilint

    # What pkgutil.get_data does (the package loader's own read: a file, or a member of a
    # zip), without importlib.resources' pathlib, tempfile and zipfile or pkgutil's typing.
    path = os.path.join(os.path.dirname(wsgilint.__file__), *DATA_FILE.split("/"))
    text = wsgilint.__spec__.loader.get_data(path).decode("utf-8")
    tags, rows, in_tags = [], [], False
    for line in text.splitlines():
        if line.startswith("#"):
            if line.startswith("# Tags read"):
                in_tags = True
            elif in_tags and " = " in line:
                tags.append(_vtuple(line[1:].split("=")[0].strip()))
            continue
        fields = line.split()
        if not fields:
            continue
        guard = fields.pop()[3:] if fields[-1].startswith("if=") else ""
        name, plugin, first = fields[:3]
        last = _vtuple(fields[3]) if len(fields) > 3 else None
        rows.append((name, plugin, _vtuple(first), last, guard))
    return tuple(sorted(tags)), tuple(rows)


def tags() -> tuple[tuple[int, ...], ...]:
    """The uWSGI tags the data file was generated from, oldest first."""
    return _table()[0]


def release_of(version: tuple) -> tuple[int, ...]:
    """The tag whose option set `version` has: the newest tag not newer than it (2.0.21 for a
    Debian 2.0.21-5.1; 2.0.30 for a 2.0.31 the data does not know yet; the oldest tag for older)."""
    known = tags()
    fitting = [t for t in known if t <= tuple(version)]
    return fitting[-1] if fitting else known[0]


def options_for(version: tuple | None) -> dict[str, str]:
    """Option name -> plugin ("core" or the plugin's source directory) of uWSGI `version`
    (e.g. (2, 0, 21)); None: every option of any 2.0.x release. Options behind an #ifdef are
    included (valid on some builds)."""
    return dict(_options_for(None if version is None else release_of(version)))


@functools.cache
def _options_for(tag: tuple | None) -> dict[str, str]:
    if tag is None:
        return {name: plugin for name, plugin, _, _, _ in _table()[1]}
    return {name: plugin for name, plugin, first, last, _ in _table()[1]
            if first <= tag and (last is None or tag <= last)}


@functools.cache
def _first() -> dict[str, tuple[int, ...]]:
    out: dict[str, tuple[int, ...]] = {}
    for name, _, first, _, _ in _table()[1]:
        out[name] = min(out.get(name, first), first)
    return out


def first_version(name: str) -> tuple[int, ...] | None:
    """The first 2.0.x tag whose option tables have `name` (None: no 2.0.x release has it)."""
    return _first().get(name)


def first_version_after(name: str, version: tuple) -> tuple[int, ...] | None:
    """The first tag newer than `version`'s release that has `name` (None: none has it)."""
    tag = release_of(version)
    starts = [first for n, _, first, _, _ in _table()[1] if n == name and first > tag]
    return min(starts) if starts else None


def guard(name: str) -> str:
    """The #if condition around `name` in the newest release that has it ("" = every build)."""
    found = [(last or (10**6,), g) for n, _, _, last, g in _table()[1] if n == name]
    return max(found)[1] if found else ""
