"""Load and validate wsgilint's configuration file (``.wsgilint.toml`` or ``[tool.wsgilint]``).

The file is looked for from the current directory upward: in each directory a
``.wsgilint.toml`` (keys at top level, or under ``[tool.wsgilint]``) wins over a
``pyproject.toml`` that has a ``[tool.wsgilint]`` table. ``--config FILE`` names
one explicitly. Paths in the file (``root``, ``per-file-ignores`` globs) are
relative to the directory holding it. Unknown keys are errors that name the key.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from wsgilint.record import FACTORY, Record

KEYS = (
    "select", "ignore", "extend-select", "severity", "per-file-ignores", "fail-on", "root",
    "defines", "httpd-version", "uwsgi-version", "nginx-version", "openstack-release", "apps", "docs-url",
)
# [tool.wsgilint.apps.NAME]: what an app that is not OpenStack does (README "Apps that are not OpenStack").
APP_KEYS = ("match", "uploads", "max-body", "long-requests", "large-headers")
_APP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
_SIZE = re.compile(r"([0-9]+)([kKmMgGtT]?)\Z")
_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4}
FAIL_ON = ("error", "warning", "info", "never")


class ConfigError(Exception):
    """A configuration file that cannot be used (exit 2)."""


class Config(Record):
    path: str | None  # the file read, None when there is none
    base_dir: str
    select: list[str] | None
    ignore: list[str]
    extend_select: list[str]
    severity: dict[str, str]  # rule id -> level
    per_file_ignores: list[tuple[str, set[str]]]  # (glob, rule ids)
    fail_on: str | None
    root: str | None
    defines: dict[str, str]
    httpd_version: str | None
    uwsgi_version: str | None
    nginx_version: str | None
    openstack_release: str | None
    apps: dict  # name -> knowledge.ServiceProfile (match patterns, uploads, max-body, ...)
    docs_url: str | None  # where docs/rules/ is published: SARIF helpUri links there (report/sarif.py)

    def __init__(self, path=None, base_dir=".", select=None, ignore=FACTORY, extend_select=FACTORY,
                 severity=FACTORY, per_file_ignores=FACTORY, fail_on=None, root=None, defines=FACTORY,
                 httpd_version=None, uwsgi_version=None, nginx_version=None, openstack_release=None,
                 apps=FACTORY, docs_url=None) -> None:
        self.path = path
        self.base_dir = base_dir
        self.select = select
        self.ignore = [] if ignore is FACTORY else ignore
        self.extend_select = [] if extend_select is FACTORY else extend_select
        self.severity = {} if severity is FACTORY else severity
        self.per_file_ignores = [] if per_file_ignores is FACTORY else per_file_ignores
        self.fail_on = fail_on
        self.root = root
        self.defines = {} if defines is FACTORY else defines
        self.httpd_version = httpd_version
        self.uwsgi_version = uwsgi_version
        self.nginx_version = nginx_version
        self.openstack_release = openstack_release
        self.apps = {} if apps is FACTORY else apps
        self.docs_url = docs_url


# A configuration file is read whole, but never more than this, and never from a FIFO or a
# device (wsgilint.readcap): a committed .wsgilint.toml symlinked to a 3 GB host file is
# refused (../shared/hostile/hang-config-symlink-unbounded).
MAX_CONFIG_BYTES = 1024 * 1024
# Nesting tomllib reads without RecursionError; deeper is refused before parsing.
MAX_TOML_DEPTH = 100
_PROJECT_TABLE = re.compile(rb"""(?m)^[ \t]*\[[ \t]*(?:project|"project"|'project')[ \t]*\]""")


def _read_config(path: str) -> bytes:
    from wsgilint import readcap

    try:
        return readcap.read_regular(path, MAX_CONFIG_BYTES)
    except readcap.CapError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def find(start: str) -> str | None:
    """The configuration file that applies to ``start`` (a directory), or None.

    The search goes upward from ``start`` and stops at the repository's root: the first
    directory holding ``.git`` (a directory, or a file in a worktree or submodule) or a
    ``pyproject.toml`` with a ``[project]`` table, after looking in it (ruff's rule for its own
    settings). A file above the checkout, such as a ``.wsgilint.toml`` planted in a shared
    ``/tmp`` or home directory, never applies (../shared/hostile/config-search-crosses-repo).
    A world-writable directory (``/tmp``) ends the search without being looked in: anyone can
    plant a file there.

    A pyproject.toml is parsed only when its bytes could hold a ``tool.wsgilint`` key
    (``_may_configure_us``): most projects' pyproject.toml cannot, and then neither
    tomllib's import (~5-15 ms) nor the parse is paid on each run. One that cannot be read,
    is over MAX_CONFIG_BYTES, is not valid TOML or nests too deeply is not ours to judge.
    """
    d = os.path.abspath(start)
    while True:
        try:
            if os.stat(d).st_mode & 0o002:
                return None  # world-writable: not a place to take settings from
        except OSError:
            return None
        own = os.path.join(d, ".wsgilint.toml")
        if os.path.isfile(own):
            return own
        pyproject = os.path.join(d, "pyproject.toml")
        project = False
        if os.path.isfile(pyproject):
            try:
                data = _read_config(pyproject)
            except ConfigError:
                data = b""  # not ours to judge; keep looking upward
            project = _PROJECT_TABLE.search(data) is not None
            if _may_configure_us(data):
                try:
                    tool = _parse_toml(data, pyproject).get("tool", {})
                    if isinstance(tool, dict) and "wsgilint" in tool:
                        return pyproject
                except ConfigError:
                    pass  # not ours to judge (invalid TOML or UTF-8, too deep); keep looking upward
        if project or os.path.lexists(os.path.join(d, ".git")):
            return None  # the repository's root: nothing above it applies
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _toml_depth_ok(text: str) -> bool:
    """False when brackets or braces (outside strings and comments) nest over MAX_TOML_DEPTH."""
    depth = top = 0
    i, n = 0, len(text)
    quote = ""
    while i < n:
        c = text[i]
        if quote:
            if c == "\\" and quote in ('"', '"""'):
                i += 2
                continue
            if text.startswith(quote, i):
                i += len(quote)
                quote = ""
                continue
            i += 1
            continue
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            continue
        if c in "[{":
            depth += 1
            top = max(top, depth)
            if top > MAX_TOML_DEPTH:
                return False
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return True


def _parse_toml(data: bytes, path: str) -> dict:
    """A TOML document from a config file's bytes; ConfigError (one line) for anything tomllib refuses."""
    # Only for a file to read: its import (with typing's) is ~5-15 ms of a small check.
    # tomllib is Python 3.11+; 3.10 has the same parser as tomli (pyproject: tomli>=1.1 there).
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start})") from None
    if ("[[" in text or text.count("[") + text.count("{") > MAX_TOML_DEPTH) and not _toml_depth_ok(text):
        raise ConfigError(f"{path}: arrays or tables nested deeper than {MAX_TOML_DEPTH}")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: arrays or tables nested too deeply") from None


# How TOML can spell the key path tool.wsgilint: a ``[tool]`` table (its keys may name
# wsgilint), an inline ``tool = {...}``, or ``tool.wsgilint`` as a table header or dotted
# key, with optional quotes around each part and spaces around the dot. A quoted part
# could also spell a letter with a \u escape. Keys are case-sensitive, and no other
# escape or string form can write a key's letters, so a file matching none of these
# cannot configure wsgilint (a project named wsgilint, or depending on it, does not).
_TOOL_KEY = (rb"""\[[ \t]*(?:tool|"tool"|'tool')[ \t]*\]"""
             rb"""|(?:tool|"tool"|'tool')[ \t]*(?:=|\.[ \t]*(?:wsgilint|"wsgilint"|'wsgilint'))""")


def _may_configure_us(data: bytes) -> bool:
    """False when a pyproject.toml's bytes cannot define ``tool.wsgilint`` (see _TOOL_KEY)."""
    if b"tool" not in data:
        return False
    return b"\\u" in data or b"\\U" in data or re.search(_TOOL_KEY, data) is not None


def load(path: str | None = None, *, cwd: str | None = None) -> Config:
    """Read ``path`` (or the file found from ``cwd`` upward) into a validated Config."""
    if path is None:
        path = find(cwd or os.getcwd())
        if path is None:
            return Config()
    doc = _parse_toml(_read_config(path), path)
    if os.path.basename(path) == "pyproject.toml" or "tool" in doc:
        tool = doc.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: 'tool' must be a table ([tool.wsgilint]), not a {_toml_type(tool)}")
        table = tool.get("wsgilint")
        if table is None:
            raise ConfigError(f"{path}: no [tool.wsgilint] table")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: 'tool.wsgilint' must be a table, not a {_toml_type(table)}")
        extra = [k for k in doc if k != "tool"] if os.path.basename(path) != "pyproject.toml" else []
        if extra:
            raise ConfigError(f"{path}: unknown key {extra[0]!r} (use either top-level keys or [tool.wsgilint])")
        where = "[tool.wsgilint]"
    else:
        table, where = doc, "top level"
    return _validate(table, path, where, cwd=cwd)


def _toml_type(value) -> str:
    """A TOML value's type, in TOML's words."""
    return {str: "string", bool: "boolean", int: "integer", float: "float", list: "array",
            dict: "table"}.get(type(value), type(value).__name__)


def parse_size(text: str) -> int | None:
    """Bytes of a size such as ``10G``, ``512m``, ``1048576`` (binary units k, m, g, t), or None."""
    m = _SIZE.match(text.strip())
    from wsgilint.numbers import parse_size as _size  # saturates at 2**64-1: no 4300-digit ValueError

    return _size(m.group(0), {**_SIZE_UNITS, **{u.upper(): n for u, n in _SIZE_UNITS.items()}}) if m else None


def _apps(value, where: str, shown: str, err) -> dict:
    """Validate the ``apps`` table into name -> ServiceProfile (the app's own source: its table)."""
    from wsgilint.knowledge import SERVICES, ServiceProfile

    prefix = "tool.wsgilint.apps" if where == "[tool.wsgilint]" else "apps"
    if not isinstance(value, dict):
        raise err(f"'apps' must be a table of [{prefix}.NAME] tables")
    out = {}
    for name, app in value.items():
        key = f"{prefix}.{name}"
        if not _APP_NAME.match(name):
            raise err(f"[{key}]: an app name is letters, digits, '.', '_' or '-'")
        if not isinstance(app, dict):
            raise err(f"'{key}' must be a table with keys {', '.join(APP_KEYS)}")
        for k in app:
            if k not in APP_KEYS:
                hint = f" (did you mean {k.replace('_', '-')!r}?)" if k.replace("_", "-") in APP_KEYS else ""
                raise err(f"unknown key {k!r} in [{key}]{hint}; known keys: {', '.join(APP_KEYS)}")
        match = app.get("match")
        if match is None and name not in SERVICES:
            raise err(f"[{key}] needs 'match': the uWSGI module/wsgi-file, WSGIScriptAlias script or URL path "
                      f"patterns that identify the app (e.g. match = [\"{name}.wsgi:application\"])")
        if match is not None and (not isinstance(match, list) or not match
                                  or not all(isinstance(m, str) and m.strip() for m in match)):
            raise err(f"'{key}.match' must be a non-empty list of patterns (strings)")
        for k in ("uploads", "large-headers"):
            if k in app and not isinstance(app[k], bool):
                raise err(f"'{key}.{k}' must be true or false (got {app[k]!r})")
        max_body = app.get("max-body")
        if max_body is not None:
            size = max_body if isinstance(max_body, int) and not isinstance(max_body, bool) and max_body > 0 else (
                parse_size(max_body) if isinstance(max_body, str) else None)
            if not size:
                raise err(f"'{key}.max-body' must be a size such as \"10G\", \"512M\" or a number of bytes "
                          f"(got {max_body!r})")
            max_body = size
        long_req = app.get("long-requests")
        if long_req is not None and (not isinstance(long_req, int) or isinstance(long_req, bool) or long_req <= 0):
            raise err(f"'{key}.long-requests' must be a number of seconds > 0 (got {long_req!r})")
        known = SERVICES.get(name)
        source = f"[{key}] in {shown}"
        out[name] = ServiceProfile(
            name,
            upload=app.get("uploads", bool(max_body) or (known is not None and known.upload)),
            reads_chunked_itself=known is not None and known.reads_chunked_itself,
            large_headers=app.get("large-headers", known is not None and known.large_headers),
            source=source, max_body=max_body, long_requests=long_req,
            match=tuple(m.strip() for m in match) if match else ())
    return out


def _validate(table: dict, path: str, where: str, cwd: str | None = None) -> Config:
    from wsgilint import registry
    from wsgilint.findings import Severity

    cfg = Config(path=path, base_dir=os.path.dirname(os.path.abspath(path)))

    def err(msg: str) -> ConfigError:
        return ConfigError(f"{path}: {msg}")

    for key in table:
        if key not in KEYS:
            hint = f" (did you mean {key.replace('_', '-')!r}?)" if key.replace("_", "-") in KEYS else ""
            raise err(f"unknown key {key!r} in {where}{hint}; known keys: {', '.join(KEYS)}")

    def rules(key: str, value) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise err(f"{key!r} must be a list of rule ids or names")
        try:
            registry.select(value)
        except ValueError as exc:
            raise err(f"{key!r}: {exc}") from None
        return list(value)

    def text(key: str) -> str | None:
        value = table.get(key)
        if value is not None and not isinstance(value, str):
            raise err(f"{key!r} must be a string")
        return value

    if "select" in table:
        cfg.select = rules("select", table["select"])
    cfg.ignore = rules("ignore", table.get("ignore", []))
    cfg.extend_select = rules("extend-select", table.get("extend-select", []))
    sev = table.get("severity", {})
    if not isinstance(sev, dict):
        raise err("'severity' must be a table of rule = \"error\" | \"warning\" | \"info\"")
    for code, level in sev.items():
        rule = registry.lookup(code)
        if rule is None:
            raise err(f"'severity': unknown rule {code!r} (see `wsgilint rules`)")
        try:
            Severity.parse(level if isinstance(level, str) else "")
        except ValueError:
            raise err(f"'severity'.{code}: {level!r} is not error, warning or info") from None
        cfg.severity[rule.id] = level.lower()
    pfi = table.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise err("'per-file-ignores' must be a table of \"glob\" = [rules]")
    for glob, codes in pfi.items():
        ids = registry.select(rules(f"per-file-ignores.{glob}", codes))
        cfg.per_file_ignores.append((glob, ids))
    cfg.fail_on = text("fail-on")
    if cfg.fail_on is not None and cfg.fail_on not in FAIL_ON:
        raise err(f"'fail-on' must be one of {', '.join(FAIL_ON)} (got {cfg.fail_on!r})")
    root = text("root")
    if root is not None:
        cfg.root = os.path.normpath(os.path.join(cfg.base_dir, root))
    defines = table.get("defines", {})
    if isinstance(defines, list) and all(isinstance(d, str) for d in defines):
        defines = dict((d.partition("=")[0], d.partition("=")[2]) for d in defines)
    if not isinstance(defines, dict) or not all(isinstance(v, str) for v in defines.values()):
        raise err("'defines' must be a table NAME = \"value\" or a list of \"NAME[=VALUE]\"")
    cfg.defines = dict(defines)
    cfg.httpd_version = text("httpd-version")
    cfg.uwsgi_version = text("uwsgi-version")
    cfg.nginx_version = text("nginx-version")
    cfg.openstack_release = text("openstack-release")
    cfg.docs_url = text("docs-url")
    if cfg.docs_url is not None and not cfg.docs_url.startswith(("https://", "http://")):
        raise err(f"'docs-url' must be an http:// or https:// URL (got {cfg.docs_url!r})")
    if "apps" in table:
        shown = os.path.relpath(path, cwd) if cwd and os.path.abspath(path).startswith(
            os.path.abspath(cwd) + os.sep) else path
        cfg.apps = _apps(table["apps"], where, shown, err)
    return cfg


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern:
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        out.append("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def glob_match(pattern: str, path: str) -> bool:
    """Match a posix ``path`` against a glob (``*``, ``?``, ``**``); a glob without ``/`` also matches basenames.

    Matched by simulating the glob's automaton over the path (a set of positions in the
    glob, no backtracking): O(len(glob) x len(path)) whatever the glob. The regex
    translation (``_glob_regex``, kept as the reference the tests compare with) backtracks:
    ``*e*e*e*e*e*e*e*e*e*e*Z`` against a 40-character name took 88 s.
    """
    pattern = pattern.removeprefix("./")
    toks = _glob_tokens(pattern)
    if _nfa_match(toks, path):
        return True
    return "/" not in pattern and _nfa_match(toks, path.rsplit("/", 1)[-1])


_LIT, _ONE, _STAR, _DSTAR, _DSTAR_SLASH = range(5)


@lru_cache(maxsize=256)
def _glob_tokens(pattern: str) -> tuple[tuple[int, str], ...]:
    """The glob as tokens: literal char, ``?`` ([^/]), ``*`` ([^/]*), ``**`` (.*), ``**/`` ((?:.*/)?)."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append((_DSTAR_SLASH, ""))
            i += 3
        elif pattern.startswith("**", i):
            out.append((_DSTAR, ""))
            i += 2
        else:
            c = pattern[i]
            out.append((_STAR, "") if c == "*" else (_ONE, "") if c == "?" else (_LIT, c))
            i += 1
    return tuple(out)


def _nfa_match(toks: tuple[tuple[int, str], ...], text: str) -> bool:
    """Whole-string match of glob tokens, as a set of states (token index; -1-i: inside ``**/`` i)."""
    n = len(toks)

    def closure(states: set[int]) -> set[int]:
        todo = [s for s in states if s >= 0]
        while todo:
            i = todo.pop()
            if i < n and toks[i][0] in (_STAR, _DSTAR, _DSTAR_SLASH) and i + 1 not in states:
                states.add(i + 1)
                todo.append(i + 1)
        return states

    states = closure({0})
    for ch in text:
        nxt: set[int] = set()
        for st in states:
            if st < 0:  # inside `**/`: any character; a '/' may end it
                nxt.add(st)
                if ch == "/":
                    nxt.add(-1 - st + 1)
                continue
            if st >= n:
                continue
            kind, lit = toks[st]
            if kind == _LIT:
                if ch == lit:
                    nxt.add(st + 1)
            elif kind == _ONE:
                if ch != "/":
                    nxt.add(st + 1)
            elif kind == _STAR:
                if ch != "/":
                    nxt.add(st)
            elif kind == _DSTAR:
                nxt.add(st)
            else:  # _DSTAR_SLASH entered
                nxt.add(-1 - st)
                if ch == "/":
                    nxt.add(st + 1)
        if not nxt:
            return False
        states = closure(nxt)
    return n in states


def ignored_by_path(cfg: Config, finding_path: str, *, cwd: str, root: str | None = None) -> set[str]:
    """Rule ids that per-file-ignores turn off for a finding's (display) path."""
    if not cfg.per_file_ignores or not finding_path or finding_path.startswith("<"):
        return set()
    full = os.path.normpath(os.path.join(cwd, finding_path))
    candidates = [os.path.relpath(full, cfg.base_dir).replace(os.sep, "/")]
    if root:
        rel = os.path.relpath(full, os.path.abspath(root))
        if not rel.startswith(".."):
            candidates.append(rel.replace(os.sep, "/"))
            candidates.append("/" + rel.replace(os.sep, "/"))
    out: set[str] = set()
    for glob, ids in cfg.per_file_ignores:
        if any(glob_match(glob, c) for c in candidates):
            out |= ids
    return out
