"""The versions a check judges against, and where each one came from.

A version is never assumed. Each component (httpd, mod_wsgi, uWSGI, nginx, the
OpenStack release, each OpenStack service) has a version only when one of these
says so, in this order of precedence:

1. the command line (``--uwsgi-version 2.0.21``),
2. the configuration file (``uwsgi-version = "2.0.21"`` in ``.wsgilint.toml``),
3. the checked tree itself (wsgilint.versions: the dpkg status file, the RPM
   database, Python package metadata),

and is unknown otherwise. Rules whose truth depends on a version read it here:
with a version they say which one and where it came from; without one they say
what happens in which versions, at warning at most (docs: README "Versions").
"""

from __future__ import annotations

from wsgilint.record import FACTORY, FrozenRecord, Record, set_field

# How each component is named in messages.
LABELS = {"httpd": "httpd", "mod_wsgi": "mod_wsgi", "uwsgi": "uWSGI", "uwsgi-python": "uWSGI python plugin",
          "nginx": "nginx", "openstack": "OpenStack"}
# The command-line option (and config key, without the dashes) that gives each component.
OPTIONS = {"httpd": "--httpd-version", "uwsgi": "--uwsgi-version", "nginx": "--nginx-version",
           "openstack": "--openstack-release"}

COMMAND_LINE = "command line"
CONFIG = "config"
DETECTED = "detected"


class Target(FrozenRecord):
    """One known version: its value and where it came from."""

    component: str
    value: str
    origin: str  # COMMAND_LINE, CONFIG or DETECTED
    source: str  # the option, the config file, or the file (and package) it was read from

    def __init__(self, component, value, origin, source) -> None:
        set_field(self, 'component', component)
        set_field(self, 'value', value)
        set_field(self, 'origin', origin)
        set_field(self, 'source', source)

    @property
    def where(self) -> str:
        """Where the value came from, for a message: ``--uwsgi-version``, ``detected: ...``."""
        if self.origin == DETECTED:
            return f"detected: {self.source}"
        return self.source

    def describe(self) -> str:
        """``uWSGI 2.0.21 (detected: /var/lib/dpkg/status, uwsgi-core 2.0.21-5.1)``."""
        return f"{label(self.component)} {self.value} ({self.where})"


def label(component: str) -> str:
    return LABELS.get(component, component)


class Targets(Record):
    """Every version known for one check (component -> Target)."""

    entries: dict[str, Target]

    def __init__(self, entries=FACTORY) -> None:
        self.entries = {} if entries is FACTORY else entries

    @classmethod
    def given(cls, **versions: str | None) -> "Targets":
        """Versions given as on the command line (library callers and tests): ``given(uwsgi="2.0.21")``."""
        return cls({comp: Target(comp, value, COMMAND_LINE, OPTIONS[comp])
                    for comp, value in versions.items() if value is not None})

    def get(self, component: str) -> Target | None:
        return self.entries.get(component)

    def value(self, component: str) -> str | None:
        t = self.entries.get(component)
        return t.value if t is not None else None

    def version(self, component: str) -> tuple[int, ...] | None:
        """The component's version as numbers, or None when unknown (or not a version)."""
        from wsgilint.knowledge import parse_version

        t = self.entries.get(component)
        if t is None:
            return None
        try:
            return parse_version(t.value)
        except ValueError:
            return None

    @property
    def httpd(self) -> str | None:
        return self.value("httpd")

    @property
    def uwsgi(self) -> str | None:
        return self.value("uwsgi")

    @property
    def nginx(self) -> str | None:
        return self.value("nginx")

    @property
    def openstack(self) -> str | None:
        return self.value("openstack")

    def source(self, component: str) -> str:
        """Where the component's version came from ("" when unknown)."""
        t = self.entries.get(component)
        return t.where if t is not None else ""

    def describe(self, component: str) -> str:
        """``uWSGI 2.0.21 (--uwsgi-version)`` or ``uWSGI version unknown (give --uwsgi-version)``."""
        t = self.entries.get(component)
        if t is not None:
            return t.describe()
        option = OPTIONS.get(component, "--openstack-release")
        return f"{label(component)} version unknown (give {option})"

    def service_version(self, service: str) -> tuple[tuple[int, ...], str] | None:
        """An OpenStack service's version and what it rests on: the service's own version when
        the tree shows it, else the major version of the given OpenStack release; None when
        neither is known."""
        from wsgilint import knowledge

        own = self.version(service)
        if own is not None:
            return own, self.entries[service].describe()
        release = self.entries.get("openstack")
        if release is None:
            return None
        major = knowledge.service_major(service, release.value)
        if major is None:
            return None
        return (major,), f"{service} {major}.x in OpenStack {release.value} ({release.where})"

    def merged(self, more: dict[str, Target]) -> "Targets":
        """These targets, with ``more`` filling the components they do not know (lower precedence)."""
        out = Targets(dict(more))
        out.entries.update(self.entries)
        return out

    def as_json(self) -> list[dict[str, str]]:
        return [{"component": t.component, "version": t.value, "origin": t.origin, "source": t.source}
                for t in sorted(self.entries.values(), key=lambda t: t.component)]
