"""Records of the launch layer: who starts a uWSGI instance, and with what."""

from __future__ import annotations

from wsgilint.numbers import is_digits
from wsgilint.record import FACTORY, Record


class Arg(Record):
    """One command-line item of a uWSGI launch: ``--key value`` (kind "opt") or a config file
    loaded where it stands (kind "ini": ``--ini FILE`` or a positional ``FILE.ini``; ``main``
    marks the instance's own ini). ``line`` is the 1-based line of the launcher file that sets it
    (0: unknown)."""

    kind: str
    key: str
    value: str
    line: int
    main: bool

    def __init__(self, kind, key, value, line=0, main=False) -> None:
        self.kind = kind
        self.key = key
        self.value = value
        self.line = line
        self.main = main


class Launcher(Record):
    """How one uWSGI instance is started.

    ``path`` is the config path of the file that decides the command line (the unit, Debian's
    init script helper); ``text`` its text when read (spans of command-line options point into
    it). ``env`` are the ``UWSGI_*`` environment options (key, value, line) uWSGI reads before its
    command line; ``args`` the command line in order. ``stop_signal`` is the signal a stop sends
    ("SIGTERM", "SIGQUIT", ...; None: not known) and ``stop_source`` where that comes from.
    """

    kind: str  # "debian-init" | "systemd" | "emperor" | "openstack-init" | "container"
    name: str  # what to call it in a message
    path: str
    text: str
    env: list[tuple[str, str, int]]
    args: list[Arg]
    stop_signal: str | None
    stop_source: str
    user: str | None
    group: str | None
    runtime_directories: list[str]
    private_tmp: bool | None
    environment: dict[str, str]
    # Directories that exist before the instance starts, even after a reboot: (absolute path,
    # where that comes from): the unit's RuntimeDirectory=, Debian's init script, tmpfiles.d
    # entries and other units' RuntimeDirectory= in the tree (those two in ``boot_dirs``). Filled for
    # "systemd" and "debian-init" launchers only (unknown for the others).
    created_dirs: list[tuple[str, str]]
    # True when ``environment`` is the whole environment the launcher gives uWSGI besides what
    # the launcher itself always sets (systemd's $PATH, $LANG, $USER, ...): every EnvironmentFile=
    # read, no PassEnvironment=. False: unknown.
    environment_complete: bool
    joins: list[str]  # JoinsNamespaceOf= of a systemd unit: shares the /tmp of those units (PrivateTmp=)
    # The umask uWSGI starts with, as (octal text, where that comes from); None: not known here.
    # systemd: UMask=, else 0022 (systemd.exec(5), systemd 252: "Defaults to 0022 for system units").
    umask: tuple[str, str] | None
    # The tree's boot-time directories (tmpfiles.d entries, other units' RuntimeDirectory=): one list
    # shared by every launcher of the tree (not copied into each); None: too many to read (unknown).
    boot_dirs: list[tuple[str, str]] | None

    def __init__(self, kind, name, path, text="", env=FACTORY, args=FACTORY, stop_signal=None, stop_source="",
                 user=None, group=None, runtime_directories=FACTORY, private_tmp=None, environment=FACTORY,
                 created_dirs=FACTORY, environment_complete=False, joins=FACTORY, umask=None, boot_dirs=FACTORY) -> None:
        self.kind = kind
        self.name = name
        self.path = path
        self.text = text
        self.env = [] if env is FACTORY else env
        self.args = [] if args is FACTORY else args
        self.stop_signal = stop_signal
        self.stop_source = stop_source
        self.user = user
        self.group = group
        self.runtime_directories = [] if runtime_directories is FACTORY else runtime_directories
        self.private_tmp = private_tmp
        self.environment = {} if environment is FACTORY else environment
        self.created_dirs = [] if created_dirs is FACTORY else created_dirs
        self.environment_complete = environment_complete
        self.joins = [] if joins is FACTORY else joins
        self.umask = umask
        self.boot_dirs = [] if boot_dirs is FACTORY else boot_dirs

    @property
    def inherited(self) -> list[str]:
        """Config files the launcher loads besides the instance's own ini (Debian's default.ini,
        the Emperor's vassals-include/-inherit files)."""
        return [a.value for a in self.args if a.kind in ("ini", "inherit") and not a.main]


class NotStarted(Record):
    """A uWSGI ini that its service's own launcher does not start, and that no other launcher in
    the tree starts: not an instance. ``reason`` says why (names the launcher file), ``launcher_path``
    and ``line`` point at the evidence (the commented ``UWSGI_INI_PATH=`` line, ...; 0: the file)."""

    ini: str  # config path of the ini
    reason: str
    launcher_path: str  # config path of the launcher file that shows it
    launcher_text: str
    line: int

    _not_shown = ('launcher_text',)

    def __init__(self, ini, reason, launcher_path, launcher_text="", line=0) -> None:
        self.ini = ini
        self.reason = reason
        self.launcher_path = launcher_path
        self.launcher_text = launcher_text
        self.line = line


class WebUnit(Record):
    """The systemd unit of a web server in the tree (apache2.service, apache2@NAME.service,
    httpd.service, nginx.service) with its drop-ins applied.

    ``path`` is the display path of the unit file. ``server`` is "apache" or "nginx";
    ``config_dir`` the configuration directory that unit's server reads (/etc/apache2,
    /etc/apache2-NAME, /etc/httpd, /etc/nginx). ``private_tmp`` is PrivateTmp= (None: not set, systemd's default false) and ``private_tmp_at`` where it is set
    (display path, line). ``masked``: the unit file is empty or a link to /dev/null (systemd.unit(5):
    such a unit is never started); ``joins`` its JoinsNamespaceOf= units.

    ``program`` is the basename of the program ExecStart= runs (None: no ExecStart=); ``argv`` its
    other words with the unit's variables substituted as systemd does, ``argv_at`` where ExecStart=
    is (display path, line); ``environment`` the unit's Environment=/EnvironmentFile= variables and
    ``environment_complete`` False when an EnvironmentFile= is not in the tree (what it sets is
    unknown). wsgilint.launch.httpd turns them into the ``-D`` defines httpd starts with."""

    server: str
    name: str
    path: str
    config_dir: str
    private_tmp: bool | None
    private_tmp_at: tuple[str, int] | None
    user: str | None
    masked: bool
    joins: list[str]
    program: str | None
    argv: list[str]
    argv_at: tuple[str, int] | None
    environment: dict[str, str]
    environment_complete: bool

    def __init__(self, server, name, path, config_dir, private_tmp=None, private_tmp_at=None, user=None,
                 masked=False, joins=FACTORY, program=None, argv=FACTORY, argv_at=None, environment=FACTORY,
                 environment_complete=True) -> None:
        self.server = server
        self.name = name
        self.path = path
        self.config_dir = config_dir
        self.private_tmp = private_tmp
        self.private_tmp_at = private_tmp_at
        self.user = user
        self.masked = masked
        self.joins = [] if joins is FACTORY else joins
        self.program = program
        self.argv = [] if argv is FACTORY else argv
        self.argv_at = argv_at
        self.environment = {} if environment is FACTORY else environment
        self.environment_complete = environment_complete


class Accounts(Record):
    """The tree's /etc/passwd and /etc/group (read for a whole root only): who is in which group.

    ``users``: name -> (uid, primary gid); ``groups``: name -> (gid, members listed in /etc/group);
    ``has_groups``: /etc/group was read (membership known as far as files go)."""

    users: dict[str, tuple[str, str]]
    groups: dict[str, tuple[str, list[str]]]
    has_groups: bool
    where: str  # display path of /etc/group (or /etc/passwd), for messages

    def __init__(self, users=FACTORY, groups=FACTORY, has_groups=False, where="") -> None:
        self.users = {} if users is FACTORY else users
        self.groups = {} if groups is FACTORY else groups
        self.has_groups = has_groups
        self.where = where

    def user_name(self, user: str) -> str:
        """A numeric uid as its name when /etc/passwd has it."""
        if is_digits(user):
            for name, (uid, _gid) in self.users.items():
                if uid == user:
                    return name
        return user

    def group_name(self, group: str) -> str:
        if is_digits(group):
            for name, (gid, _m) in self.groups.items():
                if gid == group:
                    return name
        return group

    def primary_group(self, user: str) -> str | None:
        u = self.users.get(self.user_name(user))
        return self.group_name(u[1]) if u is not None else None

    def groups_of(self, user: str) -> set[str] | None:
        """Groups /etc/group lists ``user`` in (initgroups(3) adds these); None without /etc/group."""
        if not self.has_groups:
            return None
        name = self.user_name(user)
        return {g for g, (_gid, members) in self.groups.items() if name in members}
