"""Build the deployment model from resolved Apache and uWSGI configurations.

Which service (or app) a uWSGI instance or a route serves is known from evidence only, never
from a port (issue 15: a Django app on 8080 was taken for swift). The evidence ladder, strongest
first; each identity keeps its evidence in ``service_reason``, which findings quote:

1. the user's configuration: an app of ``[tool.wsgilint.apps.NAME]`` whose ``match`` patterns
   match a uWSGI ``module``/``wsgi-file``/``mount`` value, a ``WSGIScriptAlias`` target, or a
   route's URL path (a pattern starting with ``/``) (``identify_user_apps``);
2. what runs the app: the uWSGI ``module =``/``wsgi-file =``/``mount =`` value, the
   ``WSGIScriptAlias`` target (``knowledge.service_from_name``);
3. the backend a route reaches: a proxy route linked through its socket to a uWSGI instance
   takes that instance's identity (``link``);
4. the service's own uWSGI config: the name of the ini file (``glance-api-uwsgi.ini``,
   kolla's and devstack's ``/etc/<service>/<service>-api-uwsgi.ini``);
5. weak: a route's URL path as devstack names them (``/image`` -> glance) or the name of the
   file holding the route. These stay (devstack's Apache routes are named only so), but no
   **error** rests on them alone: ``weak_identity`` tells rules to report a warning naming it.

A port number is no evidence at all: with none of the above, a route or app has no service,
and no upload, header or long-request rule fires for it.
"""

from __future__ import annotations

import re

from wsgilint import knowledge
from wsgilint.numbers import parse_int
from wsgilint.model.types import (
    Address, ApacheServer, Bind, Deployment, Route, UwsgiApp, WsgiDaemon, parse_uwsgi_address,
)
from wsgilint.resolve.apache import ApacheConfig, Directive, KeyIndex
from wsgilint.resolve.uwsgi import UwsgiConfig

_SCHEME_KIND = {"uwsgi": "proxy_uwsgi", "http": "proxy_http", "https": "proxy_http"}
_DEFAULT_PORTS = {"http": 80, "https": 443, "uwsgi": knowledge.UWSGI_PROXY_DEFAULT_PORT}
_URL = re.compile(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://(?P<host>\[[^\]]*\]|[^/:]*)(?::(?P<port>[0-9]+))?(?P<path>/.*)?$")
_LOCATION_KEYS = ("<location", "<locationmatch")
_DIRECTORY_KEYS = ("<directory", "<directorymatch")
_FILES_KEYS = ("<files", "<filesmatch")
_SECTION_KEYS = frozenset(_LOCATION_KEYS + _DIRECTORY_KEYS + _FILES_KEYS)


# normalize_socket_path lives in model.types, beside the other address helpers: build_nginx uses it
# too, and importing it from here made build -> chain -> build_nginx -> build a cycle (tests/test_layers.py).
from wsgilint.model.types import normalize_socket_path  # noqa: E402


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
    port = parse_int(m.group("port")) if m.group("port") else _DEFAULT_PORTS.get(scheme)
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
        self._loc_index: dict[Directive, _SectionIndex] = {}  # scopes() without a script
        self._sec_index: dict[Directive, _SectionIndex] = {}  # scopes() with a script

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
        """The sections whose settings apply to a route (see _enclosing()), outermost first.

        Each base's sections are indexed once (_SectionIndex): a route looks up its own path's
        prefixes instead of testing every <Location> (n sections x n routes was quadratic:
        ../shared/hostile/superlinear-location-scopes)."""
        bases = [self.config.tree] if vhost is None else [self.config.tree, vhost]
        scopes: list[Directive] = list(bases)
        later: list[Directive] = []
        for base in bases:
            # Without a script only Location sections can apply: those are grouped at build().
            if script is None:
                idx = self._loc_index.get(base)
                if idx is None:
                    secs = self.locations_of(base)
                    if not secs:  # most bases (10k plain vhosts): nothing to index
                        continue
                    idx = self._loc_index[base] = _SectionIndex(secs)
            else:
                idx = self._sec_index.get(base)
                if idx is None:
                    secs = self.sections_of(base)
                    if not secs:
                        continue
                    idx = self._sec_index[base] = _SectionIndex(secs)
            secs = idx.sections
            later.extend(secs[i] for i in idx.locations(path))
            if script is not None:
                for i in idx.others(script):
                    sec = secs[i]
                    key = sec.key
                    if key == "<directory":  # found by the index: it applies
                        scopes.append(sec)
                        scopes.extend(_files_sections(sec, script))
                    elif key == "<directorymatch":  # a regex matched (idx.others)
                        scopes.append(sec)
                    else:  # <Files>, <FilesMatch>
                        scopes.extend(_files_sections_one(sec, script))
        if loc is not None:  # the directive's own enclosing <Location> (ProxyPass inside <Location /x>)
            seen = {id(s) for s in later}
            for a in reversed(ancestors):
                if a.key in _LOCATION_KEYS and id(a) not in seen:
                    seen.add(id(a))
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


_SMALL_SCAN = 8  # sections in a base up to which _SectionIndex tests each one (no index)


class _SectionIndex:
    """One base's Location/Directory/Files sections, indexed by path so that a route finds the
    ones that apply in time proportional to its path and to what applies, not to all sections.

    ``locations(path)`` and ``others(script)`` return positions in ``sections`` (document
    order, as the scan over every section gave them): the same answers as ``_path_applies``,
    ``_regex_applies`` and ``_dir_applies`` for each section. Regex sections (LocationMatch,
    DirectoryMatch; each match bounded by wsgilint.saferegex) and Files sections stay in short
    lists tested one by one."""

    __slots__ = ("sections", "small", "all_locs", "loc_root", "loc_exact", "loc_paths", "loc_pos", "loc_lengths",
                 "loc_regex", "dir_root", "dir_exact", "dir_lengths", "rest")

    def __init__(self, sections: list[Directive]) -> None:
        self.sections = sections
        self.small = len(sections) <= _SMALL_SCAN
        if self.small:  # a few sections (the usual vhost): testing each beats building an index
            return
        self.all_locs: list[int] = []  # every Location/LocationMatch (a route at "/" meets all)
        self.loc_root: list[int] = []  # <Location /> applies to every route
        self.loc_exact: dict[str, list[int]] = {}  # normalized path -> positions
        self.loc_regex: list[int] = []
        self.dir_root: list[int] = []
        self.dir_exact: dict[str, list[int]] = {}
        self.rest: list[int] = []  # DirectoryMatch, Files, FilesMatch: tested one by one
        pairs = []
        for i, sec in enumerate(sections):
            key = sec.key
            if key == "<location":
                self.all_locs.append(i)
                a = sec.args[0].rstrip("/") or "/"
                if a == "/":
                    self.loc_root.append(i)
                else:
                    self.loc_exact.setdefault(a, []).append(i)
                    pairs.append((a, i))
            elif key == "<locationmatch":
                self.all_locs.append(i)
                self.loc_regex.append(i)
            elif key == "<directory":
                a = sec.args[0].rstrip("/") or "/"
                if a == "/":
                    self.dir_root.append(i)
                else:
                    self.dir_exact.setdefault(a, []).append(i)
            else:
                self.rest.append(i)
        pairs.sort()
        self.loc_paths = [a for a, _ in pairs]  # sorted: the sections under a path are one range
        self.loc_pos = [i for _, i in pairs]
        self.loc_lengths = {len(a) for a in self.loc_exact}
        self.dir_lengths = {len(a) for a in self.dir_exact}

    def locations(self, path: str) -> list[int]:
        """Positions of the Location/LocationMatch sections that apply to ``path`` (_path_applies)."""
        if self.small:
            return [i for i, sec in enumerate(self.sections)
                    if (sec.key == "<location" and _path_applies(sec.args[0], path))
                    or (sec.key == "<locationmatch" and _regex_applies(sec.args[0], path))]
        if not self.all_locs:
            return []
        b = path.rstrip("/") or "/"
        if b == "/":
            # "/" meets every <Location> (the answer itself is that long); LocationMatch still needs its regex
            secs = self.sections
            return [i for i in self.all_locs
                    if secs[i].key == "<location" or _regex_applies(secs[i].args[0], path)]
        hits = list(self.loc_root)
        exact = self.loc_exact
        hits.extend(exact.get(b, ()))
        hits.extend(_prefix_hits(b, exact, self.loc_lengths))  # sections above the path
        paths = self.loc_paths
        if paths:  # sections below the path: a.startswith(b + "/"), one sorted range
            from bisect import bisect_left

            lo = bisect_left(paths, b + "/")
            hi = bisect_left(paths, b + "0", lo)  # "0" is the character after "/"
            hits.extend(self.loc_pos[lo:hi])
        for i in self.loc_regex:
            if _regex_applies(self.sections[i].args[0], path):
                hits.append(i)
        hits.sort()
        return hits

    def others(self, script: str) -> list[int]:
        """Positions of the Directory sections that apply to ``script``'s directory (_dir_applies), the
        DirectoryMatch sections whose regex matches it, and every Files/FilesMatch section (their
        caller matches them against the script's name)."""
        dirpath = script.rsplit("/", 1)[0]
        if self.small:
            out = []
            for i, sec in enumerate(self.sections):
                key = sec.key
                if key == "<directory":
                    if _dir_applies(sec.args[0], dirpath):
                        out.append(i)
                elif key == "<directorymatch":
                    if _regex_applies(sec.args[0], dirpath):
                        out.append(i)
                elif key in _FILES_KEYS:
                    out.append(i)
            return out
        hits = list(self.dir_root)
        exact = self.dir_exact
        if exact:
            hits.extend(exact.get(dirpath, ()))
            hits.extend(_prefix_hits(dirpath, exact, self.dir_lengths))
        for i in self.rest:
            sec = self.sections[i]
            if sec.key != "<directorymatch" or _regex_applies(sec.args[0], dirpath):
                hits.append(i)
        hits.sort()
        return hits


def _prefix_hits(path: str, exact: dict[str, list[int]], lengths: set[int]) -> list[int]:
    """Positions of the sections keyed by a proper prefix of ``path`` that ends where ``path`` has
    a "/" (``path.startswith(key + "/")``); only prefixes as long as some key are sliced."""
    out: list[int] = []
    find = path.find
    i = find("/", 1)
    while i != -1:
        if i in lengths:
            found = exact.get(path[:i])
            if found:
                out.extend(found)
        i = find("/", i + 1)
    return out


def _regex_applies(pattern: str, text: str) -> bool:
    """The config's regex matched with bounded work (wsgilint.saferegex): a pattern that could
    backtrack for too long (`^/(a+)+$`) is not evaluated and the section does not apply."""
    from wsgilint import saferegex
    from wsgilint.limits import DEFAULT

    return saferegex.search(pattern, text, DEFAULT.max_regex_work)[0]


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
        reason = f"uWSGI ini name {path.rsplit('/', 1)[-1]}" if service else ""
    return UwsgiApp(config, binds, service, reason, app_opt)


# -- identity from weak evidence and from the user's configuration ---------------------------
# Reasons that are weak evidence (see the module docstring): no error rests on them alone.
WEAK_REASONS = ("URL path ", "file name ")


def weak_identity(reason: str) -> bool:
    """Does an identity rest only on a URL path or a file name (no module, script or backend)?"""
    return reason.startswith(WEAK_REASONS)


def _app_values(app: UwsgiApp) -> list[str]:
    """What names a uWSGI instance's application: module / wsgi-file / mount values."""
    out = []
    for opt in app.config.options:
        if opt.key in _APP_KEYS and opt.key != "callable":
            v = opt.value.strip()
            out.append(v)
            if opt.key == "mount" and "=" in v:
                out.append(v.partition("=")[2].strip())
    return out


def _matches(patterns: tuple[str, ...], value: str) -> str | None:
    """The first pattern (fnmatch, case-sensitive) that matches ``value`` or its module part."""
    from fnmatch import fnmatchcase

    candidates = (value, value.partition(":")[0]) if ":" in value else (value,)
    for pat in patterns:
        if any(fnmatchcase(c, pat) for c in candidates):
            return pat
    return None


def identify_user_apps(deployment: Deployment) -> None:
    """Name uWSGI instances and routes after the user's apps (``deployment.apps``), before link().

    The user's configuration is the strongest evidence: it wins over a service name in a module."""
    apps = deployment.apps
    if not apps:
        return
    for app in deployment.uwsgi:
        for value in _app_values(app):
            hit = next(((p, pat) for p in apps.values() if (pat := _matches(p.match, value))), None)
            if hit is not None:
                app.service = hit[0].name
                app.service_reason = f"{hit[0].source}, which matches {value}"
                break
    for route in deployment.routes:
        values = [route.script] if route.kind == "mod_wsgi" and route.script else []
        for value in values:
            hit = next(((p, pat) for p in apps.values() if (pat := _matches(p.match, value))), None)
            if hit is not None:
                route.service = hit[0].name
                route.service_reason = f"{hit[0].source}, which matches WSGIScriptAlias {value}"
                break
        else:
            path = route.path
            hit = next(((p, pat) for p in apps.values()
                        if (pat := _matches(tuple(m for m in p.match if m.startswith("/")), path))), None)
            if hit is not None:
                route.service = hit[0].name
                route.service_reason = f"{hit[0].source}, which matches URL path {path}"


# -- linking ---------------------------------------------------------------------------
def link(deployment: Deployment) -> None:
    """Tie each proxy route to the uWSGI socket it reaches, each route to a service, and the chains."""
    _link(deployment)
    from wsgilint.model.chain import link_chain

    link_chain(deployment)


def _link(deployment: Deployment) -> None:
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
                if route.service is None:
                    fname = route.directive.node.source.path.rsplit("/", 1)[-1]
                    svc = by_name.get(fname, "")
                    if svc == "":
                        svc = by_name[fname] = knowledge.service_from_name(fname)
                    if svc:
                        route.service, route.service_reason = svc, f"file name {fname}"
