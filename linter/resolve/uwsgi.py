"""Resolve a uWSGI ini configuration as uWSGI reads it, without running anything.

Entries of the chosen section are processed in order: ``ini = file[:section]``
is inlined where it stands, ``%(key)`` takes the *first* value of ``key`` set so
far (checked against uWSGI 2.0.21 ``--show-config``), undefined placeholders stay
literal, magic variables (``%d %n %c %p %s %e %o %%``) are filled from the file
name, and ``for``/``endfor`` repeats its lines. ``$(ENV)``, ``@(file)``,
``@(exec://...)`` and other dynamic forms are never read or run: the value is kept
literally and marked dynamic.
"""

from __future__ import annotations

import posixpath
import re

from wsgilint.fsroot import FileSystem, ReadError
from wsgilint.limits import DEFAULT as DEFAULT_LIMITS
from wsgilint.numbers import parse_int
from wsgilint.parse import uwsgi_ini
from wsgilint.resolve.diagnostics import Diagnostic
from wsgilint.source import SourceFile, Span
from wsgilint.record import FACTORY, Record

_PLACEHOLDER = re.compile(r"%\(([^)]*)\)")
_MAGIC = re.compile(r"%([a-zA-Z%])")
_DYNAMIC = re.compile(r"[$@]\(")
_ENV_REF = re.compile(r"\$\(([^)]*)\)")
MAX_VALUE = 64 * 1024
MAX_INI_DEPTH = 32
# Logic options spelled without the dash (uwsgi --help, 2.0.21).
_IF_ALIASES = frozenset({"ifenv", "ifexists", "ifplugin", "ifdir"})


class Option(Record):
    """One effective uWSGI option."""

    key: str
    value: str
    span: Span  # the whole line
    value_span: Span
    raw: str
    dynamic: bool
    conditional: bool

    def __init__(self, key, value, span, value_span, raw, dynamic=False, conditional=False) -> None:
        self.key = key
        self.value = value
        self.span = span
        self.value_span = value_span
        self.raw = raw
        self.dynamic = dynamic
        self.conditional = conditional

    def as_bool(self) -> bool:
        return self.value.strip().lower() not in ("0", "false", "no", "off", "n", "f")


class UwsgiConfig(Record):
    """One uWSGI instance's resolved options (in order, repeats kept)."""

    path: str
    source: SourceFile | None
    section: str
    options: list[Option]
    files: list[SourceFile]
    diagnostics: list[Diagnostic]
    comments: dict[str, list]
    launcher: "Launcher | None"  # how the instance is started (wsgilint.launch), when known

    def __init__(self, path, source, section, options=FACTORY, files=FACTORY, diagnostics=FACTORY,
                 comments=FACTORY, launcher=None) -> None:
        self.launcher = launcher
        self.path = path
        self.source = source
        self.section = section
        self.options = [] if options is FACTORY else options
        self.files = [] if files is FACTORY else files
        self.diagnostics = [] if diagnostics is FACTORY else diagnostics
        self.comments = {} if comments is FACTORY else comments

    def all(self, key: str) -> list[Option]:
        return [o for o in self.options if o.key == key]

    def last(self, *keys: str) -> Option | None:
        """The effective value of a scalar option (uWSGI keeps the last one)."""
        for o in reversed(self.options):
            if o.key in keys:
                return o
        return None

    def has(self, *keys: str) -> bool:
        return self.last(*keys) is not None

    def flag(self, *keys: str) -> bool:
        o = self.last(*keys)
        return o is not None and o.as_bool()

    def number(self, *keys: str) -> int | None:
        """An integer option as uWSGI reads it (strtoul: leading digits, rest ignored)."""
        o = self.last(*keys)
        if o is None:
            return None
        return parse_int(o.value, leading=True)  # ASCII digits; saturates as strtoul does (wsgilint.numbers)


class _IniResolver:
    def __init__(self, fs: FileSystem) -> None:
        self.fs = fs
        self.options: list[Option] = []
        self.first: dict[str, str] = {}
        self.files: list[SourceFile] = []
        self.diagnostics: list[Diagnostic] = []
        self.comments: dict[str, list] = {}
        self.stack: list[str] = []
        self.limits = fs.limits
        self.keep_parse = fs.limits is DEFAULT_LIMITS or fs.limits == DEFAULT_LIMITS  # compared once
        self.limits_hit: set[str] = set()
        from wsgilint.limits import budget_of

        self.budget = budget_of(fs)
        self.environ: dict[str, str] = {}  # the launcher's environment: $(VAR) it sets is expanded

    def env(self, value: str) -> str:
        """``$(VAR)`` replaced by the launcher's value of VAR, as uWSGI does in every option value
        (ini, command line, UWSGI_* environment; measured with --show-config, 2.0.21); a VAR the
        launcher does not set (or is not known to set) stays as written."""
        if not self.environ or "$(" not in value:
            return value
        # Bounded as %(...) is (expand): one value at most max-expansion characters, counted while it is
        # built, and the check's expanded bytes budget; past either, the value stays as written.
        cap = self.limits.max_expansion
        parts: list[str] = []
        size = last = 0
        for m in _ENV_REF.finditer(value):
            piece = self.environ.get(m.group(1), m.group(0))
            size += m.start() - last + len(piece)
            if size > cap:
                self.limit("max-expansion", f"$(...) expansion longer than {cap} characters (max-expansion); "
                           f"the value is kept as written", None)
                return value
            parts.append(value[last:m.start()])
            parts.append(piece)
            last = m.end()
        parts.append(value[last:])
        out = "".join(parts)
        if not self.budget.spend("max_expanded_bytes", len(out)):
            self.limit("max_expanded_bytes", self.budget.message("max_expanded_bytes"), None)
            return value
        return out

    def limit(self, name: str, message: str, span: Span | None) -> None:
        """Report a limit once per check (wsgilint.limits.Budget), not once per ini file."""
        if self.budget.report_once("uwsgi:" + name):
            self.diagnostics.append(Diagnostic("limit-exceeded", message, span))

    def read(self, config_path: str, by: Span | None) -> uwsgi_ini.ParsedIni | None:
        from wsgilint.limits import charge_load

        try:
            charge_load(self.fs, config_path)  # a file discovery sniffed is not charged twice
            text, note, _bom = self.fs.read_text(config_path)
        except ReadError as exc:
            if exc.code != "limit-exceeded" or self.budget.report_once("read:" + str(exc).rsplit("(", 1)[-1]):
                self.diagnostics.append(Diagnostic(exc.code, str(exc), by,
                                                   path=None if by else self.fs.display(config_path)))
            return None
        src = SourceFile(self.fs.display(config_path), text, "uwsgi")
        parsed = uwsgi_ini.parse(text, src.path, src, self.limits)
        if self.keep_parse:  # the parse wsgilint.context would make: kept for it
            src.parsed = parsed
        self.files.append(src)
        self.comments[src.path] = parsed.comments
        if note:
            self.diagnostics.append(Diagnostic("encoding", f"{src.path}: {note}", Span(src, 0, 0)))
        for p in parsed.problems:
            self.diagnostics.append(Diagnostic(p.code, p.message, Span(src, p.start, p.end)))
        return parsed

    def magic(self, value: str, config_path: str) -> str:
        if "%" not in value:
            return value
        dirname = posixpath.dirname(config_path)
        base = posixpath.basename(config_path)
        stem, dot, ext = base.rpartition(".")
        if not dot:
            stem, ext = base, ""
        table = {
            "d": dirname + "/", "n": stem, "c": posixpath.basename(dirname), "p": config_path,
            "s": base, "e": ext, "o": config_path, "x": "", "%": "%",
        }

        def sub(m):
            return table.get(m.group(1), m.group(0))

        return _MAGIC.sub(sub, value)

    def expand(self, value: str, config_path: str, span: Span | None = None) -> str:
        raw_value = value
        if "%(" in value:
            # Substitute piece by piece and stop at the limit: a %(a)%(a) doubling chain,
            # or one line naming a big value 10k times, never builds more than the limit.
            cap = self.limits.max_expansion
            out: list[str] = []
            size = 0
            last = 0
            for m in _PLACEHOLDER.finditer(value):
                piece = self.first.get(m.group(1), m.group(0))
                out.append(value[last:m.start()])
                out.append(piece)
                size += m.start() - last + len(piece)
                last = m.end()
                if size > cap:
                    self.limit("max-expansion", f"%(...) expansion longer than {cap} characters "
                               f"(max-expansion); the value was cut there", span)
                    last = len(value)
                    break
            out.append(value[last:])
            value = "".join(out)[:cap]
            # Expanded characters are one budget per check: past it, values stay unexpanded.
            if not self.budget.spend("max_expanded_bytes", len(value)):
                self.limit("max_expanded_bytes", self.budget.message("max_expanded_bytes"), span)
                return raw_value
        return self.magic(value, config_path)

    def process(self, config_path: str, section: str, by: Span | None, conditional: bool = False) -> None:
        real = None
        try:
            real = self.fs.resolve(config_path)
        except ReadError as exc:
            self.diagnostics.append(Diagnostic(exc.code, str(exc), by))
            return
        if real in self.stack or len(self.stack) >= MAX_INI_DEPTH:
            self.diagnostics.append(Diagnostic("include-cycle", f"ini = {self.fs.display(config_path)} includes itself", by))
            return
        parsed = self.read(config_path, by)
        if parsed is None:
            return
        entries = parsed.section_entries(section)
        if not entries and not any(s[0] == section for s in parsed.sections):
            self.diagnostics.append(Diagnostic(
                "uwsgi-no-section", f"{parsed.source.path} has no [{section}] section; uWSGI reads nothing from it",
                by or Span(parsed.source, 0, 0)))
        self.stack.append(real)
        try:
            self.entries(entries, config_path, conditional)
        finally:
            self.stack.pop()

    def entries(self, entries, config_path: str, conditional: bool) -> None:
        i = 0
        depth_if = 0
        while i < len(entries):
            e = entries[i]
            key = e.key
            if key == "for":
                # Collect the block up to the matching endfor and repeat it.
                j = i + 1
                nest = 1
                while j < len(entries):
                    if entries[j].key == "for":
                        nest += 1
                    elif entries[j].key in ("endfor", "end-for"):
                        nest -= 1
                        if nest == 0:
                            break
                    j += 1
                body = entries[i + 1 : j]
                items = self.expand(e.value, config_path, Span(e.source, e.start, e.end)).split()
                if len(items) * max(1, len(body)) > self.limits.max_expansion:
                    keep = max(1, self.limits.max_expansion // max(1, len(body)))
                    self.limit("max-expansion", f"for = ... repeats {len(body)} line(s) for {len(items)} items, "
                               f"over {self.limits.max_expansion} options (max-expansion); only the first "
                               f"{keep} items were used", Span(e.source, e.start, e.end))
                    items = items[:keep]
                # The options all for-blocks generate are one budget per check (max-directives):
                # 160 blocks of 30,000 items each under max-expansion would be 4.8 million options.
                want = len(items) * max(1, len(body))
                left = self.budget.left("max_directives")
                if want > left:
                    keep = left // max(1, len(body))
                    self.limit("max_directives", self.budget.message("max_directives", e.source.path)
                               + f"; for = ... used {keep} of its {len(items)} items", Span(e.source, e.start, e.end))
                    items = items[:keep]
                self.budget.spend("max_directives", len(items) * max(1, len(body)))
                # uWSGI 2.0 repeats each body line for every item before the next line
                # (line-major, checked with --show-config), not the whole body per item.
                for b in body:
                    for item in items:
                        self.add(b, config_path, conditional, b.value.replace("%(_)", item))
                i = j + 1
                continue
            if key.startswith("if-") or key.startswith("if_") or key in _IF_ALIASES:
                depth_if += 1
                conditional = True
                i += 1
                continue
            if key in ("endif", "end-if"):
                depth_if = max(0, depth_if - 1)
                if depth_if == 0:
                    conditional = False
                i += 1
                continue
            if key in ("ini", "inherit"):
                val = self.env(self.expand(e.value, config_path, Span(e.source, e.start, e.end)))
                self.add(e, config_path, conditional, e.value)
                if _DYNAMIC.search(val) or val.startswith(("http://", "https://", "exec://", "data://", "sym://")):
                    i += 1
                    continue
                fpath, _, sect = val.partition(":")
                sect = sect or "uwsgi"
                if not fpath.startswith("/"):
                    # uWSGI resolves relative to its working directory; assume the ini's own folder.
                    fpath = posixpath.normpath(posixpath.join(posixpath.dirname(config_path), fpath))
                span = Span(e.source, e.start, e.end)
                if not self.fs.exists(fpath):
                    self.diagnostics.append(Diagnostic(
                        "include-not-found", f"ini = {val}: no such file; uWSGI refuses to start", span))
                else:
                    self.process(fpath, sect, span, conditional)
                i += 1
                continue
            self.add(e, config_path, conditional, e.value)
            i += 1

    def add(self, e, config_path: str, conditional: bool, raw: str) -> None:
        value = self.env(self.expand(raw, config_path, Span(e.source, e.start, e.end)))
        dynamic = bool(_DYNAMIC.search(value))
        self.first.setdefault(e.key, value)
        self.options.append(Option(
            key=e.key, value=value, span=Span(e.source, e.start, e.end),
            value_span=Span(e.source, e.value_start, e.end), raw=e.value,
            dynamic=dynamic, conditional=conditional))


def resolve(fs: FileSystem, config_path: str, section: str = "uwsgi", launcher=None) -> UwsgiConfig:
    """Read one uWSGI ini file (a config path) and what it includes.

    With a ``launcher`` (wsgilint.launch.types.Launcher), the options are the instance's effective
    ones, in the order uWSGI 2.0 loads them (measured with --show-config by
    tests/test_differential_launch.py): the ``UWSGI_*`` environment options, then the command line
    item by item, each ``--ini`` file inlined where it stands (Debian's inherited default.ini before
    the instance's own ini). Options from the command line or the environment point at the launcher
    file's line that sets them.
    """
    r = _IniResolver(fs)
    if launcher is None:
        r.process(config_path, section, None)
        main = r.files[0] if r.files else None
    else:
        main = _launched(r, fs, config_path, section, launcher)
    return UwsgiConfig(path=config_path, source=main, section=section, options=r.options, files=r.files,
                       diagnostics=r.diagnostics, comments=r.comments, launcher=launcher)


def _launched(r: _IniResolver, fs: FileSystem, config_path: str, section: str, launcher) -> SourceFile | None:
    src = SourceFile(fs.display(launcher.path), launcher.text or "", "launcher")
    starts = None

    def span(line: int) -> Span:
        nonlocal starts
        if line <= 0 or not src.text:
            return Span(src, 0, 0)
        if starts is None:
            starts = [0]
            for i, ch in enumerate(src.text):
                if ch == "\n":
                    starts.append(i + 1)
        if line > len(starts):
            return Span(src, 0, 0)
        a = starts[line - 1]
        b = src.text.find("\n", a)
        return Span(src, a, len(src.text) if b < 0 else b)

    r.environ = dict(launcher.environment)

    def synthetic(key: str, value: str, line: int) -> None:
        value = r.env(value)
        sp = span(line)
        r.first.setdefault(key, value)
        r.options.append(Option(key=key, value=value, span=sp, value_span=sp, raw=value,
                                dynamic=bool(_DYNAMIC.search(value))))

    for key, value, line in launcher.env:
        synthetic(key, value, line)
    main = None
    deferred = []
    for arg in launcher.args:
        if arg.kind == "inherit":
            synthetic(arg.key, arg.value, arg.line)
            deferred.append(arg)
            continue
        if arg.kind != "ini":
            synthetic(arg.key, arg.value, arg.line)
            if arg.key == "set" and "=" in arg.value:  # --set KEY=VALUE sets KEY too
                k, _, v = arg.value.partition("=")
                synthetic(k, v, arg.line)
            continue
        if arg.key:  # a positional config file sets no option (wsgilint.launch.unit.uwsgi_args)
            synthetic(arg.key, arg.value, arg.line)
        fpath, _, sect = arg.value.partition(":")
        path = config_path if arg.main else fpath
        n = len(r.files)
        if not fs.exists(path):
            r.diagnostics.append(Diagnostic(
                "include-not-found", f"{launcher.name} loads {fpath}: no such file; uWSGI refuses to start",
                span(arg.line)))
            continue
        r.process(path, (sect or section) if not arg.main else section, None if arg.main else span(arg.line))
        if arg.main and len(r.files) > n:
            main = r.files[n]
    for arg in deferred:  # --inherit files: after the whole command line
        fpath, _, sect = arg.value.partition(":")
        if not fs.exists(fpath):
            r.diagnostics.append(Diagnostic(
                "include-not-found", f"{launcher.name} loads {fpath}: no such file; uWSGI refuses to start",
                span(arg.line)))
            continue
        r.process(fpath, sect or section, span(arg.line))
    return main
