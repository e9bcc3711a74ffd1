#!/usr/bin/env python3
"""Render the field-test deployments into whole trees: fieldtest/<name>/tree/...

Each deployment takes files from a public repository at a pinned commit (read with
`git show COMMIT:PATH` from a local mirror: set FIELDTEST_MIRRORS, default
/work/.mirror, laid out as <owner>+<repo>/repo), fills the template with the values
its defaults or docs give (see fieldtest/<name>/SOURCE.md), and puts it into a copy
of a stock Debian 12 /etc/apache2 or /etc/nginx (fieldtest/base/, copied from the
packages apache2 2.4.71 and nginx 1.22.1, unmodified: `dpkg -V` was silent).

Sources that could not be mirrored (too large) are stored verbatim under
fieldtest/<name>/src/ with their origin in SOURCE.md.

Usage: python3 fieldtest/render.py [NAME ...]   (rewrites fieldtest/NAME/tree)
Standard library + jinja2 (already a transitive test dependency) + PyYAML only.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = HERE / "base"
MIRRORS = Path(os.environ.get("FIELDTEST_MIRRORS", "/work/.mirror"))


def git_show(repo: str, commit: str, path: str) -> str:
    gitdir = MIRRORS / repo.replace("/", "+") / "repo"
    return subprocess.run(["git", "--git-dir", str(gitdir), "show", "%s:%s" % (commit, path)],
                          check=True, stdout=subprocess.PIPE, text=True).stdout


def jinja(text: str, **values) -> str:
    import jinja2
    return jinja2.Environment(keep_trailing_newline=True).from_string(text).render(**values)


def shell_subst(text: str, values: dict) -> str:
    """${VAR} and ${VAR:-default} as the searxng install scripts' template engine fills them; \\$ -> $."""
    def one(m):
        name, default = m.group(1), m.group(3)
        if name in values:
            return str(values[name])
        if default is not None:
            return default
        raise KeyError(name)
    text = re.sub(r"(?<!\\)\$\{(\w+)(:-([^}]*))?\}", one, text)
    return text.replace("\\$", "$")


def helm_value(repo: str, commit: str, path: str, keys: list[str]):
    import yaml
    data = yaml.safe_load(git_show(repo, commit, path))
    for k in keys:
        data = data[k]
    return data


def to_oslo_conf(sections: dict) -> str:
    """helm-toolkit.utils.to_oslo_conf (openstack-helm): sections and keys sorted, `key = value`."""
    out = []
    for section in sorted(sections):
        out.append("[%s]" % section)
        for key in sorted(sections[section]):
            value = sections[section][key]
            if isinstance(value, bool):
                value = "true" if value else "false"
            out.append("%s = %s" % (key, value))
    return "\n".join(out) + "\n"


class Tree:
    def __init__(self, name: str):
        self.root = HERE / name / "tree"
        if self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir(parents=True)

    def p(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    def write(self, path: str, text: str) -> None:
        f = self.p(path)
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text)

    def link(self, path: str, target: str) -> None:
        f = self.p(path)
        f.parent.mkdir(parents=True, exist_ok=True)
        if f.is_symlink() or f.exists():
            f.unlink()
        f.symlink_to(target)

    def apache(self, *mods: str) -> None:
        """Stock Debian /etc/apache2 (no site enabled) plus `a2enmod MOD...`."""
        shutil.copytree(BASE / "apache2", self.p("/etc/apache2"), symlinks=True)
        for m in mods:
            self.a2enmod(m)

    def a2enmod(self, mod: str) -> None:
        avail = self.p("/etc/apache2/mods-available")
        for ext in ("load", "conf"):
            if (avail / ("%s.%s" % (mod, ext))).exists():
                self.link("/etc/apache2/mods-enabled/%s.%s" % (mod, ext), "../mods-available/%s.%s" % (mod, ext))
        # a2enmod enables dependencies too (the `# Depends:` line of the .load file)
        text = (avail / ("%s.load" % mod)).read_text()
        m = re.search(r"^# Depends:\s*(.*)$", text, re.M)
        for dep in (m.group(1).split() if m else []):
            if not self.p("/etc/apache2/mods-enabled/%s.load" % dep).exists():
                self.a2enmod(dep)

    def a2ensite(self, site: str) -> None:
        self.link("/etc/apache2/sites-enabled/%s.conf" % site, "../sites-available/%s.conf" % site)

    def a2dissite(self, site: str) -> None:
        self.p("/etc/apache2/sites-enabled/%s.conf" % site).unlink(missing_ok=True)

    def nginx(self) -> None:
        """Stock Debian /etc/nginx (default site enabled, as the package installs it)."""
        shutil.copytree(BASE / "nginx", self.p("/etc/nginx"), symlinks=True)


# ---------------------------------------------------------------------------------------------
# The deployments. Every commit is the full hash of the file's version used; SOURCE.md says why
# each value was chosen.

CHARM_KS = ("openstack/charm-keystone", "de9baffa91d7e868ada5022e8c489db94785b5ef")
CHARM_DASH = ("openstack/charm-openstack-dashboard", "48329542861331afd7730d71249eb75eff167ea2")
OHELM = ("openstack/openstack-helm", "0ee5adeffcaefb6f7a78bb23bf845414672e6827")
SEARXNG = ("searxng/searxng", "9fea41204fdfa7a5cfa15b0ebd12904c520478ce")
GRAPHITE = ("graphite-project/graphite-web", "b5d272be6abdf358aebe56d12df777c2c97de4c3")
NETBOX = ("netbox-community/netbox", "43fe81f9e833228c9869f7ddadb67e6c5f145060")

CHARM_PLACEMENT = ("openstack/charm-placement", "e0abd7aa8f36fe56007bcdfeb3c6514fdbd83838")
CHARM_GLANCE = ("openstack/charm-glance", "b73b374e52ece56419333271e12ad3636ffa456b")
KOJI = ("koji-project/koji", "2083513aab6ed193215efebb21823d905e02f339")
HEALTHCHECKS = ("healthchecks/healthchecks", "29b5ec251059034b79e0120e2ff0c3e35d7bd9f8")
MAILMAN = ("maxking/docker-mailman", "5a6509b9df64b793b149a09b24ba23869f157bd2")


def charm_keystone(t: Tree) -> None:
    t.apache("wsgi", "headers")  # the charm installs libapache2-mod-wsgi-py3 (enabled by the package)
    t.write("/etc/apache2/ports.conf", jinja(git_show(*CHARM_KS, "templates/ports.conf")))
    ctx = dict(admin_port=35347, public_port=4990, service_name="keystone", user="keystone", group="keystone",
               admin_script="/usr/bin/keystone-wsgi-admin", public_script="/usr/bin/keystone-wsgi-public",
               processes=4, admin_processes=1, public_processes=3, threads=1, wsgi_socket_rotation=True)
    t.write("/etc/apache2/sites-available/wsgi-openstack-api.conf",
            jinja(git_show(*CHARM_KS, "templates/wsgi-openstack-api.conf"), **ctx))
    t.a2ensite("wsgi-openstack-api")


def charm_dashboard(t: Tree) -> None:
    t.apache("wsgi", "headers", "rewrite")
    t.write("/etc/apache2/ports.conf", jinja(git_show(*CHARM_DASH, "templates/ports.conf"),
                                             http_port=70, https_port=433))
    t.write("/etc/apache2/conf-available/openstack-dashboard.conf",
            jinja(git_show(*CHARM_DASH, "templates/rocky/openstack-dashboard.conf"),
                  webroot="/horizon", processes=4, custom_theme=False))
    t.link("/etc/apache2/conf-enabled/openstack-dashboard.conf", "../conf-available/openstack-dashboard.conf")
    t.write("/etc/apache2/sites-available/000-default.conf", jinja(git_show(*CHARM_DASH, "templates/default"), http_port=70, https_port=433))
    t.a2ensite("000-default")


def ohelm_keystone(t: Tree) -> None:
    t.apache("wsgi")  # values: conf.software.apache2.a2enmod null; the image's package enables mod_wsgi
    vals = "keystone/values.yaml"
    conf = helm_value(*OHELM, vals, ["conf", "wsgi_keystone"])
    conf = conf.replace('{{- $portInt := tuple "identity" "service" "api" $ | include '
                        '"helm-toolkit.endpoints.endpoint_port_lookup" }}\n', "")
    conf = conf.replace("{{ $portInt }}", "5000")
    t.write("/etc/apache2/conf-enabled/wsgi-keystone.conf", conf)
    t.write("/etc/apache2/mods-available/mpm_event.conf", helm_value(*OHELM, vals, ["conf", "mpm_event"]))
    t.write("/etc/apache2/conf-enabled/security.conf", helm_value(*OHELM, vals, ["conf", "security"]))
    t.write("/etc/apache2/ports.conf", "")  # configmap-etc.yaml: ports.conf: '' (the vhost file has Listen)
    t.write("/var/www/cgi-bin/keystone/wsgi.py", helm_value(*OHELM, vals, ["conf", "wsgi_script"]))


def ohelm_glance(t: Tree) -> None:
    u = dict(helm_value(*OHELM, "glance/values.yaml", ["conf", "glance_api_uwsgi", "uwsgi"]))
    u["processes"] = helm_value(*OHELM, "glance/values.yaml", ["conf", "glance", "DEFAULT", "workers"])
    u["http-socket"] = "0.0.0.0:9292"
    t.write("/etc/glance/glance-api-uwsgi.ini", to_oslo_conf({"uwsgi": u}))


def ohelm_nova(t: Tree) -> None:
    vals = "nova/values.yaml"
    dflt = helm_value(*OHELM, vals, ["conf", "nova", "DEFAULT"])
    api = dict(helm_value(*OHELM, vals, ["conf", "nova_api_uwsgi", "uwsgi"]))
    api["processes"], api["http-socket"] = dflt["osapi_compute_workers"], "0.0.0.0:8774"
    meta = dict(helm_value(*OHELM, vals, ["conf", "nova_metadata_uwsgi", "uwsgi"]))
    meta["processes"], meta["http-socket"] = dflt["metadata_workers"], "0.0.0.0:8775"
    t.write("/etc/nova/nova-api-uwsgi.ini", to_oslo_conf({"uwsgi": api}))
    t.write("/etc/nova/nova-metadata-uwsgi.ini", to_oslo_conf({"uwsgi": meta}))


def ohelm_horizon(t: Tree) -> None:
    t.apache("wsgi", "headers", "rewrite")  # values: conf.software.apache2.a2enmod / a2dismod status
    for ext in ("load", "conf"):
        t.p("/etc/apache2/mods-enabled/status.%s" % ext).unlink()
    conf = helm_value(*OHELM, "horizon/values.yaml", ["conf", "horizon", "apache"])
    conf = conf.replace('{{ tuple "dashboard" "internal" "web" . | include '
                        '"helm-toolkit.endpoints.endpoint_port_lookup" }}', "80")
    t.write("/etc/apache2/sites-available/000-default.conf", conf)
    t.a2ensite("000-default")


SEARXNG_VALUES = dict(SERVICE_USER="searxng", SERVICE_GROUP="searxng", SEARXNG_SRC="/usr/local/searxng/searxng-src",
                      SEARXNG_SETTINGS_PATH="/etc/searxng/settings.yml", SEARXNG_PYENV="/usr/local/searxng/searx-pyenv",
                      SEARXNG_UWSGI_SOCKET="/usr/local/searxng/run/socket", SEARXNG_URL_PATH="/searxng",
                      SEARXNG_INTERNAL_HTTP="127.0.0.1:8888", SEARXNG_STATIC="/usr/local/searxng/searxng-src/searx/static",
                      APACHE_MODULES="/usr/lib/apache2/modules")


def searxng_nginx(t: Tree) -> None:
    t.nginx()
    ini = shell_subst(git_show(*SEARXNG, "utils/templates/etc/uwsgi/apps-available/searxng.ini:socket"), SEARXNG_VALUES)
    t.write("/etc/uwsgi/apps-available/searxng.ini", ini)
    t.link("/etc/uwsgi/apps-enabled/searxng.ini", "../apps-available/searxng.ini")
    loc = shell_subst(git_show(*SEARXNG, "utils/templates/etc/nginx/default.apps-available/searxng.conf:socket"),
                      SEARXNG_VALUES)
    t.write("/etc/nginx/default.apps-available/searxng.conf", loc)
    t.link("/etc/nginx/default.d/searxng.conf", "../default.apps-available/searxng.conf")
    # utils/lib.sh nginx_include_apps_enabled(): adds this include to the default server
    default = t.p("/etc/nginx/sites-available/default")
    text = default.read_text()
    text = text.replace("\tserver_name _;\n", "\tserver_name _;\n\n\tinclude /etc/nginx/default.d/*.conf;\n", 1)
    default.write_text(text)


def searxng_apache(t: Tree) -> None:
    t.apache()
    ini = shell_subst(git_show(*SEARXNG, "utils/templates/etc/uwsgi/apps-available/searxng.ini"), SEARXNG_VALUES)
    t.write("/etc/uwsgi/apps-available/searxng.ini", ini)
    t.link("/etc/uwsgi/apps-enabled/searxng.ini", "../apps-available/searxng.ini")
    site = shell_subst(git_show(*SEARXNG, "utils/templates/etc/httpd/sites-available/searxng.conf"), SEARXNG_VALUES)
    t.write("/etc/apache2/sites-available/searxng.conf", site)
    t.a2ensite("searxng")
    t.a2ensite("000-default")


def weblate(t: Tree) -> None:
    t.nginx()
    src = HERE / "weblate" / "src"
    t.write("/etc/uwsgi/apps-available/weblate.ini", (src / "weblate.uwsgi.ini").read_text())
    t.link("/etc/uwsgi/apps-enabled/weblate.ini", "../apps-available/weblate.ini")
    t.write("/etc/nginx/sites-available/weblate", (src / "weblate.nginx.conf").read_text())
    t.link("/etc/nginx/sites-enabled/weblate", "/etc/nginx/sites-available/weblate")
    t.p("/etc/nginx/sites-enabled/default").unlink()  # both listen on :80 as default_server otherwise


def graphite(t: Tree) -> None:
    t.apache("wsgi")
    site = git_show(*GRAPHITE, "examples/example-graphite-vhost.conf")
    site = site.replace("@DJANGO_ROOT@", "/usr/lib/python3/dist-packages/django")
    t.write("/etc/apache2/sites-available/graphite.conf", site)
    t.a2ensite("graphite")
    t.write("/opt/graphite/conf/graphite.wsgi", git_show(*GRAPHITE, "conf/graphite.wsgi.example"))


def netbox_apache(t: Tree) -> None:
    t.apache("ssl", "headers", "proxy", "proxy_http", "rewrite")  # docs: a2enmod ssl proxy proxy_http headers rewrite
    t.write("/etc/apache2/sites-available/netbox.conf", git_show(*NETBOX, "contrib/apache.conf"))
    t.a2ensite("netbox")


def netbox_uwsgi(t: Tree) -> None:
    t.nginx()
    t.write("/opt/netbox/uwsgi.ini", git_show(*NETBOX, "contrib/uwsgi.ini"))
    conf = git_show(*NETBOX, "contrib/nginx.conf")
    # The file's own instruction: "Remove these lines if using uWSGI instead of Gunicorn" /
    # "Uncomment these lines if using uWSGI instead of Gunicorn".
    lines = []
    for line in conf.splitlines(True):
        s = line.strip()
        if s.startswith(("proxy_pass", "proxy_set_header")) or s.startswith("# Remove these lines"):
            continue
        if s.startswith("# Uncomment these lines"):
            continue
        if s.startswith("# include uwsgi_params") or s.startswith("# uwsgi_"):
            line = line.replace("# ", "", 1)
        lines.append(line)
    t.write("/etc/nginx/sites-available/netbox", "".join(lines))
    t.link("/etc/nginx/sites-enabled/netbox", "/etc/nginx/sites-available/netbox")
    t.p("/etc/nginx/sites-enabled/default").unlink()  # netbox docs: rm /etc/nginx/sites-enabled/default


# --- second round: versions on disk (dpkg status, dist-info) and more stacks -------------------

def debian_openstack(t: Tree, name: str) -> None:
    """A Debian 12 host with one OpenStack API package installed: the package's own files (extracted
    from the .deb, see <name>/SOURCE.md) and /var/lib/dpkg/status holding the installed packages."""
    src = HERE / name / "src"
    for sub in ("etc", "lib"):
        shutil.copytree(src / sub, t.p("/" + sub), symlinks=True, dirs_exist_ok=True)
    t.write("/var/lib/dpkg/status", (src / "dpkg-status").read_text())


def charm_placement(t: Tree) -> None:
    # charms.openstack: a2enmod wsgi (libapache2-mod-wsgi-py3 enables it) + the site; haproxy listens
    # on 8778 and forwards to Apache on 8768 (determine_api_port(8778, singlenode_mode=True)).
    t.apache("wsgi")
    opts = {"service_listen_info": {"placement_api": {"public_port": 8768}},
            "wsgi_worker_context": {"processes": 4}}
    t.write("/etc/apache2/sites-available/placement-api.conf",
            jinja(git_show(*CHARM_PLACEMENT, "src/templates/train/placement-api.conf"), options=opts))
    t.a2ensite("placement-api")


def charm_glance_https(t: Tree) -> None:
    # ApacheSSLContext (charmhelpers/contrib/openstack/context.py): a2enmod ssl proxy proxy_http headers;
    # external port 9292 -> Apache on 9282 (determine_apache_port) -> glance-api on 9272 (determine_api_port).
    t.apache("ssl", "proxy", "proxy_http", "headers")
    t.write("/etc/apache2/ports.conf", git_show(*CHARM_GLANCE, "templates/ports.conf"))
    ctx = dict(namespace="glance", ext_ports=[9282], endpoints=[("10.5.0.10", "10.5.0.10", 9282, 9272)])
    t.write("/etc/apache2/sites-available/openstack_https_frontend.conf",
            jinja(git_show(*CHARM_GLANCE, "charmhelpers/contrib/openstack/templates/openstack_https_frontend.conf"),
                  **ctx))
    t.a2ensite("openstack_https_frontend")


def koji(t: Tree) -> None:
    # koji.spec: kojihub/app/httpd.conf -> /etc/httpd/conf.d/kojihub.conf, www/conf/kojiweb.conf ->
    # /etc/httpd/conf.d/kojiweb.conf; on Debian's layout: conf-available + a2enconf.
    t.apache("wsgi")
    for name, path in (("kojihub", "kojihub/app/httpd.conf"), ("kojiweb", "www/conf/kojiweb.conf")):
        t.write("/etc/apache2/conf-available/%s.conf" % name, git_show(*KOJI, path))
        t.link("/etc/apache2/conf-enabled/%s.conf" % name, "../conf-available/%s.conf" % name)
    t.write("/usr/share/koji-web/scripts/wsgi_publisher.py", git_show(*KOJI, "www/kojiweb/wsgi_publisher.py"))


def healthchecks(t: Tree) -> None:
    # docker/Dockerfile: WORKDIR /opt/healthchecks, CMD ["uwsgi", "/opt/healthchecks/docker/uwsgi.ini"]
    t.write("/opt/healthchecks/docker/uwsgi.ini", git_show(*HEALTHCHECKS, "docker/uwsgi.ini"))


def mailman_web(t: Tree) -> None:
    # The mailman-web container (web/Dockerfile: alpine 3.21 python3 3.12, pip uwsgi==2.0.25,
    # COPY mailman-web /opt/mailman-web) and the host's nginx with README.md's uwsgi_pass block.
    t.write("/opt/mailman-web/uwsgi.ini", git_show(*MAILMAN, "web/mailman-web/uwsgi.ini"))
    t.write("/opt/mailman-web/wsgi.py", git_show(*MAILMAN, "web/mailman-web/wsgi.py"))
    t.write("/usr/lib/python3.12/site-packages/uWSGI-2.0.25.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: uWSGI\nVersion: 2.0.25\nSummary: The uWSGI server\n"
            "Home-page: https://uwsgi-docs.readthedocs.io/en/latest/\nAuthor: Unbit\n"
            "Author-email: info@unbit.it\nLicense: GPL2\n\n")
    readme = git_show(*MAILMAN, "README.md")
    i = readme.index("To move to uwsgi protocol in the above nginx configuration use this")
    block = readme[readme.index("```", i) + 3:]
    block = block[:block.index("```")].strip("\n")
    t.nginx()
    t.write("/etc/nginx/sites-available/mailman",
            "# server wrapper added for the field test; the body is docker-mailman README.md's block\n"
            "server {\n\tlisten 80;\n\tserver_name lists.example.org;\n\n%s\n}\n" % block)
    t.link("/etc/nginx/sites-enabled/mailman", "/etc/nginx/sites-available/mailman")


def healthchecks_repo(t: Tree) -> None:
    # The repository as checked out (the tree is its root): the Dockerfile wsgilint reads as the
    # launcher (builder stage `COPY . /opt/healthchecks/`, image `COPY --from=builder /opt/healthchecks/
    # /opt/healthchecks/`, `CMD [ "uwsgi", "/opt/healthchecks/docker/uwsgi.ini"]`), the compose file that
    # builds it (`context: ..`, `dockerfile: docker/Dockerfile`), the ini and the module it names.
    for path in ("docker/Dockerfile", "docker/docker-compose.yml", "docker/uwsgi.ini", "hc/wsgi.py"):
        t.write("/" + path, git_show(*HEALTHCHECKS, path))


def mailman_web_repo(t: Tree) -> None:
    # The repository as checked out (the tree is its root): web/Dockerfile (COPY mailman-web
    # /opt/mailman-web; ENTRYPOINT docker-entrypoint.sh, which ends in `exec $@`; CMD uwsgi --ini
    # /opt/mailman-web/uwsgi.ini; STOPSIGNAL SIGINT), the entrypoint, the ini and the wsgi-file it names.
    for path in ("web/Dockerfile", "web/docker-entrypoint.sh", "web/mailman-web/uwsgi.ini", "web/mailman-web/wsgi.py"):
        t.write("/" + path, git_show(*MAILMAN, path))


# kolla-ansible master (Flamingo+: every API under uWSGI, commit e55f8a610 "Drop support for running
# WSGI under Apache"). /etc/kolla/<container>/ as `kolla-ansible deploy` writes it (fieldtest/kolla-*/SOURCE.md).
KOLLA_ANSIBLE = ("openstack/kolla-ansible", "1a681814eb19a4840ca307a25f21b2907b432272")
KOLLA_VARS = {
    # ansible/group_vars/all/common.yml
    "container_config_directory": "/var/lib/kolla/config_files",
    "node_config_directory": "/etc/kolla",
    "kolla_base_distro": "debian",  # default "rocky"; set in globals.yml (sample: `#kolla_base_distro: "rocky"`)
    "api_interface_address": "192.0.2.10",  # the host's api interface address (RFC 5737 documentation address)
    "kolla_internal_vip_address": "192.0.2.254",  # set in globals.yml (no default: quickstart says set it)
    "kolla_httpd_timeout": "60", "kolla_httpd_keep_alive": "60",
    "openstack_logging_debug": "False", "kolla_enable_tls_backend": False, "kolla_enable_tls_internal": False,
    "kolla_enable_tls_external": False, "kolla_copy_ca_into_containers": False, "enable_osprofiler": False,
    "om_enable_rabbitmq_tls": False, "om_enable_rabbitmq_stream_fanout": False,
    "openstack_service_workers": 5,  # [ansible_facts.processor_vcpus, 5] | min: a host with >= 5 vCPUs
    "enable_memcached": True, "memcached_port": "11211",  # group_vars/all/memcached.yml
    "groups": {"memcached": ["control01"]},  # one controller (all-in-one inventory)
}
KOLLA_IDP_CERT = """-----BEGIN CERTIFICATE-----
MIIDETCCAfmgAwIBAgIUNvOYaokZ67N6U/yfvKfSStVOWbUwDQYJKoZIhvcNAQEL
BQAwGDEWMBQGA1UEAwwNZmllbGR0ZXN0LWlkcDAeFw0yNjEyMDIwOTA1NTZaFw0z
NjExMjkwOTA1NTZaMBgxFjAUBgNVBAMMDWZpZWxkdGVzdC1pZHAwggEiMA0GCSqG
SIb3DQEBAQUAA4IBDwAwggEKAoIBAQCcv7RIoVPW68m/9FCEnOG0pZMCL9R/xsHn
Hskwy7WFrrtRV6jMfLy7Qnw/Uy3vvbxM7fC5vGkz1qJsUpiroL4Ks5EJXhkPZu3Z
J/ZWR4QKNzVHfiCQqBEFwM0u4ZE86KbfvQ140T75N3MGYRpxf1pUw/H05WDnjj6X
0qGsGPa8bt8Qtw3Jwo4EzNT/qfZDcB5vCn8rmeBJV41hwApjrDL7ZPmyZtTsuGe4
rmTz1f6ll3dSnXm9Mt6j0ZdwyaTKMGdw1yBzujdsgmyGmJRBUptrm+y9wrLtA6sv
c0FAhVNnW2Rv80GDLKMiwNO9VuEKoCernSoWrt4QFdCRWi2nhxZLAgMBAAGjUzBR
MB0GA1UdDgQWBBQRd5TLEl+bjSoYGJv25fgS3EdzPDAfBgNVHSMEGDAWgBQRd5TL
El+bjSoYGJv25fgS3EdzPDAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUA
A4IBAQBkKJUpCo3rRGJ6w3tDQlyoisN1DjNOXwN0s5xk+HsSDih1xnMhk3K7eF1c
CadRnfkCtOWcMZeJj2FP2OxAlI6u5ZLAhANLm4neuPB0XILlvVm47h682csZZwuv
s1a7kOouWTywmNlq6GJ8B+uWvHThwbgEewKr/RvP+XCPHFT28z5gElmecX6h58m1
cP7HGwF7PNyenLnbP7OSwd1W5xv/Qvleu4OZyenKrKestR8uPQMyfNpb6UiojjDa
YslZyy5k1ayd+NJD4Z4PWkG78SNKcexdyLwFf/X4FhIbSjG4wwhFUQfBzBFKX9iA
mjKuGBEQzF2GXuIkeeGWpW0T3aUU
-----END CERTIFICATE-----
"""  # a throw-away self-signed certificate standing in for the IdP's (operator-supplied, not in the source)


def kolla_env():
    """Ansible's template engine as far as these templates use it: trim_blocks, Ansible's `bool`
    and kolla's filters (kolla_ansible/kolla_url.py etc.) with their behaviour for these values;
    a variable nobody set renders empty (kolla_conf drops such lines)."""
    import jinja2
    class Unset(jinja2.ChainableUndefined):  # only in sections kolla_conf drops (checked: no kept value is unset)
        __int__ = __float__ = lambda self: 1

    env = jinja2.Environment(keep_trailing_newline=True, trim_blocks=True, undefined=Unset)
    env.filters["bool"] = lambda v: v if isinstance(v, bool) else str(v).lower() in ("true", "yes", "1", "on")
    env.filters["put_address_in_context"] = lambda addr, ctx: addr  # an IPv4 address is unchanged
    env.filters["kolla_address"] = lambda net, host=None: KOLLA_VARS["api_interface_address"]
    env.filters["human_to_bytes"] = lambda v: int(v[:-1]) * 1024 ** "KMG".index(v[-1].upper()) * 1024
    return env


def kolla_render(path: str, **values) -> str:
    return kolla_env().from_string(git_show(*KOLLA_ANSIBLE, path)).render(**{**KOLLA_VARS, **values})


def kolla_conf(path: str, keep: tuple, **values) -> str:
    """An oslo.config file as merge_configs writes it, abridged to the sections wsgilint reads
    (``keep``); a line whose value is a variable not given here (URLs with secrets) is left out."""
    out, on = [], False
    for line in kolla_render(path, **values).splitlines():
        m = re.match(r"\[(.+)\]\s*$", line)
        if m:
            on = m.group(1) in keep
            if on:
                out.append(("\n" if out else "") + line)
            continue
        if on and line.strip() and not line.lstrip().startswith("#") and not re.match(r"[\w.-]+\s*=\s*$", line):
            out.append(line)
    return "\n".join(out) + "\n"


def kolla_uwsgi(service_name: str, role: str, **values) -> str:
    """ansible/roles/service-uwsgi-config (defaults/main.yml + the role's "Configure uWSGI" vars)."""
    v = dict(service_uwsgi_config_host=KOLLA_VARS["api_interface_address"], service_uwsgi_config_log_dir=role,
             service_uwsgi_config_log_file="%s-uwsgi.log" % service_name, service_uwsgi_config_socket_port="",
             service_uwsgi_config_tls_backend=False, service_uwsgi_config_worker_timeout=80,
             service_uwsgi_config_workers=5, service_uwsgi_config_env={})
    v.update(values)
    return kolla_render("ansible/roles/service-uwsgi-config/templates/uwsgi.ini.j2", **v)


def kolla_globals(operator: str) -> str:
    """/etc/kolla/globals.yml: kolla-ansible's sample (etc/kolla/globals.yml, copied as the quickstart
    says) with the operator's settings appended; `#openstack_release: "master"` stays commented
    ("Do not override this unless you know what you are doing"; group_vars/all/common.yml: "master")."""
    sample = git_show(*KOLLA_ANSIBLE, "etc/kolla/globals.yml")
    assert '#openstack_release: "master"\n' in sample
    return sample + "\n# Operator settings for this deployment (fieldtest SOURCE.md)\n" + operator


KOLLA_KS_IDP = [dict(name="myidp1", openstack_domain="my-domain", protocol="openid",
                     identifier="https://accounts.google.com", public_name="Authenticate via myidp1",
                     attribute_mapping="mappingId1", metadata_folder="/etc/kolla/config/keystone/federation/metadata",
                     certificate_file="/etc/kolla/config/keystone/federation/fieldtest-kid.pem")]
KOLLA_KS_MAPPING = [dict(name="mappingId1", file="/etc/kolla/config/keystone/federation/mappingId1",
                         schema_version="2.0")]


def kolla_keystone(t: Tree) -> None:
    """keystone (uWSGI) + keystone-httpd (Apache `ProxyPass / uwsgi://localhost:5001/`), federation
    on: keystone_services['keystone-httpd'] is enabled only with enable_keystone_federation."""
    ks = "ansible/roles/keystone/templates/"
    fed = dict(enable_keystone_federation=True, keystone_enable_federation_openid=True,
               keystone_identity_providers=KOLLA_KS_IDP, keystone_identity_mappings=KOLLA_KS_MAPPING,
               keystone_enable_tls_backend=False, keystone_logging_debug="False", keystone_public_listen_port="5000",
               keystone_wsgi_socket_port="5001", keystone_public_url="http://192.0.2.254:5000",
               keystone_container_federation_oidc_metadata_folder="/etc/apache2/metadata",
               keystone_container_federation_oidc_idp_certificate_folder="/etc/apache2/cert",
               keystone_federation_oidc_forwarded_headers="", keystone_federation_oidc_claim_delimiter=";",
               keystone_federation_oidc_response_type="id_token", keystone_federation_oidc_scopes="openid email profile",
               keystone_federation_oidc_jwks_uri="", keystone_federation_oidc_additional_options={},
               keystone_federation_openid_certificate_key_ids=["fieldtest-kid#/etc/apache2/cert/fieldtest-kid.pem"],
               keystone_federation_openid_crypto_password="secret", keystone_oidc_enable_memcached=True,
               keystone_federation_oidc_error_page_retry_login_delay_milliseconds=5000,
               service_name="keystone")
    t.write("/etc/kolla/keystone/config.json", kolla_render(ks + "keystone.json.j2", **fed))
    t.write("/etc/kolla/keystone/keystone-startup.sh", kolla_render(ks + "keystone-startup.sh.j2", **fed))
    t.write("/etc/kolla/keystone/keystone.conf", kolla_conf(ks + "keystone.conf.j2", KOLLA_KEEP, **fed))
    # tasks/config.yml "Configure uWSGI for Keystone": federation -> 127.0.0.1, socket_port 5001
    t.write("/etc/kolla/keystone/keystone-uwsgi.ini", kolla_uwsgi(
        "keystone", "keystone", service_uwsgi_config_host="127.0.0.1", service_uwsgi_config_http_port="5000",
        service_uwsgi_config_module="keystone.wsgi.api:application", service_uwsgi_config_socket_port="5001",
        service_uwsgi_config_uid="keystone"))
    t.write("/etc/kolla/keystone-httpd/config.json", kolla_render(ks + "keystone-httpd.json.j2", **fed))
    t.write("/etc/kolla/keystone-httpd/httpd-keystone.conf", kolla_render(ks + "httpd-keystone.conf.j2", **fed))
    base = "/etc/kolla/keystone-httpd/federation/"
    t.write(base + "modoidc-error-page.html", kolla_render(ks + "modoidc-error-page.html.j2", **fed))
    # The operator's IdP files (config-federation-oidc.yml copies them; contents are the IdP's, not in the source)
    for ext, body in (("provider", '{"issuer": "https://accounts.google.com"}'),
                      ("client", '{"client_id": "fieldtest", "client_secret": "secret"}'), ("conf", "{}")):
        t.write(base + "oidc/metadata/accounts.google.com.%s" % ext, body + "\n")
    t.write(base + "oidc/cert/fieldtest-kid.pem", KOLLA_IDP_CERT)
    t.write(base + "oidc/attribute_maps/mappingId1", '[{"local": [{"user": {"name": "{0}"}}], '
                                                     '"remote": [{"type": "OIDC-email"}]}]\n')
    t.write("/etc/kolla/globals.yml", kolla_globals(
        'kolla_base_distro: "debian"\nkolla_internal_vip_address: "192.0.2.254"\n'
        "# keystone-guide.rst \"Setting up OpenID Connect via Kolla Ansible\" (its example)\n"
        "keystone_identity_providers:\n  - name: \"myidp1\"\n    openstack_domain: \"my-domain\"\n"
        "    protocol: \"openid\"\n    identifier: \"https://accounts.google.com\"\n"
        "    public_name: \"Authenticate via myidp1\"\n    attribute_mapping: \"mappingId1\"\n"
        "    metadata_folder: \"/etc/kolla/config/keystone/federation/metadata\"\n"
        "    certificate_file: \"/etc/kolla/config/keystone/federation/fieldtest-kid.pem\"\n"
        "keystone_identity_mappings:\n  - name: \"mappingId1\"\n"
        "    file: \"/etc/kolla/config/keystone/federation/mappingId1\"\n    schema_version: \"2.0\"\n"))


KOLLA_KEEP = ("DEFAULT", "oslo_middleware", "oslo_messaging_rabbit", "oslo_reports", "wsgi", "api")


def kolla_glance(t: Tree) -> None:
    """glance-api under uWSGI's http router on api_interface:9292 (haproxy in front: not read by wsgilint)."""
    g = dict(glance_api_workers=5, glance_api_port="9292", glance_api_listen_port="9292",
             glance_logging_debug="False", glance_enable_tls_backend=False, glance_backend_ceph=False,
             glance_enable_interoperable_image_import=False, enable_glance_image_cache=False,
             glance_enable_property_protection=False, service_name="glance-api")
    t.write("/etc/kolla/glance-api/config.json", kolla_render("ansible/roles/glance/templates/glance-api.json.j2", **g))
    t.write("/etc/kolla/glance-api/glance-api.conf",
            kolla_conf("ansible/roles/glance/templates/glance-api.conf.j2", KOLLA_KEEP, **g))
    # tasks/config.yml "Configure uWSGI for Glance"
    t.write("/etc/kolla/glance-api/glance-api-uwsgi.ini", kolla_uwsgi(
        "glance-api", "glance", service_uwsgi_config_chunked_input_limit=64 * 1024 * 1024,
        service_uwsgi_config_http_port="9292", service_uwsgi_config_log_file_chmod="644",
        service_uwsgi_config_module="glance.wsgi.api:application", service_uwsgi_config_uid="glance"))
    t.write("/etc/kolla/globals.yml", kolla_globals('kolla_base_distro: "debian"\n'
                                                    'kolla_internal_vip_address: "192.0.2.254"\n'))


def kolla_nova(t: Tree) -> None:
    """nova-api (8774) and nova-metadata (8775) under uWSGI's http router (haproxy in front)."""
    for name, port, module in (("nova-api", "8774", "nova.wsgi.osapi_compute:application"),
                               ("nova-metadata", "8775", "nova.wsgi.metadata:application")):
        n = dict(nova_logging_debug="False", nova_enable_tls_backend=False, enable_ceilometer=False,
                 nova_services_require_policy_json=[], service_name=name)
        t.write("/etc/kolla/%s/config.json" % name, kolla_render("ansible/roles/nova/templates/%s.json.j2" % name, **n))
        t.write("/etc/kolla/%s/nova.conf" % name,
                kolla_conf("ansible/roles/nova/templates/nova.conf.j2", KOLLA_KEEP, **n))
        # tasks/config.yml "Configure uWSGI for Nova"
        t.write("/etc/kolla/%s/%s-uwsgi.ini" % (name, name), kolla_uwsgi(
            name, "nova", service_uwsgi_config_http_port=port, service_uwsgi_config_log_file_chmod="644",
            service_uwsgi_config_module=module, service_uwsgi_config_uid="nova"))
    t.write("/etc/kolla/globals.yml", kolla_globals('kolla_base_distro: "debian"\n'
                                                    'kolla_internal_vip_address: "192.0.2.254"\n'))


# openstack-ansible (one series: master of each role, pinned): ansible-role-uwsgi renders each API's
# /etc/uwsgi/<service>.ini and (through ansible-role-systemd_service) its unit; os_keystone fronts
# keystone with ansible-role-httpd's Apache vhost (keystone_use_uwsgi: false, the default).
OSA_UWSGI = ("openstack/ansible-role-uwsgi", "398d4c3ef6e62b20e0ab358bcc644d3f253a647a")
OSA_SYSTEMD = ("openstack/ansible-role-systemd_service", "4e65d9d85f55f19f6c37d21be97fd7a59194e7ca")
OSA_HTTPD = ("openstack/ansible-role-httpd", "1ab488007629cf3a34bdb80f7716abc305caa981")
OSA_KEYSTONE = ("openstack/openstack-ansible-os_keystone", "383a73d3782e2420c8cdd47b9612f7b078e4bdf1")
OSA_GLANCE = ("openstack/openstack-ansible-os_glance", "c48d1b1deb1c74877569d255f1de5d46b57e5c48")
OSA_FACTS = {"processor_vcpus": 4, "processor_threads_per_core": 2, "os_family": "Debian",
             "hostname": "infra1", "fqdn": "infra1.example.org"}  # a 4-vCPU Debian 12 host (SOURCE.md)


def osa_env():
    """Ansible's template engine as these templates use it: trim_blocks, `bool`, `ternary`."""
    import jinja2
    env = jinja2.Environment(keep_trailing_newline=True, trim_blocks=True)
    env.filters["bool"] = lambda v: v if isinstance(v, bool) else str(v).lower() in ("true", "yes", "1", "on")
    env.filters["ternary"] = lambda c, a, b=None: a if c else b
    return env


def osa_ini_section_append(text: str, section: str, options: dict) -> str:
    """config_template (config_type ini) adding override keys to an existing section: at its end."""
    lines = text.rstrip("\n").split("\n")
    start = lines.index("[%s]" % section)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    return "\n".join(lines[:end] + ["%s = %s" % kv for kv in options.items()] + lines[end:]) + "\n"


def osa_uwsgi_service(t: Tree, key: str, value: dict, overrides: dict) -> None:
    """ansible-role-uwsgi tasks/uwsgi_post_install.yml for one service (uwsgi_install_method: source)."""
    ini = osa_env().from_string(git_show(*OSA_UWSGI, "templates/uwsgi.ini.j2")).render(
        item={"key": key, "value": value}, uwsgi_system_user_name="uwsgi", uwsgi_system_group_name="uwsgi",
        uwsgi_install_method="source", ansible_facts=OSA_FACTS, uwsgi_run_dir="/run",
        uwsgi_system_slice_name="uwsgi", uwsgi_env="REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt")
    if overrides:
        ini = osa_ini_section_append(ini, "uwsgi", overrides)
    t.write("/etc/uwsgi/%s.ini" % key, ini)
    uwsgi_bin = "/openstack/venvs/uwsgi-untagged-python3/bin"  # vars/source_install.yml, venv_tag unset
    unit = osa_env().from_string(git_show(*OSA_SYSTEMD, "templates/systemd-service.j2")).render(
        ansible_managed="Ansible managed",
        item={"service_name": value.get("service_name", key),
              "execstarts": "%s/uwsgi --autoload --ini /etc/uwsgi/%s.ini " % (uwsgi_bin, key),
              "execreloads": "%s/uwsgi --reload /run/%s/uwsgi/%s.pid" % (uwsgi_bin, key, key)},
        systemd_after_targets=["syslog.target", "network-online.target"], systemd_unit_docs=[],
        systemd_default_service_type="simple", systemd_user_name=value["uwsgi_uid"],
        systemd_group_name=value["uwsgi_guid"], systemd_environment={}, systemd_service_timeout_sec=120,
        systemd_service_restart="on-failure", systemd_service_restart_sec=2, systemd_slice_name="uwsgi",
        systemd_service_cpu_accounting=True, systemd_service_block_io_accounting=True,
        systemd_service_memory_accounting=True, systemd_service_tasks_accounting=True,
        systemd_service_private_tmp=False, systemd_service_private_devices=False,
        systemd_service_private_network=False, systemd_service_private_users=False)
    t.write("/etc/systemd/system/%s.service" % value.get("service_name", key), unit)


def osa_keystone_glance(t: Tree) -> None:
    """keystone (uWSGI `socket = 127.0.0.1:35358` behind ansible-role-httpd's Apache vhost on :5000)
    and glance-api (uWSGI `http-socket = 0.0.0.0:9292`; haproxy in front, not read), source install."""
    # os_keystone defaults/main.yml keystone_services + vars/main.yml uwsgi_keystone_services
    osa_uwsgi_service(t, "keystone-wsgi-public", {
        "group": "keystone_all", "wsgi_app": True, "wsgi": "keystone.wsgi.api:application",
        "uwsgi_bind_address": [], "uwsgi_port": "",  # keystone_use_uwsgi: false
        "wsgi_venv": "/openstack/venvs/keystone-untagged", "uwsgi_uid": "keystone", "uwsgi_guid": "keystone",
        "uwsgi_processes": 8, "uwsgi_threads": 1}, {"socket": "127.0.0.1:35358"})
    # os_glance defaults/main.yml glance_services + vars/main.yml uwsgi_glance_services (wsgi_path popped)
    osa_uwsgi_service(t, "glance-api", {
        "group": "glance_api", "service_name": "glance-api", "wsgi_app": True,
        "wsgi": "glance.wsgi.api:application", "uwsgi_bind_address": "0.0.0.0", "uwsgi_port": 9292,
        "uwsgi_tls": {}, "wsgi_venv": "/openstack/venvs/glance-untagged", "uwsgi_uid": "glance",
        "uwsgi_guid": "glance", "uwsgi_processes": 4, "uwsgi_threads": 1}, {})
    # ansible-role-httpd (tasks/httpd_post_install.yml, httpd_configure_vhosts.yml) as os_keystone's
    # tasks/keystone_apache.yml calls it
    t.apache("ssl", "rewrite", "headers", "deflate", "proxy_uwsgi")  # _httpd_default_modules + keystone_apache_modules
    for site in ("/etc/apache2/sites-enabled/000-default.conf", "/etc/apache2/conf-enabled/other-vhosts-access-log.conf"):
        t.p(site).unlink(missing_ok=True)  # _httpd_default_sites
    conf = t.p("/etc/apache2/apache2.conf").read_text()
    for line in ("ServerName infra1.example.org", "ErrorLog syslog:daemon", "LogLevel info"):  # lineinfile
        word = line.split()[0]
        conf, n = re.subn(r"(?m)^%s.*$" % word, line, conf, count=1)  # lineinfile: last match; one here
        if not n:
            conf += line + "\n"
    t.write("/etc/apache2/apache2.conf", conf)
    env = osa_env()
    mpm = dict(httpd_mpm_backend="event", httpd_mpm_server_limit=2, httpd_mpm_start_servers=2,
               httpd_mpm_min_spare_threads=25, httpd_mpm_max_spare_threads=75, httpd_mpm_thread_limit=64,
               httpd_mpm_thread_child=25, httpd_mpm_max_requests=50, httpd_mpm_max_conn_child=0)
    t.write("/etc/apache2/ports.conf", env.from_string(git_show(*OSA_HTTPD, "templates/httpd_ports.conf.j2"))
            .render(ansible_managed="Ansible managed"))
    t.write("/etc/apache2/mods-available/mpm_event.conf", env.from_string(
        git_show(*OSA_HTTPD, "templates/httpd_mpm.conf.j2")).render(ansible_managed="Ansible managed", **mpm))
    vhost = {"name": "openstack_keystone", "address": "0.0.0.0", "port": 5000, "log_level": "info",
             "log_format": '"%h %l %u \\"%{X-Forwarded-For}i\\" \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-agent}i\\""',
             "server_name": "infra1",
             "headers": ['Header set X-Content-Type-Options "nosniff"', 'Header set X-XSS-Protection "1; mode=block"',
                         "Header set Content-Security-Policy \"default-src 'self' https: wss:;\"", "",
                         "Header set X-Frame-Options DENY"],
             "options": ["Options +FollowSymLinks", "ProxyPass / uwsgi://127.0.0.1:35358/"],
             "locations": [], "directories": [], "ssl": False}
    t.write("/etc/apache2/sites-available/openstack_keystone.conf", env.from_string(
        git_show(*OSA_HTTPD, "templates/httpd_vhost.conf.j2")).render(
        ansible_managed="Ansible managed", vhost=vhost, httpd_system_service_name="apache2"))
    t.link("/etc/apache2/sites-enabled/openstack_keystone.conf", "/etc/apache2/sites-available/openstack_keystone.conf")


# -- devstack (openstack/devstack master): Apache in front of uWSGI, written by lib/apache ----------
DEVSTACK = ("openstack/devstack", "493835a61a996731a7031861f80c7629acd5d6f2")
# stack.sh's values on a default IPv4 Ubuntu/Debian run as root-created user `stack` (SOURCE.md).
DEVSTACK_VARS = {
    "API_WORKERS": "2",  # stackrc: (nproc/4)<2 ? 2 : nproc/4 -> 2 on a host with fewer than 12 CPUs
    "WORKER_TIMEOUT": "80",  # stackrc default
    "APACHE_LOCAL_HOST": "127.0.0.1",  # SERVICE_LOCAL_HOST for SERVICE_IP_VERSION=4
    "STACK_USER": "stack",
    "KILL_PATH": "/usr/bin/kill",  # functions-common: $(which kill) (procps on Debian/Ubuntu)
    # write_uwsgi_user_unit_file: Environment "PATH=$PATH" as stack.sh has it (inc/python puts the
    # GLOBAL_VENV bin first; the rest is sudo's secure_path on Debian/Ubuntu)
    "PATH": "/opt/stack/data/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
}
DEVSTACK_RANDOM_PORT = "60999"  # functions get_random_port: first free port from the top of ip_local_port_range


def devstack_function(name: str, path: str) -> list[str]:
    text = git_show(*DEVSTACK, path)
    m = re.search(r"^function %s \{\n(.*?)^\}" % re.escape(name), text, re.M | re.S)
    return m.group(1).splitlines()


def devstack_iniset(files: dict, path: str, section: str, option: str, value: str) -> None:
    """inc/ini-config iniset: a new section is appended as "\\n[section]"; a new option is inserted
    right after the section header (`sed "/^\\[section\\]/ a\\ option = value"`), so options end up in
    reverse order; an existing option is replaced in place; `echo $value` collapses white space."""
    value = " ".join(value.split())
    lines = files.setdefault(path, [])
    header = "[%s]" % section
    if header not in lines:
        lines.extend(["", header])
    start = lines.index(header)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    for i in range(start + 1, end):
        if re.match(r"%s[ \t]*=" % re.escape(option), lines[i]):
            lines[i] = re.sub(r"=[ \t]*.*$", "= " + value, lines[i], count=1)
            return
    lines.insert(start + 1, "%s = %s" % (option, value))


def devstack_run(lines: list[str], local: dict, conds: dict, files: dict) -> None:
    """Runs the few shell forms lib/apache's and functions-common's writers use: if/else/fi on the
    conditions in `conds` (keyed by the condition text), `iniset [-sudo] FILE SECTION OPTION VALUE`,
    `echo "TEXT" | sudo tee [-a] FILE`; other lines (mkdir, apache restarts, deprecations) are skipped."""
    def sub(s: str) -> str:
        s = re.sub(r"\\\$", "\0", s)
        s = re.sub(r"\$\{?(\w+)\}?", lambda m: str(local.get(m.group(1), DEVSTACK_VARS.get(m.group(1), m.group(0)))), s)
        return s.replace("\0", "$")

    def words(s: str) -> list[str]:
        import shlex
        return shlex.split(s)

    stack = [(True, True)]  # (this branch runs, a branch of this if was taken)
    for raw in lines:
        line = raw.strip()
        if line.startswith(("if ", "elif ")):
            cond = line.split(" ", 1)[1].rsplit(";", 1)[0].strip()
            assert cond in conds, cond
            if line.startswith("if "):
                stack.append((stack[-1][0] and conds[cond], conds[cond]))
            else:
                taken = stack.pop()[1]
                stack.append((stack[-1][0] and not taken and conds[cond], taken or conds[cond]))
            continue
        if line == "else":
            taken = stack.pop()[1]
            stack.append((stack[-1][0] and not taken, True))
            continue
        if line == "fi":
            stack.pop()
            continue
        if not stack[-1][0] or not line or line.startswith("#"):
            continue
        m = re.match(r"local (\w+)=(.*)$", line) or re.match(r"(\w+)=(.*)$", line)
        if m and re.fullmatch(r'"?\$\d"?', m.group(2)):
            continue  # a parameter (`local conf=$1`): the caller's value is in `local`
        if m and "$(" not in m.group(2):
            local[m.group(1)] = sub(words(m.group(2))[0]) if m.group(2) else ""
            continue
        if line.startswith("iniset "):
            w = [sub(x) for x in words(line)[1:]]
            if w[0] == "-sudo":
                w = w[1:]
            devstack_iniset(files, w[0], w[1], w[2], w[3])
        elif line.startswith("echo ") and "| sudo tee" in line:
            m = re.match(r'echo "(.*)" \| sudo tee (-a )?(\S+)$', line)
            text, append, target = sub(m.group(1).replace('\\"', '"')), m.group(2), sub(m.group(3))
            old = files.get(target, []) if append else []
            files[target] = old + [text]


def devstack_uwsgi(files: dict, writer: str, conf: str, wsgi: str, url: str, http: str, name: str) -> None:
    conds = {'[[ "$wsgi" =~ ^[a-zA-Z0-9_.]+:[a-zA-Z0-9_]+$ ]]': True, '[ -z "$name" ]': False,
             '[[ -n "$http" ]]': bool(http)}
    if writer == "write_uwsgi_config":
        local = dict(conf=conf, wsgi=wsgi, url=url, http=http, name=name)
    else:  # write_local_uwsgi_http_config CONF WSGI URL NAME
        local = dict(conf=conf, wsgi=wsgi, url=url, name=name)
    body = devstack_function(writer, "lib/apache")
    body = [("port=%s" % DEVSTACK_RANDOM_PORT) if l.strip() == "port=$(get_random_port)" else l for l in body]
    body = [('apache_conf=/etc/apache2/sites-available/%s.conf' % name)
            if l.strip() == "apache_conf=$(apache_site_config_for $name)" else l for l in body]
    devstack_run(body, local, conds, files)


def devstack_unit(files: dict, service: str, command: str) -> None:
    """functions-common _run_under_systemd -> write_uwsgi_user_unit_file devstack@SERVICE.service
    "$cmd --venv $DEVSTACK_VENV" "" "$STACK_USER" "" (GLOBAL_VENV=True, stackrc's default off CentOS/Rocky)."""
    local = dict(service="devstack@%s.service" % service, command=command + " --venv /opt/stack/data/venv",
                 group="", user="stack", env_vars="", unitfile="/etc/systemd/system/devstack@%s.service" % service)
    body = [l for l in devstack_function("write_uwsgi_user_unit_file", "functions-common")
            if not re.match(r"\s*local (service|command|group|user|env_vars|unitfile)=", l)]
    devstack_run(body, local, {'[[ -n "$env_vars" ]]': False, '[[ -n "$group" ]]': False}, files)


def devstack(t: Tree) -> None:
    """stack.sh defaults (stackrc ENABLED_SERVICES) for the uWSGI APIs: keystone, glance, nova-api,
    nova-metadata, placement, cinder, neutron-api; horizon disabled in local.conf (SOURCE.md)."""
    t.apache("proxy", "proxy_uwsgi", "proxy_http")  # install_apache_uwsgi; enable_apache_mod proxy/proxy_http
    files: dict = {}
    uwsgi = "/usr/bin/uwsgi"  # $(which uwsgi): Ubuntu/Debian's package (install_apache_uwsgi), not in the venv
    apis = [  # (lib file: writer call; run_process call), in stack.sh's order
        ("keystone", "write_uwsgi_config", "/etc/keystone/keystone-uwsgi-public.ini", "keystone.wsgi.api:application",
         "/identity", "", "keystone-api", "keystone", "keystone"),
        ("glance", "write_local_uwsgi_http_config", "/etc/glance/glance-uwsgi.ini", "glance.wsgi.api:application",
         "/image", "", "glance-api", "g-api", "glance-api"),
        ("cinder", "write_uwsgi_config", "/etc/cinder/cinder-api-uwsgi.ini", "cinder.wsgi.api:application",
         "/volume", "", "cinder-api", "c-api", "cinder-api"),
        ("neutron", "write_uwsgi_config", "/etc/neutron/neutron-api-uwsgi.ini", "neutron.wsgi.api:application",
         "/networking", "", "neutron-api", "neutron-api", "neutron-api"),
        ("nova", "write_uwsgi_config", "/etc/nova/nova-api-uwsgi.ini", "nova.wsgi.osapi_compute:application",
         "/compute", "", "nova-api", "n-api", "nova-api"),
        ("nova", "write_uwsgi_config", "/etc/nova/nova-metadata-uwsgi.ini", "nova.wsgi.metadata:application",
         "", "0.0.0.0:8775", "nova-metadata", "n-api-meta", "nova-api-meta"),
        ("placement", "write_uwsgi_config", "/etc/placement/placement-uwsgi.ini", "placement.wsgi.api:application",
         "/placement", "", "placement-api", "placement-api", "placement"),
    ]
    for lib, writer, conf, wsgi, url, http, name, service, prefix in apis:
        src = git_show(*DEVSTACK, "lib/" + lib)
        assert wsgi in src and ('"%s"' % name) in src, (lib, name)
        devstack_uwsgi(files, writer, conf, wsgi, url, http, name)
        assert ("--procname-prefix %s --ini" % prefix) in src, (lib, prefix)
        devstack_unit(files, service, "%s --procname-prefix %s --ini %s" % (uwsgi, prefix, conf))
        if not http:
            t.a2ensite(name)  # enable_apache_site (a2ensite; mod_version is built in on Debian/Ubuntu)
    for path, lines in files.items():
        t.write(path, "\n".join(lines) + "\n")


DEPLOYMENTS = {
    "charm-keystone": charm_keystone,
    "charm-openstack-dashboard": charm_dashboard,
    "helm-keystone": ohelm_keystone,
    "helm-glance": ohelm_glance,
    "helm-nova": ohelm_nova,
    "helm-horizon": ohelm_horizon,
    "searxng-nginx": searxng_nginx,
    "searxng-apache": searxng_apache,
    "weblate": weblate,
    "graphite-web": graphite,
    "netbox-apache": netbox_apache,
    "netbox-uwsgi": netbox_uwsgi,
    "debian-glance-api": lambda t: debian_openstack(t, "debian-glance-api"),
    "debian-placement-api": lambda t: debian_openstack(t, "debian-placement-api"),
    "debian-nova-api": lambda t: debian_openstack(t, "debian-nova-api"),
    "charm-placement": charm_placement,
    "charm-glance-https": charm_glance_https,
    "koji": koji,
    "healthchecks": healthchecks,
    "mailman-web": mailman_web,
    "healthchecks-repo": healthchecks_repo,
    "mailman-web-repo": mailman_web_repo,
    "kolla-keystone": kolla_keystone,
    "kolla-glance": kolla_glance,
    "kolla-nova": kolla_nova,
    "osa-keystone-glance": osa_keystone_glance,
    "devstack": devstack,
}


def debian_uwsgi_packaging(t: Tree) -> None:
    """A tree with /etc/uwsgi/apps-enabled is a host with Debian's uwsgi package: its files come along
    (/etc/default/uwsgi, /etc/init.d/uwsgi, /usr/share/uwsgi/{conf/default.ini,init/specific_daemon};
    copies of uwsgi 2.0.21-5.1's, see base/uwsgi-debian/SOURCES), as they are on such a host."""
    if not t.p("/etc/uwsgi/apps-enabled").is_dir():
        return
    shutil.copytree(BASE / "uwsgi-debian", t.root, symlinks=True, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("SOURCES"))


def main(argv: list[str]) -> int:
    names = argv or list(DEPLOYMENTS)
    for name in names:
        tree = Tree(name)
        DEPLOYMENTS[name](tree)
        debian_uwsgi_packaging(tree)
        print("rendered", name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
