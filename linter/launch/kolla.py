"""kolla-ansible containers (issue 14): each container's files at their destinations.

kolla-ansible writes, per container, ``/etc/kolla/<container>/config.json`` and the files it
names; the directory is mounted read-only at ``/var/lib/kolla/config_files/`` in the container
(openstack/kolla-ansible@a7fc0cd67921c871c732ac24b3282d8b8ea32235:ansible/group_vars/all.yml
``container_config_directory``, ``node_config_directory``; ansible/roles/keystone/defaults/main.yml
``keystone_default_volumes``). At start, kolla's ``kolla_set_configs``
(openstack/kolla@5d77668da8167435e4ac860392994f19ec733a46:kolla/docker/base/set_configs.py) reads
config.json: ``command`` (required: InvalidConfig without it) is written to /run_command and run;
each ``config_files`` entry needs ``source`` and ``dest`` (and ``owner``+``perm`` unless
``preserve_properties``); ``ConfigFile.copy`` expands ``source`` with glob.glob, a missing source
is MissingRequiredSource (the container stops) unless ``optional``; a ``dest`` ending in ``/``
receives ``dest + basename(source)``; a directory source is copied recursively
(``_merge_directories``); without ``merge`` the dest is deleted first. Invalid JSON is
InvalidConfig ("Invalid json file found at ..."). ``permissions`` only change owners/modes.

``parse`` is pure (text in, records out); ``ContainerView`` is the container's file system for
the checks: each dest holds its source's text, read through the host FileSystem (so every
finding names the host file, /etc/kolla/<container>/...). Files the container image brings
(its own /etc/apache2/apache2.conf, ...) are not in the view: reading one is "outside the
checked paths" (wsgilint.inputs.OutsideError), never a missing file.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re

from wsgilint.fsroot import FileSystem, ReadError
from wsgilint.launch import unit as unit_mod
from wsgilint.launch.types import Arg, Launcher
from wsgilint.record import FACTORY, Record

CONFIG_DIR = "/var/lib/kolla/config_files"  # container_config_directory (kolla-ansible group_vars/all.yml)
CONFIG_NAME = "config.json"
MAX_ENTRIES = 2000


class Entry(Record):
    """One ``config_files`` item: ``offset`` is where it starts in config.json (its ``dest``)."""

    source: str
    dest: str
    optional: bool
    merge: bool
    offset: int

    def __init__(self, source, dest, optional=False, merge=False, offset=0) -> None:
        self.source = source
        self.dest = dest
        self.optional = optional
        self.merge = merge
        self.offset = offset


class ContainerConfig(Record):
    """A parsed config.json. ``problem`` (with ``line``): why kolla_set_configs refuses it."""

    command: str
    command_offset: int
    entries: list[Entry]
    problem: str | None
    line: int

    def __init__(self, command="", command_offset=0, entries=FACTORY, problem=None, line=0) -> None:
        self.command = command
        self.command_offset = command_offset
        self.entries = [] if entries is FACTORY else entries
        self.problem = problem
        self.line = line


def looks_like(head: bytes) -> bool:
    """A kolla config.json (its first bytes): a JSON object with a ``command`` key."""
    return head.lstrip()[:1] == b"{" and b'"command"' in head


def parse(text: str) -> ContainerConfig:
    """config.json as kolla_set_configs reads it (json.load, then validate_config)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", 0)
        msg = getattr(exc, "msg", str(exc))
        col = getattr(exc, "colno", 0)
        return ContainerConfig(problem=f"invalid JSON: {msg} (line {line}, column {col})", line=line)
    except RecursionError:
        return ContainerConfig(problem="invalid JSON: nested too deeply", line=1)
    if not isinstance(data, dict):
        return ContainerConfig(problem="not a JSON object", line=1)
    if not isinstance(data.get("command"), str):
        return ContainerConfig(problem='no "command" (kolla_set_configs: Config is missing required "command" key)',
                               line=1)
    cfg = ContainerConfig(command=data["command"], command_offset=max(text.find('"command"'), 0))
    items = data.get("config_files") or []
    if not isinstance(items, list):
        cfg.problem, cfg.line = '"config_files" is not a list', _line(text, text.find('"config_files"'))
        return cfg
    pos = max(text.find('"config_files"'), 0)
    for item in items[:MAX_ENTRIES]:
        if not isinstance(item, dict) or not isinstance(item.get("source"), str) or \
                not isinstance(item.get("dest"), str):
            cfg.problem = "a config_files entry without source and dest (kolla_set_configs: InvalidConfig)"
            cfg.line = _line(text, pos)
            return cfg
        at = _find_value(text, "dest", item["dest"], pos)
        if at >= 0:
            pos = at
        cfg.entries.append(Entry(item["source"], item["dest"], item.get("optional") is True,
                                 item.get("merge") is True, at if at >= 0 else pos))
    return cfg


def _find_value(text: str, key: str, value: str, start: int) -> int:
    m = re.compile(r'"%s"\s*:\s*%s' % (re.escape(key), re.escape(json.dumps(value)))).search(text, start)
    return m.start() if m else -1


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, max(offset, 0)) + 1


# -- the container's file system --------------------------------------------------------------
def copies(host: FileSystem, container_dir: str, cfg: ContainerConfig) -> tuple[dict[str, tuple[str, Entry]], list]:
    """dest -> (host config path of its source, entry) as kolla_set_configs lays them out, and
    (entry, why) for entries that give no file (missing, optional or not; outside the mount)."""
    files: dict[str, tuple[str, Entry]] = {}
    notes = []
    prefix = CONFIG_DIR + "/"
    for e in cfg.entries:
        src = posixpath.normpath(e.source)
        if not src.startswith(prefix):
            notes.append((e, f"source {e.source} is not under {CONFIG_DIR} "
                             f"(the mount of {host.display(container_dir)}): not read"))
            continue
        host_src = posixpath.join(container_dir, src[len(prefix):])
        try:
            found = host.glob(host_src) if any(c in src for c in "*?[") else (
                [host_src] if host.exists(host_src) else [])
        except ReadError as exc:
            notes.append((e, str(exc)))
            continue
        if not found:
            if not e.optional:
                notes.append((e, f"source {e.source} ({host.display(host_src)}) does not exist and is not optional: "
                                 f"kolla_set_configs stops the container (MissingRequiredSource)"))
            continue
        for s in sorted(found):
            dest = e.dest
            if dest.endswith("/"):
                dest = posixpath.join(dest, posixpath.basename(s))
            dest = posixpath.normpath(dest)
            if host.is_dir(s):
                _tree(host, s, dest, e, files)
            else:
                files[dest] = (s, e)
    return files, notes


def _tree(host: FileSystem, src: str, dest: str, e: Entry, files: dict, depth: int = 0) -> None:
    if depth > 16 or len(files) > MAX_ENTRIES:
        return
    for name, kind in host.scan(src):
        s, d = posixpath.join(src, name), posixpath.join(dest, name)
        if kind in ("dir", "link-dir"):
            _tree(host, s, d, e, files, depth + 1)
        elif kind in ("file", "link-file"):
            files[d] = (s, e)


class ContainerView(FileSystem):
    """What one container sees of its configuration: each dest holds its source (read through
    the host FileSystem ``host``). Only the queries the readers use are answered."""

    def __init__(self, host: FileSystem, name: str, files: dict[str, str]) -> None:  # noqa: D107
        # Not FileSystem.__init__: no root, no descriptors; every read goes through ``host``.
        self.host = host
        self.name = name
        self.files = files  # dest -> host config path
        self.root = host.root
        self.cwd = host.cwd
        self.limits = host.limits
        self.max_file_bytes = host.max_file_bytes
        self.on_read = None
        self._fds = {}
        from wsgilint.limits import budget_of

        self.budget = budget_of(host)  # one budget per check
        self.hosts = set(files.values())
        self.dirs = {"/"}
        for dest in files:
            d = posixpath.dirname(dest)
            while d not in self.dirs:
                self.dirs.add(d)
                d = posixpath.dirname(d)

    @property
    def loads(self) -> int:
        return self.host.loads

    def close(self) -> None:
        pass

    def _norm(self, p: str) -> str:
        p = posixpath.normpath(p)
        return "/" + p.lstrip("/") if p.startswith("//") else p

    def host_path(self, config_path: str) -> str:
        hp = self.files.get(self._norm(config_path))
        return self.host.host_path(hp) if hp else config_path

    def display(self, config_path: str) -> str:
        hp = self.files.get(self._norm(config_path))
        if hp is None and config_path in self.hosts:  # a host path (a launcher's file): shown as it is
            hp = config_path
        return self.host.display(hp) if hp else f"{config_path} (kolla container {self.name})"

    def resolve(self, config_path: str) -> str:
        p = self._norm(config_path)
        hp = self.files.get(p)
        return self.host.resolve(hp) if hp else f"kolla:{self.name}:{p}"

    def _kind(self, config_path: str) -> str | None:
        p = self._norm(config_path)
        if p in self.files:
            return "file" if self.host.is_file(self.files[p]) else None
        return "dir" if p in self.dirs else None

    def _inside(self, p: str) -> bool:
        p = self._norm(p)
        return p in self.files or p in self.dirs

    def exists(self, config_path: str) -> bool:
        return True if not self._inside(config_path) else self._kind(config_path) is not None

    def is_file(self, config_path: str) -> bool:
        # Not in config.json: the image's file (unknown here), not a missing one.
        return True if not self._inside(config_path) else self._kind(config_path) == "file"

    def is_dir(self, config_path: str) -> bool:
        return self._kind(config_path) == "dir"

    def is_symlink(self, config_path: str) -> bool:
        return False

    def scan(self, config_path: str) -> list[tuple[str, str]]:
        d = self._norm(config_path)
        prefix = d.rstrip("/") + "/"
        out = {}
        for p in list(self.files) + list(self.dirs):
            if p.startswith(prefix) and p != d:
                name = p[len(prefix):].split("/", 1)[0]
                out[name] = "dir" if (prefix + name) in self.dirs else "file"
        return sorted(out.items(), key=lambda nk: nk[0].encode("utf-8", "surrogateescape"))

    def listdir(self, config_path: str) -> list[str]:
        return [n for n, _ in self.scan(config_path)]

    def glob(self, pattern: str) -> list[str]:
        parts = [p for p in pattern.split("/") if p]
        out = []
        for p in sorted(set(self.files) | self.dirs):
            comps = [c for c in p.split("/") if c]
            if len(comps) != len(parts):
                continue
            if all(fnmatch.fnmatchcase(c, pat) and not (c.startswith(".") and not pat.startswith("."))
                   for c, pat in zip(comps, parts)):
                out.append(p)
        return out

    def _refused(self, config_path: str) -> ReadError:
        from wsgilint.inputs import OutsideError

        return OutsideError(f"{config_path} is not among the files kolla container {self.name}'s config.json "
                            f"copies (it comes from the container image): not read")

    def read_bytes(self, config_path: str) -> bytes:
        hp = self.files.get(self._norm(config_path))
        if hp is None:
            raise self._refused(config_path)
        return self.host.read_bytes(hp)

    def read_text(self, config_path: str) -> tuple[str, str | None, bool]:
        hp = self.files.get(self._norm(config_path))
        if hp is None:
            raise self._refused(config_path)
        return self.host.read_text(hp)

    def charge_load(self, config_path: str) -> None:
        self.host.charge_load(self.files.get(self._norm(config_path), config_path))


# -- the container's command ---------------------------------------------------------------
GLOBALS_NAME = "globals.yml"  # kolla-ansible's operator settings, beside the container directories
_RELEASE_LINE = re.compile(r"""openstack_release:[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#'"]+))[ \t]*(?:#.*)?""")


def release_setting(text: str) -> tuple[str, int] | None:
    """The ``openstack_release`` an operator set in /etc/kolla/globals.yml: (value, 1-based line),
    or None. kolla-ansible ships the key commented out (``#openstack_release: "master"``,
    openstack/kolla-ansible@a7fc0cd67921c871c732ac24b3282d8b8ea32235:etc/kolla/globals.yml line 49),
    and then the installed kolla-ansible's own default applies (ansible/group_vars/all.yml line 795:
    ``openstack_release: "2025.1"`` on stable/2025.1), which is not under /etc/kolla: unknown here.
    Only a top-level, uncommented key counts (the last one wins, as in YAML loaders that accept
    duplicates)."""
    found = None
    for n, line in enumerate(text.split("\n"), 1):
        m = _RELEASE_LINE.fullmatch(line.rstrip("\r"))
        if m is not None:
            value = next(g for g in m.groups() if g is not None).strip()
            found = (value, n) if value else None
    return found


def command_words(command: str) -> list[str]:
    return unit_mod.split_words(command) or []


def script_exec(text: str) -> tuple[list[str], int] | None:
    """The last ``exec PROGRAM ARGS`` line of a start-up script (keystone-startup.sh ends with
    ``exec /usr/sbin/apache2 $@``): (words, 1-based line); ``$@``/``$*`` dropped."""
    found = None
    for n, line in enumerate(text.split("\n"), 1):
        s = line.strip()
        if s.startswith("exec "):
            words = unit_mod.split_words(s[5:]) or []
            words = [w for w in words if w not in ("$@", "$*", '"$@"')]
            if words:
                found = (words, n)
    return found


def server_of(words: list[str]) -> str | None:
    """"apache" (apache2, httpd), "uwsgi" or None from a command's words."""
    if not words:
        return None
    base = words[0].rsplit("/", 1)[-1]
    if base in ("apache2", "httpd", "apache2ctl", "apachectl"):
        return "apache"
    if unit_mod.is_uwsgi(words[0]):
        return "uwsgi"
    return None


def uwsgi_launcher(name: str, words: list[str], path: str, text: str, line: int, where: str) -> Launcher:
    """The Launcher of a uWSGI instance a container's command starts (kind "kolla")."""
    args = [Arg(kind, key, value, line) for kind, key, value in unit_mod.uwsgi_args(words[1:])]
    inis = [a for a in args if a.kind == "ini"]
    if inis:
        inis[-1].main = True
    return Launcher("kolla", f"kolla container {name} ({where})", path, text, args=args)
