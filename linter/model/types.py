"""Data types of one deployment. Rules read these; they never touch files."""

from __future__ import annotations

import re

from wsgilint.targets import Targets
from wsgilint.record import FACTORY, FrozenRecord, Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms of a small check)

if TYPE_CHECKING:
    from wsgilint.resolve.apache import ApacheConfig, Directive
    from wsgilint.resolve.diagnostics import Diagnostic
    from wsgilint.resolve.nginx import Directive as NginxDirective
    from wsgilint.resolve.nginx import NginxConfig
    from wsgilint.resolve.uwsgi import Option, UwsgiConfig
    from wsgilint.source import SourceFile, Span
    from wsgilint.knowledge import ServiceProfile

_WILDCARD_HOSTS = frozenset({"", "*", "0.0.0.0", "::", "[::]", "0"})
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]", "ip6-localhost"})


class Address(FrozenRecord):
    """Where a socket is: a unix path, or a host and port."""

    kind: str  # "unix" | "tcp" | "abstract"
    path: str | None
    host: str | None
    port: int | None
    raw: str

    __slots__ = ('kind', 'path', 'host', 'port', 'raw')

    def __init__(self, kind: str, path: str | None = None, host: str | None = None, port: int | None = None,
                 raw: str = "") -> None:
        # Frozen, but filled through the slots' own setters: the generated __init__ goes
        # through object.__setattr__ per field (1.25 -> 0.4 us, 168 -> 72 bytes with no
        # __dict__; one Address per route and bind).
        _set_kind(self, kind)
        _set_path(self, path)
        _set_host(self, host)
        _set_port(self, port)
        _set_raw(self, raw)

    def __str__(self) -> str:
        if self.kind == "tcp":
            return f"{self.host or ''}:{self.port}"
        return ("unix:" if self.kind == "unix" else "@") + (self.path or "")

    @property
    def is_loopback(self) -> bool:
        """Only this machine can reach it: a unix/abstract socket or a loopback host."""
        if self.kind != "tcp":
            return True
        host = (self.host or "").lower()
        return host in _LOOPBACK or host.startswith("127.")

    @property
    def connects_locally(self) -> bool:
        """A client connecting here reaches this host (a wildcard target means localhost)."""
        return self.is_loopback or (self.host or "").lower() in _WILDCARD_HOSTS

    def reaches(self, listener: "Address") -> bool:
        """Could a client connecting to ``self`` reach a server listening on ``listener``?"""
        if self.kind != listener.kind:
            return False
        if self.kind != "tcp":
            return self.path == listener.path
        if self.port != listener.port:
            return False
        a, b = (self.host or "").lower(), (listener.host or "").lower()
        if a == b or b in _WILDCARD_HOSTS:
            return True
        return a in _LOOPBACK and b in _LOOPBACK

    @property
    def port_valid(self) -> bool:
        return self.port is None or 0 < self.port <= 65535


_set_kind, _set_path, _set_host, _set_port, _set_raw = (
    Address.kind.__set__, Address.path.__set__, Address.host.__set__, Address.port.__set__, Address.raw.__set__)


def parse_uwsgi_address(value: str) -> Address | None:
    """A uWSGI bind value: ``/path``, ``host:port``, ``:port``, ``[::]:port``, ``@abstract``."""
    v = value.strip()
    if not v or "$(" in v or "@(" in v:
        return None
    # uWSGI options like "http-socket = 127.0.0.1:8080,foo" carry a modifier after a comma.
    v = v.split(",", 1)[0]
    if v.startswith("@"):
        return Address("abstract", path=v[1:], raw=value)
    if v.startswith("unix:"):
        return Address("unix", path=v[5:], raw=value)
    if ":" in v and not v.startswith("/"):
        host, _, port = v.rpartition(":")
        if not port[:1].isascii() or not port[:1].isdigit():
            return None
        from wsgilint.numbers import parse_int

        return Address("tcp", host=host.strip("[]") if host.startswith("[") else host,
                       port=parse_int(port, leading=True), raw=value)
    return Address("unix", path=v, raw=value)


class Bind(Record):
    """One listening socket of a uWSGI instance."""

    option: "Option"
    protocol: str  # "uwsgi" | "http"
    router: bool  # the `http =` router plugin (a separate process in front of the workers)
    address: Address

    def __init__(self, option, protocol, router, address) -> None:
        self.option = option
        self.protocol = protocol
        self.router = router
        self.address = address


class UwsgiApp(Record):
    """One uWSGI instance (an ini file and what it includes)."""

    config: "UwsgiConfig"
    binds: list[Bind]
    service: str | None
    service_reason: str
    app_option: "Option | None"  # module / wsgi-file / wsgi that names the application
    container: str  # the kolla container it runs in ("": the host): it sees that container's files only

    def __init__(self, config, binds, service, service_reason, app_option, container="") -> None:
        self.config = config
        self.binds = binds
        self.service = service
        self.service_reason = service_reason
        self.app_option = app_option
        self.container = container

    @property
    def path(self) -> str:
        return self.config.source.path if self.config.source else self.config.path

    @property
    def span(self) -> "Span | None":
        opts = self.config.options
        return opts[0].span if opts else None


class WsgiDaemon(Record):
    """A mod_wsgi WSGIDaemonProcess."""

    name: str
    options: dict[str, str]
    directive: "Directive"

    def __init__(self, name, options, directive) -> None:
        self.name = name
        self.options = options
        self.directive = directive


class Route(Record):
    """A URL prefix a front end (Apache or nginx) sends to an application."""

    kind: str  # "proxy_uwsgi" | "proxy_http" | "mod_wsgi" | "proxy_other" | "nginx_uwsgi" | "nginx_proxy"
    path: str
    directive: "Directive"  # an nginx Directive (same interface) when frontend == "nginx"
    server: "ApacheServer | NginxServer"
    vhost: "Directive | None"  # nginx: the `server` block
    scopes: list["Directive"]  # sections whose settings apply, outermost first
    target: str
    scheme: str
    address: Address | None
    worker: str  # httpd's worker name (the URL after any "unix:...|")
    params: dict[str, str]
    script: str | None
    daemon: WsgiDaemon | None
    process_group: "Directive | None"
    service: str | None
    service_reason: str
    backend: UwsgiApp | None
    bind: Bind | None
    frontend: str  # "apache" | "nginx" (nginx routes: server/directive are nginx's)
    # The chain (linter/model/chain.py, filled by link()): what this route does to a request body,
    # the routes of other front ends in the tree that send requests here, and whether clients
    # reach this route's listener without them.
    hop: "Hop | None"
    front: tuple["Route", ...]
    entry: bool
    # Computed on first use: rules ask every route the same things (10k routes: 20k env() calls).
    _env: dict[str, "Directive"] | None
    _target_span: "Span | None"

    __slots__ = (
        'kind', 'path', 'directive', 'server', 'vhost', 'scopes', 'target', 'scheme', 'address', 'worker', 'params',
        'script', 'daemon', 'process_group', 'service', 'service_reason', 'backend', 'bind', 'frontend', 'hop',
        'front', 'entry', '_env', '_target_span',
    )
    _not_shown = ('hop', 'front', 'entry', '_env', '_target_span')
    _not_compared = ('hop', 'front', 'entry', '_env', '_target_span')

    def __init__(self, kind, path, directive, server, vhost, scopes, target="", scheme="", address=None, worker="",
                 params=FACTORY, script=None, daemon=None, process_group=None, service=None, service_reason="",
                 backend=None, bind=None, frontend="apache") -> None:
        self.kind = kind
        self.path = path
        self.directive = directive
        self.server = server
        self.vhost = vhost
        self.scopes = scopes
        self.target = target
        self.scheme = scheme
        self.address = address
        self.worker = worker
        self.params = {} if params is FACTORY else params
        self.script = script
        self.daemon = daemon
        self.process_group = process_group
        self.service = service
        self.service_reason = service_reason
        self.backend = backend
        self.bind = bind
        self.frontend = frontend
        self.hop = None
        self.front = ()
        self.entry = True
        self._env = None
        self._target_span = None

    @property
    def span(self) -> "Span":
        return self.directive.span

    @property
    def protocol(self) -> str:
        """What the front end speaks to the backend: "uwsgi", "http", or "" (mod_wsgi, other)."""
        return _ROUTE_PROTOCOL.get(self.kind, "")

    def target_span(self) -> "Span":
        span = self._target_span
        if span is None:
            if self.frontend == "nginx":  # uwsgi_pass/proxy_pass: the target is the first argument
                span = self.directive.arg_span(0)
            else:
                # ProxyPass inside <Location> has no path argument: its target is the first word.
                args = self.directive.args
                idx = 0 if self.kind != "mod_wsgi" and args and args[0] == self.target else 1
                span = self.directive.arg_span(idx)
            self._target_span = span
        return span

    def chains(self, limit: int = 64) -> list["Chain"]:
        """Every way a request reaches this route, client side first (at most ``limit``; loops cut)."""
        out: list[Chain] = []
        _walk_chains(self, (), out, limit)
        return out

    def settings(self, key: str) -> list["Directive"]:
        """Every directive ``key`` that applies to this route, least specific first."""
        out: list = []
        if self.frontend == "apache":
            # The server's directives ``key`` by section: a dict lookup per scope instead of
            # a scan of each scope's children (10k routes: 25 -> 13 ms per key).
            by_section = self.server.by_section(key)
            if by_section:
                for scope in self.scopes:
                    found = by_section.get(scope)
                    if found is not None:
                        out.extend(found)
            return out
        for scope in self.scopes:
            out.extend(scope.children_named(key))
        return out

    def setting(self, key: str) -> "Directive | None":
        found = self.settings(key)
        return found[-1] if found else None

    def env(self, name: str) -> "Directive | None":
        """The SetEnv for ``name`` that wins for this route (most specific, last), or None."""
        env = self._env
        if env is None:
            env = self._env = self._environment()
        return env.get(name.lower())

    def _environment(self) -> dict[str, "Directive"]:
        """The last SetEnv per (case-folded) name, unless an UnsetEnv anywhere in the scopes names it."""
        env: dict[str, Directive] = {}
        if self.frontend == "apache":  # settings("setenv") without the list (two rules ask every route)
            groups = self.server.by_section("setenv")
            if groups:
                for scope in self.scopes:
                    found = groups.get(scope)
                    if found is not None:
                        for d in found:
                            if d.args:
                                env[d.args[0].lower()] = d
        else:
            for d in self.settings("setenv"):
                if d.args:
                    env[d.args[0].lower()] = d
        if env:
            for d in self.settings("unsetenv"):
                for a in d.args:
                    env.pop(a.lower(), None)
        return env


def _walk_chains(route: Route, after: tuple, out: list, limit: int) -> None:
    if route.hop is None or any(h.route is route for h in after):
        return
    hops = (route.hop,) + after
    if route.entry or not route.front:
        out.append(Chain(hops))
    for f in route.front:
        if len(out) >= limit:
            return
        _walk_chains(f, hops, out, limit)


class Hop(Record):
    """One front end on a request's way to the backend, and what it does to the body and the time.

    The facts behind each value (nginx's and httpd's sources, measured in tests/test_proof_chain.py)
    are in wsgilint.knowledge (CHUNKED_BY_HOP and its SOURCES entry).
    """

    route: Route
    # A chunked request body leaves this hop as: "content-length" (read whole, sent with a
    # Content-Length), "rechunked" (streamed on, chunked, in pieces of at most chunk_max bytes),
    # "refused" (411) or "depends" (on a version this check does not know: see condition).
    chunked: str
    buffers: bool | None  # reads the whole body before passing it on (None: depends, see condition)
    chunk_max: int | None  # "rechunked": the largest chunk passed on
    condition: str  # "depends": on what, e.g. "Content-Length before nginx 1.29.7, chunked from it on"
    body_limit: int | None  # the largest body it takes (None: no limit)
    read_timeout: float | None  # seconds it waits for the backend's answer (None: unknown)
    why: str  # what it does, for messages ("buffers the body and sends Content-Length")
    onward: str  # the front end in this check its target reaches ("apache" | "nginx"), or ""

    _not_shown = ('route',)

    def __init__(self, route, chunked, buffers, chunk_max=None, condition="", body_limit=None, read_timeout=None,
                 why="", onward="") -> None:
        self.route = route
        self.chunked = chunked
        self.buffers = buffers
        self.chunk_max = chunk_max
        self.condition = condition
        self.body_limit = body_limit
        self.read_timeout = read_timeout
        self.why = why
        self.onward = onward

    @property
    def dechunks(self) -> bool:
        """The backend behind this hop never sees a chunked body (nor the client's pauses)."""
        return self.chunked == "content-length"

    def where(self) -> str:
        """'nginx proxy_pass at sites-enabled/glance:12'."""
        r = self.route
        name = r.directive.name if r.frontend == "nginx" else ("WSGIScriptAlias" if r.kind == "mod_wsgi"
                                                               else r.directive.name)
        span = r.directive.span
        where = f"{span.path.rsplit('/', 1)[-1]}:{span.line}" if span is not None else "?"
        return f"{'nginx' if r.frontend == 'nginx' else 'Apache'} {name} at {where}"

    def describe(self) -> str:
        """'nginx proxy_pass at glance:12, which buffers the body and sends Content-Length'."""
        return f"{self.where()}, which {self.why}" if self.why else self.where()


class Chain(Record):
    """The front ends a request travels, client side first; the last hop's route reaches the backend."""

    hops: tuple[Hop, ...]

    def __init__(self, hops) -> None:
        self.hops = hops

    @property
    def route(self) -> Route:
        return self.hops[-1].route

    def dechunker(self) -> Hop | None:
        """The first hop after which the body travels with a Content-Length, or None."""
        for h in self.hops:
            if h.dechunks:
                return h
        return None

    def undecided(self) -> Hop | None:
        """The first hop whose handling of chunked bodies depends on an unknown version (none dechunks)."""
        if self.dechunker() is not None:
            return None
        for h in self.hops:
            if h.chunked == "depends":
                return h
        return None

    def chunk_max(self) -> int | None:
        """The largest chunk the backend can get through this chain (None: the client's size)."""
        for h in reversed(self.hops):
            if h.chunked in ("rechunked", "depends") and h.chunk_max is not None:
                return h.chunk_max
        return None

    def describe(self) -> str:
        return "client -> " + " -> ".join(h.where() for h in self.hops)


_ROUTE_PROTOCOL = {"proxy_uwsgi": "uwsgi", "nginx_uwsgi": "uwsgi", "proxy_http": "http", "nginx_proxy": "http"}


class NginxServer(Record):
    """One nginx configuration tree (nginx.conf and its includes), or a fragment."""

    config: "NginxConfig"
    servers: list["NginxDirective"]  # `server` blocks inside http (or at the top of a fragment)
    routes: list[Route]
    upstreams: dict[str, "NginxDirective"]
    container: str  # the kolla container it runs in ("": the host)

    def __init__(self, config, servers, routes, upstreams, container="") -> None:
        self.config = config
        self.servers = servers
        self.routes = routes
        self.upstreams = upstreams
        self.container = container

    @property
    def complete(self) -> bool:
        return self.config.complete

    @property
    def path(self) -> str:
        return self.config.files[0].source.path if self.config.files else self.config.root_path


class ApacheServer(Record):
    """One Apache configuration tree (a root config and its includes), or a fragment."""

    config: "ApacheConfig"
    vhosts: list["Directive"]
    routes: list[Route]
    daemons: dict[str, WsgiDaemon]
    # Every directive of the tree by key, in document order (filled by the builder's one walk).
    by_key: dict[str, list["Directive"]] | None
    _by_section: dict[str, dict]
    container: str  # the kolla container it runs in ("": the host)
    # Where the -D defines of httpd's own launcher come from (its unit's ExecStart=, apachectl +
    # envvars; wsgilint.pipeline._launcher_defines); "": no launcher of this tree is known.
    launched_with: str

    _not_shown = ('by_key', '_by_section')
    _not_compared = ('by_key', '_by_section')

    def __init__(self, config, vhosts, routes, daemons, by_key=None, _by_section=FACTORY, container="",
                 launched_with="") -> None:
        self.config = config
        self.vhosts = vhosts
        self.routes = routes
        self.daemons = daemons
        self.by_key = by_key
        self._by_section = {} if _by_section is FACTORY else _by_section
        self.container = container
        self.launched_with = launched_with

    @property
    def complete(self) -> bool:
        return self.config.complete

    def directives(self, key: str) -> list["Directive"]:
        """Every directive ``key`` (lower-case) anywhere in the tree, in document order."""
        if self.by_key is None:
            index: dict[str, list] = {}
            for d in self.config.tree.iter():
                index.setdefault(d.key, []).append(d)
            self.by_key = index
        return self.by_key.get(key, [])

    def by_section(self, key: str) -> dict["Directive", list["Directive"]]:
        """The directives ``key`` grouped by the section they are directly in.

        ``by_section(key).get(section, [])`` is ``section.children_named(key)``: each
        directive's ``parent`` is the section whose ``children`` hold it.
        """
        groups = self._by_section.get(key)
        if groups is None:
            groups = {}
            for d in self.directives(key):
                found = groups.get(d.parent)
                if found is None:
                    groups[d.parent] = [d]
                else:
                    found.append(d)
            self._by_section[key] = groups
        return groups

    def has_module(self, ident: str) -> bool:
        return ident in self.config.modules

    @property
    def path(self) -> str:
        return self.config.files[0].source.path if self.config.files else self.config.root_path


class InactiveSite(Record):
    """A Debian sites-available file that no sites-enabled link includes."""

    path: str
    source: "SourceFile"

    def __init__(self, path, source) -> None:
        self.path = path
        self.source = source


class NotStartedIni(Record):
    """A uWSGI ini that nothing in the tree starts (wsgilint.launch: its service's own launcher does
    not, and no other launcher does): not an instance, not judged by the per-instance rules.
    ``evidence`` is the launcher file that shows it, ``line`` the line there (0: the file)."""

    path: str  # display path of the ini
    source: "SourceFile"
    reason: str
    evidence: "SourceFile"
    line: int

    def __init__(self, path, source, reason, evidence, line=0) -> None:
        self.path = path
        self.source = source
        self.reason = reason
        self.evidence = evidence
        self.line = line


class ServiceConfig(Record):
    """An OpenStack service's own config file (/etc/<service>/<service>.conf, oslo.config ini)."""

    service: str
    path: str
    source: "SourceFile"
    entries: list  # wsgilint.parse.oslo_ini.OsloEntry, in file order
    sections: list[tuple[str, int, int]]  # (name, start, end)
    container: str  # the kolla container that sees it ("": the host)

    def __init__(self, service, path, source, entries=FACTORY, sections=FACTORY, container="") -> None:
        self.service = service
        self.path = path
        self.source = source
        self.entries = [] if entries is FACTORY else entries
        self.sections = [] if sections is FACTORY else sections
        self.container = container

    def get(self, section: str, key: str):
        """The entry oslo.config uses for ``key`` in ``section`` (the last one), or None.

        Section names other than DEFAULT are case-insensitive (oslo.config lower-cases them).
        """
        want = section if section == "DEFAULT" else section.lower()
        found = None
        for e in self.entries:
            if e.key == key and (e.section if e.section == "DEFAULT" else e.section.lower()) == want:
                found = e
        return found

    def has_section(self, section: str) -> bool:
        want = section if section == "DEFAULT" else section.lower()
        return any((n if n == "DEFAULT" else n.lower()) == want for n, _, _ in self.sections)

    def section_span(self, section: str) -> "Span":
        """The ``[section]`` header's span, or the file's first line when the section is absent."""
        from wsgilint.source import Span

        want = section if section == "DEFAULT" else section.lower()
        for name, start, end in self.sections:
            if (name if name == "DEFAULT" else name.lower()) == want:
                return Span(self.source, start, end)
        eol = self.source.text.find("\n")
        return Span(self.source, 0, len(self.source.text) if eol == -1 else eol)

    def span_of(self, entry) -> "Span":
        from wsgilint.source import Span

        return Span(self.source, entry.start, entry.end)


def normalize_socket_path(path: str) -> str:
    """/var/run is a link to /run on every current distribution; ``unix:///p`` is ``unix:/p`` to httpd
    (wsgilint.knowledge.UDS_EMPTY_HOST_SINCE) and to the kernel (repeated slashes are one)."""
    if "//" in path:
        path = _SLASHES.sub("/", path)
    return "/run/" + path[len("/var/run/"):] if path.startswith("/var/run/") else path


_SLASHES = re.compile(r"/{2,}")


class Source(Record):
    """One file the check read: its display path, its kind (apache, nginx, uwsgi, apache-inactive,
    uwsgi-not-started, service) and its text. ``Deployment.sources`` lists each path once."""

    path: str
    kind: str
    source: "SourceFile"

    def __init__(self, path, kind, source) -> None:
        self.path = path
        self.kind = kind
        self.source = source


class Deployment(Record):
    """Everything one check read, linked together."""

    apache: list[ApacheServer]
    uwsgi: list[UwsgiApp]
    nginx: list[NginxServer]
    diagnostics: list["Diagnostic"]
    inactive_sites: list[InactiveSite]
    # Every file read, once per path, in report order (pipeline._sources): the one list the
    # reports, suppression comments and the post-rule stage use.
    sources: list[Source]
    targets: Targets
    uwsgi_scanned: bool
    service_configs: list[ServiceConfig]  # only those actually read
    # What the tree shows of files the configs name but wsgilint does not read (WSGI scripts):
    # path -> True (a file), False (missing while its directory is in the tree); paths whose
    # directory the tree does not hold, and every path when the checked tree is not a whole
    # root (no --root), are absent: unknown.
    present: dict[str, bool]
    # Apps described by the user's configuration ([tool.wsgilint.apps.NAME]): name -> profile.
    apps: dict[str, "ServiceProfile"]
    # uWSGI inis nothing in the tree starts (read only when the tree holds their service's launcher)
    not_started: list[NotStartedIni]
    # systemd units of the web servers in the tree (wsgilint.launch.types.WebUnit; read only for a
    # whole root): PrivateTmp=, User=, masks. Empty: none in the tree, or not read.
    web_units: list
    # /etc/passwd and /etc/group of a whole root (wsgilint.launch.types.Accounts); None: not in the tree
    accounts: object
    _reach: dict[int, list[Route]] | None  # routes_to() index, built on first use (after link())

    _not_shown = _not_compared = ('_reach',)

    def __init__(self, apache=FACTORY, uwsgi=FACTORY, nginx=FACTORY, diagnostics=FACTORY, inactive_sites=FACTORY,
                 sources=FACTORY, targets=FACTORY, uwsgi_scanned=False, service_configs=FACTORY,
                 present=FACTORY, apps=FACTORY, not_started=FACTORY, web_units=FACTORY, accounts=None) -> None:
        self.apache = [] if apache is FACTORY else apache
        self.uwsgi = [] if uwsgi is FACTORY else uwsgi
        self.nginx = [] if nginx is FACTORY else nginx
        self.diagnostics = [] if diagnostics is FACTORY else diagnostics
        self.inactive_sites = [] if inactive_sites is FACTORY else inactive_sites
        self.sources = [] if sources is FACTORY else sources
        self.targets = Targets() if targets is FACTORY else targets
        self.uwsgi_scanned = uwsgi_scanned
        self.service_configs = [] if service_configs is FACTORY else service_configs
        self.present = {} if present is FACTORY else present
        self.apps = {} if apps is FACTORY else apps
        self.not_started = [] if not_started is FACTORY else not_started
        self.web_units = [] if web_units is FACTORY else web_units
        self.accounts = accounts
        self._reach = None

    @property
    def files(self) -> list[tuple[str, str]]:
        """(display path, kind) of every file read (the JSON report's ``files``)."""
        return [(s.path, s.kind) for s in self.sources]

    def service_config(self, service: str | None, container: str = "") -> ServiceConfig | None:
        """The config read for ``service`` that ``container`` sees (the last one given wins), or None
        when none was read. A kolla container sees only the files its config.json copies in: nova-api's
        app is judged with nova-api's nova.conf, never nova-metadata's ("": the host's own files)."""
        found = None
        for c in self.service_configs:
            if c.service == service and c.container == container:
                found = c
        return found

    @staticmethod
    def container_of(route: Route) -> str:
        """The container whose service config a route's app reads: its uWSGI backend's, else its server's."""
        backend = route.backend
        if backend is not None:
            return backend.container
        return route.server.container if route.server is not None else ""

    @property
    def routes(self) -> list[Route]:
        return [r for s in self.apache for r in s.routes] + [r for s in self.nginx for r in s.routes]

    def routes_to(self, bind: Bind) -> list[Route]:
        """The front-end routes in this check that reach ``bind`` (link() sets route.bind)."""
        index = self._reach
        if index is None:
            index = self._reach = {}
            for r in self.routes:
                if r.bind is not None:
                    index.setdefault(id(r.bind), []).append(r)
        return index.get(id(bind), [])

    def exposure(self, bind: Bind) -> str:
        """How clients reach ``bind``: "direct" (no front end in this check reaches it and it listens
        beyond loopback), "public" (front ends reach it, but it also listens on every interface),
        "behind" (only through the front ends that reach it) or "local" (loopback, no front end
        in this check: one outside the check is taken to be in front)."""
        routes = self.routes_to(bind)
        a = bind.address
        if not routes:
            return "local" if a.is_loopback else "direct"
        if a.kind == "tcp" and (a.host or "").lower() in _WILDCARD_HOSTS:
            return "public"
        return "behind"

    def chains_to(self, bind: Bind) -> list[Chain]:
        """Every chain of front ends in this check that ends at ``bind``."""
        return [c for r in self.routes_to(bind) for c in r.chains()]
