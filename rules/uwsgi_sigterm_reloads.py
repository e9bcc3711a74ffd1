"""uWSGI 2.0 reloads on SIGTERM: without `die-on-term`, stopping the service does not stop it.

## What it does
For uWSGI older than 2.1 (every released version: the version given with
`--uwsgi-version` or read from the tree is named in the message), finds instances with `master = true` and neither `die-on-term = true` nor a
`hook-master-start = unix_signal:15 ...` that handles SIGTERM.

The stop signal is the launcher's when wsgilint read it (see the launch layer, `wsgilint.launch`):
an instance that Debian's uwsgi init script starts (it stops with `start-stop-daemon
--retry=QUIT/30/KILL/5`), or a systemd unit with `KillSignal=SIGQUIT` (or SIGINT), is never sent
SIGTERM and is not reported; a unit without `KillSignal=` sends SIGTERM, and the finding names it.
`die-on-term` given on the unit's command line counts.
A container image (a Dockerfile or Containerfile in the checked tree whose CMD/ENTRYPOINT runs
uwsgi with an ini of the build context) stops with its `STOPSIGNAL`, else Docker's default
SIGTERM: `STOPSIGNAL SIGQUIT`, or `--die-on-term` in its CMD, keeps it quiet; otherwise the
finding names the Dockerfile.

## Why is this bad?
systemd, Docker and most init scripts stop a service with SIGTERM. uWSGI 2.0's
master treats SIGTERM as "brutal reload": it logs `binary reloading uWSGI...`
and comes back, so `systemctl stop` waits for its timeout and then SIGKILLs
(requests in flight are lost), and a container stop hangs. Measured on uWSGI
2.0.21: without `die-on-term` the master was still running 3 s after SIGTERM;
with it, the instance logged `goodbye to uWSGI.` and exited. uWSGI 2.1 makes
SIGTERM stop the instance.

## Example
```ini
[uwsgi]
master = true
module = glance.wsgi.api:application
```

## Use instead
```ini
[uwsgi]
master = true
die-on-term = true
module = glance.wsgi.api:application
```
For a graceful stop (devstack): `hook-master-start = unix_signal:15 gracefully_kill_them_all`
with `worker-reload-mercy`.

## Fix (`--fix --unsafe-fixes`)
`wsgilint check --fix --unsafe-fixes` adds `die-on-term = true` on the line after
`master = true` (same section, same indentation and `=` spacing). Unsafe: it changes what
SIGTERM does for every sender (a script that uses SIGTERM to reload the instance now stops
it), and a graceful stop (`hook-master-start = unix_signal:15 gracefully_kill_them_all`)
may be what you want instead; so plain `--fix` leaves it.

## References
- https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html
- https://opendev.org/openstack/devstack/src/branch/master/lib/apache
"""

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.knowledge import UWSGI_DIE_ON_TERM_DEFAULT_SINCE, version_text
from wsgilint.model.types import Deployment
from wsgilint.rules._edits import insert_line_after


def check(model: Deployment):
    have = model.targets.version("uwsgi")
    if have is not None and have[:2] >= UWSGI_DIE_ON_TERM_DEFAULT_SINCE:
        return
    if have is not None:
        who = model.targets.describe("uwsgi")
    else:
        who = (f"every uWSGI release before {version_text(UWSGI_DIE_ON_TERM_DEFAULT_SINCE)} (all of 2.0.x; "
               f"the version is unknown)")
    for app in model.uwsgi:
        if not app.config.flag("master") or app.config.flag("die-on-term"):
            continue
        if any("unix_signal:15" in o.value.replace(" ", "") for o in app.config.all("hook-master-start")):
            continue
        launcher = app.config.launcher
        if launcher is not None and launcher.stop_signal is not None and launcher.stop_signal != "SIGTERM":
            continue  # stopped with another signal (Debian's init script: SIGQUIT; KillSignal=SIGQUIT)
        master = app.config.last("master")
        where = f" ({master.span.source.path})" if master.span.source.path != app.path else ""
        if launcher is not None and launcher.stop_signal == "SIGTERM":
            how = f"{launcher.name} stops it with SIGTERM ({launcher.stop_source}), which restarts it instead"
        else:
            how = ("a stop by SIGTERM (systemd's default KillSignal, Docker's default STOPSIGNAL) restarts it "
                   "instead")
        yield Hit(master.span, f"{who} reloads on SIGTERM: master = true{where} without die-on-term: {how}",
                  service=app.service, edits=_edits(master))


def _edits(master) -> tuple:
    """``die-on-term = true`` after the ``master`` line, written as that line writes ``=``."""
    span = master.span
    if span.source.kind != "uwsgi" or master.conditional:
        return ()
    sep = span.source.text[span.start:master.value_span.start]
    eq = sep.find("=")
    if eq == -1:
        return ()
    key = sep[:eq].rstrip(" \t")
    return (insert_line_after(span, f"die-on-term{sep[len(key):]}true", safe=False),)


RULE = Rule(
    id="WSG115",
    name="uwsgi-sigterm-reloads",
    severity=WARNING,
    summary="no die-on-term: uWSGI < 2.1 reloads on SIGTERM, so service stop hangs",
    fix="Set `die-on-term = true` (or `hook-master-start = unix_signal:15 gracefully_kill_them_all`)",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://opendev.org/openstack/devstack/src/branch/master/lib/apache",
    ),
    check=check,
    docs=__doc__,
    fixable="unsafe",
)
