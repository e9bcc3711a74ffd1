"""Build the deployment model from resolved Apache and uWSGI configurations."""

from __future__ import annotations

import re

from wsgilint import knowledge
from wsgilint.model.types import (
    Address, ApacheServer, Bind, Deployment, Route, UwsgiApp, WsgiDaemon, parse_uwsgi_address,
)
from wsgilint.resolve.apache import ApacheConfig, Directive, KeyIndex
from wsgilint.resolve.uwsgi import UwsgiConfig

_SCHEME_KIND = {"uwsgi": "proxy_uwsgi", "http": "proxy_http", "https": "proxy_http"}
_DEFAULT_PORTS = {"http": 80, "https": 443, "uwsgi": knowledge.UWSGI_PROXY_DEFAULT_PORT}
_URL = re.compile(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://(?P<host>\[[^\]]*\]|[^/:]*)(?::(?P<port>\d+))?(?P<path>/.*)?$")
_LOCATION_KEYS = ("<location", "<locationmatch")
_DIRECTORY_KEYS = ("<directory", "<directorymatch")
_FILES_KEYS = ("<files", "<filesmatch")
_SECTION_KEYS = frozenset(_LOCATION_KEYS + _DIRECTORY_KEYS + _FILES_KEYS)


def normalize_socket_path(path: str) -> str:
    """/var/run is a link to /run on every current distribution."""
    return "/run/" + path[len("/var/run/"):] if path.startswith("/var/run/") else path


def parse_proxy_target(target: str) -> tuple[str, Address | None, str]:
    """Return (scheme, address, worker name) for a ProxyPass URL, incl. ``unix:/path|scheme://``."""
    sock = None
    url = target
    if target[:5].lower() == "unix:":
        sock, _, url = target[5:].partition("|")
    m = _URL.match(url)
    if not m:
        return "", None, url
    scheme = m.group("scheme").lower()
    if sock is not None:
        return scheme, Address("unix", path=normalize_socket_path(sock), raw=target), url
    host = m.group("host").strip("[]")
    port = int(m.group("port")) if m.group("port") else _DEFAULT_PORTS.get(scheme)
    return scheme, Address("tcp", host=host, port=port, raw=target), url


def _path_applies(section_path: str, route_path: str) -> bool:
    """Does a <Location> section apply (at least partly) to requests under ``route_path``?"""
    a = section_path.rstrip("/") or "/"
    b = route_path.rstrip("/") or "/"
    if a == "/" or b == "/":
        return True
    return a == b or b.startswith(a + "/") or a.startswith(b + "/")


def _dir_applies(section_path: str, file_path: str) -> bool:
    a = section_path.rstrip("/") or "/"
    return a == "/" or file_path == a or file_path.startswith(a + "/")


class _ApacheBuilder:
    def __init__(self, config: ApacheConfig) -> None:
        self.config = config
        self.server = ApacheServer(config, [], [], {})
        self._sections: dict[Directive, list[Directive]] = {}  # directives hash by identity
        self._locations: dict[Directive, list[Directive]] = {}
        self._locations_known = False

    def sections_of(self, base: Directive) -> list[Directive]:
        """The Location/Directory/Files sections directly in ``base`` (computed once per base)."""
        found = self._sections.get(base)
        if found is None:
            found = [sec for sec in base.children if sec.children is not None and sec.args and sec.key in _SECTION_KEYS]
            self._sections[base] = found
        return found

    def locations_of(self, base: Directive) -> list[Directive]:
        """The Location/LocationMatch sections directly in ``base``, in order."""
        found = self._locations.get(base)
        if found is None:
            if self._locations_known:  # build() grouped all of them
                return []
            found = [sec for sec in self.sections_of(base) if sec.key in _LOCATION_KEYS]
            self._locations[base] = found
        return found

    def build(self) -> ApacheServer:
        server = self.server
        index = self.config.index
        if index is None:  # not from resolve(): index the tree
            index = KeyIndex()
            for d in self.config.tree.iter():
                index.add(d)
        route_directives, locations = index.merged  # MERGED_KEYS
        server.by_key = by_key = index.by_key()
        # locations_of() for every base at once, from the walk: each section is in its
        # parent's children (10k vhosts: no scan of each VirtualHost's children).
        for sec in locations:
            if sec.children is not None and sec.args:
                found = self._locations.get(sec.parent)
                if found is None:
                    self._locations[sec.parent] = [sec]
                else:
                    found.append(sec)
        self._locations_known = True
        server.vhosts.extend(by_key.get("<virtualhost", ()))
        for d in by_key.get("wsgidaemonprocess", ()):
            if d.args:
                opts = {}
                for a in d.args[1:]:
                    k, eq, v = a.partition("=")
                    if eq:
                        opts[k.lower()] = v
                server.daemons[d.args[0]] = WsgiDaemon(d.args[0], opts, d)
        for d in route_directives:
            if d.key in ("proxypass", "proxypassmatch"):
                self.proxy_route(d)
            else:
                self.wsgi_route(d)
        return server

    def scopes(self, path: str, script: str | None, ancestors: list[Directive], vhost: Directive | None,
               loc: Directive | None) -> list[Directive]:
        """The sections whose settings apply to a route (see _enclosing()), outermost first."""
        bases = [self.config.tree] if vhost is None else [self.config.tree, vhost]
        scopes: list[Directive] = list(bases)
        later: list[Directive] = []
        for base in bases:
            # Without a script only Location sections can apply: those are grouped at build().
            for sec in (self.sections_of(base) if script is not None else self.locations_of(base)):
                key = sec.key  # one of _SECTION_KEYS
                if key == "<location":
                    if _path_applies(sec.args[0], path):
                        later.append(sec)
                elif key == "<locationmatch":
                    if _regex_applies(sec.args[0], path):
                        later.append(sec)
                elif script is None:
                    continue
                elif key == "<directory":
                    if _dir_applies(sec.args[0], script.rsplit("/", 1)[0]):
                        scopes.append(sec)
                        scopes.extend(_files_sections(sec, script))
                elif key == "<directorymatch":
                    if _regex_applies(sec.args[0], script.rsplit("/", 1)[0]):
                        scopes.append(sec)
                else:  # <Files>, <FilesMatch>
                    scopes.extend(_files_sections_one(sec, script))
        if loc is not None:  # the directive's own enclosing <Location> (ProxyPass inside <Location /x>)
            for a in reversed(ancestors):
                if a.key in _LOCATION_KEYS and a not in later:
                    later.append(a)
        scopes.extend(later)
        return scopes

    def proxy_route(self, d: Directive) -> None:
        ancestors, vhost, loc = _enclosing(d)
        args = d.args
        if loc is not None:
            path = loc.args[0] if loc.args else "/"
            rest = args
        else:
            if len(args) < 2:
                return
            path, rest = args[0], args[1:]
        if not rest or rest[0] == "!":
            return
        target = rest[0]
        params = {}
        for a in rest[1:]:
            k, eq, v = a.partition("=")
            if eq:
                params[k.lower()] = v
        scheme, address, worker = parse_proxy_target(target)
        route = Route(_SCHEME_KIND.get(scheme, "proxy_other"), path, d, self.server, vhost,
                      self.scopes(path, None, ancestors, vhost, loc), target, scheme, address, worker, params)
        self.server.routes.append(route)

    def wsgi_route(self, d: Directive) -> None:
        if len(d.args) < 2:
            return
        path, script = d.args[0], d.args[1]
        opts = {}
        for a in d.args[2:]:
            k, eq, v = a.partition("=")
            if eq:
                opts[k.lower()] = v
        ancestors, vhost, loc = _enclosing(d)
        route = Route(kind="mod_wsgi", path=path, directive=d, server=self.server, vhost=vhost,
                      scopes=self.scopes(path, script, ancestors, vhost, loc), target=script, script=script,
                      params=opts)
        group = opts.get("process-group")
        if group is None:
            pg = route.setting("wsgiprocessgroup")
            if pg is not None and pg.args:
                route.process_group = pg
                group = pg.args[0]
        if group is not None:
            route.daemon = self.server.daemons.get(group)
        svc = knowledge.service_from_name(script)
        if svc:
            route.service, route.service_reason = svc, f"WSGIScriptAlias {script}"
        self.server.routes.append(route)


def _enclosing(d: Directive) -> tuple[list[Directive], Directive | None, Directive | None]:
    """``d``'s ancestors (innermost first), its VirtualHost and its innermost Location section."""
    ancestors = []
    vhost = loc = None
    a = d.parent
    while a is not None:
        ancestors.append(a)
        key = a.key
        if key == "<virtualhost":
            if vhost is None:
                vhost = a
        elif loc is None and key in _LOCATION_KEYS:
            loc = a
        a = a.parent
    return ancestors, vhost, loc


def _regex_applies(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def _files_sections(directory: Directive, script: str) -> list[Directive]:
    out = []
    for sec in directory.children or ():
        if sec.key in _FILES_KEYS:
            out.extend(_files_sections_one(sec, script))
    return out


def _files_sections_one(sec: Directive, script: str) -> list[Directive]:
    import fnmatch

    if not sec.args:
        return []
    base = script.rsplit("/", 1)[-1]
    if sec.key == "<files" and fnmatch.fnmatchcase(base, sec.args[0]):
        return [sec]
    if sec.key == "<filesmatch" and _regex_applies(sec.args[0], base):
        return [sec]
    return []


def build_apache(config: ApacheConfig) -> ApacheServer:
    return _ApacheBuilder(config).build()


# -- uWSGI -------------------------------------------------------------------------------
_BIND_KEYS = {
    "socket": ("uwsgi", False), "uwsgi-socket": ("uwsgi", False), "shared-socket": ("uwsgi", False),
    "http-socket": ("http", False), "https-socket": ("http", False),
    "http": ("http", True), "https": ("http", True), "http2": ("http", True),
}
_APP_KEYS = ("module", "wsgi-file", "wsgi", "file", "mount", "wsgi-module", "callable")


def build_uwsgi(config: UwsgiConfig) -> UwsgiApp:
    binds = []
    proto_opt = config.last("protocol")
    socket_proto = "http" if proto_opt is not None and proto_opt.value.strip().lower() == "http" else "uwsgi"
    for opt in config.options:
        spec = _BIND_KEYS.get(opt.key)
        if spec is None:
            continue
        proto, router = spec
        if opt.key == "socket":
            proto = socket_proto
        addr = parse_uwsgi_address(opt.value)
        if addr is None:
            continue
        if addr.kind == "unix":
            addr = Address("unix", path=normalize_socket_path(addr.path or ""), raw=addr.raw)
        binds.append(Bind(opt, proto, router, addr))
    app_opt = None
    for opt in config.options:
        if opt.key in _APP_KEYS and opt.key != "callable":
            app_opt = opt
    service, reason = None, ""
    if app_opt is not None:
        service = knowledge.service_from_name(app_opt.value)
        reason = f"{app_opt.key} = {app_opt.value}"
    if service is None:
        path = config.source.path if config.source else config.path
        service = knowledge.service_from_name(path.rsplit("/", 1)[-1])
        reason = f"file name {path.rsplit('/', 1)[-1]}" if service else ""
    if service is None:
        for b in binds:
            if b.address.kind == "tcp":
                service = knowledge.service_from_port(b.address.port)
                if service:
                    reason = f"port {b.address.port}"
                    break
    return UwsgiApp(config, binds, service, reason, app_opt)


# -- linking ---------------------------------------------------------------------------
def link(deployment: Deployment) -> None:
    """Tie each proxy route to the uWSGI socket it reaches, and each route to a service."""
    binds = [(app, b) for app in deployment.uwsgi for b in app.binds]
    # Many routes share a URL path or a file name: look each up once (10k routes: link 44 -> 20 ms).
    by_path: dict[str, str | None] = {}
    by_name: dict[str, str | None] = {}
    for route in deployment.routes:
        if binds and route.protocol and route.address is not None:  # Apache proxy_* and nginx *_pass routes
            reaches = route.address.reaches
            candidates = [(app, b) for app, b in binds if reaches(b.address)]
            want = route.protocol
            candidates.sort(key=lambda ab: ab[1].protocol != want)
            if candidates:
                route.backend, route.bind = candidates[0]
        if route.service is None:
            if route.backend is not None and route.backend.service:
                route.service = route.backend.service
                route.service_reason = f"{route.backend.service_reason} in {route.backend.path}"
            else:
                path = route.path
                svc = by_path.get(path, "")
                if svc == "":
                    svc = by_path[path] = knowledge.service_from_url_path(path)
                if svc:
                    route.service, route.service_reason = svc, f"URL path {route.path}"
                elif route.address is not None and route.address.kind == "tcp":
                    svc = knowledge.service_from_port(route.address.port)
                    if svc:
                        route.service, route.service_reason = svc, f"port {route.address.port}"
                if route.service is None:
                    fname = route.directive.node.source.path.rsplit("/", 1)[-1]
                    svc = by_name.get(fname, "")
                    if svc == "":
                        svc = by_name[fname] = knowledge.service_from_name(fname)
                    if svc:
                        route.service, route.service_reason = svc, f"file name {fname}"
