"""The chain in front of a backend: which front-end routes send requests to which, and what each does to a body.

link() (wsgilint.model.build) calls link_chain() once the routes are tied to uWSGI sockets. For every
route it sets ``route.hop`` (what this front end does to a chunked body, its body limit and read
timeout: facts in knowledge.CHUNKED_BY_HOP_KINDS), ``route.front`` (routes of another front end in
this check whose target reaches this route's listener: nginx proxy_pass to an Apache vhost's port,
Apache ProxyPass to an nginx server) and ``route.entry`` (clients reach the listener without them:
no such route, or the listener is not on loopback only). Linear in routes x listeners.
"""

from __future__ import annotations

from wsgilint import knowledge
from wsgilint.model.types import Address, Deployment, Hop, Route

_DEFAULT_LISTEN = "*:80"


def link_chain(deployment: Deployment) -> None:
    routes = deployment.routes
    nginx_version = deployment.targets.version("nginx") if deployment.nginx else None
    for route in routes:
        route.hop = _hop(route, nginx_version, deployment)
    listeners = _listeners(deployment)
    if not listeners:
        return
    # Looked up by port (or socket path), and each server's routes by vhost: linear in routes + listeners.
    by_key: dict = {}
    for entry in listeners:
        by_key.setdefault(entry[0].port if entry[0].kind == "tcp" else entry[0].path, []).append(entry)
    by_vhost: dict = {}
    for route in routes:
        by_vhost.setdefault((id(route.server), id(route.vhost)), []).append(route)
    for route in routes:
        a = route.address
        if route.backend is not None or route.protocol != "http" or a is None:
            continue
        forwarded = None
        for addr, server, vhost, frontend in by_key.get(a.port if a.kind == "tcp" else a.path, ()):
            if frontend == route.frontend and server is route.server:
                continue  # a front end proxying to itself is not a hop in front of it
            if not a.reaches(addr):
                continue
            if route.hop is not None:
                route.hop.onward = frontend
            if forwarded is None:
                forwarded = _forwarded_path(route)
            for inner in by_vhost.get((id(server), id(vhost)), ()):
                if _overlaps(forwarded, inner.path) and route not in inner.front:
                    inner.front += (route,)
    own: dict = {}
    for addr, server, vhost, _ in listeners:
        own.setdefault((id(server), id(vhost)), []).append(addr)
    for route in routes:
        if route.front:
            found = own.get((id(route.server), id(route.vhost)), [])
            route.entry = not (found and all(a.is_loopback for a in found))


def _hop(route: Route, nginx_version, deployment: Deployment) -> Hop | None:
    kinds = knowledge.CHUNKED_BY_HOP_KINDS
    if route.frontend == "nginx":
        from wsgilint.model.build_nginx import parse_size, parse_time, setting_value

        limit_text, _ = setting_value(route, "client_max_body_size")
        limit = parse_size(limit_text)
        body_limit = None if limit == 0 else limit
        if route.kind == "nginx_uwsgi":
            timeout = parse_time(setting_value(route, "uwsgi_read_timeout")[0])
            return Hop(route, kinds["nginx_uwsgi"], True, body_limit=body_limit, read_timeout=timeout,
                       why="buffers a chunked body and sends CONTENT_LENGTH (the uwsgi protocol has no chunked)")
        if route.kind != "nginx_proxy":
            return None
        timeout = parse_time(setting_value(route, "proxy_read_timeout")[0])
        buffering, _ = setting_value(route, "proxy_request_buffering")
        if buffering.lower() != "off":
            return Hop(route, kinds["nginx_proxy"], True, body_limit=body_limit, read_timeout=timeout,
                       why="buffers the body and sends Content-Length (proxy_request_buffering on)")
        version, set_at = setting_value(route, "proxy_http_version")
        if set_at is None:
            if nginx_version is None:
                since = knowledge.version_text(knowledge.NGINX_PROXY_HTTP11_DEFAULT_SINCE)
                return Hop(route, "depends", None, chunk_max=_buffer_size(route), body_limit=body_limit,
                           read_timeout=timeout,
                           condition=f"it sends Content-Length before nginx {since} and streams chunked bodies from "
                                     f"{since} on (HTTP/1.1 by default; {deployment.targets.describe('nginx')})",
                           why="buffers chunked bodies or streams them, depending on the nginx version")
            version = "1.1" if nginx_version >= knowledge.NGINX_PROXY_HTTP11_DEFAULT_SINCE else "1.0"
        if version.strip() != "1.1":
            return Hop(route, kinds["nginx_proxy"], True, body_limit=body_limit, read_timeout=timeout,
                       why="buffers chunked bodies and sends Content-Length (HTTP/1.0 to the upstream)")
        return Hop(route, kinds["nginx_proxy_unbuffered"], False, chunk_max=_buffer_size(route),
                   body_limit=body_limit, read_timeout=timeout,
                   why="streams chunked bodies on, re-chunked (proxy_request_buffering off, HTTP/1.1)")
    # Apache
    if route.kind == "proxy_http":
        if route.env("proxy-sendcl") is not None or route.env("force-proxy-request-1.0") is not None:
            return Hop(route, kinds["proxy_http_sendcl"], True,
                       why="spools the body and sends Content-Length (proxy-sendcl)")
        return Hop(route, kinds["proxy_http"], False, chunk_max=knowledge.APACHE_PROXY_CHUNK_SIZE,
                   why="streams chunked bodies on, re-chunked in 8 KiB pieces")
    if route.kind == "proxy_uwsgi":
        return Hop(route, kinds["proxy_uwsgi"], True, why="answers 411 to chunked bodies")
    if route.kind == "mod_wsgi":
        d = route.setting("wsgichunkedrequest")
        on = d is not None and d.args and d.args[0].lower() == "on"
        if on:
            return Hop(route, kinds["mod_wsgi_chunked"], False, why="passes chunked bodies to the app")
        return Hop(route, kinds["mod_wsgi"], True, why="answers 411 to chunked bodies (WSGIChunkedRequest Off)")
    return Hop(route, "rechunked", None, why="passes the body on")


def _buffer_size(route: Route) -> int:
    """The most an unbuffered nginx proxy_pass sends in one chunk: its client_body_buffer_size."""
    from wsgilint.model.build_nginx import parse_size

    d = route.setting("client_body_buffer_size")
    size = parse_size(d.args[0]) if d is not None and d.args else None
    return size if size is not None else knowledge.NGINX_CLIENT_BODY_BUFFER_SIZE


def _listeners(deployment: Deployment) -> list[tuple[Address, object, object, str]]:
    """(address, server, vhost or None, "apache"|"nginx") for every place a front end listens."""
    from wsgilint.model.types import parse_uwsgi_address

    out = []
    for server in deployment.nginx:
        for vhost in server.servers:
            listens = [d.args[0] for d in vhost.children_named("listen") if d.args] or [_DEFAULT_LISTEN]
            for text in listens:
                addr = _listen_address(text, parse_uwsgi_address)
                if addr is not None:
                    out.append((addr, server, vhost, "nginx"))
    for server in deployment.apache:
        listen = [d.args[0] for d in server.directives("listen") if d.args]
        for vhost in server.vhosts:
            for arg in vhost.args:
                addr = _listen_address(arg, parse_uwsgi_address)
                if addr is None:
                    continue
                if addr.host in ("*", "_default_", "") and addr.port is not None:
                    # A wildcard vhost takes what the Listen lines for its port accept.
                    bound = [a for a in (_listen_address(t, parse_uwsgi_address) for t in listen)
                             if a is not None and a.port == addr.port]
                    for b in bound or [addr]:
                        out.append((b, server, vhost, "apache"))
                else:
                    out.append((addr, server, vhost, "apache"))
        if any(r.vhost is None for r in server.routes):
            for t in listen:
                addr = _listen_address(t, parse_uwsgi_address)
                if addr is not None:
                    out.append((addr, server, None, "apache"))
    return out


def _listen_address(text: str, parse) -> Address | None:
    t = text.strip()
    if t.startswith("unix:"):
        return parse(t)
    if t.isascii() and t.isdigit():  # not "80²" (isdigit is true for it); wsgilint.numbers
        from wsgilint.numbers import parse_int

        return Address("tcp", host="*", port=parse_int(t), raw=text)
    addr = parse(t)
    if addr is None or addr.kind != "tcp":
        return None
    return addr


def _forwarded_path(route: Route) -> str:
    """The URL path prefix the next hop sees: the target URL's path if it has one, else the route's."""
    target = route.target
    if route.frontend == "apache":
        target = route.worker or target
    _, sep, rest = target.partition("://")
    if sep:
        slash = rest.find("/")
        if slash != -1:  # the URL's path replaces the matched prefix
            return rest[slash:]
    path = route.path
    return path if path.startswith("/") else "/"  # an nginx regex location: any path


def _overlaps(a: str, b: str) -> bool:
    a = a.rstrip("/") or "/"
    b = b.rstrip("/") or "/"
    if a == "/" or b == "/":
        return True
    return a == b or b.startswith(a + "/") or a.startswith(b + "/")
