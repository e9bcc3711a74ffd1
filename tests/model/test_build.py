"""The Apache model against the plain definitions it is optimised from (one walk, indexes, caches).

Random configurations mix VirtualHost, Location(Match), Directory(Match), Files(Match),
IfModule, ProxyPass(Match), WSGIScriptAlias and SetEnv/UnsetEnv in any order and case;
each model answer must equal what a direct scan of the resolved tree gives.
"""

from __future__ import annotations

import fnmatch
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wsgilint.fsroot import FileSystem
from wsgilint.model.build import build_apache
from wsgilint.resolve import apache as apache_resolve

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_PATHS = ["/", "/api", "/api/", "/api/v2", "/identity", "/image/"]
_ENV = ["proxy-sendcl", "PROXY-SENDCL", "Proxy-SendChunked", "proxy-sendchunked", "X"]
_TARGETS = ["unix:/run/a.sock|uwsgi://a/", "uwsgi://127.0.0.1:3031/", "http://127.0.0.1:8080/", "!",
            "UNIX:/run/b.sock|http://b/"]
_SCRIPTS = ["/var/www/app/app.wsgi", "/usr/bin/keystone-wsgi-public", "/srv/x/y.py"]

_LEAF = st.one_of(
    st.builds("SetEnv {} 1".format, st.sampled_from(_ENV)),
    st.builds(" ".join, st.lists(st.sampled_from(_ENV), min_size=1, max_size=2)).map("UnsetEnv {}".format),
    st.builds("ProxyPass {} {}".format, st.sampled_from(_PATHS), st.sampled_from(_TARGETS)),
    st.builds("ProxyPass {}".format, st.sampled_from(_TARGETS)),  # inside <Location>: no path
    st.builds("ProxyPassMatch ^{}(.*) {}".format, st.sampled_from(_PATHS), st.sampled_from(_TARGETS)),
    st.builds("WSGIScriptAlias {} {}".format, st.sampled_from(_PATHS), st.sampled_from(_SCRIPTS)),
    st.builds("WSGIScriptAlias {} {} process-group=g".format, st.sampled_from(_PATHS), st.sampled_from(_SCRIPTS)),
    st.sampled_from(["WSGIDaemonProcess g processes=2", "WSGIDaemonProcess h", "WSGIProcessGroup g",
                     "WSGIProcessGroup h", "ServerName a", "Timeout 30", "proxypass /api/ uwsgi://x/"]),
)
_OPEN = st.one_of(
    st.just("VirtualHost *:80"),
    st.builds("Location {}".format, st.sampled_from(_PATHS)),
    st.builds("LocationMatch ^{}".format, st.sampled_from(_PATHS)),
    st.builds("Directory {}".format, st.sampled_from(["/", "/var/www/app", "/usr/bin", "/srv"])),
    st.just("DirectoryMatch ^/var/www"),
    st.builds("Files {}".format, st.sampled_from(["app.wsgi", "*.wsgi", "keystone-wsgi-*"])),
    st.just("FilesMatch \\.py$"),
    st.just("IfModule mod_env.c"),
    st.just("IfModule !mod_env.c"),
)


def _render(tree, depth=0) -> str:
    out = []
    for item in tree:
        if isinstance(item, str):
            out.append("  " * depth + item)
        else:
            head, body = item
            name = head.split()[0]
            out.append("  " * depth + f"<{head}>")
            out.append(_render(body, depth + 1))
            out.append("  " * depth + f"</{name}>")
    return "\n".join(line for line in out if line)


_ROUTE = st.one_of(
    st.builds("ProxyPass {} {}".format, st.sampled_from(_PATHS), st.sampled_from(_TARGETS)),
    st.builds("WSGIScriptAlias {} {}".format, st.sampled_from(_PATHS), st.sampled_from(_SCRIPTS)),
)
_SECTION = st.tuples(_OPEN, st.lists(_LEAF, max_size=4))
_LOCATION_OPEN = st.one_of(st.builds("Location {}".format, st.sampled_from(_PATHS)),
                           st.builds("LocationMatch ^{}".format, st.sampled_from(_PATHS)))
_LOCATION = st.tuples(_LOCATION_OPEN, st.lists(_LEAF, max_size=3))
_TREE = st.one_of(
    st.recursive(
        st.lists(_LEAF, max_size=6),
        lambda inner: st.lists(st.one_of(_LEAF, st.tuples(_OPEN, inner)), max_size=6),
        max_leaves=30,
    ),
    # A server part and a VirtualHost with several sections beside its routes.
    st.builds(lambda top, body, tail: top + [("VirtualHost *:80", body)] + tail,
              st.lists(st.one_of(_LEAF, _LOCATION, _SECTION), max_size=4),
              st.lists(st.one_of(_ROUTE, _LOCATION, _SECTION, _LEAF), min_size=3, max_size=12),
              st.lists(_SECTION, max_size=3)),
    # A ProxyPass inside nested Locations (its own enclosing sections are scopes too).
    st.builds(lambda outer, inner, leaves, target: [(outer, leaves + [(inner, [f"ProxyPass {target}"])])],
              _LOCATION_OPEN, _LOCATION_OPEN, st.lists(_LEAF, max_size=3), st.sampled_from(_TARGETS)),
)


def _resolve(text: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "httpd.conf"
        path.write_text("LoadModule env_module /usr/lib/apache2/modules/mod_env.so\n" + text + "\n")
        return apache_resolve.resolve(FileSystem(None), str(path), defines={}, complete=True)


# -- the plain definitions (what the model computed before its indexes and caches) ----------
def _children_named(section, key):
    return [d for d in (section.children or ()) if d.key == key]


def _ref_settings(route, key):
    out = []
    for scope in route.scopes:
        out.extend(_children_named(scope, key))
    return out


def _ref_env(route, name):
    win = None
    for d in _ref_settings(route, "setenv"):
        if d.args and d.args[0].lower() == name.lower():
            win = d
    for d in _ref_settings(route, "unsetenv"):
        if win is not None and any(a.lower() == name.lower() for a in d.args):
            win = None
    return win


def _regex_applies(pattern, text):
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def _path_applies(a, b):
    a, b = a.rstrip("/") or "/", b.rstrip("/") or "/"
    return a == "/" or b == "/" or a == b or b.startswith(a + "/") or a.startswith(b + "/")


def _files(sec, script):
    base = script.rsplit("/", 1)[-1]
    if not sec.args:
        return []
    if sec.key == "<files" and fnmatch.fnmatchcase(base, sec.args[0]):
        return [sec]
    if sec.key == "<filesmatch" and _regex_applies(sec.args[0], base):
        return [sec]
    return []


def _ref_scopes(tree, d, path, script):
    ancestors = []
    p = d.parent
    while p is not None:
        ancestors.append(p)
        p = p.parent
    vhost = next((a for a in ancestors if a.key == "<virtualhost"), None)
    bases = [tree] + ([vhost] if vhost is not None else [])
    scopes, later = list(bases), []
    keys = ("<location", "<locationmatch", "<directory", "<directorymatch", "<files", "<filesmatch")
    for base in bases:
        for sec in [s for s in base.children if s.children is not None and s.args and s.key in keys]:
            folder = script.rsplit("/", 1)[0] if script is not None else None
            if sec.key == "<location" and _path_applies(sec.args[0], path):
                later.append(sec)
            elif sec.key == "<locationmatch" and _regex_applies(sec.args[0], path):
                later.append(sec)
            elif script is None or sec.key in ("<location", "<locationmatch"):
                continue
            elif sec.key == "<directory":
                a = sec.args[0].rstrip("/") or "/"
                if a == "/" or folder == a or folder.startswith(a + "/"):
                    scopes.append(sec)
                    for f in sec.children or ():
                        if f.key in ("<files", "<filesmatch"):
                            scopes.extend(_files(f, script))
            elif sec.key == "<directorymatch":
                if _regex_applies(sec.args[0], folder):
                    scopes.append(sec)
            else:
                scopes.extend(_files(sec, script))
    for a in reversed(ancestors):
        if a.key in ("<location", "<locationmatch") and a not in later:
            later.append(a)
    return scopes + later


def _ref_proxy(d):
    """(path, target, params) of a ProxyPass(Match), or None when it makes no route."""
    loc = next((a for a in d.ancestors() if a.key in ("<location", "<locationmatch")), None)
    if loc is not None:
        path, rest = (loc.args[0] if loc.args else "/"), d.args
    elif len(d.args) < 2:
        return None
    else:
        path, rest = d.args[0], d.args[1:]
    if not rest or rest[0] == "!":
        return None
    return path, rest[0], {k.lower(): v for k, eq, v in (a.partition("=") for a in rest[1:]) if eq}


@SETTINGS
@given(_TREE)
def test_model_matches_plain_definitions(tree):
    cfg = _resolve(_render(tree))
    server = build_apache(cfg)
    walk = list(cfg.tree.iter())

    for key in {d.key for d in walk} | {"setenv", "unsetenv", "nothing"}:
        assert server.directives(key) == [d for d in walk if d.key == key]
        for section in [cfg.tree] + [d for d in walk if d.children is not None]:
            assert server.by_section(key).get(section, []) == _children_named(section, key)
    assert server.vhosts == [d for d in walk if d.key == "<virtualhost"]
    defs = [d for d in walk if d.key == "wsgidaemonprocess" and d.args]
    assert list(server.daemons) == list(dict.fromkeys(d.args[0] for d in defs))
    for name, daemon in server.daemons.items():
        assert daemon.directive is [d for d in defs if d.args[0] == name][-1]

    # Routes in document order across ProxyPass(Match) and WSGIScriptAlias(Match).
    route_keys = ("proxypass", "proxypassmatch", "wsgiscriptalias", "wsgiscriptaliasmatch")
    sources = [d for d in walk if d.key in route_keys]
    got = [r.directive for r in server.routes]
    assert got == [d for d in sources if d in got]
    proxies = [d for d in sources if d.key in ("proxypass", "proxypassmatch")]
    assert [r.directive for r in server.routes if r.kind != "mod_wsgi"] == [d for d in proxies if _ref_proxy(d)]
    for route in server.routes:
        if route.kind != "mod_wsgi":
            assert (route.path, route.target, route.params) == _ref_proxy(route.directive)
            unix = route.target.lower().startswith("unix:")
            assert route.address is None or (route.address.kind == "unix") == unix
        assert route.scopes == _ref_scopes(cfg.tree, route.directive, route.path, route.script)
        assert route.vhost is next((a for a in route.directive.ancestors() if a.key == "<virtualhost"), None)
        for key in ("setenv", "unsetenv", "wsgiprocessgroup", "timeout"):
            assert route.settings(key) == _ref_settings(route, key)
        for name in _ENV + ["absent"]:
            assert route.env(name) is _ref_env(route, name)
        assert route.target_span() == route.target_span()


def test_route_order_follows_the_document_across_route_kinds():
    cfg = _resolve("WSGIScriptAlias /a /srv/a.wsgi\nProxyPass /b uwsgi://x/\n"
                   "<VirtualHost *:80>\nProxyPassMatch ^/c http://y/\nWSGIScriptAlias /d /srv/d.wsgi\n"
                   "ProxyPass /e uwsgi://z/\n</VirtualHost>\nWSGIScriptAliasMatch ^/f /srv/f.wsgi\n")
    assert [r.path for r in build_apache(cfg).routes] == ["/a", "/b", "^/c", "/d", "/e", "^/f"]


def test_env_last_setenv_wins_and_unsetenv_anywhere_cancels():
    cfg = _resolve("SetEnv proxy-sendcl 1\n<VirtualHost *:80>\nSetEnv PROXY-SENDCL 2\n"
                   "ProxyPass /api uwsgi://x/\n<Location /api>\nSetEnv Proxy-SendChunked 1\n</Location>\n"
                   "</VirtualHost>\n<Location />\nUnsetEnv proxy-sendchunked\n</Location>\n")
    (route,) = build_apache(cfg).routes
    assert route.env("proxy-sendcl").args == ["PROXY-SENDCL", "2"]
    assert route.env("PROXY-sendcl") is route.env("proxy-sendcl")
    assert route.env("proxy-sendchunked") is None  # UnsetEnv in <Location /> applies too
