#!/usr/bin/env python3
"""Check that every field-test tree is accepted by the real servers (never serving).

For each fieldtest/<name>/tree:
- Apache: a copy of tree/etc/apache2 with absolute /etc, /var, /run, /opt paths moved into the
  copy, then `apache2 -d COPY -f COPY/apache2.conf -t` with Debian's envvars pointing into it.
- nginx: the same for tree/etc/nginx with `nginx -t -c COPY/nginx.conf` (nginx -t loads the
  certificates: a throw-away self-signed pair is made with `openssl` for every ssl_certificate /
  SSLCertificateFile the tree names but does not hold).
- uWSGI: every `[uwsgi]` ini, parsed by the uWSGI that runs it:
  `uwsgi [--ini DEBIAN_DEFAULT] --ini X.ini --show-config --hook-pre-jail exit:0` (the ini is read,
  plugins loaded, options checked, and uWSGI exits before binding anything). Debian apps-enabled
  inis get Debian's inherited /usr/share/uwsgi/conf/default.ini and UWSGI_DEB_CONF* as the init
  script gives them; inis without a `plugin(s)` line are run with the pip-built uWSGI (Python
  compiled in, as pyuwsgi and the loci images have it) when present, else Debian's with
  `--plugins python3`. A second run with `--strict` lists what uWSGI would silently ignore.

Prints one line per check; exit 0 when every check passed, 1 otherwise, 77 when a server is
missing (the test turns that into a loud skip, or a failure under WSGILINT_REQUIRE_ORACLES=1).
Usage: python3 fieldtest/validate.py [--json] [NAME ...]
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT = 60
MOVED = ("/etc/", "/var/", "/run/", "/opt/", "/home/", "/usr/local/", "/srv/")
PIP_UWSGI = os.path.join(os.environ.get("WSGILINT_ORACLE_PREFIX", "/opt/wsgilint-oracles"),
                         "uwsgi-%s" % os.environ.get("WSGILINT_UWSGI_PIP_VERSION", "2.0.31"), "bin", "uwsgi")


def which(name: str) -> str | None:
    for d in (*os.environ.get("PATH", "").split(os.pathsep), "/usr/sbin", "/sbin", "/usr/bin"):
        p = os.path.join(d, name)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def deployments() -> list[str]:
    return sorted(p.parent.name for p in HERE.glob("*/tree") if p.is_dir())


def _move_paths(text: str, new_root: Path) -> str:
    """Absolute paths under MOVED -> the same path inside new_root (whole tokens only)."""
    pat = r"(?<![\w/.$}])(%s)" % "|".join(re.escape(m) for m in MOVED)
    return re.sub(pat, lambda m: str(new_root) + m.group(1), text)


def _copy_moved(tree: Path, work: Path) -> None:
    """Copy the whole tree into work/, rewriting absolute paths in text files into work/."""
    shutil.copytree(tree, work, symlinks=True, dirs_exist_ok=True)
    for p in work.rglob("*"):
        if p.is_symlink():
            target = os.readlink(p)
            if target.startswith("/"):
                p.unlink()
                p.symlink_to(str(work) + target)
        elif p.is_file():
            try:
                text = p.read_text()
            except UnicodeDecodeError:
                continue
            p.write_text(_move_paths(text, work))


def _certs(work: Path, texts: list[str]) -> None:
    for text in texts:
        for m in re.finditer(r"(?:ssl_certificate(?:_key)?|SSLCertificate(?:Key)?File)\s+(\S+?);?\s*$", text, re.M):
            path = Path(m.group(1).strip('"'))
            if path.exists():
                continue
            openssl = which("openssl")
            if openssl is None:
                raise RuntimeError("openssl missing (needed for a throw-away certificate)")
            key, crt = work / "run" / "fieldtest.key", work / "run" / "fieldtest.crt"
            if not crt.exists():
                key.parent.mkdir(parents=True, exist_ok=True)
                subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=fieldtest",
                                "-days", "2", "-keyout", str(key), "-out", str(crt)], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=TIMEOUT)
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(key if "key" in m.group(0).lower() else crt, path)


def _mkdirs_for_paths(work: Path, texts: list[str]) -> None:
    """Parents of every moved path named in the configs exist (logs, pid files, sockets)."""
    for text in texts:
        for m in re.finditer(re.escape(str(work)) + r"(/[^\s;\"'|]*)", text):
            (work / m.group(1).lstrip("/")).parent.mkdir(parents=True, exist_ok=True)


def check_apache(name: str, work: Path, extra_env: dict | None = None) -> dict:
    binary = which("apache2")
    if binary is None:
        return {"check": "apache2 -t", "status": "missing", "output": "apache2 not installed"}
    conf_dir = work / "etc" / "apache2"
    texts = [p.read_text() for p in conf_dir.rglob("*") if p.is_file() and not p.is_symlink()]
    _certs(work, texts)
    _mkdirs_for_paths(work, texts)
    # WSGIDaemonProcess user=/group= name accounts the service's package creates on the target
    # host (keystone, horizon, ...); httpd -t looks them up here, so they become www-data.
    mapped = set()
    for p in conf_dir.rglob("*"):
        if p.is_file() and not p.is_symlink() and "WSGIDaemonProcess" in p.read_text():
            text = p.read_text()
            pat = r"(?<![\w-])(user|group)=(?!www-data\b)(\S+)"
            daemon = re.compile(r"^\s*WSGIDaemonProcess\b.*(?:\\\n.*)*", re.M)
            mapped.update(m[1] for d in daemon.findall(text) for m in re.findall(pat, d))
            p.write_text(daemon.sub(lambda d: re.sub(pat, r"\1=www-data", d.group(0)), text))
    env = dict(os.environ)
    for line in (conf_dir / "envvars").read_text().splitlines():
        m = re.match(r"\s*export\s+(\w+)=(.*)$", line)
        if m and "$" not in m.group(2):
            env[m.group(1)] = m.group(2).strip("'\"")
    run = work / "run" / "apache2"
    run.mkdir(parents=True, exist_ok=True)
    env.update(APACHE_RUN_DIR=str(run), APACHE_LOCK_DIR=str(run), APACHE_LOG_DIR=str(run),
               APACHE_PID_FILE=str(run / "apache2.pid"), APACHE_RUN_USER="www-data", APACHE_RUN_GROUP="www-data")
    env.update(extra_env or {})
    p = subprocess.run([binary, "-d", str(conf_dir), "-f", str(conf_dir / "apache2.conf"), "-t"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT,
                       stdin=subprocess.DEVNULL)
    out = p.stdout.replace(str(work), "")
    if mapped - {"www-data"}:
        out += "\n(accounts mapped to www-data for the check: %s)" % ", ".join(sorted(mapped - {"www-data"}))
    ok = p.returncode == 0 and "Syntax OK" in out
    return {"check": "apache2 -t", "status": "ok" if ok else "fail", "output": out.strip()}


def check_nginx(name: str, work: Path) -> dict:
    binary = which("nginx")
    if binary is None:
        return {"check": "nginx -t", "status": "missing", "output": "nginx not installed"}
    conf_dir = work / "etc" / "nginx"
    texts = [p.read_text() for p in conf_dir.rglob("*") if p.is_file() and not p.is_symlink()]
    _certs(work, texts)
    _mkdirs_for_paths(work, texts)
    for d in ("var/log/nginx", "var/lib/nginx", "run"):
        (work / d).mkdir(parents=True, exist_ok=True)
    pid = work / "run" / "nginx.pid"
    p = subprocess.run([binary, "-t", "-p", str(work), "-c", str(conf_dir / "nginx.conf"),
                        "-e", str(work / "var/log/nginx/error.log")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT,
                       stdin=subprocess.DEVNULL)
    out = p.stdout.replace(str(work), "")
    del pid
    return {"check": "nginx -t", "status": "ok" if p.returncode == 0 else "fail", "output": out.strip()}


def _uwsgi_inis(tree: Path) -> list[Path]:
    found: dict[str, Path] = {}
    for p in sorted(tree.rglob("*.ini"), key=lambda p: "apps-enabled" not in str(p)):
        real = os.path.realpath(p)
        if p.is_symlink() and os.readlink(p).startswith("/"):
            real = os.path.realpath(str(tree) + os.readlink(p))
        if p.is_file() and real not in found and re.search(r"^\s*\[uwsgi\]", p.read_text(), re.M):
            found[real] = p  # an apps-enabled link and its apps-available file are one app
    return sorted(found.values())


def _log_files(work: Path, text: str) -> list[Path]:
    """The files an ini sends uWSGI's own log to (`logto`, `logger = [NAME] file:PATH`), moved into work/."""
    out = []
    for m in re.finditer(r"^\s*(?:logto|logto2|logger)\s*=\s*(?:\w+\s+)?(?:file:)?(\S+)\s*$", text, re.M):
        path = Path(m.group(1))
        if str(path).startswith(str(work)) and path.is_file() and path not in out:
            out.append(path)
    return out


def check_uwsgi(name: str, tree: Path, work: Path, ini_in_tree: Path) -> list[dict]:
    rel = "/" + str(ini_in_tree.relative_to(tree))
    ini = work / rel.lstrip("/")
    text = ini.read_text()
    has_plugins = re.search(r"^\s*plugins?\s*=", text, re.M) is not None
    debian_app = "/etc/uwsgi/apps-" in rel
    env = dict(os.environ)
    pre: list[str] = []
    kolla = rel.startswith("/etc/kolla/")
    if kolla and os.access(PIP_UWSGI, os.X_OK):
        # kolla's `uwsgi` is the venv's pip build (openstack-base: pip `uwsgi`, ENV PATH
        # /var/lib/kolla/venv/bin:$PATH), also when the ini says `plugins = python3`
        binary, flavour = PIP_UWSGI, "pip, kolla venv"
    elif has_plugins:
        binary = which("uwsgi")
        flavour = "debian"
    elif os.access(PIP_UWSGI, os.X_OK):
        binary, flavour = PIP_UWSGI, "pip"
    else:
        binary, flavour = which("uwsgi"), "debian"
        pre = ["--plugins", "python3"]
    if binary is None:
        return [{"check": "uwsgi %s" % rel, "status": "missing", "output": "uwsgi not installed"}]
    if debian_app and flavour == "debian":
        default = work / "usr-share-uwsgi-default.ini"
        default.write_text(_move_paths((HERE / "base" / "uwsgi-debian-default.ini").read_text(), work))
        pre = ["--ini", str(default), *pre]
        env.update(UWSGI_DEB_CONFNAMESPACE="app", UWSGI_DEB_CONFNAME=ini.stem)
        (work / "run" / "uwsgi" / "app" / ini.stem).mkdir(parents=True, exist_ok=True)  # the init script does
    _mkdirs_for_paths(work, [text])
    results = []
    for strict in (False, True):
        cmd = [binary, *pre, "--ini", str(ini), "--show-config", "--hook-pre-jail", "exit:0"]
        if strict:
            cmd.insert(1, "--strict")
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=TIMEOUT, stdin=subprocess.DEVNULL, cwd=str(ini.parent))
        out = p.stdout
        for log in _log_files(work, text):  # logto/logger file: send uWSGI's output there (read, then removed)
            out += log.read_text(errors="replace")
            log.unlink()
        out = out.replace(str(work), "")
        ok = "end of configuration" in out and p.returncode == 0 and "[strict-mode]" not in out
        problems = [l for l in out.splitlines() if re.search(r"strict-mode|unknown|UNABLE|error|invalid", l, re.I)
                    and not l.startswith(("  ", ";"))]
        results.append({"check": "uwsgi%s %s (%s)" % (" --strict" if strict else "", rel, flavour),
                        "status": "ok" if ok else ("note" if strict else "fail"),
                        "output": "\n".join(problems) if problems else ("" if ok else out.strip()[-2000:])})
    return results


OIDC_ROOT = os.environ.get("WSGILINT_MOD_AUTH_OPENIDC_ROOT", "")  # an extracted libapache2-mod-auth-openidc (+ libs)


def check_kolla_apache(name: str, tree: Path, work: Path) -> list[dict]:
    """Each kolla container whose command runs apache2: its view (a stock Debian /etc/apache2 as the
    httpd image has it: `echo > /etc/apache2/ports.conf`, libapache2-mod-auth-openidc enabled by its
    package; each config.json source at its dest), checked with apache2 -t."""
    out = []
    for cj in sorted((tree / "etc" / "kolla").glob("*/config.json")):
        cfg = json.loads(cj.read_text())
        if not cfg.get("command", "").split()[:1] or not cfg["command"].split()[0].endswith(("apache2", "httpd")):
            continue
        view = work / ("kolla-view-" + cj.parent.name)
        shutil.copytree(HERE / "base" / "apache2", view / "etc" / "apache2", symlinks=True)
        (view / "etc/apache2/ports.conf").write_text("\n")  # kolla/docker/httpd/Dockerfile.j2
        for e in cfg.get("config_files", []):
            src = cj.parent / e["source"][len("/var/lib/kolla/config_files/"):]
            dest = view / e["dest"].lstrip("/")
            if src.is_dir():
                shutil.copytree(src, dest, dirs_exist_ok=True)
            elif src.is_file():
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(_move_paths(src.read_text(), view))
        conf = "\n".join(p.read_text() for p in (view / "etc/apache2/conf-enabled").glob("*.conf"))
        extra, note = {}, ""
        if re.search(r"^[ \t]*OIDC", conf, re.M):
            so = "/usr/lib/apache2/modules/mod_auth_openidc.so"
            if OIDC_ROOT and os.path.isfile(OIDC_ROOT + so):
                so = OIDC_ROOT + so
                extra["LD_LIBRARY_PATH"] = OIDC_ROOT + "/usr/lib/x86_64-linux-gnu"
            if os.path.isfile(so):
                (view / "etc/apache2/mods-enabled/auth_openidc.load").write_text("LoadModule auth_openidc_module %s\n" % so)
            else:  # not installed here: its directives cannot be checked, the rest is
                n = 0
                for p in (view / "etc/apache2/conf-enabled").glob("*.conf"):
                    text, k = re.subn(r"^([ \t]*(?:OIDC\w+|AuthType[ \t]+(?:openid-connect|auth-openidc))\b)", r"#\1",
                                      p.read_text(), flags=re.M)
                    p.write_text(text)
                    n += k
                note = "\n(mod_auth_openidc not installed here: %d lines of its directives not checked; set " \
                       "WSGILINT_MOD_AUTH_OPENIDC_ROOT to an extracted libapache2-mod-auth-openidc)" % n
        r = check_apache(name, view, extra)
        r["check"] = "apache2 -t (kolla container %s)" % cj.parent.name
        r["output"] += note
        out.append(r)
    return out


def validate(name: str) -> list[dict]:
    tree = HERE / name / "tree"
    results = []
    with tempfile.TemporaryDirectory(prefix="fieldtest-") as tmp:
        work = Path(tmp) / "root"
        _copy_moved(tree, work)
        if (work / "etc/apache2/apache2.conf").exists():
            results.append(check_apache(name, work))
        if (work / "etc/nginx/nginx.conf").exists():
            results.append(check_nginx(name, work))
        if (tree / "etc" / "kolla").is_dir():
            results.extend(check_kolla_apache(name, tree, work))
        for ini in _uwsgi_inis(tree):
            results.extend(check_uwsgi(name, tree, work, ini))
    if not results:
        results.append({"check": "any", "status": "fail", "output": "no server configuration in the tree"})
    return results


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    names = [a for a in argv if not a.startswith("--")] or deployments()
    report = {n: validate(n) for n in names}
    if as_json:
        print(json.dumps(report, indent=1))
    else:
        for n, results in report.items():
            for r in results:
                print("%-28s %-7s %s" % (n, r["status"], r["check"]))
                if r["status"] != "ok" and r["output"]:
                    print("    " + r["output"].replace("\n", "\n    "))
    statuses = {r["status"] for rs in report.values() for r in rs}
    if "fail" in statuses:
        return 1
    if "missing" in statuses:
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
