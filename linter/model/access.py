"""Which `Require` decides a request, merged the way httpd merges per-directory sections.

httpd does not apply sections in file order. For one request it merges (server/request.c
`ap_directory_walk`, `ap_file_walk`, `ap_location_walk`; server/core.c `reorder_sorter`,
`merge_core_server_configs`; apache/httpd@f45abec1bd20 2.4.x; the docs' "How the sections
are merged", https://httpd.apache.org/docs/2.4/sections.html#merging):

1. the main server's sections, then the VirtualHost's (the vhost's are appended to the main
   server's, wherever the VirtualHost stands in the files: `apr_array_append(base, virt)`);
2. `<Directory>` sections (not regex) sorted by their number of slashes (`<Directory />`
   first), ties in that order of appearance; each applies when its path (canonical, with a
   trailing slash) equals the walked directory of that depth (`apr_fnmatch` when it has a
   wildcard); then `<DirectoryMatch>` / `<Directory ~>` in order, matched against the file name;
3. `<Files>` / `<FilesMatch>`: the server's (main, then vhost), then those inside each applied
   `<Directory>`, matched against the base name;
4. `<Location>` / `<LocationMatch>` in order (main, then vhost): a plain path matches a URI
   prefix ending at a `/` or at the end of the URI.

mod_authz_core (modules/aaa/mod_authz_core.c `merge_authz_core_dir_config`, AuthMerging Off by
default): a section with its own `Require` replaces what came before, so the last merged
section holding one decides. Verdicts: "granted", "denied", "conditional" (anything that
depends on the client, the method, an `<If>` or mod_access_compat), or None (no section holds
an access rule: httpd grants). Measured against the real httpd in tests/test_differential_sections.py.
"""

from __future__ import annotations

import posixpath
import re

_DIR = ("<directory", "<directorymatch")
_FILES = ("<files", "<filesmatch")
_LOC = ("<location", "<locationmatch")
_ALL = frozenset(_DIR + _FILES + _LOC)
_WILD = re.compile(r"[*?\[]")
_COMPAT = ("order", "allow", "deny", "satisfy")
_CONDITIONAL_CONTAINERS = ("<if", "<elseif", "<else", "<limit", "<limitexcept")
_REQUIRE_CONTAINERS = ("<requireall", "<requireany", "<requirenone")


class Access:
    """The verdict for one request and the section that decided it (None when nothing did)."""

    __slots__ = ("verdict", "section", "sections")

    def __init__(self, verdict, section, sections):
        self.verdict = verdict
        self.section = section
        self.sections = sections  # every applied section, in merge order


def _pattern(sec) -> tuple[str, bool]:
    """(pattern, is_regex) of a section's argument (`<Directory ~ re>` is a regex)."""
    args = sec.args
    if sec.key.endswith("match"):
        return args[0], True
    if args[0] == "~" and len(args) > 1:
        return args[1], True
    return args[0], False


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except (re.error, RecursionError):
        return False


def _fnmatch(pattern: str, text: str, pathname: bool) -> bool:
    """apr_fnmatch with APR_FNM_PATHNAME: `*` and `?` never match a `/`."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append("[^/]*" if pathname else ".*")
        elif c == "?":
            out.append("[^/]" if pathname else ".")
        elif c == "[":
            j = pattern.find("]", i + 2)
            if j < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:j]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    try:
        return re.fullmatch("".join(out), text, re.S) is not None
    except re.error:
        return False


def _dir_key(path: str) -> tuple[str, int]:
    """The section's canonical path with a trailing slash and its component count (`/` is 0)."""
    if path == "/":
        return "/", 0
    canon = posixpath.normpath(path)
    if canon.startswith("//"):
        canon = canon[1:]
    if not canon.endswith("/"):
        canon += "/"
    return canon, canon.count("/")


def _sections(base) -> list:
    return [s for s in (base.children or ()) if s.children is not None and s.args and s.key in _ALL]


def applied_sections(tree, vhost, filename: str, uri: str) -> list:
    """The Directory, Files and Location sections httpd merges for (filename, uri), in merge order."""
    bases = [tree] if vhost is None else [tree, vhost]
    top = [s for b in bases for s in _sections(b)]
    dirs = [s for s in top if s.key in _DIR]
    plain, regex = [], []
    for idx, sec in enumerate(dirs):
        pat, is_re = _pattern(sec)
        if is_re:
            regex.append(sec)
        else:
            canon, comps = _dir_key(pat)
            plain.append((comps, idx, canon, sec))
    plain.sort(key=lambda t: (t[0], t[1]))
    # The directories the walk visits: "/", "/a/", "/a/b/" ... up to the file's directory.
    folder = filename.rsplit("/", 1)[0]
    levels = {}
    acc = "/"
    levels[1] = acc
    for part in [p for p in folder.split("/") if p]:
        acc += part + "/"
        levels[acc.count("/")] = acc
    merged = []
    for comps, _, canon, sec in plain:
        if comps == 0:
            merged.append(sec)
            continue
        level = levels.get(comps)
        if level is None:
            continue
        if (_fnmatch(canon, level, True) if _WILD.search(canon) else canon == level):
            merged.append(sec)
    for sec in regex:
        if _search(_pattern(sec)[0], filename):
            merged.append(sec)
    base = filename.rsplit("/", 1)[-1]
    files = [s for s in top if s.key in _FILES]
    for sec in merged[:]:
        files.extend(s for s in _sections(sec) if s.key in _FILES)
    for sec in files:
        pat, is_re = _pattern(sec)
        if (_search(pat, base) if is_re else
                (_fnmatch(pat, base, True) if _WILD.search(pat) else pat == base)):
            merged.append(sec)
    for sec in top:
        if sec.key not in _LOC:
            continue
        pat, is_re = _pattern(sec)
        if is_re:
            ok = _search(pat, uri)
        elif _WILD.search(pat):
            ok = _fnmatch(pat, uri, True)
        else:
            n = len(pat)
            ok = uri.startswith(pat) and (n == 0 or pat.endswith("/") or len(uri) == n or uri[n] == "/")
        if ok:
            merged.append(sec)
    return merged


def _section_verdict(sec) -> str | None:
    """What a section's own access rules say: granted, denied, conditional, or None (none here)."""
    kids = sec.children or ()
    if any(k.key in _COMPAT for k in kids):
        return "conditional"
    for k in kids:
        if k.key in _CONDITIONAL_CONTAINERS and k.children and any(
                c.key == "require" or c.key in _REQUIRE_CONTAINERS for c in k.iter()):
            return "conditional"
    if any(k.key == "authmerging" for k in kids):
        return "conditional"
    requires = [k for k in kids if k.key == "require"]
    if any(k.key in _REQUIRE_CONTAINERS for k in kids):
        return "conditional"
    if not requires:
        return None
    words = [" ".join(a.lower() for a in d.args) for d in requires]
    if any(w == "all granted" for w in words):
        return "granted"  # several Require lines: any one may grant (an implicit RequireAny)
    if all(w in ("all denied", "not all granted") for w in words):
        return "denied"
    return "conditional"


def access(tree, vhost, filename: str, uri: str) -> Access:
    """httpd's access verdict for a request to ``uri`` mapped onto ``filename`` (see the module doc)."""
    sections = applied_sections(tree, vhost, filename, uri)
    verdict, winner = None, None
    for sec in sections:
        v = _section_verdict(sec)
        if v is not None:
            verdict, winner = v, sec
    return Access(verdict, winner, sections)
