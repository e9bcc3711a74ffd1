"""Resolve an Apache configuration the way httpd reads it at start-up.

Walks the parsed tree in order, with the effects httpd applies while *reading*
(EXEC_ON_READ): ServerRoot, LoadModule, Define/UnDefine, ``${VAR}`` on the whole
line before splitting it into words (httpd's default, not per token), Include and
IncludeOptional (globs in any component, directories recursively, sorted),
and ``<IfModule>``/``<IfDefine>``/``<IfVersion>``/``<IfFile>`` evaluated at that point.
What remains is one tree of directives and run-time sections (VirtualHost,
Location, Directory, If, ...), each tied to its exact source span.
"""

from __future__ import annotations

import functools
import posixpath
import re

from wsgilint.fsroot import FileSystem, ReadError, has_wildcard
from wsgilint.knowledge import HTTPD_UNKNOWN_VERSION
from wsgilint.limits import DEFAULT as DEFAULT_LIMITS
from wsgilint.limits import budget_of, charge_load
from wsgilint.parse import apache as apache_parser
from wsgilint.resolve.diagnostics import Diagnostic
from wsgilint.resolve.tree import TreeNode
from wsgilint.source import SourceFile, Span
from wsgilint.record import FACTORY, Record

MAX_INCLUDE_DEPTH = 128  # httpd's AP_MAX_INCLUDE_DEPTH

# Modules compiled into Debian's apache2 binary (apache2 -l); always present.
STATIC_MODULES = frozenset({
    "core_module", "so_module", "watchdog_module", "http_module", "log_config_module",
    "logio_module", "version_module", "unixd_module",
})
# Red Hat's httpd (and an upstream build) compiles in only core.c, mod_so.c and http_core.c (`httpd -l`);
# RHEL loads unixd, version, log_config, ... from conf.modules.d/00-base.conf and the MPM from 00-mpm.conf.
# The layout tells them apart: a root at <ServerRoot>/conf/httpd.conf (/etc/httpd/conf/httpd.conf, an
# upstream /usr/local/apache2/conf/httpd.conf) is Red Hat / upstream; anything else (apache2.conf, a bare
# httpd.conf handed to Debian's `apache2 -f`, as tests/stack.py does) gets Debian's set: measured, Debian's
# binary keeps its built-in modules whatever the root file is called.
STATIC_MODULES_REDHAT = frozenset({"core_module", "so_module", "http_module"})


def static_modules(root_path: str) -> frozenset[str]:
    """The modules compiled into the httpd binary that reads ``root_path`` (by layout)."""
    parent = posixpath.basename(posixpath.dirname(root_path))
    redhat = posixpath.basename(root_path) == "httpd.conf" and parent == "conf"
    return STATIC_MODULES_REDHAT if redhat else STATIC_MODULES


# Source file names that do not follow mod_<x>.c <-> <x>_module.
_SOURCE_NAMES = {
    "core.c": "core_module", "http_core.c": "http_module", "event.c": "mpm_event_module",
    "worker.c": "mpm_worker_module", "prefork.c": "mpm_prefork_module", "unixd.c": "unixd_module",
    "mod_so.c": "so_module",
}

_VAR = re.compile(r"\$\{([A-Za-z0-9_:.\-]+)\}")
_CONDITIONALS = frozenset({"<ifmodule", "<ifdefine", "<ifversion", "<iffile", "<ifdirective", "<ifsection"})


@functools.cache  # 20k <IfModule> on the 10k-vhost tree, a few distinct names
def module_id(name: str) -> str:
    """Map an <IfModule> argument (identifier or source file name) to a module identifier."""
    if name.endswith(".c"):
        if name in _SOURCE_NAMES:
            return _SOURCE_NAMES[name]
        base = name[:-2]
        if base.startswith("mod_"):
            base = base[4:]
        return base + "_module"
    return name


# Directives that act while httpd reads the configuration (everything else is recorded only).
_READ_TIME = frozenset(("include", "includeoptional", "define", "undefine", "loadmodule", "serverroot"))


class Directive(TreeNode):
    """One effective directive: the parsed node, its words after ``${VAR}`` expansion, its section."""

    # ``name`` and ``file`` are read from the node (rarely used): two slots fewer on each
    # of the 10k-vhost tree's 120k directives (walk ~6 ms, ~2 MB less).
    __slots__ = ("node", "key", "args", "parent", "children", "_index")

    def __init__(self, node, args, parent, children=None):
        self._index = None
        self.node = node
        self.key = node.key if node is not None else "<server>"
        self.args = args
        self.parent = parent
        self.children = children

    @property
    def name(self) -> str:
        return self.node.name if self.node is not None else "<server>"

    @property
    def file(self) -> str:
        """The display path of the file the directive is in ("" for the tree's root)."""
        return self.node.source.path if self.node is not None else ""

    def arg_span(self, index: int) -> Span:
        """The span of one argument (falls back to the whole directive)."""
        node = self.node
        if node is not None and index >= 0:
            if self.args is node.args:  # not ${VAR}-expanded: the words are the node's own
                found = node.arg_offsets(index) if index < len(self.args) else None
                if found is not None:
                    return Span(node.source, found[0], found[1])
            else:
                spans = node.arg_spans()
                if index < len(spans) and len(spans) == len(self.args):
                    s, e = spans[index]
                    return Span(node.source, s, e)
        return self.span


# Keys the model reads as one list across keys, in document order: its routes, its Location
# sections. Each group shares one list while the resolver indexes the tree.
MERGED_KEYS = (("proxypass", "proxypassmatch", "wsgiscriptalias", "wsgiscriptaliasmatch"),
               ("<location", "<locationmatch"))


class KeyIndex:
    """Every directive of a tree by key, in document order, filled as the resolver creates them.

    The resolver's walk creates directives in document (pre-)order, so it fills the index
    with no second walk of the tree (10k vhosts, 120k directives: ~30 ms). ``merged`` holds
    one list per MERGED_KEYS group; ``by_key()`` is the index with per-key lists.
    """

    __slots__ = ("lists", "merged")

    def __init__(self) -> None:
        self.lists: dict[str, list[Directive]] = {}
        self.merged: list[list[Directive]] = []
        for keys in MERGED_KEYS:
            shared: list[Directive] = []
            self.merged.append(shared)
            self.lists.update(dict.fromkeys(keys, shared))

    def add(self, d: Directive) -> None:
        found = self.lists.get(d.key)
        if found is None:
            self.lists[d.key] = [d]
        else:
            found.append(d)

    def by_key(self) -> dict[str, list[Directive]]:
        """Key -> its directives in document order (the merged groups split per key)."""
        index = dict(self.lists)
        for keys in MERGED_KEYS:
            for key in keys:
                del index[key]
        for shared in self.merged:
            for d in shared:
                found = index.get(d.key)
                if found is None:
                    index[d.key] = [d]
                else:
                    found.append(d)
        return index


class IncludedFile(Record):  # one per file read (10k on the 10k-vhost tree)
    source: SourceFile
    config_path: str
    depth: int
    include_line: int | None  # line of the Include that pulled it in, in its parent
    included_by: Span | None

    __slots__ = ('source', 'config_path', 'depth', 'include_line', 'included_by')

    def __init__(self, source, config_path, depth, include_line, included_by) -> None:
        self.source = source
        self.config_path = config_path
        self.depth = depth
        self.include_line = include_line
        self.included_by = included_by


class ApacheConfig(Record):
    """One resolved Apache server configuration."""

    root_path: str  # config path of the root file
    server_root: str
    tree: Directive
    files: list[IncludedFile]
    modules: dict[str, Span | None]
    defines: dict[str, str]
    diagnostics: list[Diagnostic]
    comments: dict[str, list[tuple[int, int, str]]]
    complete: bool  # False for a fragment: module state unknown
    # <IfVersion> sections httpd read while version_module was not loaded ("Invalid command '<IfVersion'").
    ifversion_unloaded: list[Span]
    # Every directive of ``tree`` by key, filled while resolving (None: index the tree).
    index: KeyIndex | None

    _not_shown = ('index',)
    _not_compared = ('index',)

    def __init__(self, root_path, server_root, tree, files=FACTORY, modules=FACTORY, defines=FACTORY,
                 diagnostics=FACTORY, comments=FACTORY, complete=True, ifversion_unloaded=FACTORY,
                 index=None) -> None:
        self.root_path = root_path
        self.server_root = server_root
        self.tree = tree
        self.files = [] if files is FACTORY else files
        self.modules = {} if modules is FACTORY else modules
        self.defines = {} if defines is FACTORY else defines
        self.diagnostics = [] if diagnostics is FACTORY else diagnostics
        self.comments = {} if comments is FACTORY else comments
        self.complete = complete
        self.ifversion_unloaded = [] if ifversion_unloaded is FACTORY else ifversion_unloaded
        self.index = index


class _Resolver:
    def __init__(self, fs: FileSystem, server_root: str, defines: dict[str, str],
                 complete: bool, httpd_version: tuple[int, ...], environment: dict[str, str] | None = None) -> None:
        self.fs = fs
        self.server_root = server_root
        self.defines = dict(defines)
        # The process environment (Debian's envvars, exported by apache2ctl): ${VAR} reads it after the
        # Defines, as ap_resolve_env does; <IfDefine> never does (only -D and Define).
        self.environment = environment or {}
        self.complete = complete
        self.httpd_version = httpd_version
        self.modules: dict[str, Span | None] = {m: None for m in STATIC_MODULES} if complete else {}
        self.files: list[IncludedFile] = []
        self.diagnostics: list[Diagnostic] = []
        self.comments: dict[str, list] = {}
        self.parsed_cache: dict[str, apache_parser.ParsedFile] = {}
        self.shared_args: dict[str, list[str]] = {}  # one args list per argument text (parse(shared=))
        self.include_stack: list[str] = []
        self.limits_hit: set[str] = set()
        self.ifversion_unloaded: list[Span] = []
        self._by_last: Directive | None = None  # the last Include seen by load(), and its (span, line)
        self._by_span_line: tuple = (None, None)
        self.index = KeyIndex()
        self.budget = budget_of(fs)
        self._cur_span: Span | None = None
        # Parses made with the default limits are kept on their SourceFile for wsgilint.context
        # (no second parse: bench/README.md, 2026-12-02); compared once, not per file.
        self.keep_parse = fs.limits is DEFAULT_LIMITS or fs.limits == DEFAULT_LIMITS

    # -- files -------------------------------------------------------------------
    def load(self, config_path: str, parent: Directive, depth: int, by: Directive | None) -> None:
        real = None
        try:
            real = self.fs.resolve(config_path)
            charge_load(self.fs, config_path)
        except ReadError as exc:
            self._read_error(exc, by, config_path)
            return
        if real in self.include_stack:
            self._diag("include-cycle", f"{self.fs.display(config_path)} includes itself (through "
                       f"{len(self.include_stack)} level(s) of Include); httpd stops at depth {MAX_INCLUDE_DEPTH}",
                       by, config_path)
            return
        if depth > MAX_INCLUDE_DEPTH:
            self._diag("include-cycle", f"Include nested deeper than {MAX_INCLUDE_DEPTH} levels", by, config_path)
            return
        parsed = self.parsed_cache.get(real)
        if parsed is None:
            try:
                text, note, bom = self.fs.read_text(config_path)
            except ReadError as exc:
                self._read_error(exc, by, config_path)
                return
            source = SourceFile(self.fs.display(config_path), text, "apache")
            parsed = apache_parser.parse(text, source.path, source, self.fs.limits, self.shared_args)
            self.parsed_cache[real] = parsed
            if self.keep_parse:  # the parse wsgilint.context would make: kept for it
                source.parsed = parsed
            if note:
                self.diagnostics.append(Diagnostic("encoding", f"{source.path}: {note}", Span(source, 0, 0)))
            if bom:
                # httpd does not skip a UTF-8 BOM: it is glued to the first word (checked on 2.4.71).
                first = text.split(None, 1)[0] if text.strip() else ""
                eol = text.find("\n")
                self.diagnostics.append(Diagnostic(
                    "parse-error", f"Invalid command '\\xef\\xbb\\xbf{first}': the file starts with a UTF-8 "
                    f"byte order mark, which httpd does not skip (AH00526)",
                    Span(source, 0, len(text) if eol == -1 else eol)))
            for prob in parsed.problems:
                self.diagnostics.append(Diagnostic(prob.code, prob.message, Span(source, prob.start, prob.end)))
            self.comments[source.path] = parsed.comments
        source = parsed.source
        # One budget of directives per check: a file included again (a diamond of Includes)
        # is parsed once, but each inclusion creates its directives anew. A line holds at most
        # one directive, so the file's line count bounds what this walk creates (C-speed count).
        # (The parser stops at max-lines, so no file charges more than that.)
        if not self.budget.spend("max_directives", min(source.text.count("\n") + 1, self.fs.limits.max_lines)):
            self._budget_hit("max_directives", by, config_path)
            return
        if by is None:
            by_span = by_line = None
        elif by is self._by_last:  # one Include of a 10k-file glob: its span and line once
            by_span, by_line = self._by_span_line
        else:
            by_span = by.span
            by_line = by_span.line
            self._by_last, self._by_span_line = by, (by_span, by_line)
        self.files.append(IncludedFile(source, config_path, depth, by_line, by_span))
        self.include_stack.append(real)
        try:
            self.walk(parsed.nodes, parent, depth, "$" in source.text)
        finally:
            self.include_stack.pop()

    def _read_error(self, exc: ReadError, by: Directive | None, path: str | None) -> None:
        """A ReadError as a diagnostic; a limit is reported once per check (the Budget)."""
        if exc.code == "limit-exceeded":
            key = str(exc).rsplit("(", 1)[-1]
            if not self.budget.report_once("read:" + key):
                return
        self._diag(exc.code, str(exc), by, path)

    def _budget_hit(self, kind: str, by: Directive | None, path: str | None) -> None:
        """One WSG010 per budget per check (wsgilint.limits.Budget)."""
        if self.budget.report_once(kind):
            self._diag("limit-exceeded", self.budget.message(kind, self.fs.display(path) if path else ""), by, path)

    def _diag(self, code: str, message: str, by: Directive | None, path: str | None) -> None:
        self.diagnostics.append(Diagnostic(code, message, by.span if by is not None else None,
                                           path=None if by is not None else (self.fs.display(path) if path else None)))

    # -- walking -----------------------------------------------------------------
    def expand(self, node) -> list[str]:
        raw = node.raw
        if "${" not in raw:
            return node.args
        cap = self.fs.limits.max_expansion
        out: list[str] = []
        size = 0
        last = 0
        for m in _VAR.finditer(raw):
            name = m.group(1)
            if name in self.defines:
                value = self.defines[name]
            elif name in self.environment:
                value = self.environment[name]
            else:
                self.diagnostics.append(Diagnostic(
                    "undefined-variable",
                    f"Config variable ${{{name}}} is not defined (httpd keeps it literally, AH00111)",
                    Span(node.source, node.start, node.end)))
                value = m.group(0)
            out.append(raw[last:m.start()])
            out.append(value)
            size += m.start() - last + len(value)
            last = m.end()
            if size > cap:
                # A Define doubling chain (Define a ${a}${a}) grows 2^n: stop at the limit.
                self.diagnostics.append(Diagnostic(
                    "limit-exceeded", f"${{VAR}} expansion longer than {cap} characters (max-expansion); "
                    f"the value was cut there", Span(node.source, node.start, node.end)))
                out = ["".join(out)[:cap]]
                size = cap
                break
        else:
            out.append(raw[last:])
            size += len(raw) - last
        # Expanded characters are one budget per check (16,000 `ServerAlias ${A}` lines with a
        # 60 KB A would be 1 GB): past it, lines keep their words unexpanded.
        if not self.budget.spend("max_expanded_bytes", size):
            if self.budget.report_once("max_expanded_bytes"):
                self.diagnostics.append(Diagnostic("limit-exceeded", self.budget.message("max_expanded_bytes"),
                                                   Span(node.source, node.start, node.end)))
            return node.args
        return apache_parser.split_words("".join(out))

    def walk(self, nodes, parent: Directive, depth: int, has_vars: bool = True) -> None:
        """Walk one file's nodes in order (iteratively: nesting depth costs no Python frames).

        Each parse node that survives the conditionals becomes a Directive pointing at it
        (the parse tree is not changed). Directives are created here with their slots stored
        directly (no ``__init__`` call, as the parser does) and go into the key index as they
        are created: creation order is the tree's document order (an Include's files land
        right after it in its section). ``has_vars`` is False when the file's text has no
        ``$``: then no line, even one joined from continuation lines, holds a ``${VAR}``.
        """
        stack = [(iter(nodes), parent)]
        read_time = _READ_TIME
        new = object.__new__
        lists = self.index.lists
        get = lists.get
        while stack:
            it, parent = stack[-1]
            out = parent.children
            for node in it:
                key = node.key
                children = node.children
                args = self.expand(node) if has_vars and "${" in node.raw else node.args
                if children is not None and key in _CONDITIONALS:
                    if self.condition(node, args):
                        stack.append((iter(children), parent))
                        break
                    continue
                d = new(Directive)
                d.node = node
                d.key = key
                d.args = args
                d.parent = parent
                d._index = None
                out.append(d)
                found = get(key)
                if found is None:
                    lists[key] = [d]
                else:
                    found.append(d)
                if children is not None:
                    d.children = []
                    stack.append((iter(children), d))
                    break
                d.children = None
                if key in read_time:
                    self.read_time(d, depth)
            else:
                stack.pop()

    def read_time(self, d: Directive, depth: int) -> None:
        """Apply the effect of a directive httpd executes while reading (_READ_TIME)."""
        key = d.key
        args = d.args
        if key in ("include", "includeoptional"):
            self.include(d, args, key == "includeoptional", depth)
        elif key == "define":
            if args:
                self.defines[args[0]] = args[1] if len(args) > 1 else ""
        elif key == "undefine":
            if args:
                self.defines.pop(args[0], None)
        elif key == "loadmodule":
            if args:
                self.modules[args[0]] = d.span
        elif key == "serverroot":
            if args:
                self.server_root = posixpath.normpath(args[0])

    def condition(self, node, args: list[str]) -> bool:
        key = node.key
        if not args:
            return False
        arg = args[0]
        neg = arg.startswith("!")
        if neg:
            arg = arg[1:]
        if key == "<ifmodule":
            if not self.complete:
                # A fragment: module state is unknown; read the block rather than invent state.
                return True
            val = module_id(arg) in self.modules
        elif key == "<ifdefine":
            val = arg in self.defines
        elif key == "<ifversion":
            if self.complete and "version_module" not in self.modules:
                self.ifversion_unloaded.append(Span(node.source, node.start, node.end))
            self._cur_span = Span(node.source, node.start, node.end)
            val = self.version_matches(args)
            return val
        elif key == "<iffile":
            path = arg if arg.startswith("/") else posixpath.join(self.server_root, arg)
            val = self.fs.exists(path)
        else:  # IfDirective / IfSection: assume the directive exists
            val = True
        return val != neg

    def version_matches(self, args: list[str]) -> bool:
        """Evaluate <IfVersion [[!]op] version> against the target httpd version."""
        if len(args) == 1:
            op, ver = "=", args[0]
        else:
            op, ver = args[0], args[1]
        neg = op.startswith("!")
        if neg:
            op = op[1:]
        if op in ("~",) or (ver.startswith("/") and ver.endswith("/")):
            from wsgilint import saferegex

            pattern = ver.strip("/")
            # The pattern is the config's: matched with bounded work (wsgilint.saferegex).
            res, refused = saferegex.search(pattern, ".".join(map(str, self.httpd_version)),
                                            self.fs.limits.max_regex_work)
            if refused:
                if self.budget.report_once("max_regex_work"):
                    self.diagnostics.append(Diagnostic(
                        "limit-exceeded", f"<IfVersion ~ {pattern[:80]}{'...' if len(pattern) > 80 else ''}>: the "
                        f"regular expression could backtrack for too long: "
                        + self.budget.message("max_regex_work") + "; the section was treated as not matching",
                        self._cur_span))
                return False
            return res != neg
        from wsgilint.numbers import parse_int

        want = tuple(parse_int(p) for p in ver.split("."))
        if None in want:
            return False
        have = self.httpd_version[: len(want)]
        res = {
            "=": have == want, "==": have == want, ">": have > want, ">=": have >= want,
            "<": have < want, "<=": have <= want,
        }.get(op, False)
        return res != neg

    def include(self, d: Directive, args: list[str], optional: bool, depth: int) -> None:
        if not args:
            return
        pattern = args[0]
        if not pattern.startswith("/"):
            pattern = posixpath.join(self.server_root, pattern)
        parent = d.parent
        if has_wildcard(pattern):
            try:
                matches = self.fs.glob(pattern)
            except ReadError as exc:  # ReadLimitError: too many matches; read the first ones
                self._diag(exc.code, str(exc), d, None)
                matches = getattr(exc, "partial", [])
                if not matches:
                    return
            if not matches:
                if not optional:
                    dirpart, _, base = pattern.rpartition("/")
                    self._diag("include-not-found",
                               f"Include: No matches for the wildcard '{base}' in '{dirpart}'; httpd refuses to "
                               f"start (use IncludeOptional if that is intended)", d, None)
                return
            for m in matches:
                self.include_path(m, parent, depth, d)
            return
        if not self.fs.exists(pattern):
            if not optional:
                self._diag("include-not-found",
                           f"Could not open configuration file {pattern}: No such file or directory; "
                           f"httpd refuses to start (use IncludeOptional if that is intended)", d, None)
            return
        self.include_path(pattern, parent, depth, d)

    def include_path(self, path: str, parent: Directive, depth: int, by: Directive) -> None:
        """Include a file, or a directory's files recursively in sorted order (iteratively).

        A directory reached again below itself (a symlink to ``.`` or to a parent) is
        reported once as a cycle and not entered: httpd 2.4.71 follows it until the
        kernel's ELOOP ("Could not open configuration file .../self/self/...: Too many
        levels of symbolic links") and refuses to start.
        """
        if not self.fs.is_dir(path):
            self.load(path, parent, depth + 1, by)
            return
        cap = self.fs.limits.max_glob_matches
        count = 0
        stack: list[tuple] = []  # (entries iterator, resolved dir)
        active: set[str] = set()
        # Each real directory is entered once per Include: a DAG of directory symlinks (two
        # links per level to the next) would otherwise be walked path by path, 2^levels times.
        entered: set[str] = set()
        budget = self.budget

        def enter(dir_path: str) -> bool:
            try:
                real = self.fs.resolve(dir_path)
            except ReadError as exc:
                self._read_error(exc, by, dir_path)
                return False
            if real in active:
                self._diag("include-cycle", f"{self.fs.display(dir_path)} is a directory inside itself (a symlink "
                           f"loop); httpd follows it until 'Too many levels of symbolic links' and refuses "
                           f"to start", by, None)
                return False
            if real in entered:
                return False  # the same directory through another link: its files were read
            if not budget.spend("max_dirs"):
                self._budget_hit("max_dirs", by, None)
                return False
            entered.add(real)
            active.add(real)
            stack.append((iter([posixpath.join(dir_path, n) for n in self.fs.listdir(dir_path)]), real))
            return True

        enter(path)
        while stack:
            it, real = stack[-1]
            for child in it:
                if self.fs.is_dir(child):
                    if enter(child):
                        break
                    continue
                count += 1
                if count > cap:
                    self._diag("limit-exceeded", f"{self.fs.display(path)}: more than {cap} files under this "
                               f"directory (max-glob-matches); the rest were not read", by, None)
                    return
                self.load(child, parent, depth + 1, by)
            else:
                stack.pop()
                active.discard(real)


def parse_envvars(text: str, limits=None, budget=None) -> dict[str, str]:
    """Debian's envvars exports, as Defines (see wsgilint.parse.envvars)."""
    from wsgilint.parse.envvars import parse_envvars as _parse

    return _parse(text, limits, budget)


def resolve(fs: FileSystem, root_path: str, *, server_root: str | None = None,
            defines: dict[str, str] | None = None, complete: bool = True,
            httpd_version: tuple[int, ...] = HTTPD_UNKNOWN_VERSION,
            environment: dict[str, str] | None = None) -> ApacheConfig:
    """Read ``root_path`` (a config path) and everything it includes. ``defines``: -D and Define
    (``<IfDefine>`` and ``${VAR}``); ``environment``: httpd's process environment (``${VAR}`` only)."""
    sr = server_root or posixpath.dirname(root_path)
    r = _Resolver(fs, sr, defines or {}, complete, httpd_version, environment)
    if complete:
        r.modules = {m: None for m in static_modules(root_path)}
    tree = Directive(None, [], None, [])
    if r.budget.exhausted("max_expanded_bytes"):  # spent by envvars (pipeline._envvars)
        r._budget_hit("max_expanded_bytes", None, posixpath.join(posixpath.dirname(root_path), "envvars"))
    r.load(root_path, tree, 0, None)
    return ApacheConfig(root_path=root_path, server_root=r.server_root, tree=tree, files=r.files,
                        modules=r.modules, defines=r.defines, diagnostics=r.diagnostics,
                        comments=r.comments, complete=complete, ifversion_unloaded=r.ifversion_unloaded,
                        index=r.index)
