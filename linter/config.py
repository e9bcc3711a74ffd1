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
    "defines", "httpd-version", "uwsgi-version", "nginx-version", "openstack-release",
)
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

    _fields = (
        'path', 'base_dir', 'select', 'ignore', 'extend_select', 'severity', 'per_file_ignores', 'fail_on', 'root',
        'defines', 'httpd_version', 'uwsgi_version', 'nginx_version', 'openstack_release',
    )

    def __init__(self, path=None, base_dir=".", select=None, ignore=FACTORY, extend_select=FACTORY,
                 severity=FACTORY, per_file_ignores=FACTORY, fail_on=None, root=None, defines=FACTORY,
                 httpd_version=None, uwsgi_version=None, nginx_version=None, openstack_release=None) -> None:
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


def find(start: str) -> str | None:
    """The configuration file that applies to ``start`` (a directory), or None.

    A pyproject.toml is parsed only when its bytes could hold a ``tool.wsgilint`` key
    (``_may_configure_us``): most projects' pyproject.toml cannot, and then neither
    tomllib's import (~5-15 ms) nor the parse is paid on each run.
    """
    d = os.path.abspath(start)
    while True:
        own = os.path.join(d, ".wsgilint.toml")
        if os.path.isfile(own):
            return own
        pyproject = os.path.join(d, "pyproject.toml")
        if os.path.isfile(pyproject):
            try:
                with open(pyproject, "rb") as fh:
                    data = fh.read()
            except OSError:
                data = b""  # not ours to judge; keep looking upward
            if _may_configure_us(data):
                import tomllib

                try:
                    if "wsgilint" in tomllib.loads(data.decode("utf-8")).get("tool", {}):
                        return pyproject
                except (ValueError, tomllib.TOMLDecodeError):
                    pass  # not ours to judge (invalid TOML or UTF-8); keep looking upward
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


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
    import tomllib  # only for a file to read: its import (with typing's) is ~5-15 ms of a small check

    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if os.path.basename(path) == "pyproject.toml" or "tool" in doc:
        table = doc.get("tool", {}).get("wsgilint")
        if table is None:
            raise ConfigError(f"{path}: no [tool.wsgilint] table")
        extra = [k for k in doc if k != "tool"] if os.path.basename(path) != "pyproject.toml" else []
        if extra:
            raise ConfigError(f"{path}: unknown key {extra[0]!r} (use either top-level keys or [tool.wsgilint])")
        where = "[tool.wsgilint]"
    else:
        table, where = doc, "top level"
    return _validate(table, path, where)


def _validate(table: dict, path: str, where: str) -> Config:
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
    """Match a posix ``path`` against a glob (``*``, ``?``, ``**``); a glob without ``/`` also matches basenames."""
    pattern = pattern.removeprefix("./")
    rx = _glob_regex(pattern)
    if rx.match(path):
        return True
    return "/" not in pattern and bool(rx.match(path.rsplit("/", 1)[-1]))


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
