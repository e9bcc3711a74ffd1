"""What the command line named, and what may be read because of it (issue 16, items 4 and 5).

- ``implied_root``: a directory holding an ``etc/`` tree of web-server configs is a root
  (as if ``--root DIR`` were given), so its absolute includes resolve inside it.
- ``ScopedFileSystem``: without ``--root``, a check of named paths reads nothing outside
  them; a config naming ``/etc/nginx/mime.types`` gets an ``outside-checked-paths``
  finding (WSG012) instead of the host's file. ``--root /`` reads the host's files.
- ``classify``: what a file is from its content and its name: Apache, nginx, uWSGI ini,
  a template (Jinja, ERB, Helm/Go), a launcher, or not a configuration.

Only discovery and the pipeline use this module; rules never read files.
"""

from __future__ import annotations

import os
import posixpath
import re

from wsgilint.fsroot import FileSystem, ReadError

# A directory whose etc/ holds one of these is a root (fixtures/deployments/*, a container
# image's rootfs, config-management output).
ROOT_MARKERS = ("etc/apache2", "etc/httpd", "etc/nginx", "etc/uwsgi", "etc/uwsgi.d", "etc/uwsgi-emperor")


def implied_root(host_dir: str, cwd: str | None = None) -> str | None:
    """The first ``etc/<server>`` directory that ``host_dir`` holds, or None (not a directory,
    or no such tree). Probed through a FileSystem rooted at ``host_dir`` (stat only)."""
    path = os.path.join(cwd or os.getcwd(), host_dir)
    if not os.path.isdir(path):
        return None
    fs = FileSystem(path)
    try:
        for marker in ROOT_MARKERS:
            try:
                if fs.is_dir("/" + marker):
                    return marker
            except (OSError, ReadError):
                continue
    finally:
        fs.close()
    return None


OUTSIDE_CODE = "outside-checked-paths"


class OutsideError(ReadError):
    code = OUTSIDE_CODE


class ScopedFileSystem(FileSystem):
    """A FileSystem (no root) that reads only under the paths named on the command line (a
    named file: under its directory).

    A path a config names outside them is not read or listed: reading it
    raises OutsideError (the resolvers report it at the directive that named it). ``exists``
    and ``is_file`` answer True for such a path and ``is_dir`` False, so an Include of it is
    reported as outside the check, not as missing on this host.
    """

    def __init__(self, named: list[str], cwd: str | None = None, limits=None) -> None:
        super().__init__(None, cwd=cwd, limits=limits)
        prefixes = set()
        for given in named:
            host = os.path.abspath(os.path.join(self.cwd, given))
            if not os.path.isdir(host):  # a named file brings its own directory (its siblings, its conf/)
                host = os.path.dirname(host)
                if os.path.basename(host) == "conf" and given.endswith("httpd.conf"):
                    host = os.path.dirname(host)  # Red Hat: <ServerRoot>/conf/httpd.conf
            for p in (host, os.path.realpath(host)):
                prefixes.add(p.rstrip("/") or "/")
        self.scope = tuple(sorted(prefixes))
        self.refused: list[str] = []  # config paths refused, in order, once each

    def inside(self, config_path: str) -> bool:
        """Lexically under a named path: what the user named, symlinks in it included (a Debian
        sites-enabled link is part of the tree named); an Include naming a path elsewhere is not."""
        p = posixpath.normpath(config_path)
        return any(p == s or p.startswith(s + "/") or s == "/" for s in self.scope)

    def _refuse(self, config_path: str) -> OutsideError:
        if config_path not in self.refused:
            self.refused.append(config_path)
        return OutsideError(f"outside the checked paths: {config_path} was not read (give --root / to read "
                            f"this host's files, or --root DIR for a tree)")

    def read_bytes(self, config_path: str) -> bytes:
        if not self.inside(config_path):
            raise self._refuse(config_path)
        return super().read_bytes(config_path)

    def glob(self, pattern: str) -> list[str]:
        head = pattern
        while head and any(c in head for c in "*?["):
            head = posixpath.dirname(head)
        if not self.inside(head or "/"):
            raise self._refuse(pattern)
        return [m for m in super().glob(pattern) if self.inside(m)]

    def exists(self, config_path: str) -> bool:
        return True if not self.inside(config_path) else super().exists(config_path)

    def is_file(self, config_path: str) -> bool:
        return True if not self.inside(config_path) else super().is_file(config_path)

    def is_dir(self, config_path: str) -> bool:
        return False if not self.inside(config_path) else super().is_dir(config_path)

    def listdir(self, config_path: str) -> list[str]:
        return [] if not self.inside(config_path) else super().listdir(config_path)

    def scan(self, config_path: str) -> list[tuple[str, str]]:
        return [] if not self.inside(config_path) else super().scan(config_path)


# -- classification ------------------------------------------------------------------------

# Names that are documents or code, never server configs (by the file's name alone).
NOT_CONFIG_SUFFIXES = (".md", ".rst", ".txt", ".toml", ".json", ".yaml", ".yml", ".py", ".pyc", ".sh", ".html",
                       ".xml", ".csv", ".lock", ".cfg", ".spec", ".patch", ".diff")
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".erb", ".tpl", ".gotmpl")
# Template markers: Jinja/Ansible `{{ }}` `{% %}` `{# #}`, Go/Helm `{{ }}`, ERB `<% %>`; the
# closing marker must be on the same line. devstack's `%VAR%` placeholders are not here:
# those files keep their structure and are checked (the placeholders are unknown values).
_TEMPLATE_OPEN = re.compile(rb"\{\{|\{%|\{#|<%")
_CLOSE = {b"{{": b"}}", b"{%": b"%}", b"{#": b"#}", b"<%": b"%>"}
_UWSGI = re.compile(rb"^[ \t\r\f\v]*\[uwsgi\]", re.M)
_NGINX = re.compile(rb"^[ \t\r\f\v]*(server|http|location|upstream|events)\s*\{", re.M)
_UNIT = re.compile(rb"^[ \t\r\f\v]*\[(Unit|Service|Install)\][ \t\r]*$", re.M)
# Apache: a line that starts with a directive of httpd's common modules or a <Section>.
_APACHE_WORDS = (
    b"listen|servername|serveralias|serverroot|serveradmin|documentroot|include|includeoptional|loadmodule|"
    b"define|undefine|user|group|timeout|keepalive|keepalivetimeout|maxkeepaliverequests|errorlog|customlog|"
    b"loglevel|logformat|transferlog|alias|aliasmatch|scriptalias|redirect|redirectmatch|options|allowoverride|"
    b"require|order|allow|deny|directoryindex|addtype|addhandler|sethandler|setenv|setenvif|setenvifnocase|"
    b"passenv|header|requestheader|limitrequestbody|limitrequestfields|limitrequestfieldsize|limitrequestline|"
    b"hostnamelookups|usecanonicalname|startservers|maxrequestworkers|serverlimit|threadsperchild|"
    b"rewriteengine|rewriterule|rewritecond|rewritemap|keepalive|accessfilename|adddefaultcharset|"
    b"servertokens|serversignature|traceenable|mutex|pidfile|defaultruntimedir|errordocument|allowencodedslashes|"
    b"(?:wsgi|proxy|ssl|mod|auth|balancer|request|cache|deflate|expires|mime|log|dav|uwsgi)[a-z]*"
)
_APACHE_SRC = (rb"^[ \t\r\f\v]*(?:</?[ \t]*(?:virtualhost|directory|directorymatch|location|locationmatch|"
                     rb"files|filesmatch|ifmodule|ifdefine|ifversion|iffile|ifdirective|ifsection|proxy|"
                     rb"proxymatch|limit|limitexcept|macro|if|else|elseif|requireall|requireany|requirenone)\b|"
                     rb"(?:" + _APACHE_WORDS + rb")(?:[ \t]|\r?$))")
_LAZY: dict[str, re.Pattern] = {}  # compiled on first use: a check that names no file pays nothing (start-up)


def _apache():
    pat = _LAZY.get("apache")
    if pat is None:
        pat = _LAZY["apache"] = re.compile(_APACHE_SRC, re.M | re.I)
    return pat
_COMMENT_OR_BLANK = re.compile(rb"\A(?:[ \t\r\f\v]*(?:#[^\n]*)?\n)*[ \t\r\f\v]*(?:#[^\n]*)?\Z")
_MAX_MARKERS = 64  # markers looked at per file (each costs one find on its line)


def template_marker(head: bytes) -> tuple[int, str] | None:
    """(offset, engine) of the first template marker closed on its own line, or None."""
    seen = 0
    for m in _TEMPLATE_OPEN.finditer(head):
        seen += 1
        if seen > _MAX_MARKERS:
            return None
        opener = m.group()
        bol = head.rfind(b"\n", 0, m.start()) + 1
        if head[bol:m.start()].lstrip()[:1] in (b"#", b";"):
            continue  # `# {{ ansible_managed }}`: a comment; the rest of the file is what renders
        eol = head.find(b"\n", m.end())
        line = head[m.end(): eol if eol >= 0 else len(head)]
        if _CLOSE[opener] not in line:
            continue
        if opener == b"<%":
            return m.start(), "erb"
        if opener == b"{{" and re.match(rb"-?\s*(?:\.Values|\.Release|\.Chart|include\b|tpl\b|template\b|"
                                        rb"define\b|range\b|end\b|\$)", line):
            return m.start(), "helm"
        return m.start(), "jinja"
    return None


class Kind:
    """What classify() returns: ``kind`` is apache, nginx, uwsgi, template, launcher or ''
    (not a configuration, ``why`` says why); ``base`` is what a template would render to."""

    __slots__ = ("kind", "why", "base", "engine", "offset")

    def __init__(self, kind: str, why: str = "", base: str = "", engine: str = "", offset: int = 0) -> None:
        self.kind, self.why, self.base, self.engine, self.offset = kind, why, base, engine, offset


def classify(path: str, head: bytes, named: bool = False) -> Kind:
    """Classify one file from its content (its first 64 KiB) and its name.

    ``named``: the user named this file on the command line (its name is then a hint, and
    a file with content but no directive is "not a configuration"); in a directory scan an
    unrecognised file is what it always was (an Apache fragment when its name says so).
    """
    base_name = posixpath.basename(path).lower()
    stem = base_name
    for suffix in TEMPLATE_SUFFIXES:
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    launcher = False
    if _UWSGI.search(head):
        base = "uwsgi"
    elif stem.endswith(".ini"):
        base = ""
    elif _UNIT.search(head) or head.startswith(b"#!"):
        base, launcher = "", True
    elif _NGINX.search(head):
        base = "nginx"
    elif _apache().search(head):
        base = "apache"
    else:
        base = ""
    marker = template_marker(head)
    if marker is not None and (named or base) and not stem.endswith(NOT_CONFIG_SUFFIXES):
        engine = marker[1]
        if engine == "jinja" and base_name.endswith((".tpl", ".gotmpl")):
            engine = "helm"
        return Kind("template", base=base or _base_from_name(stem), engine=engine, offset=marker[0])
    if base_name.endswith(NOT_CONFIG_SUFFIXES) and named:
        return Kind("", why=f"not a configuration: a .{base_name.rsplit('.', 1)[-1]} file (wsgilint reads Apache "
                            f"httpd, nginx and uWSGI configurations)")
    if base:
        return Kind(base)
    if launcher:
        return Kind("launcher", why="a launcher (systemd unit or init script), not a server configuration: it is "
                                    "read with the tree it starts (check that tree with --root DIR)")
    if stem.endswith(".ini"):
        return Kind("", why="no [uwsgi] section: not a uWSGI configuration" if named else "")
    if named and not _COMMENT_OR_BLANK.match(head):
        return Kind("", why="not a configuration: no Apache httpd directive, nginx block or uWSGI [uwsgi] "
                            "section in it")
    return Kind("apache")  # blank or comments only, or a directory scan's *.conf: as before


def _base_from_name(stem: str) -> str:
    if "nginx" in stem:
        return "nginx"
    if stem.endswith(".ini") or "uwsgi" in stem:
        return "uwsgi"
    return "apache"


ENGINES = {
    "jinja": ("a Jinja template (Ansible: kolla-ansible, openstack-ansible)",
              "kolla-ansible: `kolla-ansible genconfig` writes the rendered files to /etc/kolla; "
              "openstack-ansible: run the playbook with `--check --diff`, or render it with ansible's "
              "template module (`ansible localhost -m template -a 'src=FILE dest=OUT'`)"),
    "erb": ("an ERB template (Puppet)",
            "Puppet: `puppet apply --noop` or a catalog compile renders it; or "
            "`erb -T - FILE` with the variables set"),
    "helm": ("a Helm (Go) template",
             "Helm: `helm template RELEASE CHART --output-dir OUT` renders the chart's files"),
}


def template_message(shown: str, kind: Kind) -> str:
    what, how = ENGINES.get(kind.engine, ENGINES["jinja"])
    server = {"apache": "an Apache httpd", "nginx": "an nginx", "uwsgi": "a uWSGI"}.get(kind.base, "a server")
    return (f"{what} of {server} configuration, not checked: its placeholders and control statements are not "
            f"server syntax; render it first and check the rendered file ({how})")


# -- the pipeline's two calls --------------------------------------------------------------

def imply_root(options) -> str | None:
    """Issue 16 #4: ``check DIR`` (no --root, one path) where DIR holds etc/apache2, etc/nginx,
    ... is ``check --root DIR``: its absolute includes resolve inside it, not on this host.
    Changes ``options`` (root set, paths emptied: the standard places inside it) and returns
    the one-line note the CLI shows on stderr, or None."""
    if options.root is not None or len(options.paths) != 1 or options.paths[0] == "-":
        return None
    given = options.paths[0]
    marker = implied_root(given, options.cwd)
    if marker is None:
        return None
    options.root = os.path.join(options.cwd or os.getcwd(), given)
    options.paths = []
    return f"checking {given} as a root: it holds {marker}; give --root {given} to silence this"


def finish(fs: FileSystem, plan, model) -> None:
    """After the model is built: each template becomes one source and one
    template-not-rendered diagnostic (never parsed), and a read the check refused
    (ScopedFileSystem) is reported as outside-checked-paths, not as unreadable."""
    from wsgilint.fsroot import decode
    from wsgilint.model.types import Source
    from wsgilint.resolve.diagnostics import Diagnostic
    from wsgilint.source import SourceFile, Span

    for d in model.diagnostics:
        if d.code in ("file-unreadable", OUTSIDE_CODE) and "outside the checked paths:" in d.message:
            d.code = OUTSIDE_CODE
            d.message = d.message[d.message.index("outside the checked paths:"):]
    shown_paths = {s.path for s in model.sources}
    for path, kind in plan.templates:
        shown = fs.display(path)
        if shown in shown_paths:
            continue
        shown_paths.add(shown)
        try:
            data = fs.read_bytes(path)
        except ReadError as exc:
            model.diagnostics.append(Diagnostic(exc.code, str(exc), path=shown))
            continue
        try:
            text, _ = decode(data)
        except ReadError as exc:
            model.diagnostics.append(Diagnostic(exc.code, f"{shown}: {exc}", path=shown))
            continue
        src = SourceFile(shown, text, "template")
        start = min(len(data[:kind.offset].decode("utf-8", "replace")), len(text))
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        model.sources.append(Source(shown, "template", src))
        model.diagnostics.append(Diagnostic("template-not-rendered", template_message(shown, kind),
                                            Span(src, start, end)))


def show_files(result, stream) -> None:
    """``--show-files``: every file the check read, skipped, could not read, did not find or
    was not allowed to read, one line each with why (as ruff's --show-files lists its files)."""
    from wsgilint.report.escape import visible

    rows: list[tuple[str, str, str]] = []
    for src in result.model.sources:
        what = "template" if src.kind == "template" else "read"
        why = ("not rendered: not checked (WSG011)" if src.kind == "template" else src.kind)
        rows.append((what, src.path, why))
    for path, why in result.skipped:
        rows.append(("skipped", path, why))
    for d in result.model.diagnostics:
        label = {"file-unreadable": "unreadable", "include-not-found": "not-found",
                 OUTSIDE_CODE: "outside", "limit-exceeded": "limit"}.get(d.code)
        if label is None:
            continue
        where = d.path or (f"{d.span.source.path}:{d.span.source.position(d.span.start)[0]}"
                           if d.span is not None else "")
        rows.append((label, where, d.message))
    for what, path, why in rows:
        stream.write(visible(f"{what:<10} {path}  ({why})") + "\n")
    stream.flush()
