"""uWSGI options per 2.0.x release (linter/data/uwsgi_options.txt, wsgilint.uwsgi_options, WSG117).

Sources: unbit/uwsgi tags 2.0 ... 2.0.30 (the data file's header lists each tag's commit), read by
scripts/gen_uwsgi_options.py; the real servers: Debian 12's uwsgi 2.0.21 with every plugin Debian
ships, and the pip-built 2.0.31 of scripts/install-deps.sh.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import oracle
import pytest
from conftest import PROJECT
from lintrun import check

from wsgilint import knowledge, uwsgi_options

GIT_DIR = os.environ.get("WSGILINT_UWSGI_GIT", "/work/.mirror/unbit+uwsgi/repo")
DATA = PROJECT / "linter" / "data" / "uwsgi_options.txt"
GENERATOR = PROJECT / "scripts" / "gen_uwsgi_options.py"
CMD_TIMEOUT = 120
_HELP = re.compile(r"^\s+(?:-\S\|)?--([A-Za-z0-9][A-Za-z0-9_.-]*)\s", re.M)

sys.path.insert(0, str(PROJECT / "scripts"))
import gen_uwsgi_options as gen  # noqa: E402


def _mirror() -> str:
    if not os.path.isfile(os.path.join(GIT_DIR, "HEAD")):
        # Not an oracle: CI has no network, so this never fails; the committed header is checked below.
        pytest.skip("UWSGI SOURCES MISSING: no unbit/uwsgi clone at %s (set WSGILINT_UWSGI_GIT); "
                    "the generator's output is not compared with the committed file" % GIT_DIR)
    return GIT_DIR


def test_generator_output_is_the_committed_file():
    git_dir = _mirror()
    out = subprocess.run([sys.executable, str(GENERATOR), git_dir, "-o", "-"], capture_output=True, text=True,
                         timeout=CMD_TIMEOUT, check=True).stdout
    assert out == DATA.read_text(), "regenerate: python3 scripts/gen_uwsgi_options.py %s" % git_dir


def test_header_lists_every_tag_from_2_0_18_with_its_commit():
    header = dict(re.findall(r"^#   (2\.0[\d.]*) = ([0-9a-f]{40})$", DATA.read_text(), re.M))
    expected = {"2.0.%d" % n for n in range(18, 31)} | {"2.0.19.1", "2.0.25.1"}
    assert expected <= set(header), sorted(expected - set(header))
    assert header["2.0.21"].startswith("0d1c793465") and header["2.0.22"].startswith("e7d3eda131")
    assert uwsgi_options.tags() == tuple(sorted(uwsgi_options._vtuple(t) for t in header))


def test_harakiri_graceful_timeout_from_2_0_22_and_max_requests_delta_from_2_0_29():
    for tag in uwsgi_options.tags():
        opts = uwsgi_options.options_for(tag)
        assert ("harakiri-graceful-timeout" in opts) == (tag >= (2, 0, 22)), tag
        assert ("max-requests-delta" in opts) == (tag >= (2, 0, 29)), tag
        assert opts["enable-threads"] == "core" and opts["http-timeout"] == "http"
    assert uwsgi_options.first_version("harakiri-graceful-timeout") == (2, 0, 22)
    assert uwsgi_options.first_version("max-requests-delta") == (2, 0, 29)
    assert uwsgi_options.first_version("enabled-threads") is None
    assert uwsgi_options.first_version_after("max-requests-delta", (2, 0, 21, 5)) == (2, 0, 29)
    assert "harakiri-graceful-timeout" not in uwsgi_options.options_for((2, 0, 21))
    assert "max-requests-delta" in uwsgi_options.options_for((2, 0, 31))  # newer than the data: newest tag
    assert uwsgi_options.guard("ssl-session-use-cache") == "UWSGI_SSL&&UWSGI_SSL_SESSION_CACHE"
    assert uwsgi_options.guard("mime-file") == ""  # in both branches of #ifdef __APPLE__ / #else
    assert knowledge.uwsgi_known_options() == uwsgi_options.options_for(None)
    assert knowledge.UWSGI_OPTIONS_FILE == uwsgi_options.DATA_FILE


def test_table_parser_guards_comments_and_nesting():
    src = '''
static int x = 1; // {"not-an-option", ...}
#ifdef UWSGI_SSL
struct uwsgi_option demo_options[] = {
	{"plain", required_argument, 0, "see http://x/{y}", f, NULL, 0},
	/* {"commented-out", 0}, */
#else
	{"other", no_argument, 0, "x", f, (void *) &(struct z){ "inner", 1 }, 0},
#endif
#if defined(__linux__) && !defined(OLD)
	{"linux-only", 0, 0, "a // b", f, NULL, 0},
#endif
	UWSGI_END_OF_OPTIONS
};
struct foo bar[] = { {"not-a-table", 1} };
'''
    assert gen.parse_tables(src) == [("plain", "UWSGI_SSL"), ("other", "!UWSGI_SSL"),
                                     ("linux-only", "defined(__linux__)&&!defined(OLD)")]
    assert gen.merge_guards(["__APPLE__", "!__APPLE__"]) == ""


# ---- the real servers -----------------------------------------------------------------------

# What Debian's build defines (its uwsgi --version -> 2.0.21-debian, buildconf with SSL, PCRE, routing, libcap,
# zlib, yaml, xml, json; Linux and Python 3 headers). Not defined: UWSGI_SSL_SESSION_CACHE, BSD/Apple symbols.
_DEBIAN_DEFINES = {"__linux__", "UWSGI_SSL", "UWSGI_ROUTING", "UWSGI_PCRE", "UWSGI_CAP", "UWSGI_ZLIB",
                   "UWSGI_YAML", "UWSGI_XML", "UWSGI_JSON", "MADV_MERGEABLE", "SSL_CTRL_SET_TLSEXT_HOSTNAME",
                   "PYTHREE", "RTLD_NEXT"}


def _holds(guard: str, defined: set) -> bool:
    """Evaluate a guard of the data file (`A&&!defined(B)||(C)`) with the symbols `defined`."""
    if not guard:
        return True
    expr = re.sub(r"defined\((\w+)\)", r"\1", guard).replace("&&", " and ").replace("||", " or ")
    expr = re.sub(r"!", " not ", expr)
    expr = re.sub(r"\b(?!and\b|or\b|not\b)([A-Za-z_]\w*)", lambda m: str(m.group(1) in defined), expr)
    return eval(expr)  # noqa: S307 - only True/False/and/or/not/() remain


def _help(binary: str, *plugin: str) -> set | None:
    """The --long-option names `uwsgi [--plugins P] --help` prints; None when the plugin does not load."""
    args = [binary] + (["--plugins", plugin[0]] if plugin else []) + ["--help"]
    res = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=CMD_TIMEOUT,
                         stdin=subprocess.DEVNULL)
    assert res.returncode == 0, (args, res.stdout[-500:])
    if "UNABLE to load uWSGI plugin" in res.stdout:
        return None
    return set(_HELP.findall(res.stdout))


def test_2_0_21_set_is_what_debian_uwsgi_help_prints():
    binary = oracle.uwsgi_binary("debian", "uWSGI option table of 2.0.21")
    assert binary.version == "2.0.21", binary
    plugin_dir = Path(oracle.uwsgi_plugin_dir("uWSGI option table of 2.0.21"))
    got = {name: "core" for name in _help(binary.path)}
    built, broken = {"core"}, set()
    for so in sorted(plugin_dir.glob("*_plugin.so")):
        name = so.name[:-len("_plugin.so")]
        source_dir = re.sub(r"^python3\d*$", "python", name)  # python3, python311: plugins/python
        names = _help(binary.path, name)
        if names is None:  # Debian 12's mongrel2_plugin.so: "undefined symbol: json_object_iter_value"
            broken.add(source_dir)
            continue
        built.add(source_dir)
        for opt in names - set(got):
            got[opt] = source_dir
    assert len(built) > 20 and broken <= {"mongrel2"}, (sorted(built), broken)
    data = uwsgi_options.options_for((2, 0, 21))
    expected = {n: p for n, p in data.items() if p in built and _holds(uwsgi_options.guard(n), _DEBIAN_DEFINES)}
    assert got == expected
    # what the data has beyond Debian: plugins Debian does not build here (php, rack, psgi, ...) and
    # options of other builds (FreeBSD jails, UWSGI_SSL_SESSION_CACHE)
    beyond = {n for n, p in data.items() if p == "core" and n not in got}
    assert beyond and all(uwsgi_options.guard(n) for n in beyond), sorted(beyond)
    assert {"php", "rack", "psgi"} <= {p for n, p in data.items() if n not in got}


def test_pip_uwsgi_help_is_within_its_release():
    binary = oracle.uwsgi_binary("pip", "uWSGI option table of a current 2.0.x")
    version = tuple(int(p) for p in binary.version.split("."))
    got = _help(binary.path)
    data = uwsgi_options.options_for(version)
    assert got - set(data) == set()
    assert {"harakiri-graceful-timeout", "max-requests-delta"} <= got
    # every core option it lacks is behind an #if this build does not meet (no PCRE, no libcap here)
    assert all(uwsgi_options.guard(n) for n, p in data.items() if p == "core" and n not in got)


# ---- WSG117 ---------------------------------------------------------------------------------

# enabled-threads: a typo of enable-threads (warning); foo-bar: near no option (info, a label).
INI = ("[uwsgi]\nhttp-socket = 127.0.0.1:8041\nharakiri-graceful-timeout = 5\nmax-requests-delta = 100\n"
       "enabled-threads = 1\nfoo-bar = 1\n")


@pytest.mark.parametrize("version,expected", [
    ("2.0.21", {3: "added in 2.0.22", 4: "added in 2.0.29", 5: "uWSGI 2.0.21 (--uwsgi-version)"}),
    ("2.0.22", {4: "added in 2.0.29", 5: "not an option of uWSGI 2.0.22"}),
    ("2.0.29", {5: "not an option of uWSGI 2.0.29"}),
    ("2.0.31", {5: "not an option of uWSGI 2.0.31"}),
])
def test_wsg117_follows_the_version(tmp_path, version, expected):
    (tmp_path / "app.ini").write_text(INI)
    found = check([tmp_path / "app.ini"], cwd=tmp_path, select=["WSG117"], uwsgi=version).findings
    assert {f.line for f in found} == set(expected) | {6}
    for f in found:
        if f.line == 6:  # near no option: a label that does nothing
            assert f.severity.name.lower() == "info" and "if it is a label" in f.message, f.message
            continue
        assert expected[f.line] in f.message and f.severity.name.lower() == "warning", f.message
    if version == "2.0.21":
        assert "did you mean enable-threads" in next(f.message for f in found if f.line == 5)


def test_wsg117_strict_mode_is_an_error(tmp_path):
    """With strict = true uWSGI refuses to start on the typo (measured: tests/test_proof_uwsgi_versions.py)."""
    (tmp_path / "app.ini").write_text(INI + "strict = true\n")
    found = check([tmp_path / "app.ini"], cwd=tmp_path, select=["WSG117"], uwsgi="2.0.21").findings
    sev = {f.line: f.severity.name.lower() for f in found}
    assert sev == {3: "error", 4: "error", 5: "error", 6: "info"}
    assert "refuses to start" in next(f.message for f in found if f.line == 5)


def test_wsg117_unknown_version_info_for_new_options_warning_for_no_release(tmp_path):
    (tmp_path / "app.ini").write_text(INI + "alarm-backlog = 3\n")
    found = check([tmp_path / "app.ini"], cwd=tmp_path, select=["WSG117"]).findings
    got = {f.line: (f.severity.name.lower(), f.message) for f in found}
    assert sorted(got) == [3, 4, 5, 6]  # alarm-backlog (2.0.1) is older than every uWSGI still run
    assert got[3][0] == "info" and "from uWSGI 2.0.22 on" in got[3][1] and "--uwsgi-version" in got[3][1]
    assert got[4][0] == "info" and "from uWSGI 2.0.29 on" in got[4][1]
    assert got[5][0] == "warning" and "not an option of any uWSGI 2.0.x release" in got[5][1]
    assert got[6][0] == "info" and "if it is a label" in got[6][1]
