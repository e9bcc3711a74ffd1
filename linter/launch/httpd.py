"""What httpd's own launcher gives it on its command line: ``-D`` defines, ``-d`` ServerRoot and
``-f`` config file (issue 14 item 1). Pure functions over words (no file access, no rules);
imported only for a tree that has an Apache unit, a kolla Apache container or a Debian envvars
that sets APACHE_ARGUMENTS.

Sources:
- httpd's options: ``AP_SERVER_BASEARGS "C:c:D:d:E:e:f:vVlLtTSMh?X"`` (apache/httpd@0cb68044:
  include/http_main.h:36) read with apr_getopt in server/main.c:586-690 (same commit): ``-D NAME``
  adds NAME to ap_server_config_defines (what ``<IfDefine>`` tests), ``-X`` adds DEBUG, ``-S`` adds
  DUMP_VHOSTS and DUMP_RUN_CFG, ``-M`` DUMP_MODULES, ``-d`` sets the ServerRoot, ``-f`` the config
  file; Unix MPMs also take ``-k ACTION`` (server/mpm_unix.c:888, ``"k:" AP_SERVER_BASEARGS``).
  Measured: tests/test_launch_defines.py runs apache2 with the launcher's words.
- The compiled-in defaults: Debian's apache2 2.4.71-1~deb12u1 ``apache2 -V``: HTTPD_ROOT="/etc/apache2",
  SERVER_CONFIG_FILE="apache2.conf" (measured on this machine); Red Hat's httpd ``httpd -V``:
  HTTPD_ROOT="/etc/httpd", SERVER_CONFIG_FILE="conf/httpd.conf" (DISA Apache 2.4 UNIX STIG check
  text, V-214296).
- Debian's apache2ctl (apache2 2.4.71-1~deb12u1, /usr/sbin/apache2ctl; apachectl is a link to it):
  line 66-69 sources ``$APACHE_CONFDIR/envvars``, line 72-73 prepends ``-d $APACHE_CONFDIR`` when
  APACHE_CONFDIR is not /etc/apache2, line 175 runs ``$HTTPD ${APACHE_ARGUMENTS} -k "$ARGV"``
  (unquoted: split at whitespace). apache2.service / apache2@.service run ``apachectl start``.
- systemd.service(5) "Command lines": ``$FOO`` as a word of its own is the variable's value split at
  whitespace (zero or more words); ``${FOO}`` is replaced by the value as it is (one word).
  systemd.exec(5) EnvironmentFile=: "Settings from these files override settings made with
  Environment=".
"""

from __future__ import annotations

import posixpath

# httpd's options that take an argument (AP_SERVER_BASEARGS + the Unix MPMs' "k:").
_WITH_ARG = frozenset("CcDdEefk")
_FLAGS = frozenset("vVlLtTSMh?X")
_IMPLIED = {"X": ("DEBUG",), "S": ("DUMP_VHOSTS", "DUMP_RUN_CFG"), "M": ("DUMP_MODULES",)}
# program basename -> (compiled-in ServerRoot, config file relative to it)
DEFAULTS = {"apache2": ("/etc/apache2", "apache2.conf"), "httpd": ("/etc/httpd", "conf/httpd.conf")}
APACHECTL = ("apachectl", "apache2ctl")


class HttpdStart:
    """What one httpd command line sets: ``defines`` (name -> "" in order), ``server_root``
    (``-d``, None: the compiled-in one), ``config`` (``-f``, None: the compiled-in one) and
    ``problem`` (a word httpd refuses: it does not start; None: fine)."""

    __slots__ = ("defines", "server_root", "config", "problem")

    def __init__(self) -> None:
        self.defines: dict[str, str] = {}
        self.server_root: str | None = None
        self.config: str | None = None
        self.problem: str | None = None

    def root_config(self, program: str) -> str | None:
        """The config file this command line makes httpd read (None: program unknown)."""
        base = DEFAULTS.get(program.rsplit("/", 1)[-1])
        if base is None:
            return None
        root = posixpath.normpath(self.server_root) if self.server_root else base[0]
        conf = self.config or base[1]
        return posixpath.normpath(conf if conf.startswith("/") else posixpath.join(root, conf))




def parse_args(words: list[str]) -> HttpdStart:
    """httpd's command line (without argv[0]) as apr_getopt reads it: clustered flags (``-tS``),
    an option's argument attached (``-DNAME``) or the next word (``-D NAME``); the first word that
    is not an option ends the options (httpd then refuses to start: ``problem``)."""
    st = HttpdStart()
    i = 0
    while i < len(words):
        w = words[i]
        i += 1
        if w == "--":
            break
        if not w.startswith("-") or w == "-":
            st.problem = f"{w!r} is not an httpd option"
            break
        j = 1
        while j < len(w):
            c = w[j]
            j += 1
            if c in _WITH_ARG:
                if j < len(w):
                    arg = w[j:]
                elif i < len(words):
                    arg = words[i]
                    i += 1
                else:
                    st.problem = f"-{c} without its argument"
                    return st
                if c == "D":
                    st.defines[arg] = ""
                elif c == "d":
                    st.server_root = arg
                elif c == "f":
                    st.config = arg
                break
            if c in _FLAGS:
                for name in _IMPLIED.get(c, ()):
                    st.defines[name] = ""
                continue
            st.problem = f"-{c} is not an httpd option"
            return st
    return st


def apachectl_words(confdir: str, arguments: str | None) -> list[str]:
    """The words Debian's apache2ctl gives apache2 for ``start`` (see the module's sources)."""
    words = (arguments or "").split()
    if confdir != "/etc/apache2":
        words = ["-d", confdir, *words]
    return [*words, "-k", "start"]


def launcher_defines(root: str, units, envvars: dict[str, str]) -> tuple[dict[str, str], str, str] | None:
    """The ``-D`` defines httpd starts with when it reads ``root`` (a config path), a sentence
    saying where they come from and the ServerRoot it starts with (``-d`` or the compiled-in one,
    until a ServerRoot directive changes it); None when no launcher of ``root`` is known.

    ``units``: the tree's web server units (wsgilint.launch.types.WebUnit); the ones not masked
    whose command line makes httpd read ``root`` count (a unit running Debian's apachectl reads its
    APACHE_CONFDIR's envvars, ``envvars`` when that is ``root``'s directory). Several launchers of one
    root: the defines they all give. No unit, a Debian root whose envvars sets APACHE_ARGUMENTS:
    apache2ctl's words (apache2ctl sources envvars, as wsgilint.pipeline._envvars assumes)."""
    found: list[tuple[dict[str, str], str, str]] = []
    for u in units:
        if u.server != "apache" or u.masked or u.program is None:
            continue
        if u.program in APACHECTL:
            if not u.config_dir.startswith("/etc/apache2") or posixpath.dirname(root) != u.config_dir:
                continue  # Red Hat's apachectl, or another instance's envvars: not modelled
            args = envvars.get("APACHE_ARGUMENTS", u.environment.get("APACHE_ARGUMENTS"))
            st = parse_args(apachectl_words(u.config_dir, args))
            program = "apache2"
            how = f"{u.name} runs apachectl ({u.argv_at[0]}:{u.argv_at[1]})" + (
                " with APACHE_ARGUMENTS" if args else "")
        elif u.program in DEFAULTS:
            st = parse_args(u.argv)
            program = u.program
            how = f"ExecStart= of {u.name} ({u.argv_at[0]}:{u.argv_at[1]})"
            if not u.environment_complete:
                how += "; an EnvironmentFile= it names is not in the tree, its variables are unknown"
        else:
            continue
        if st.problem is None and st.root_config(program) == root:
            found.append((st.defines, how, posixpath.normpath(st.server_root or DEFAULTS[program][0])))
    if not found and "APACHE_ARGUMENTS" in envvars and posixpath.basename(root) == "apache2.conf":
        st = parse_args(apachectl_words(posixpath.dirname(root), envvars["APACHE_ARGUMENTS"]))
        if st.problem is None:
            found.append((st.defines, "APACHE_ARGUMENTS of envvars (apache2ctl passes it to apache2)",
                          posixpath.normpath(st.server_root or posixpath.dirname(root))))
    if not found:
        return None
    defines = dict(found[0][0])
    for other, _how, _sr in found[1:]:
        defines = {k: v for k, v in defines.items() if k in other}
    return defines, "; ".join(how for _d, how, _sr in found), found[0][2]


def command_defines(words: list[str]) -> dict[str, str] | None:
    """The defines of a container's command (``apache2 -DFOREGROUND``, kolla's config.json): None
    when it does not run httpd itself or httpd refuses the words."""
    if not words or words[0].rsplit("/", 1)[-1] not in DEFAULTS:
        return None
    st = parse_args(words[1:])
    return None if st.problem is not None else st.defines
