"""Differential tests: what wsgilint reads from an Apache tree must equal what httpd reads.

The oracle is the real apache2 binary run with ``-t`` (never serving):
``-D DUMP_INCLUDES`` for the list of files read (in order), ``-D DUMP_MODULES``
for the loaded modules and the exit status of ``-t`` for accept/reject.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import oracle
from wsgilint.fsroot import FileSystem
from wsgilint.resolve.apache import parse_envvars, resolve

# Diagnostics that mean "httpd refuses this configuration" in the cases we model.
FATAL_CODES = {"parse-error", "include-not-found"}


def _apache() -> tuple[str, str]:
    return oracle.apache2("differential Apache tests"), oracle.apache_module_dir("differential Apache tests")


def run_httpd(tree: Path, conf: Path, *flags: str, env: dict | None = None) -> subprocess.CompletedProcess:
    binary, _ = _apache()
    e = {"PATH": "/usr/sbin:/usr/bin:/bin", "LANG": "C"}
    e.update(env or {})
    return subprocess.run([binary, "-d", str(tree), "-f", str(conf), "-t", *flags],
                          capture_output=True, text=True, env=e, timeout=60)


def httpd_includes(tree: Path, conf: Path, env=None) -> list[str]:
    p = run_httpd(tree, conf, "-D", "DUMP_INCLUDES", env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    out = []
    for line in p.stdout.splitlines():
        m = re.match(r"^\s+\((?:\*|\d+)\) (.*)$", line)
        if m:
            out.append(m.group(1))
    return out


def httpd_modules(tree: Path, conf: Path, env=None) -> set[str]:
    p = run_httpd(tree, conf, "-D", "DUMP_MODULES", env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    return {m.group(1) for m in re.finditer(r"^ (\S+) \((?:static|shared)\)$", p.stdout, re.M)}


def wsgilint_cfg(conf: Path, defines: dict | None = None):
    return resolve(FileSystem(), str(conf), defines=defines or {})


def fatal(cfg) -> list:
    return [d for d in cfg.diagnostics if d.code in FATAL_CODES]


def write(path: Path, text: str, newline: str = "\n", bom: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.replace("\n", newline).encode()
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def header(tree: Path, *modules: str) -> str:
    _, moddir = _apache()
    lines = [
        f'ServerRoot "{tree}"',
        "ServerName localhost",
        f"PidFile {tree}/run/httpd.pid",
        f"ErrorLog {tree}/run/error.log",
        f"LoadModule mpm_event_module {moddir}/mod_mpm_event.so",
    ]
    for m in modules:
        lines.append(f"LoadModule {m}_module {moddir}/mod_{m}.so")
    (tree / "run").mkdir(parents=True, exist_ok=True)
    return "\n".join(lines) + "\n"


# ---- trees -----------------------------------------------------------------------------
# Each builder writes a tree under `t` and returns the path of its main config file.

def tree_dir_include(t: Path) -> Path:
    write(t / "conf.d/b.conf", "ServerAdmin b@example.org\n")
    write(t / "conf.d/a.conf", "ServerAdmin a@example.org\n")
    write(t / "conf.d/.hidden.conf", "\n")
    write(t / "conf.d/z~", "\n")
    write(t / "conf.d/m/sub.conf", "\n")
    write(t / "conf.d/m/deeper/x.conf", "\n")
    write(t / "conf.d/n.conf", "Include conf.d/m/deeper/x.conf\n")
    return write(t / "httpd.conf", header(t) + "Include conf.d\nInclude conf.d/\n")


def tree_globs(t: Path) -> Path:
    write(t / "sites/b.conf", "\n")
    write(t / "sites/a.conf", "\n")
    write(t / "sites/a.txt", "\n")
    write(t / "sites/.dot.conf", "\n")
    write(t / "mods/one/x.conf", "\n")
    write(t / "mods/two/x.conf", "\n")
    write(t / "mods/two/y.conf", "\n")
    write(t / "mods/three/x.conf", "\n")
    write(t / "opt/q1.conf", "\n")
    write(t / "opt/q2.conf", "\n")
    return write(t / "httpd.conf", header(t) + (
        "Include sites/*.conf\n"
        f"Include {t}/mods/*/x.conf\n"
        "IncludeOptional opt/q?.conf\n"
        "IncludeOptional opt/[q]1.conf\n"
        "IncludeOptional nothing/*.conf\n"
        "IncludeOptional nothing.conf\n"
        "IncludeOptional sites/*.none\n"))


def tree_serverroot_change(t: Path) -> Path:
    write(t / "rel.conf", "\n")
    write(t / "other/rel.conf", "\n")
    write(t / "other/sub/abs.conf", "\n")
    return write(t / "httpd.conf", header(t) + (
        "Include rel.conf\n"
        f"ServerRoot {t}/other\n"
        "Include rel.conf\n"
        f"Include {t}/other/sub/abs.conf\n"
        "Include sub/abs.conf\n"))


def tree_define(t: Path) -> Path:
    write(t / "vhosts/prod/site.conf", "\n")
    write(t / "vhosts/dev/site.conf", "\n")
    write(t / "only-if-x.conf", "\n")
    write(t / "not-x.conf", "\n")
    write(t / "y.conf", "\n")
    return write(t / "httpd.conf", header(t) + (
        "Define ENV prod\n"
        "Define X\n"
        "Include vhosts/${ENV}/site.conf\n"
        "<IfDefine X>\n  Include only-if-x.conf\n</IfDefine>\n"
        "<IfDefine !X>\n  Include not-x.conf\n</IfDefine>\n"
        "UnDefine X\n"
        "<IfDefine X>\n  Include missing-would-be-fatal.conf\n</IfDefine>\n"
        "<IfDefine !X>\n  Include not-x.conf\n</IfDefine>\n"
        "<IfDefine !Y>\n  Define ENV dev\n  Include vhosts/${ENV}/site.conf\n</IfDefine>\n"))


def tree_ifmodule(t: Path) -> Path:
    _, moddir = _apache()
    for n in ("by-id", "by-c", "not-loaded", "neg", "inner", "after-load", "neg-loaded"):
        write(t / f"{n}.conf", "\n")
    return write(t / "httpd.conf", header(t, "authz_core") + (
        "<IfModule authz_core_module>\n  Include by-id.conf\n</IfModule>\n"
        "<IfModule mod_authz_core.c>\n  Include by-c.conf\n</IfModule>\n"
        "<IfModule mod_env.c>\n  Include no-such-file-1.conf\n</IfModule>\n"
        "<IfModule !env_module>\n  Include neg.conf\n</IfModule>\n"
        "<IfModule !mod_authz_core.c>\n  Include no-such-file-2.conf\n</IfModule>\n"
        "<IfModule !mod_env.c>\n"
        f"  LoadModule env_module {moddir}/mod_env.so\n"
        "  <IfModule env_module>\n    Include inner.conf\n  </IfModule>\n"
        "</IfModule>\n"
        "<IfModule mod_env.c>\n  Include after-load.conf\n</IfModule>\n"
        "<IfModule mpm_event_module>\n  Include neg-loaded.conf\n</IfModule>\n"
        "<IfModule event.c>\n  Include by-c.conf\n</IfModule>\n"
        "<IfModule mod_headers.c>\n"
        f"  LoadModule setenvif_module {moddir}/mod_setenvif.so\n"
        "</IfModule>\n"))


def tree_continuations(t: Path) -> Path:
    write(t / "swallowed.conf", "\n")
    write(t / "vh.conf", "\n")
    write(t / "split.conf", "\n")
    return write(t / "httpd.conf", header(t) + (
        "# a comment that ends in a backslash \\\n"
        "Include swallowed.conf\n"
        "# and a missing file swallowed too \\\n"
        "Include no-such-file.conf\n"
        "<VirtualHost \\\n"
        "    127.0.0.1:18080>\n"
        "  Include vh.conf\n"
        "</VirtualHost>\n"
        "Include \\\n"
        "  split.conf\n"))


def tree_crlf(t: Path) -> Path:
    write(t / "c/one.conf", "ServerAdmin x@example.org\n<Location /a>\n</Location>\n", newline="\r\n")
    write(t / "c/two.conf", "# comment \\\nInclude c/nope.conf\n", newline="\r\n")
    return write(t / "httpd.conf", header(t) + "<IfModule mpm_event_module>\nInclude c/*.conf\n</IfModule>\n",
                 newline="\r\n")


def tree_bom_inactive(t: Path) -> Path:
    # A BOM file behind a false <IfModule> is never read, so the tree is fine.
    write(t / "bom.conf", "ServerAdmin x@example.org\n", bom=True)
    write(t / "plain.conf", "\n")
    return write(t / "httpd.conf", header(t) + (
        "<IfModule mod_nope.c>\n  Include bom.conf\n</IfModule>\nInclude plain.conf\n"))


def tree_glob_dirs(t: Path) -> Path:
    # A wildcard whose matches are directories includes them recursively; quoted paths with spaces.
    write(t / "conf.d/b/2.conf", "\n")
    write(t / "conf.d/b/1.conf", "\n")
    write(t / "conf.d/a.conf", "\n")
    write(t / "conf.d/c~", "\n")
    write(t / "with space/x.conf", "\n")
    write(t / "in-vhost/v.conf", "\n")
    return write(t / "httpd.conf", header(t) + (
        "Include conf.d/*\n"
        "Include \"with space/x.conf\"\n"
        "<VirtualHost 127.0.0.1:18080>\n  Include in-vhost/*.conf\n</VirtualHost>\n"
        "IncludeOptional nothing/*/x.conf\n"))


ACCEPTED_TREES = {
    "glob_dirs": tree_glob_dirs,
    "dir_include": tree_dir_include,
    "globs": tree_globs,
    "serverroot_change": tree_serverroot_change,
    "define": tree_define,
    "ifmodule": tree_ifmodule,
    "continuations": tree_continuations,
    "crlf": tree_crlf,
    "bom_inactive": tree_bom_inactive,
}


@pytest.mark.parametrize("name", sorted(ACCEPTED_TREES))
def test_includes_and_modules_match_httpd(name, tmp_path):
    tree = tmp_path / "tree"
    conf = ACCEPTED_TREES[name](tree)
    cfg = wsgilint_cfg(conf)
    assert fatal(cfg) == [], "wsgilint rejects a tree httpd must accept"
    assert run_httpd(tree, conf).returncode == 0
    assert [f.config_path for f in cfg.files] == httpd_includes(tree, conf)
    assert set(cfg.modules) == httpd_modules(tree, conf)


# ---- accept / reject ---------------------------------------------------------------------

REJECT_CASES = {
    # name: (body appended after the header, extra files, httpd accepts?)
    "ok": ("<Location /a>\n</Location>\n", {}, True),
    "stray_closer": ("</Location>\n", {}, False),
    "mismatched_closer": ("<VirtualHost 127.0.0.1:18080>\n<Location /a>\n</VirtualHost>\n", {}, False),
    "unclosed": ("<VirtualHost 127.0.0.1:18080>\n", {}, False),
    "missing_gt": ("<Location /a\n</Location>\n", {}, False),
    "closer_case_insensitive": ("<location /a>\n</LOCATION>\n", {}, True),
    "include_glob_no_match": ("Include none/*.conf\n", {}, False),
    "include_file_missing": ("Include none.conf\n", {}, False),
    "includeoptional_glob_no_match": ("IncludeOptional none/*.conf\n", {}, True),
    "includeoptional_file_missing": ("IncludeOptional none.conf\n", {}, True),
    "comment_continuation_swallows_error": ("# x \\\n</Location>\n", {}, True),
    "continued_closer": ("<Location /a>\n</Location\\\n>\n", {}, True),
    "included_file_unbalanced": ("Include inc.conf\n", {"inc.conf": "<Location /a>\n"}, False),
    "included_file_stray": ("Include inc.conf\n", {"inc.conf": "</Directory>\n"}, False),
    "bom_first_line": ("Include bom.conf\n", {"bom.conf": "\ufeffServerAdmin x@example.org\n"}, False),
    "bom_then_comment": ("Include bom.conf\n", {"bom.conf": "\ufeff# hello\n"}, False),
    "include_glob_dir_no_match": ("Include nothing/*/x.conf\n", {}, False),
    "undefined_var_in_include": ("Include ${WSGILINT_UNDEFINED}/x.conf\n", {}, False),
    "defined_var_in_include": ("Define D inc\nInclude ${D}/x.conf\n", {"inc/x.conf": "\n"}, True),
    "crlf_mismatch": ("<Location /a>\r\n</Directory>\r\n", {}, False),
    # Hard cases collected by certbot's Apache parser and httpd's bug tracker.
    "two_closers_on_one_line": ("<VirtualHost 127.0.0.1:18080>\n<Location /a>\n</Location></VirtualHost>\n",
                                {}, False),
    "closer_word_without_gt": ("<Location /a>\n</Location >\n", {}, False),
    "closer_glued_junk": ("<Location /a>\n</Location>junk\n", {}, False),
    "closer_then_ignored_words": ("<Location /a>\n</Location> junk\n", {}, True),
    "odd_ifmodule_argument": ('<ifmodule mod_deflate.c="">\nInclude missing.conf\n</ifmodule>\n', {}, True),
    "vhost_opener_continued": ("<VirtualHost \\\n  127.0.0.1:18080>\n</VirtualHost>\n", {}, True),
    "vhost_opener_empty_continued_lines": ("<VirtualHost \\\n\\\n127.0.0.1:18080>\n</VirtualHost>\n", {}, True),
    "define_in_vhost_then_undefine": (
        "<VirtualHost 127.0.0.1:18080>\nDefine WSGILINT_X inc\n</VirtualHost>\nInclude ${WSGILINT_X}/x.conf\n"
        "UnDefine WSGILINT_X\n<IfDefine WSGILINT_X>\nInclude missing.conf\n</IfDefine>\n",
        {"inc/x.conf": "\n"}, True),
    "undefined_var_stays_literal": ("ServerAdmin ${WSGILINT_NOPE}@example.org\n", {}, True),
    "quoted_escaped_quote": ('ServerAdmin "a\\"b@example.org"\n', {}, True),
    "hash_after_directive_is_an_argument": ("<VirtualHost 127.0.0.1:18080>\nServerAlias a.example # b\n"
                                            "</VirtualHost>\n", {}, True),
}


@pytest.mark.parametrize("name", sorted(REJECT_CASES))
def test_accept_reject_matches_httpd(name, tmp_path):
    body, extra, accepts = REJECT_CASES[name]
    tree = tmp_path / "tree"
    conf = write(tree / "httpd.conf", header(tree) + body)
    for rel, text in extra.items():
        write(tree / rel, text)
    p = run_httpd(tree, conf)
    assert (p.returncode == 0) == accepts, p.stdout + p.stderr
    problems = fatal(wsgilint_cfg(conf))
    assert (not problems) == accepts, (problems, p.stderr)


def test_mismatch_wording_matches_httpd(tmp_path):
    tree = tmp_path / "tree"
    conf = write(tree / "httpd.conf", header(tree) + "<VirtualHost 127.0.0.1:18080>\n<Location /a>\n</VirtualHost>\n")
    p = run_httpd(tree, conf)
    msgs = [d.message for d in fatal(wsgilint_cfg(conf))]
    assert "Expected </Location> but saw </VirtualHost>" in p.stderr
    assert "Expected </Location> but saw </VirtualHost>" in msgs


# ---- Debian's stock layout, every module enabled ---------------------------------------

# Only one MPM can be loaded (event is kept); every other module in mods-available is enabled.
_DEBIAN_SKIP = {"mpm_prefork", "mpm_worker"}


def _debian_copy(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    if not os.path.isfile("/etc/apache2/apache2.conf"):
        oracle.missing("/etc/apache2/apache2.conf not found", "Debian-layout differential test")
    tree = tmp_path / "apache2"
    shutil.copytree("/etc/apache2", tree, symlinks=True)
    enabled = tree / "mods-enabled"
    for p in enabled.iterdir():
        p.unlink()
    for p in sorted((tree / "mods-available").iterdir()):
        stem = p.name.rsplit(".", 1)[0]
        if stem in _DEBIAN_SKIP:
            continue
        if not (tree / "mods-available" / f"{stem}.load").exists():
            continue
        (enabled / p.name).symlink_to(f"../mods-available/{p.name}")
    run = tmp_path / "run"
    run.mkdir()
    env = parse_envvars((tree / "envvars").read_text())
    env.update({"APACHE_RUN_DIR": str(run), "APACHE_LOCK_DIR": str(run), "APACHE_LOG_DIR": str(run),
                "APACHE_PID_FILE": f"{run}/apache2.pid"})
    return tree, env


def _drop_unloadable(tree: Path, env: dict) -> list[str]:
    """Disable modules httpd cannot load in this combination (reported, not hidden)."""
    dropped = []
    for _ in range(20):
        p = run_httpd(tree, tree / "apache2.conf", env=env)
        if p.returncode == 0:
            return dropped
        m = re.search(r"mods-enabled/([\w-]+)\.load", p.stderr + p.stdout)
        assert m, p.stderr
        for f in (tree / "mods-enabled").glob(m.group(1) + ".*"):
            f.unlink()
        dropped.append(m.group(1))
    pytest.fail("could not make the Debian copy load")


def test_debian_layout_all_modules(tmp_path):
    _apache()
    tree, env = _debian_copy(tmp_path)
    dropped = _drop_unloadable(tree, env)
    assert dropped == [], f"modules httpd refused in the all-enabled Debian copy: {dropped}"
    conf = tree / "apache2.conf"
    cfg = wsgilint_cfg(conf, defines=env)
    assert fatal(cfg) == []
    assert [f.config_path for f in cfg.files] == httpd_includes(tree, conf, env=env)
    assert set(cfg.modules) == httpd_modules(tree, conf, env=env)


def test_debian_envvars_are_read_by_wsgilint():
    if not os.path.isfile("/etc/apache2/envvars"):
        oracle.missing("/etc/apache2/envvars not found", "Debian envvars test")
    env = parse_envvars(Path("/etc/apache2/envvars").read_text())
    assert env["APACHE_RUN_DIR"] == "/var/run/apache2"
    assert env["APACHE_PID_FILE"] == "/var/run/apache2/apache2.pid"
    assert env["APACHE_RUN_USER"] == "www-data"


def test_command_line_define_matches_httpd(tmp_path):
    tree = tmp_path / "tree"
    write(tree / "on.conf", "\n")
    write(tree / "off.conf", "\n")
    conf = write(tree / "httpd.conf", header(tree) + (
        "<IfDefine FROMCLI>\n  Include on.conf\n</IfDefine>\n"
        "<IfDefine !FROMCLI>\n  Include off.conf\n</IfDefine>\n"))
    for defines, flags in (({"FROMCLI": ""}, ("-D", "FROMCLI")), ({}, ())):
        cfg = wsgilint_cfg(conf, defines=defines)
        p = run_httpd(tree, conf, *flags, "-D", "DUMP_INCLUDES")
        assert p.returncode == 0, p.stderr
        theirs = [m.group(1) for m in re.finditer(r"^\s+\((?:\*|\d+)\) (.*)$", p.stdout, re.M)]
        assert [f.config_path for f in cfg.files] == theirs


# ---- directive arguments httpd refuses at start-up (WSG217 apache-directive-refused) -------------
# Each case: (body, httpd accepts?). Sources of the accepted sets and messages: mod_wsgi 4.9.4
# src/server/mod_wsgi.c (wsgi_add_script_alias, wsgi_add_daemon_process), httpd 2.4.x
# modules/proxy/mod_proxy.c (add_pass, set_worker_param); the oracle decides here.
_PROXY = "ProxyPass /p http://127.0.0.1:9/ "
_DAEMON = "WSGIDaemonProcess d "
_ALIAS = "WSGIScriptAlias /a /srv/app.wsgi "
DIRECTIVE_CASES = {
    "alias_ok_all_options": (_ALIAS + "process-group=%{GLOBAL} application-group=%{GLOBAL} callable-object=app "
                             "pass-authorization=On\n", True),
    "alias_underscore_option": (_ALIAS + "process_group=d\n", False),
    "alias_option_without_value_sign": (_ALIAS + "processgroup\n", False),
    "alias_pass_authorization_yes": (_ALIAS + "pass-authorization=yes\n", False),
    "alias_empty_application_group": (_ALIAS + "application-group=\n", False),
    "alias_one_argument": ("WSGIScriptAlias /a\n", False),
    "aliasmatch_ok": ('WSGIScriptAliasMatch "^/a(.*)" /srv/app.wsgi$1 application-group=%{GLOBAL}\n', True),
    "aliasmatch_unknown_option": ('WSGIScriptAliasMatch "^/a" /srv/app.wsgi group=x\n', False),
    "daemon_ok_many_options": (_DAEMON + "processes=2 threads=15 display-name=%{GROUP} umask=0022 home=/srv "
                               "maximum-requests=1000 request-timeout=60 socket-timeout=30 inactivity-timeout=0 "
                               "header-buffer-size=0 response-buffer-size=70000 python-path=/srv lang=C.UTF-8 "
                               "locale=C.UTF-8 listen-backlog=100 queue-timeout=45 server-metrics=On "
                               "script-user=nobody\n", True),
    "daemon_thread_misspelt": (_DAEMON + "processes=2 thread=1\n", False),
    "daemon_processes_zero": (_DAEMON + "processes=0\n", False),
    "daemon_processes_word": (_DAEMON + "processes=five\n", False),
    "daemon_processes_trailing_junk": (_DAEMON + "processes=4x\n", True),
    "daemon_threads_zero": (_DAEMON + "threads=0\n", True),
    "daemon_threads_negative": (_DAEMON + "threads=-1\n", False),
    "daemon_threads_too_many": (_DAEMON + "threads=70000\n", False),
    "daemon_umask_not_octal": (_DAEMON + "umask=0029\n", False),
    "daemon_home_relative": (_DAEMON + "home=srv\n", False),
    "daemon_user_root": (_DAEMON + "user=root\n", False),
    "daemon_header_buffer_small": (_DAEMON + "header-buffer-size=100\n", False),
    "daemon_send_buffer_small": (_DAEMON + "send-buffer-size=100\n", False),
    "daemon_timeout_negative": (_DAEMON + "request-timeout=-5\n", False),
    "daemon_server_metrics_maybe": (_DAEMON + "server-metrics=maybe\n", False),
    "daemon_script_user_and_group": (_DAEMON + "script-user=nobody script-group=nogroup\n", False),
    "daemon_no_name": ("WSGIDaemonProcess\n", False),
    "daemon_empty_processes": (_DAEMON + "processes=\n", False),
    "process_group_ok": ("WSGIProcessGroup %{GLOBAL}\n", True),
    "process_group_two_args": ("WSGIProcessGroup a b\n", False),
    "application_group_no_args": ("WSGIApplicationGroup\n", False),
    "timeout_two_args": ("Timeout 60 70\n", False),
    "limit_request_body_no_args": ("LimitRequestBody\n", False),
    "proxypass_ok": (_PROXY + "retry=0 timeout=600 connectiontimeout=5 keepalive=On acquire=100 ping=2 "
                              "flushpackets=auto lbset=3 iobuffersize=0 disablereuse=Off\n", True),
    "proxypass_flags_ok": (_PROXY + "nocanon noquery retry=0\n", True),
    "proxypass_connecttimeout": (_PROXY + "connecttimeout=5\n", False),
    "proxypass_timeout_zero": (_PROXY + "timeout=0\n", False),
    "proxypass_keepalive_yes": (_PROXY + "keepalive=yes\n", False),
    "proxypass_word_without_value": (_PROXY + "retry\n", False),
    "proxypass_retry_negative": (_PROXY + "retry=-1\n", False),
    "proxypass_connectiontimeout_ms": (_PROXY + "connectiontimeout=100ms\n", True),
    "proxypass_connectiontimeout_word": (_PROXY + "connectiontimeout=soon\n", False),
    "proxypass_connectiontimeout_unit": (_PROXY + "connectiontimeout=5x\n", False),
    "proxypass_ping_minutes": (_PROXY + "ping=1min\n", True),
    "daemon_response_buffer_small": (_DAEMON + "response-buffer-size=1000\n", False),
    "proxypass_lbset_too_big": (_PROXY + "lbset=100\n", False),
    "proxypass_iobuffersize_small": (_PROXY + "iobuffersize=100\n", False),
    "proxypass_in_location_ok": ("<Location /x>\n" "ProxyPass http://127.0.0.1:9/ retry=0\n</Location>\n", True),
    "proxypass_in_location_unknown": ("<Location /x>\n" "ProxyPass http://127.0.0.1:9/ retries=0\n</Location>\n",
                                      False),
    # a shared worker: httpd ignores the second one's parameters (AH01146), so nothing is refused
    "proxypass_shared_worker_params_ignored": (_PROXY + "retry=0\nProxyPass /q http://127.0.0.1:9/ bogus=1\n",
                                               True),
    "proxypass_balancer_untouched": ("ProxyPass /b balancer://c/ stickysession=x\n", True),
}


def _directive_tree(tree: Path, body: str) -> Path:
    _, moddir = _apache()
    mods = "".join(f"LoadModule {m}_module {moddir}/mod_{m}.so\n" for m in ("authz_core", "proxy", "proxy_http",
                                                                            "proxy_balancer", "slotmem_shm",
                                                                            "lbmethod_byrequests"))
    wsgi = f"LoadModule wsgi_module {oracle.mod_wsgi_so('WSG217 differential')}\n"
    return write(tree / "httpd.conf", header(tree) + mods + wsgi + body)


@pytest.mark.parametrize("name", sorted(DIRECTIVE_CASES))
def test_directive_arguments_match_apache2_t(name, tmp_path):
    import lintrun

    body, accepts = DIRECTIVE_CASES[name]
    tree = tmp_path / "tree"
    conf = _directive_tree(tree, body)
    p = run_httpd(tree, conf)
    assert (p.returncode == 0) == accepts, p.stdout + p.stderr
    result = lintrun.check([tree], cwd=tmp_path, select=["WSG217"])
    found = [f.message for f in result.findings if f.rule.id == "WSG217"]
    assert (not found) == accepts, (found, p.stderr)
    if found:  # the server's own message
        msg = found[0].split("httpd refuses this at start-up: ", 1)[1]
        assert msg in p.stderr, (msg, p.stderr)
