"""Differential: which section's `Require` decides a request, wsgilint against the real httpd.

For each small tree the real apache2 (with mod_wsgi) serves `GET /app` (a WSGIScriptAlias onto
the test app) and answers 200 or 403 (AH01630); wsgilint reads the same tree and must agree:
wsgilint.model.access says granted (or nothing decides: httpd grants) exactly when httpd
answers 200, and WSG210 modwsgi-script-dir-not-granted fires exactly when it answers 403.
The trees cover httpd's merge order (server/request.c `ap_directory_walk`, core.c
`reorder_sorter`; https://httpd.apache.org/docs/2.4/sections.html#merging): a server-level
section written after the VirtualHost, path length against order of appearance, regex
sections after plain ones, `<Files>` after `<Directory>`, `<Location>` last, main server before
the vhost.
"""

from __future__ import annotations

import pytest

import proofkit
import stack
from lintrun import check
from wsgilint.fsroot import FileSystem
from wsgilint.model.access import access
from wsgilint.resolve.apache import resolve

# The distributions' main config denies the whole file system (Debian apache2.conf, RHEL httpd.conf).
DENY_ROOT = "<Directory />\n    Require all denied\n</Directory>\n"


def _sec(kind: str, arg: str, verdict: str, inner: str = "") -> str:
    return f"<{kind} {arg}>\n    Require all {verdict}\n{inner}</{kind.split()[0]}>\n"


def _vhost(inner: str = "") -> str:
    return f"<VirtualHost *:@@PORT@@>\n    WSGIScriptAlias /app @@APP_WSGI@@\n{inner}</VirtualHost>\n"


G, D = "granted", "denied"
# name: (global config before the site, site text). @@TMP@@ is the parent of @@APP_DIR@@.
CASES = {
    "nothing_grants": (DENY_ROOT, _vhost()),
    "no_access_rules_at_all": ("", _vhost()),
    "grant_in_vhost": (DENY_ROOT, _vhost(_sec("Directory", "@@APP_DIR@@", G))),
    # issue 15: a server-level grant written after the VirtualHost still applies to it.
    "server_grant_after_vhost": (DENY_ROOT, _vhost() + _sec("Directory", "@@APP_DIR@@", G)),
    "server_deny_root_after_vhost_grant": ("", _vhost(_sec("Directory", "@@APP_DIR@@", G)) + DENY_ROOT),
    # same path in both: the vhost's is merged after the main server's, wherever it stands
    "vhost_deny_beats_later_server_grant": ("", _vhost(_sec("Directory", "@@APP_DIR@@", D))
                                           + _sec("Directory", "@@APP_DIR@@", G)),
    "vhost_grant_beats_later_server_deny": ("", _vhost(_sec("Directory", "@@APP_DIR@@", G))
                                           + _sec("Directory", "@@APP_DIR@@", D)),
    # a longer path wins over order of appearance
    "longer_path_wins_over_later_shorter": ("", _vhost(_sec("Directory", "@@APP_DIR@@", G))
                                            + _sec("Directory", "@@TMP@@", D)),
    "later_longer_deny_wins": ("", _sec("Directory", "@@TMP@@", G) + _vhost(_sec("Directory", "@@APP_DIR@@", D))),
    # same path spelled with a trailing slash: order of appearance decides
    "trailing_slash_same_section_path": ("", _sec("Directory", "@@APP_DIR@@/", D)
                                         + _sec("Directory", "@@APP_DIR@@", G) + _vhost()),
    "trailing_slash_same_section_path_reversed": ("", _sec("Directory", "@@APP_DIR@@", G)
                                                  + _sec("Directory", "@@APP_DIR@@/", D) + _vhost()),
    # regex sections come after every plain <Directory>, whatever their length
    "directorymatch_after_longer_directory": ("", _sec("DirectoryMatch", '"^/"', D)
                                              + _sec("Directory", "@@APP_DIR@@", G) + _vhost()),
    "directorymatch_not_matching": ("", _sec("DirectoryMatch", '"^/nowhere/"', D)
                                    + _sec("Directory", "@@APP_DIR@@", G) + _vhost()),
    "directory_wildcard": (DENY_ROOT, _vhost() + _sec("Directory", "@@TMP@@/a*", G)),
    "directory_wildcard_not_crossing_slash": (DENY_ROOT, _vhost() + _sec("Directory", "/*", G)),
    "directory_of_a_sibling": (DENY_ROOT, _vhost(_sec("Directory", "@@APP_DIR@@x", G))),
    # <Files> after <Directory>
    "files_deny_after_directory_grant": ("", _vhost(_sec("Directory", "@@APP_DIR@@", G))
                                         + _sec("Files", "app.wsgi", D)),
    "files_grant_inside_denied_directory": (DENY_ROOT, _vhost(
        _sec("Directory", "@@APP_DIR@@", D, _sec("Files", "app.wsgi", G)))),
    "filesmatch_grant_at_server_level": (DENY_ROOT, _vhost() + _sec("FilesMatch", r'"\.wsgi$"', G)),
    "files_other_name": (DENY_ROOT, _vhost() + _sec("Files", "other.wsgi", G)),
    # <Location> last, main server's before the vhost's
    "location_deny_after_vhost": ("", _vhost(_sec("Directory", "@@APP_DIR@@", G)) + _sec("Location", "/app", D)),
    "location_prefix_stops_at_segment": ("", _vhost(_sec("Directory", "@@APP_DIR@@", G)) + _sec("Location", "/ap", D)),
    "location_grant_over_directory_deny": (DENY_ROOT, _vhost(_sec("Location", "/app", G))),
    "vhost_location_after_server_location": ("", _vhost(_sec("Location", "/", G)) + _sec("Location", "/app", D)),
    "locationmatch_deny": ("", _vhost(_sec("Directory", "@@APP_DIR@@", G)) + _sec("LocationMatch", '"^/a"', D)),
}


def _verdict(conf: str) -> tuple[str | None, list]:
    cfg = resolve(FileSystem(), conf, defines={})
    vhost = next(d for d in cfg.tree.iter() if d.key == "<virtualhost")
    script = next(d for d in cfg.tree.iter() if d.key == "wsgiscriptalias").args[1]
    return access(cfg.tree, vhost, script, "/app").verdict, [d.message for d in cfg.diagnostics]


@pytest.mark.parametrize("name", sorted(CASES))
def test_access_verdict_matches_httpd(name, tmp_path):
    proofkit.need_apache("section-merge differential", wsgi=True)
    extra_global, site = CASES[name]
    with proofkit.time_limit(60), stack.apache(tmp_path, site, modules=["wsgi"], extra_global=extra_global) as web:
        served = stack.get(web.url_for("/app"), timeout=stack.CLIENT_TIMEOUT)
        assert served.status in (200, 403), (served, web.logs_report())
        if served.status == 403:
            assert "AH01630" in web.error_log_text(), web.logs_report()
        verdict, diags = _verdict(str(web.conf))
        assert verdict in ("granted", "denied", None), (verdict, diags)
        assert (verdict == "denied") == (served.status == 403), (name, verdict, served.status, web.site.read_text())
        result = check([web.root], cwd=tmp_path, select=["WSG210"])
        fired = [f for f in result.findings if f.rule.id == "WSG210"]
        assert bool(fired) == (served.status == 403), (name, [f.message for f in result.findings])
