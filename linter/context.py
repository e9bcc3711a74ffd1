"""Find the directive and the sections around an offset of a source file.

Suppression comments ("the next directive", "this section") and line-independent
fingerprints (baseline, GitLab, SARIF) need the structure of a file, not its
lines. The index walks the parse the resolver kept (``SourceFile.parsed``); a file
without one (read with non-default limits, or built outside a check) is parsed here,
on demand (a file with a ``wsgilint:`` comment, or one holding a finding when a
fingerprint is asked for).
"""

from __future__ import annotations

from bisect import bisect_right
from wsgilint.record import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms of a small check)

if TYPE_CHECKING:
    from typing import Iterable

    from wsgilint.findings import Finding
    from wsgilint.source import SourceFile


class Item(Record):
    """A directive or section opener: where it is and how it reads."""

    start: int
    end: int  # end of the directive (for a section: of its opening line)
    label: str  # normalised text, e.g. "ProxyPass /image uwsgi://x/" or "<VirtualHost *:80>"
    parent: int  # index of the enclosing section, -1 at top level
    body_start: int  # sections only: where the body starts (after the opener)
    close_end: int  # sections only: end of the section (closing tag, next header or EOF)

    def __init__(self, start, end, label, parent, body_start=-1, close_end=-1) -> None:
        self.start = start
        self.end = end
        self.label = label
        self.parent = parent
        self.body_start = body_start
        self.close_end = close_end

    @property
    def is_section(self) -> bool:
        return self.close_end >= 0


def _norm(text: str) -> str:
    return " ".join(text.split())


def _apache_label(node) -> str:
    """An Apache parse node's label: ``ProxyPass /x http://...``, ``<VirtualHost *:80>``."""
    if node.children is not None:
        return _norm(f"{node.name} {node.raw}".strip() + ">")
    return _norm(f"{node.name} {node.raw}")


def _start(node) -> int:
    return node.start


class FileIndex:
    """Directives and sections of one file, in document order."""

    def __init__(self, source: "SourceFile") -> None:
        self.source = source
        self._items: list[Item] | None = []
        self._roots: list | None = None  # Apache: the parse's top-level nodes (items built on demand)
        kind = source.kind
        if kind.startswith("apache"):
            from wsgilint.parse import apache as parser

            parsed = source.parsed
            if parsed is None:
                parsed = parser.parse(source.text, source.path, source)
            self._roots = parsed.nodes
            self._items = None
        elif kind == "uwsgi":
            self._uwsgi()
        elif kind == "nginx":
            self._nginx()
        else:
            self._lines()
        self._starts = None if self._items is None else [it.start for it in self._items]
        self._contexts: dict[int, str] = {}  # item index (Apache: id of the node) -> context (one per directive)
        self._chains: dict[int, "str | tuple"] = {}  # section index (Apache: id) -> its chain (see _extend)

    @property
    def items(self) -> list[Item]:
        """Every directive and section opener as an Item (for Apache built on first use: a
        fingerprint walks the parse nodes themselves, bench/README.md 2026-12-02)."""
        if self._items is None:
            self._items = []
            self._apache()
            self._starts = [it.start for it in self._items]
        return self._items

    def _apache(self) -> None:
        from wsgilint.parse import apache as parser

        index: dict[int, int] = {}
        items = self._items
        for node in parser.walk(self._roots):
            parent = index.get(id(node.parent), -1) if node.parent is not None else -1
            if node.children is not None:
                close = node.close_end if node.close_end >= 0 else len(self.source.text)
                item = Item(node.start, node.end, _apache_label(node), parent, body_start=node.end, close_end=close)
            else:
                item = Item(node.start, node.end, _apache_label(node), parent)
            index[id(node)] = len(items)
            items.append(item)

    def _apache_node_at(self, offset: int):
        """``_index_at`` over the parse tree: the node whose text holds ``offset``, else the
        innermost section around it (descending by start offsets: no Item per node)."""
        nodes = self._roots
        cur = None
        while nodes:
            k = bisect_right(nodes, offset, key=_start) - 1
            if k < 0:
                break
            cur = nodes[k]
            nodes = cur.children
        if cur is None:
            return None
        if cur.start <= offset < max(cur.end, cur.start + 1):
            return cur
        end = len(self.source.text)
        while cur is not None:
            if cur.children is not None and cur.start <= offset < (cur.close_end if cur.close_end >= 0 else end):
                return cur
            cur = cur.parent
        return None

    def _apache_context(self, offset: int) -> str:
        node = self._apache_node_at(offset)
        if node is None:
            return ""
        found = self._contexts.get(id(node))
        if found is None:
            memo = self._chains
            todo = []
            p = node.parent
            while p is not None and id(p) not in memo:
                todo.append(p)
                p = p.parent
            prev = memo[id(p)] if p is not None else None
            for q in reversed(todo):
                prev = memo[id(q)] = _extend(prev, _apache_label(q))
            found = self._contexts[id(node)] = _render(_extend(prev, _apache_label(node)))
        return found

    def _uwsgi(self) -> None:
        from wsgilint.parse import uwsgi_ini

        parsed = self.source.parsed
        if parsed is None:
            parsed = uwsgi_ini.parse(self.source.text, self.source.path, self.source)
        text_end = len(self.source.text)
        heads = parsed.sections
        events = [(s, 0, i) for i, (_, s, _) in enumerate(heads)] + [(e.start, 1, e) for e in parsed.entries]
        events.sort(key=lambda t: (t[0], t[1]))
        current = -1
        for start, kind, obj in events:
            if kind == 0:
                name, s, e = heads[obj]
                nxt = heads[obj + 1][1] if obj + 1 < len(heads) else text_end
                current = len(self.items)
                self.items.append(Item(s, e, f"[{name}]", -1, body_start=e, close_end=nxt))
            else:
                self.items.append(Item(obj.start, obj.end, _norm(f"{obj.key} = {obj.value}"), current))

    def _nginx(self) -> None:
        from wsgilint.parse import nginx as parser

        parsed = self.source.parsed
        if parsed is None:
            parsed = parser.parse(self.source.text, self.source.path, self.source)
        index: dict[int, int] = {}
        for node in parser.walk(parsed.nodes):
            parent = index.get(id(node.parent), -1) if node.parent is not None else -1
            words = " ".join(t.raw for t in node.tokens)
            if node.children is not None:
                opener = node.open_brace + 1 if node.open_brace >= 0 else node.end
                item = Item(node.start, opener, words + " {", parent, body_start=opener, close_end=node.end)
            else:
                item = Item(node.start, node.end, words + ";", parent)
            index[id(node)] = len(self.items)
            self.items.append(item)

    def _lines(self) -> None:
        """Any other format (nginx and the like): one item per line; ``{`` opens, ``}`` closes."""
        text = self.source.text
        pos, stack = 0, []
        while pos < len(text):
            nl = text.find("\n", pos)
            end = len(text) if nl == -1 else nl
            line = text[pos:end].strip()
            lead = pos + (len(text[pos:end]) - len(text[pos:end].lstrip()))
            if line and not line.startswith(("#", ";")):
                if line == "}" or line.startswith("}"):
                    if stack:
                        self.items[stack.pop()].close_end = end
                else:
                    parent = stack[-1] if stack else -1
                    item = Item(lead, lead + len(line), _norm(line), parent)
                    if line.endswith("{"):
                        item.body_start = item.end
                        item.close_end = len(text)
                        stack.append(len(self.items))
                    self.items.append(item)
            pos = end + 1

    # -- queries ---------------------------------------------------------------

    def next_item(self, offset: int) -> Item | None:
        """The first directive or section opener starting at or after ``offset``."""
        items = self.items
        i = bisect_right(self._starts, offset - 1)
        return items[i] if i < len(items) else None

    def section_opened_before(self, offset: int) -> Item | None:
        """The section whose opener is the last directive before ``offset`` (nothing else between)."""
        items = self.items
        i = bisect_right(self._starts, offset - 1) - 1
        if i < 0:
            return None
        it = items[i]
        if it.is_section and it.end <= offset < it.close_end:
            return it
        return None

    def item_at(self, offset: int) -> Item | None:
        """The directive whose text holds ``offset``, else the innermost section around it."""
        i = self._index_at(offset)
        return self.items[i] if i >= 0 else None

    def _index_at(self, offset: int) -> int:
        self.items  # noqa: B018 - built on first use
        i = bisect_right(self._starts, offset) - 1
        if i < 0:
            return -1
        it = self.items[i]
        if it.start <= offset < max(it.end, it.start + 1):
            return i
        j = i
        while j >= 0:
            it = self.items[j]
            if it.is_section and it.start <= offset < it.close_end:
                return j
            j = it.parent
        return -1

    def context(self, offset: int) -> str:
        """``<VirtualHost *:80> > <Location /x> > ProxyPass /x http://...``: stable across line moves.

        The chain of labels outermost first, as ``bounded()`` stores it: whole up to CONTEXT_CAP
        characters, else its head, a SHA-256 of the whole chain and its tail. Computed once per
        directive, from a per-section memo of the chain so far (the hash continued with a copy):
        200 nested 10 KB headers cost each finding ~300 bytes, not 2 MB
        (../shared/hostile/superlinear-baseline-context)."""
        if self._items is None:  # Apache, no Item built: walk the parse nodes
            return self._apache_context(offset)
        i = self._index_at(offset)
        if i < 0:
            return ""
        found = self._contexts.get(i)
        if found is None:
            found = self._contexts[i] = _render(self._chain(i))
        return found

    def _chain(self, i: int) -> "str | tuple":
        """The chain of item ``i`` (see _extend), its sections' chains memoized (no recursion:
        nesting can be deep)."""
        memo = self._chains
        todo = []
        p = self.items[i].parent
        while p >= 0 and p not in memo:
            todo.append(p)
            p = self.items[p].parent
        prev = memo[p] if p >= 0 else None
        for q in reversed(todo):
            prev = memo[q] = _extend(prev, self.items[q].label)
        return _extend(prev, self.items[i].label)


# A context (the chain of labels) up to this many characters is stored whole, as every
# wsgilint before stored every context; a longer one as head + SHA-256 of the whole + tail,
# so a baseline, SARIF or GitLab report grows linearly with findings. bounded() gives the same
# text from a whole context string: an older baseline's long entries are read through it.
CONTEXT_CAP = 1024
_HEAD = 96
_TAIL = 160
_SEP = " > "


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # any str, lone surrogates from a JSON file included


def bounded(ctx: str) -> str:
    """A context as stored: ``ctx`` itself up to CONTEXT_CAP characters, else ``head …[sha256]… tail``
    (idempotent: the bounded form is short)."""
    if len(ctx) <= CONTEXT_CAP:
        return ctx
    import hashlib

    return _long(ctx[:_HEAD], hashlib.sha256(_encode(ctx)).hexdigest(), ctx[-_TAIL:])


def _long(head: str, digest: str, tail: str) -> str:
    return f"{head} …[sha256:{digest[:32]}]… {tail}"


def _extend(prev: "str | tuple | None", label: str) -> "str | tuple":
    """The chain ``prev > label``: a str while it is at most CONTEXT_CAP characters, else
    (length, head, tail, sha256 object fed with the whole chain)."""
    if prev is None or type(prev) is str:
        text = label if prev is None else prev + _SEP + label
        if len(text) <= CONTEXT_CAP:
            return text
        import hashlib

        return (len(text), text[:_HEAD], text[-_TAIL:], hashlib.sha256(_encode(text)))
    n, head, tail, h = prev
    piece = _SEP + label
    h = h.copy()
    h.update(_encode(piece))
    return (n + len(piece), head, (tail + piece[-_TAIL:])[-_TAIL:], h)


def _render(chain: "str | tuple") -> str:
    if type(chain) is str:
        return chain
    _, head, tail, h = chain
    return _long(head, h.hexdigest(), tail)


class Indexes:
    """FileIndex per source file, built on first use."""

    def __init__(self) -> None:
        self._cache: dict[int, FileIndex] = {}

    def get(self, source: "SourceFile") -> FileIndex:
        idx = self._cache.get(id(source))
        if idx is None:
            idx = self._cache[id(source)] = FileIndex(source)
        return idx


def finding_context(f: "Finding", indexes: Indexes) -> str:
    """The directive context of a finding ("" for findings about a whole file)."""
    if f.span is None:
        return ""
    return indexes.get(f.span.source).context(f.span.start)


def annotate(findings: Iterable["Finding"], indexes: Indexes | None = None) -> None:
    """Set ``extra["context"]`` and a line-independent ``extra["fingerprint"]`` on each finding.

    The fingerprint hashes rule id, path and directive context (not the line); a
    repeat of the same triple is salted with its ordinal so fingerprints stay unique.
    """
    import hashlib  # only baselines, sarif and gitlab need fingerprints: not on every check's start-up

    indexes = indexes or Indexes()
    seen: dict[str, int] = {}
    for f in findings:
        ctx = f.extra.get("context")
        if ctx is None:
            ctx = f.extra["context"] = finding_context(f, indexes)
        base = hashlib.sha256(f"{f.rule.id}\0{f.path}\0{ctx}".encode("utf-8", "surrogateescape")).hexdigest()
        n = seen.get(base, 0)
        seen[base] = n + 1
        f.extra["fingerprint"] = base if n == 0 else hashlib.sha256(f"{base}\0{n}".encode()).hexdigest()
