"""Resolve an nginx configuration the way nginx reads it: one tree with every include spliced in.

``include`` (ngx_conf_include, src/core/ngx_conf_file.c) takes one path, relative
to the configuration prefix (the directory of the main file given with ``-c``,
not of the including file); a path with ``*?[`` is a glob whose matches are read
in sorted order and may be empty, a plain path must exist. The included file's
directives join the block the ``include`` stands in. A fragment (a
sites-enabled or conf.d file read on its own) is resolved the same way, with
its own directory as the prefix; includes it names that are missing are not
reported, because the real prefix is unknown.
"""

from __future__ import annotations

import posixpath

from wsgilint.fsroot import FileSystem, ReadError, has_wildcard
from wsgilint.limits import budget_of, charge_load
from wsgilint.parse import nginx as nginx_parser
from wsgilint.resolve.diagnostics import Diagnostic
from wsgilint.resolve.tree import TreeNode
from wsgilint.source import SourceFile, Span
from wsgilint.record import FACTORY, Record

MAX_INCLUDE_DEPTH = 64


class Directive(TreeNode):
    """One effective nginx directive or block, tied to the node (and file) it came from."""

    __slots__ = ("node", "name", "key", "args", "parent", "children", "file", "_index")

    def __init__(self, node, parent, file: str, children=None) -> None:
        self.node = node
        self.name = node.name if node is not None else "<main>"
        self.key = node.key if node is not None else "<main>"
        self.args = node.args if node is not None else []
        self.parent = parent
        self.file = file
        self.children = children
        self._index = None

    @property
    def head_span(self) -> Span:
        """The directive's words (for a block, up to its ``{``)."""
        toks = self.node.tokens
        return Span(self.node.source, toks[0].start, toks[-1].end)

    def arg_span(self, index: int) -> Span:
        """The span of one argument (falls back to the directive's words)."""
        toks = self.node.tokens if self.node is not None else []
        if 0 <= index < len(toks) - 1:
            t = toks[index + 1]
            return Span(self.node.source, t.start, t.end)
        return self.head_span


class IncludedFile(Record):
    source: SourceFile
    config_path: str
    depth: int
    included_by: Span | None

    def __init__(self, source, config_path, depth, included_by) -> None:
        self.source = source
        self.config_path = config_path
        self.depth = depth
        self.included_by = included_by


class NginxConfig(Record):
    """One resolved nginx configuration (a main file and its includes), or a fragment."""

    root_path: str
    prefix: str
    tree: Directive
    files: list[IncludedFile]
    diagnostics: list[Diagnostic]
    comments: dict[str, list[tuple[int, int, str]]]
    complete: bool

    def __init__(self, root_path, prefix, tree, files=FACTORY, diagnostics=FACTORY, comments=FACTORY,
                 complete=True) -> None:
        self.root_path = root_path
        self.prefix = prefix
        self.tree = tree
        self.files = [] if files is FACTORY else files
        self.diagnostics = [] if diagnostics is FACTORY else diagnostics
        self.comments = {} if comments is FACTORY else comments
        self.complete = complete


class _Resolver:
    def __init__(self, fs: FileSystem, prefix: str, complete: bool) -> None:
        self.fs = fs
        self.prefix = prefix
        self.complete = complete
        self.files: list[IncludedFile] = []
        self.diagnostics: list[Diagnostic] = []
        self.comments: dict[str, list] = {}
        self.stack: list[str] = []
        self.parsed: dict[str, nginx_parser.ParsedFile] = {}
        self.budget = budget_of(fs)

    def diag(self, code: str, message: str, by: Directive | None, path: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, by.span if by is not None else None,
                                           path=None if by is not None else (self.fs.display(path) if path else None)))

    def read(self, config_path: str, parent: Directive, depth: int, by: Directive | None) -> None:
        try:
            real = self.fs.resolve(config_path)
            charge_load(self.fs, config_path)  # every include counts, a file included again too
        except ReadError as exc:
            if exc.code == "limit-exceeded":
                if self.budget.report_once("read:" + str(exc).rsplit("(", 1)[-1]):
                    self.diag(exc.code, str(exc), by, config_path)
                return
            self.diag("file-unreadable", str(exc), by, config_path)
            return
        if real in self.stack or depth > MAX_INCLUDE_DEPTH:
            self.diag("include-cycle", f"{self.fs.display(config_path)} includes itself (through "
                      f"{len(self.stack)} level(s) of include); nginx recurses until it runs out of files",
                      by, config_path)
            return
        parsed = self.parsed.get(real)
        if parsed is None:
            try:
                text, note, bom = self.fs.read_text(config_path)
            except ReadError as exc:
                self.diag("file-unreadable", str(exc), by, config_path)
                return
            source = SourceFile(self.fs.display(config_path), text, "nginx")
            parsed = nginx_parser.parse(text, source.path, source)
            self.parsed[real] = parsed
            source.parsed = parsed  # the parse wsgilint.context would make: kept for it
            if note:
                self.diagnostics.append(Diagnostic("encoding", f"{source.path}: {note}", Span(source, 0, 0)))
            for prob in parsed.problems:
                self.diagnostics.append(Diagnostic(prob.code, prob.message, Span(source, prob.start, prob.end)))
            self.comments[source.path] = parsed.comments
        # Directives created per check (a file included twice at every level of a chain is
        # parsed once but copied each time): ';' and '{' end every directive nginx reads.
        text = parsed.source.text
        if not self.budget.spend("max_directives", min(text.count(";") + text.count("{") + 1,
                                                        self.fs.limits.max_lines)):
            if self.budget.report_once("max_directives"):
                self.diag("limit-exceeded", self.budget.message("max_directives", self.fs.display(config_path)),
                          by, config_path)
            return
        self.files.append(IncludedFile(parsed.source, config_path, depth, by.span if by is not None else None))
        self.stack.append(real)
        try:
            self.walk(parsed.nodes, parent, parsed.source.path, depth)
        finally:
            self.stack.pop()

    def walk(self, nodes, parent: Directive, file: str, depth: int) -> None:
        """Copy parsed blocks under ``parent`` in order, iteratively (20k nested blocks are fine)."""
        stack = [(iter(nodes), parent)]
        while stack:
            it, cur = stack[-1]
            for node in it:
                if node.key == "include" and node.children is None:
                    self.include(Directive(node, cur, file), cur, depth)
                    continue
                d = Directive(node, cur, file, [] if node.children is not None else None)
                cur.children.append(d)
                if node.children:
                    stack.append((iter(node.children), d))
                    break
            else:
                stack.pop()

    def include(self, d: Directive, parent: Directive, depth: int) -> None:
        if len(d.args) != 1:
            self.diagnostics.append(Diagnostic("parse-error", 'invalid number of arguments in "include" directive',
                                               d.span))
            return
        name = d.args[0]
        if "$" in name and not self.complete:
            return
        path = name if name.startswith("/") else posixpath.join(self.prefix, name)
        if has_wildcard(path):
            try:
                matches = self.fs.glob(path)
            except ReadError as exc:  # ReadLimitError: too many matches; read the first ones (as Apache's)
                if exc.code != "limit-exceeded" or self.budget.report_once("glob:" + str(exc).rsplit("(", 1)[-1]):
                    self.diag(exc.code, str(exc), d)
                matches = getattr(exc, "partial", [])
            for match in matches:
                if self.fs.is_file(match):
                    self.read(match, parent, depth + 1, d)
            return
        if not self.fs.exists(path):
            if self.complete:
                self.diag("include-not-found", f'open() "{path}" failed (2: No such file or directory): '
                          f"nginx refuses to start", d)
            return
        self.read(path, parent, depth + 1, d)


def resolve(fs: FileSystem, root: str, complete: bool = True, prefix: str | None = None) -> NginxConfig:
    """Read ``root`` (a config path) and everything it includes."""
    if prefix is None:
        prefix = posixpath.dirname(root) or "/"
    r = _Resolver(fs, prefix, complete)
    tree = Directive(None, None, root, [])
    r.read(root, tree, 0, None)
    return NginxConfig(root, prefix, tree, r.files, r.diagnostics, r.comments, complete)
