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


class Arrival:
    """How a chunked request body can arrive at one route's listener, over every way clients reach it
    (straight, or through the front ends in the check, fronts of fronts included).

    ``direct``: clients reach the listener without a front end in the check (it is not on loopback
    only, or nothing in the check is in front of it: a proxy outside the check may stream).
    ``streamed``: some way delivers a chunked body as sent; ``streamed_by`` is the front hop next to
    the route on it (None: straight from clients). ``undecided``: the first hop of a way that streams or
    sends Content-Length depending on a version the check does not know (its ``condition`` says which).
    ``dechunker``: a hop that reads the whole body and sends Content-Length (the first on its way).
    """

    __slots__ = ("direct", "streamed", "streamed_by", "undecided", "dechunker")

    def __init__(self) -> None:
        self.direct = False
        self.streamed = False
        self.streamed_by = None
        self.undecided = None
        self.dechunker = None

    @property
    def verdict(self) -> str:
        """"streamed" (some way brings chunked bodies), "undecided" (none does for sure, some may) or
        "dechunked" (every way sends Content-Length: the route never sees a chunked body)."""
        if self.streamed or (self.undecided is None and self.dechunker is None):
            return "streamed"  # no way found at all: a front end outside the check is assumed
        return "undecided" if self.undecided is not None else "dechunked"


def _through(hop, cls: str, example):
    """What leaves ``hop`` for a body that arrived at it as ``cls``: (class, example hop)."""
    if cls == "dechunked":
        return cls, example
    if hop.dechunks:
        return "dechunked", hop
    if cls == "undecided":
        return cls, example
    if hop.chunked == "depends":
        return "undecided", hop
    return "streamed", hop


def arrivals(model: Deployment) -> dict[int, Arrival]:
    """The Arrival of every route of ``model`` (by id(route)): a fixpoint over the front-end graph
    (route.front, route.entry from wsgilint.model.chain), each route revisited at most once per class
    (streamed, undecided, dechunked), so linear in routes + front links, and loops cannot hang it.

    Over walks rather than simple paths: a loop can only add a hop, never remove one that sends
    Content-Length, so the worst class (streamed, then undecided) is the same as over simple paths."""
    routes = model.routes
    behind: dict[int, list] = {}
    for r in routes:
        for f in r.front:
            behind.setdefault(id(f), []).append(r)
    state: dict[int, dict] = {}
    work: list = []

    def add(route, cls: str, example) -> None:
        seen = state.setdefault(id(route), {})
        if cls not in seen:
            seen[cls] = example
            work.append(route)

    for r in routes:
        if r.entry or not r.front:
            add(r, "streamed", None)
    while work:
        f = work.pop()
        hop = f.hop
        targets = behind.get(id(f))
        if hop is None or not targets:
            continue
        classes = list(state[id(f)].items())
        for r in targets:
            for cls, example in classes:
                add(r, *_through(hop, cls, example))
    out: dict[int, Arrival] = {}
    for r in routes:
        a = out[id(r)] = Arrival()
        seen = state.get(id(r), {})
        a.direct = bool(r.entry or not r.front)
        if "streamed" in seen:
            a.streamed, a.streamed_by = True, seen["streamed"]
        a.undecided = seen.get("undecided")
        a.dechunker = seen.get("dechunked")
    return out
