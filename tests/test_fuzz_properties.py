"""Property tests for every parser: no input raises, and valid input round-trips to the same directives."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wsgilint.limits import Limits
from wsgilint.parse import apache, envvars, nginx, uwsgi_ini

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SMALL = Limits(max_depth=8, max_line_length=200, max_lines=200, max_expansion=500)

# Text built from the characters that matter to the grammars, plus anything at all.
_META = st.sampled_from(list("<>/\\\"'#;=[]{}%$()@ \t\r\n\x00\ufeff") + ["</", "\\\n", "${", "%(", "\r\n"])
_TEXT = st.lists(st.one_of(_META, st.text(max_size=8)), max_size=80).map("".join)
_MUTATED_SEED = ("<VirtualHost *:80>\n  ServerName a\n  ProxyPass /x \"uwsgi://127.0.0.1:3031/\" \\\n"
                 "    retry=0\n  <Location /y>\n  </Location>\n</VirtualHost>\n")


@st.composite
def _mutated(draw, seed: str = _MUTATED_SEED):
    text = seed
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 5)))
        text = text[:i] + draw(st.one_of(_META, st.just(""))) + text[j:]
    return text


@SETTINGS
@given(st.one_of(_TEXT, _mutated()))
def test_apache_never_raises(text):
    for limits in (None, SMALL):
        r = apache.parse(text, "x.conf", limits=limits)
        for node in apache.walk(r.nodes):
            for s, e in node.arg_spans():
                assert 0 <= s <= e <= len(text)
        for p in r.problems:
            assert 0 <= p.start <= p.end <= len(text)


@SETTINGS
@given(st.one_of(_TEXT, _mutated()))
def test_uwsgi_ini_never_raises(text):
    for limits in (None, SMALL):
        r = uwsgi_ini.parse(text, "x.ini", limits=limits)
        for e in r.entries:
            assert 0 <= e.start <= e.end <= len(text)


@SETTINGS
@given(_TEXT)
def test_envvars_never_raises(text):
    out = envvars.parse_envvars(text, SMALL)
    assert all(len(v) <= SMALL.max_expansion for v in out.values())


@SETTINGS
@given(st.one_of(_TEXT, _mutated("http {\n server { listen 80; location / { proxy_pass http://x; } }\n}\n")))
def test_nginx_never_raises(text):
    nginx.parse(text, "x.conf")


# -- round trips -------------------------------------------------------------------------------
_NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,11}", fullmatch=True)
_BARE = st.from_regex(r"[A-Za-z0-9_./:=+*-]{1,12}", fullmatch=True)
_QUOTED = st.text(alphabet=st.characters(blacklist_characters='"\\\n\r\x00', blacklist_categories=("Cs",)),
                  max_size=12)


@st.composite
def _apache_tree(draw, depth=0):
    items = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 3 and draw(st.booleans()):
            items.append(("section", draw(_NAME), draw(st.lists(_BARE, max_size=2)), draw(_apache_tree(depth + 1))))
        else:
            args = draw(st.lists(st.one_of(_BARE.map(lambda w: (w, False)), _QUOTED.map(lambda w: (w, True))),
                                 max_size=4))
            items.append(("directive", draw(_NAME), args, draw(st.booleans())))
    return items


def _render(items, indent=""):
    out = []
    for it in items:
        if it[0] == "section":
            _, name, args, body = it
            out.append(f"{indent}<{name}{''.join(' ' + a for a in args)}>")
            out.extend(_render(body, indent + "  "))
            out.append(f"{indent}</{name}>")
        else:
            _, name, args, continued = it
            words = [f'"{w}"' if q else w for w, q in args]
            sep = " \\\n    " if continued else " "
            out.append(indent + name + "".join(sep + w for w in words))
    return out


def _expect(items):
    return [(it[1], it[2], _expect(it[3])) if it[0] == "section" else (it[1], [w for w, _ in it[2]], None)
            for it in items]


def _got(nodes):
    return [(n.name[1:] if n.children is not None else n.name, n.args,
             _got(n.children) if n.children is not None else None) for n in nodes]


@SETTINGS
@given(_apache_tree())
def test_apache_round_trip(items):
    text = "\n".join(_render(items)) + "\n"
    r = apache.parse(text, "x.conf")
    assert r.problems == []
    assert _got(r.nodes) == _expect(items)


_KEY = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True)
_VALUE = st.text(alphabet=st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)),
                 max_size=20).map(lambda v: v.strip(" \t\f\v\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0"))


@SETTINGS
@given(st.lists(st.tuples(st.from_regex(r"[a-z0-9_-]{1,10}", fullmatch=True),
                          st.lists(st.tuples(_KEY, _VALUE), max_size=5)), min_size=1, max_size=3))
def test_uwsgi_ini_round_trip(sections):
    text = "".join(f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in entries) for name, entries in sections)
    r = uwsgi_ini.parse(text, "x.ini")
    assert r.problems == []
    assert [(e.section, e.key, e.value) for e in r.entries] == [
        (name, k, v.strip(" \t\r\f\v")) for name, entries in sections for k, v in entries]
