"""_SectionIndex (the per-base index behind _ApacheBuilder.scopes) against the plain definitions.

Which sections apply to a route must be exactly what testing every section with
``_path_applies`` / ``_regex_applies`` / ``_dir_applies`` gives, in document order, for any
section and route path (odd ones included: repeated and trailing slashes, relative paths,
prefixes that are not path components). The index exists because that scan was quadratic
(../shared/hostile/superlinear-location-scopes); tests/hostile/test_budgets.py measures the scaling.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wsgilint.model import build as b

_SEGMENTS = ["", "a", "ab", "a.b", "b", "0", "-", "a0"]
_path = st.lists(st.sampled_from(_SEGMENTS), min_size=0, max_size=5).map("/".join)
_abs = st.one_of(_path.map(lambda p: "/" + p), _path)  # relative ones too ("a/b", "")


class _Sec:  # the two attributes _SectionIndex and the predicates read
    __slots__ = ("key", "args", "children")

    def __init__(self, key: str, arg: str) -> None:
        self.key, self.args, self.children = key, [arg], []


_KEYS = ["<location", "<location", "<locationmatch", "<directory", "<directory", "<directorymatch", "<files",
         "<filesmatch"]
_REGEXES = ["^/a", "b$", "^/a/?b", "0", "^$"]
_sec = st.sampled_from(_KEYS).flatmap(
    lambda k: st.builds(_Sec, st.just(k), st.sampled_from(_REGEXES) if k.endswith("match") else _abs))


def _ref_locations(secs, path):
    return [i for i, s in enumerate(secs)
            if (s.key == "<location" and b._path_applies(s.args[0], path))
            or (s.key == "<locationmatch" and b._regex_applies(s.args[0], path))]


def _ref_others(secs, script):
    d = script.rsplit("/", 1)[0]
    out = []
    for i, s in enumerate(secs):
        if s.key == "<directory":
            if b._dir_applies(s.args[0], d):
                out.append(i)
        elif s.key == "<directorymatch":
            if b._regex_applies(s.args[0], d):
                out.append(i)
        elif s.key in ("<files", "<filesmatch"):
            out.append(i)
    return out


@settings(max_examples=600, deadline=None)
@given(st.lists(_sec, max_size=24), _abs, _abs)  # up to 8: the plain scan; more: the index
def test_index_matches_scan(secs, path, script):
    idx = b._SectionIndex(secs)
    assert idx.locations(path) == _ref_locations(secs, path)
    assert idx.others(script + "/app.wsgi") == _ref_others(secs, script + "/app.wsgi")
    assert idx.others(script) == _ref_others(secs, script)


def test_index_examples():
    secs = [_Sec("<location", p) for p in ("/api", "/api/v2/", "/apix", "/", "/api/v2/x", "/other")]
    secs += [_Sec("<location", f"/pad{i}") for i in range(b._SMALL_SCAN)]  # past the plain scan: the index
    assert not b._SectionIndex(secs).small
    idx = b._SectionIndex(secs)
    assert idx.locations("/api/v2") == [0, 1, 3, 4]  # above, itself, root, below; not /apix
    assert idx.locations("/") == list(range(len(secs)))
    assert idx.locations("/apix/") == [2, 3]
