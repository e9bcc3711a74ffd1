"""Parsers of launcher files: systemd units and drop-ins, shell-style defaults files, and a
uWSGI command line. Pure functions over text (no file access, no rules)."""

from __future__ import annotations

import re

_SPECIFIER = re.compile(r"%(.)")
# Signal numbers systemd accepts for KillSignal= (signal(7), x86/arm; the ones a stop uses).
_SIGNALS = {1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 6: "SIGABRT", 9: "SIGKILL", 10: "SIGUSR1", 12: "SIGUSR2",
            15: "SIGTERM", 28: "SIGWINCH"}
# uWSGI options that take no argument on the command line (`{"master", no_argument, ...}` in
# unbit/uwsgi core/uwsgi.c uwsgi_base_options[]; the ones launchers use, as measured by
# tests/test_differential_launch.py). Any other `--key` takes the next word as its value.
UWSGI_FLAGS = frozenset({
    "master", "die-on-term", "enable-threads", "lazy-apps", "lazy", "thunder-lock", "vacuum", "no-orphans",
    "need-app", "strict", "single-interpreter", "honour-stdin", "memory-report", "show-config",
    "auto-procname", "log-x-forwarded-for", "no-default-app", "close-on-exec", "close-on-exec2",
    "disable-logging", "catch-exceptions", "harakiri-verbose", "emperor-tyrant", "stats-http", "no-site",
    "die-on-idle", "log-master", "log-reopen", "skip-atexit", "reload-on-exception", "log-date",
})
_UWSGI_SHORT = {"s": "socket", "p": "processes", "M": "master", "T": "enable-threads", "w": "module",
                "H": "home", "b": "buffer-size", "t": "harakiri", "L": "disable-logging", "d": "daemonize",
                "z": "socket-timeout", "l": "listen", "A": "sharedarea", "Q": "spooler", "C": "chmod-socket",
                "i": "single-interpreter", "v": "max-vars", "R": "max-requests", "m": "memory-report"}
_SHORT_FLAGS = {"M", "T", "L", "i", "m"}
_CONFIG_OPTIONS = {"ini", "inherit", "include"}


class Unit:
    """A parsed unit file (with its drop-ins applied): section -> key -> [(value, path, line)]."""

    __slots__ = ("sections",)

    def __init__(self) -> None:
        self.sections: dict[str, dict[str, list[tuple[str, str, int]]]] = {}

    def add(self, text: str, path: str) -> None:
        """Apply one file (the unit, then each drop-in in order). An empty assignment resets
        list settings (ExecStart=, Environment=, RuntimeDirectory=), as systemd does."""
        for section, key, value, line in parse(text):
            entries = self.sections.setdefault(section, {}).setdefault(key, [])
            if value == "":
                entries.clear()
            else:
                entries.append((value, path, line))

    def get(self, section: str, key: str) -> tuple[str, str, int] | None:
        entries = self.sections.get(section, {}).get(key) or []
        return entries[-1] if entries else None

    def all(self, section: str, key: str) -> list[tuple[str, str, int]]:
        return list(self.sections.get(section, {}).get(key) or [])


def parse(text: str):
    """(section, key, value, line) per assignment of a systemd unit file (systemd.syntax(7):
    `#`/`;` comments, a trailing backslash continues the line)."""
    section = ""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        start = i + 1
        line = lines[i].rstrip("\r")
        i += 1
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip()
            continue
        while stripped.endswith("\\") and i < len(lines):
            nxt = lines[i].rstrip("\r")
            i += 1
            if nxt.strip()[:1] in ("#", ";"):
                continue
            stripped = stripped[:-1] + " " + nxt.strip()
        key, eq, value = stripped.partition("=")
        if not eq:
            continue
        yield section, key.strip(), value.strip(), start


def specifiers(value: str, unit_name: str) -> str:
    """Expand %i %I %n %N %p %P %% of a unit (systemd.unit(5) "Specifiers")."""
    if "%" not in value:
        return value
    name = unit_name
    stem = name.rsplit(".", 1)[0]
    prefix, at, instance = stem.partition("@")
    table = {"i": instance, "I": _unescape(instance), "n": name, "N": stem, "p": prefix, "P": _unescape(prefix),
             "%": "%"}
    return _SPECIFIER.sub(lambda m: table.get(m.group(1), m.group(0)), value)


def _unescape(s: str) -> str:
    s = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), s)
    return s.replace("-", "/")


def split_words(value: str) -> list[str] | None:
    """A command line or an Environment= value split as systemd does (quotes, backslashes);
    None when the quoting is broken."""
    import shlex  # only when a launcher is read

    try:
        return shlex.split(value, posix=True)
    except ValueError:
        return None


def signal_name(value: str) -> str | None:
    """KillSignal= value as a name ("SIGQUIT"): a name with or without SIG, or a number."""
    v = value.strip().upper()
    if v.isascii() and v.isdigit():  # not "9²"; wsgilint.numbers bounds the digits
        from wsgilint.numbers import parse_int

        return _SIGNALS.get(parse_int(v))
    if not v:
        return None
    return v if v.startswith("SIG") else "SIG" + v


def is_true(value: str) -> bool:
    return value.strip().lower() in ("1", "yes", "true", "on", "y", "t")


def shell_assignments(text: str) -> dict[str, tuple[str, int]]:
    """NAME=value lines of a sourced shell file (Debian's /etc/default/uwsgi, an EnvironmentFile=):
    the last assignment of each name, quotes removed; anything dynamic (`$(`, backticks) is kept
    as text, never run."""
    out: dict[str, tuple[str, int]] = {}
    for n, line in enumerate(text.split("\n"), 1):
        s = line.strip()
        if s.startswith("export "):
            s = s[7:].strip()
        m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)$", s)
        if not m:
            continue
        value = m.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        else:
            value = value.split(" #", 1)[0].strip()
        out[m.group(1)] = (value, n)
    return out


def uwsgi_env_options(env: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """The options uWSGI reads from its environment: each UWSGI_NAME=value is option `name`
    (lower case, `_` -> `-`; core/uwsgi.c uwsgi_commandline_config -> env parsing in
    unbit/uwsgi, measured by tests/test_differential_launch.py)."""
    out = []
    for key, value, line in env:
        if key.startswith("UWSGI_") and len(key) > 6 and key not in _UWSGI_INTERNAL_ENV:
            out.append((key[6:].lower().replace("_", "-"), value, line))
    return out


# Variables uWSGI sets for itself and does not read as options.
_UWSGI_INTERNAL_ENV = frozenset({"UWSGI_RELOADS", "UWSGI_ORIGINAL_PROC_NAME", "UWSGI_EMPEROR_FD",
                                  "UWSGI_EMPEROR_FD_CONFIG", "UWSGI_EMPEROR_PROXY", "UWSGI_VASSAL_CONFIG",
                                  "UWSGI_FORKED", "UWSGI_JAIL_PID", "UWSGI_SHARED_SOCKET"})


def is_uwsgi(argv0: str) -> bool:
    base = argv0.rsplit("/", 1)[-1]
    # Debian's uwsgi_python3, uwsgi_python311 (uwsgi-plugin-python3: uwsgi-core with the plugin of
    # its name loaded), as openstack-pkg-tools' init scripts run them.
    return base in ("uwsgi", "uwsgi-core") or re.fullmatch(r"uwsgi(?:-?\d[\w.]*|_[a-z]+\d*)?", base) is not None


def uwsgi_args(words: list[str]) -> list[tuple[str, str, str]]:
    """A uWSGI command line (without argv[0]) as (kind, key, value) in order: kind "ini" for a
    config file loaded where it stands (`--ini F`, `--ini=F`; a positional `F.ini` is loaded after the
    whole command line and sets no `ini` option: its key is "", as uwsgi_commandline_config in
    unbit/uwsgi core/uwsgi.c loads the words left after getopt with uwsgi_opt_load(NULL, ...),
    measured by tests/test_differential_launch.py test_container_fixtures), "opt" for
    an option (a flag's value is "true", as `--show-config` prints it), "inherit" for `--inherit F`
    (loaded after the whole command line)."""
    out = []
    positional = []
    i = 0
    while i < len(words):
        w = words[i]
        i += 1
        if w.startswith("--") and len(w) > 2:
            key, eq, value = w[2:].partition("=")
            if not eq:
                if key in UWSGI_FLAGS or i >= len(words) or words[i].startswith("-"):
                    value = "true"
                else:
                    value = words[i]
                    i += 1
        elif w.startswith("-") and len(w) > 1 and w != "-":
            short = w[1:2]
            key = _UWSGI_SHORT.get(short, short)
            if len(w) > 2:
                value = w[2:]
            elif short in _SHORT_FLAGS or i >= len(words) or words[i].startswith("-"):
                value = "true"
            else:
                value = words[i]
                i += 1
        else:
            if w.endswith(".ini"):
                positional.append(("ini", "", w))
            continue
        if key in _CONFIG_OPTIONS and value.endswith(".ini"):
            # --ini and --include load at once; --inherit (not UWSGI_OPT_IMMEDIATE in core/uwsgi.c)
            # after the whole command line (measured with --show-config).
            out.append(("inherit" if key == "inherit" else "ini", key, value))
        else:
            out.append(("opt", key, value))
    return out + positional


# tmpfiles.d(5) line types that create a directory at boot: d, D (directory), v, q, Q (a
# subvolume, "a normal directory is created" where the file system has none).
_TMPFILES_DIR_TYPES = frozenset("dDvqQ")


def tmpfiles_dirs(text: str) -> list[tuple[str, int]]:
    """(absolute path, line) of each directory a tmpfiles.d(5) file creates (``d``/``D``/``v``/``q``/``Q``
    lines, with or without the ``!``/``-``/``=``/``~``/``^``/``+`` modifiers). ``%t`` is /run (system
    instance) and ``%%`` is ``%``; a path with another specifier is left out (not known here)."""
    out = []
    for n, line in enumerate(text.split("\n"), 1):
        s = line.strip()
        if not s or s[0] == "#":
            continue
        words = split_words(s) or s.split()
        if len(words) < 2 or words[0][:1] not in _TMPFILES_DIR_TYPES or words[0][1:].strip("!-=~^+$?"):
            continue
        path = words[1].replace("%t", "/run").replace("%%", "\0")
        if "%" in path or not path.startswith("/"):
            continue
        out.append((path.replace("\0", "%").rstrip("/") or "/", n))
    return out


# systemd's $VAR / ${VAR} substitution in ExecStart= (systemd.service(5) "Command lines"): a word that
# is only $VAR becomes the value split on whitespace, ${VAR} is replaced inside a word.
_WORD_VAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\Z")
_BRACED = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_EXEC_CHARS = 1 << 20  # characters of an expanded command line kept (hostile units: $OPTIONS x 10k)


def expand_exec(words: list[str], env: dict[str, str]) -> list[str]:
    """systemd's variable substitution on ExecStart= words (systemd.service(5) "Command lines"),
    at most MAX_EXEC_CHARS characters in all (the rest of the line is dropped)."""
    out: list[str] = []
    size = 0
    for w in words:
        m = _WORD_VAR.match(w)
        if m is not None:
            value = env.get(m.group(1), "")
            if size + len(value) > MAX_EXEC_CHARS:
                break
            new = value.split()
        elif "${" in w:
            pieces = [env.get(v, "") for v in _BRACED.findall(w)]
            if size + len(w) + sum(map(len, pieces)) > MAX_EXEC_CHARS:
                break
            new = [_BRACED.sub(lambda mm: env.get(mm.group(1), ""), w)]
        else:
            new = [w]
        size += sum(map(len, new)) + len(new)
        if size > MAX_EXEC_CHARS:
            break
        out.extend(new)
    return out
