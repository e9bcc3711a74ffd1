"""How requests reach a uWSGI socket through the chain of front ends (not a rule: shared by the body rules)."""

from __future__ import annotations

from wsgilint.model.types import Bind, Chain, Deployment


def streamed_chains(model: Deployment, bind: Bind) -> tuple[list[Chain], list[Chain], list[Chain]]:
    """The chains to ``bind``, split: (streamed: a chunked body arrives chunked, with the client's pauses;
    undecided: that depends on a version the check does not know; dechunked: a hop in front reads the
    whole body and sends Content-Length, so the backend never sees chunks or pauses)."""
    streamed, undecided, dechunked = [], [], []
    for c in model.chains_to(bind):
        if c.dechunker() is not None:
            dechunked.append(c)
        elif c.undecided() is not None:
            undecided.append(c)
        else:
            streamed.append(c)
    return streamed, undecided, dechunked


def only_dechunked(model: Deployment, binds: list[Bind]) -> tuple[bool, Chain | None]:
    """Do requests reach these binds only through hops that send Content-Length? (and one such chain)"""
    example = None
    for b in binds:
        if model.exposure(b) != "behind":
            return False, None
        streamed, undecided, dechunked = streamed_chains(model, b)
        if streamed or undecided or not dechunked:
            return False, None
        example = example or dechunked[0]
    return bool(binds), example
