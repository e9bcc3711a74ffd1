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
