"""Small pieces shared by rules (not a rule: the registry skips modules starting with _)."""

from __future__ import annotations

from wsgilint.findings import ERROR, WARNING, Hit, Related
from wsgilint.knowledge import SERVICES, ServiceProfile
from wsgilint.model.build import weak_identity
from wsgilint.model.types import Deployment, Route

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms of a small check)
if TYPE_CHECKING:
    from typing import Iterator


def diagnostic_hits(model: Deployment, code: str) -> Iterator[Hit]:
    """Hits for every reading/resolution diagnostic with this code."""
    for d in model.diagnostics:
        if d.code == code:
            yield Hit(d.span, d.message, path=d.path,
                      related=[Related(span, msg) for span, msg in d.related])


def profile(model: Deployment, service: str | None) -> ServiceProfile | None:
    """What ``service`` does: the user's [tool.wsgilint.apps.NAME] (model.apps) first, then
    knowledge.SERVICES; None for an app nothing describes (then no upload rule fires)."""
    if not service:
        return None
    return model.apps.get(service) or SERVICES.get(service)


def is_upload(model: Deployment, service: str | None) -> bool:
    p = profile(model, service)
    return p is not None and p.upload


def is_long(model: Deployment, service: str | None) -> bool:
    """Takes uploads or serves long requests (the user's `long-requests`)."""
    p = profile(model, service)
    return p is not None and (p.upload or p.long_requests is not None)


def size_text(n: int) -> str:
    """``5G`` for 5368709120, ``1536K`` for 1572864, bytes otherwise (as the user writes max-body)."""
    for unit, factor in (("T", 1024 ** 4), ("G", 1024 ** 3), ("M", 1024 ** 2), ("K", 1024)):
        if n >= factor and n % factor == 0:
            return f"{n // factor}{unit}"
    return str(n)


def max_body(model: Deployment, service: str | None) -> tuple[int, str] | None:
    """(bytes, "max-body 5G from [tool.wsgilint.apps.NAME] in FILE") when the user's profile of
    ``service`` declares ``max-body``: the body limits are judged against it, not a built-in size."""
    p = profile(model, service)
    if p is None or not p.max_body:
        return None
    return p.max_body, f"max-body {size_text(p.max_body)} ({p.source})"


def long_requests(model: Deployment, service: str | None) -> tuple[int, str] | None:
    """(seconds, "long-requests = 600 ([tool.wsgilint.apps.NAME] in FILE)") when the user's profile
    of ``service`` declares ``long-requests``: timeouts are judged against it, not a built-in one."""
    p = profile(model, service)
    if p is None or p.long_requests is None:
        return None
    return p.long_requests, f"long-requests = {p.long_requests} ({p.source})"


def cap_weak(route: Route, hit: Hit) -> Hit:
    """An error whose identity rests only on a URL path or a file name becomes a warning that
    says so (wsgilint.model.build: no error rests on weak evidence alone)."""
    if route.service and weak_identity(route.service_reason) and hit.severity in (None, ERROR):
        hit.severity = WARNING
        hit.message += (f" [a warning: only the {route.service_reason} says this is {route.service}; link the "
                        f"route to its backend or name the app in [tool.wsgilint.apps.NAME] to make it certain]")
    return hit


def served_by(route: Route) -> str:
    """'service glance (module = glance.wsgi.api:application in x.ini)' for messages."""
    if not route.service:
        return "this route"
    return f"{route.service} (known from {route.service_reason})" if route.service_reason else route.service


def backend_related(route: Route) -> list[Related]:
    if route.bind is None:
        return []
    b = route.bind
    what = "uWSGI `http` router" if b.router else f"uWSGI {b.option.key}"
    return [Related(b.option.span, f"{what} {b.address} ({b.protocol} protocol)")]
