"""Where services run under a WSGI server, and their own config files (shared by WSG430-WSG434)."""

from __future__ import annotations

from wsgilint.findings import Related
from wsgilint.knowledge import OSLO_FALSE, OSLO_TRUE
from wsgilint.model.types import Deployment, ServiceConfig
from wsgilint.rules._modwsgi import apache_routes

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms of a small check)
if TYPE_CHECKING:
    from typing import Iterator


def oslo_bool(value: str) -> bool | None:
    """oslo.config's Boolean: True/False, or None when oslo.config would refuse the value."""
    low = value.strip().lower()
    if low in OSLO_TRUE:
        return True
    if low in OSLO_FALSE:
        return False
    return None


def wsgi_instances(model: Deployment) -> Iterator[tuple[str, object, str, str]]:
    """(service, span, what, container) for each uWSGI app and each mod_wsgi daemon (or embedded route)
    serving a service; container: the kolla container it runs in ("": the host), whose service config
    it reads (Deployment.service_config)."""
    for app in model.uwsgi:
        where = app.app_option.span if app.app_option is not None else app.span
        if app.service and where is not None:
            yield app.service, where, f"uWSGI app {app.path}", app.container
    seen: set[tuple[int, str]] = set()
    for route in apache_routes(model, ("mod_wsgi",)):
        if not route.service:
            continue
        key = id(route.daemon) if route.daemon is not None else id(route)
        if (key, route.service) in seen:
            continue
        seen.add((key, route.service))
        what = f"mod_wsgi daemon {route.daemon.name}" if route.daemon is not None else "mod_wsgi (embedded)"
        yield route.service, route.span, what, model.container_of(route)


def config_related(cfg: ServiceConfig, section: str, key: str) -> Related:
    """Point at the setting in the service config, or at its section (or first line) when unset."""
    entry = cfg.get(section, key)
    if entry is not None:
        return Related(cfg.span_of(entry), f"{cfg.service}'s setting: [{section}] {key} = {entry.value}")
    where = f"no {key} in [{section}]" if cfg.has_section(section) else f"no [{section}] section in this file"
    return Related(cfg.section_span(section), f"{cfg.service}'s config: {where}")
