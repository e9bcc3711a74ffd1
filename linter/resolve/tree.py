"""Behaviour shared by resolved configuration trees (Apache and nginx directives).

A resolved directive points at its parse node (``node``), which keeps its own parse-tree
links: the parse layer knows nothing of this module.
"""

from __future__ import annotations

from wsgilint.source import Span


class TreeNode:
    """A resolved directive or section: ``node`` (parsed), ``key``, ``parent``, ``children``.

    Subclasses provide ``node``, ``name``, ``key``, ``args``, ``parent``, ``children``,
    ``file`` and the slot ``_index`` (None until ``children_named`` indexes a section). Nodes
    compare and hash by identity (the model keys dicts by section), and each node is in
    its ``parent``'s ``children``.
    """

    __slots__ = ()

    @property
    def span(self) -> Span:
        node = self.node
        return Span(node.source, node.start, node.end)

    @property
    def is_section(self) -> bool:
        return self.children is not None

    def children_named(self, key: str) -> list:
        """Direct children with this (lower-case) key, in order; indexed on first use."""
        children = self.children
        if not children:
            return []
        if self._index is None and len(children) <= 16:
            return [d for d in children if d.key == key]  # small sections: a scan beats an index
        if self._index is None:
            index: dict[str, list] = {}
            for d in children:
                index.setdefault(d.key, []).append(d)
            self._index = index
        return self._index.get(key, [])

    def ancestors(self):
        p = self.parent
        while p is not None:
            yield p
            p = p.parent

    def iter(self):
        """Every directive below this one, in document order (iterative: depth costs no frames)."""
        stack = [iter(self.children or ())]
        while stack:
            for d in stack[-1]:
                yield d
                if d.children:
                    stack.append(iter(d.children))
                    break
            else:
                stack.pop()

    def __repr__(self) -> str:
        return f"Directive({self.name!r}, {self.args!r})"
