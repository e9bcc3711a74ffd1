"""Build nginx routes (``uwsgi_pass``/``proxy_pass`` in a location) from a resolved nginx configuration."""

from __future__ import annotations

import re

from wsgilint import knowledge
from wsgilint.model.types import Address, NginxServer, Route, normalize_socket_path
from wsgilint.numbers import parse_duration, parse_int
from wsgilint.numbers import parse_size as parse_size_text
from wsgilint.resolve.nginx import Directive, NginxConfig

_PASS_KIND = {"uwsgi_pass": "nginx_uwsgi", "proxy_pass": "nginx_proxy"}
_LOCATION_MODIFIERS = ("=", "~", "~*", "^~")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_PORT = re.compile(r"^(?P<host>\[[^\]]*\]|[^/:\[\]]*)(?::(?P<port>[0-9]+))?(?P<rest>/.*)?$")
# nginx/nginx src/core/ngx_parse.c: ngx_parse_size (k/K, m/M, g/G) and ngx_parse_time (ms s m h
# d w M y; a bare number is seconds); read through wsgilint.numbers (ASCII digits, no overflow).
_SIZE_SUFFIXES = {"": 1, "k": 1024, "K": 1024, "m": 1024 ** 2, "M": 1024 ** 2, "g": 1024 ** 3, "G": 1024 ** 3}
_TIME_SUFFIXES = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0,
                  "M": 2592000.0, "y": 31536000.0}

# nginx's built-in values (nginx.org/en/docs, 1.22) for the settings the rules read.
NGINX_DEFAULTS = {
    "client_max_body_size": "1m",
    "uwsgi_read_timeout": "60s",
    "proxy_read_timeout": "60s",
    "uwsgi_request_buffering": "on",
    "proxy_request_buffering": "on",
    "proxy_http_version": "1.0",  # 1.1 from 1.29.7 on (knowledge.NGINX_PROXY_HTTP11_DEFAULT_SINCE)
    "large_client_header_buffers": "4 8k",
}


def parse_size(text: str) -> int | None:
    """Bytes of an nginx size (``1m``, ``512k``, ``0``), or None if not a literal size."""
    return parse_size_text(text, _SIZE_SUFFIXES)


def parse_time(text: str) -> float | None:
    """Seconds of an nginx time (``60``, ``60s``, ``1m30s``, ``500ms``), or None."""
    return parse_duration(text, _TIME_SUFFIXES, bare="s")


def _address(text: str, default_port: int | None) -> Address | None:
    """``unix:/path``, ``host:port`` or ``host`` (with ``default_port``); None for variables."""
    if "$" in text:
        return None
    if text.startswith("unix:"):
        path = text[5:]
        return Address("unix", path=normalize_socket_path(path), raw=text)
    m = _HOST_PORT.match(text)
    if not m or not m.group("host"):
        return None
    port = parse_int(m.group("port")) if m.group("port") else default_port
    return Address("tcp", host=m.group("host").strip("[]"), port=port, raw=text)


def _location_path(loc: Directive) -> str:
    args = loc.args
    if len(args) >= 2 and args[0] in _LOCATION_MODIFIERS:
        return args[1] if args[0] in ("=", "^~") else args[0] + " " + args[1]
    return args[0] if args else "/"


class _NginxBuilder:
    def __init__(self, config: NginxConfig) -> None:
        self.config = config
        self.server = NginxServer(config, [], [], {})

    def build(self) -> NginxServer:
        for d in self.config.tree.iter():
            if d.children is None:
                continue
            parent_key = d.parent.key if d.parent is not None else ""
            if d.key == "server" and parent_key in ("http", "<main>"):
                self.server.servers.append(d)
            elif d.key == "upstream" and d.args and parent_key in ("http", "<main>"):
                self.server.upstreams.setdefault(d.args[0], d)
        for d in self.config.tree.iter():
            kind = _PASS_KIND.get(d.key)
            if kind is None or d.children is not None or not d.args:
                continue
            if any(a.key in ("stream", "upstream", "mail") for a in d.ancestors()):
                continue  # stream proxy_pass is TCP, not HTTP
            self.route(d, kind)
        return self.server

    def upstream_address(self, name: str, default_port: int | None) -> tuple[Address | None, bool]:
        """The first `server` of upstream ``name`` (and whether such an upstream exists)."""
        up = self.server.upstreams.get(name)
        if up is None:
            return None, False
        for s in up.children_named("server"):
            if s.args:
                return _address(s.args[0], default_port if default_port is not None else 80), True
        return None, True

    def route(self, d: Directive, kind: str) -> None:
        target = d.args[0]
        ancestors = list(d.ancestors())
        loc = next((a for a in ancestors if a.key == "location"), None)
        vhost = next((a for a in ancestors if a.key == "server"), None)
        path = _location_path(loc) if loc is not None else "/"
        scheme, address = "", None
        if kind == "nginx_uwsgi":
            rest = target
            for prefix in ("uwsgi://", "suwsgi://"):
                if rest.lower().startswith(prefix):
                    rest = rest[len(prefix):]
            scheme = "uwsgi"
            address, known = self.upstream_address(rest, None)
            if not known:
                address = _address(rest, None)
                if address is not None and address.kind == "tcp" and address.port is None:
                    address = None  # a name nginx resolves at start-up: unknown here
        else:
            sch, sep, rest = target.partition("://")
            scheme = sch.lower() if sep else ""
            if sep:
                if rest.startswith("unix:"):
                    sock = rest[5:].split(":", 1)[0]
                    address = _address("unix:" + sock, None)
                else:
                    host = rest.split("/", 1)[0]
                    address, known = self.upstream_address(host, _DEFAULT_PORTS.get(scheme))
                    if not known:
                        address = _address(host, _DEFAULT_PORTS.get(scheme))
        scopes = list(reversed(ancestors))
        route = Route(kind=kind, path=path, directive=d, server=self.server, vhost=vhost, scopes=scopes,
                      target=target, scheme=scheme, address=address, frontend="nginx")
        # Identity: the backend it reaches (link()) or, weak, devstack's URL path; never the
        # `listen` port (issue 15; see wsgilint.model.build's docstring).
        svc = knowledge.service_from_url_path(path)
        if svc:
            route.service, route.service_reason = svc, f"URL path {path}"
        self.server.routes.append(route)


def _listen_port(text: str) -> int | None:
    if text.startswith("unix:"):
        return None
    tail = text.rsplit(":", 1)[-1] if not text.endswith("]") else ""
    return parse_int(tail)


def setting_value(route: Route, key: str) -> tuple[str, Directive | None]:
    """The value of ``key`` that applies to an nginx route (innermost wins) and where it is set."""
    d = route.setting(key)
    if d is not None and d.args:
        return " ".join(d.args), d
    return NGINX_DEFAULTS.get(key, ""), None


def build_nginx(config: NginxConfig) -> NginxServer:
    return _NginxBuilder(config).build()
