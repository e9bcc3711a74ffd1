"""Small pieces shared by rules (not a rule: the registry skips modules starting with _)."""

from __future__ import annotations

from wsgilint.findings import Hit, Related
from wsgilint.knowledge import SERVICES, ServiceProfile
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


def profile(service: str | None) -> ServiceProfile | None:
    return SERVICES.get(service) if service else None


def is_upload(service: str | None) -> bool:
    p = profile(service)
    return p is not None and p.upload


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
