"""A uWSGI `$(VAR)` that the instance's systemd unit never sets.

## What it does
For a uWSGI instance started by a systemd unit in the tree whose environment is known (every
`EnvironmentFile=` is in the tree, no `PassEnvironment=`), finds option values, in the ini, what
it includes, the unit's command line and `UWSGI_*` environment, that use `$(VAR)` for a `VAR`
that neither `Environment=`, the `EnvironmentFile=`s nor the manager's `DefaultEnvironment=`
(`/etc/systemd/system.conf`) set and that systemd does not set itself (`$PATH`, `$LANG`,
`$USER`, `$HOME`, `$RUNTIME_DIRECTORY`, `$INVOCATION_ID`, ...: systemd.exec(5) "Environment
Variables in Spawned Processes"). Quiet for any other launcher (the environment is not known).

## Why is this bad?
uWSGI replaces `$(VAR)` with the variable's value in every option value, and keeps the text
as written when the variable is not set (measured with uWSGI 2.0.21 `--show-config`,
tests/test_differential_launch.py). The value then means something else: `socket =
$(KEYSTONE_SOCKET)` binds a unix socket literally named `$(KEYSTONE_SOCKET)` in uWSGI's
working directory, so the web server's `uwsgi_pass unix:/run/keystone/keystone.sock` finds
nothing and every request answers **502 Bad Gateway** (an error: proven with uWSGI and nginx,
tests/test_proof_launch.py). Other options get the literal text (a path that does not exist,
a number uWSGI reads as 0): a warning.

## Example
```ini
# keystone.service: Environment=KEYSTONE_WORKERS=4 (no KEYSTONE_SOCKET)
[uwsgi]
socket = $(KEYSTONE_SOCKET)
processes = $(KEYSTONE_WORKERS)
```

## Use instead
```ini
# keystone.service
[Service]
Environment=KEYSTONE_WORKERS=4 KEYSTONE_SOCKET=/run/keystone/keystone.sock
```

## References
- https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html
- https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#Environment
- systemd 252 (Debian 12) systemd.exec(5), "Environment Variables in Spawned Processes"
"""

import re

from wsgilint.findings import ERROR, WARNING, Hit, Rule
from wsgilint.model.types import Deployment

_REF = re.compile(r"\$\(([^)]*)\)")
# systemd 252 systemd.exec(5) "Environment Variables in Spawned Processes" (the man page
# installed with Debian 12's systemd 252.38): what systemd sets itself; the prefixes cover the
# families (and later releases' additions to them).
_SYSTEMD_SETS = frozenset({
    "PATH", "LANG", "USER", "LOGNAME", "HOME", "SHELL", "INVOCATION_ID", "XDG_RUNTIME_DIR", "XDG_SEAT",
    "XDG_VTNR", "RUNTIME_DIRECTORY", "STATE_DIRECTORY", "CACHE_DIRECTORY", "LOGS_DIRECTORY",
    "CONFIGURATION_DIRECTORY", "CREDENTIALS_DIRECTORY", "MAINPID", "MANAGERPID", "LISTEN_FDS", "LISTEN_PID",
    "LISTEN_FDNAMES", "NOTIFY_SOCKET", "WATCHDOG_PID", "WATCHDOG_USEC", "TERM", "LOG_NAMESPACE", "JOURNAL_STREAM",
    "SERVICE_RESULT", "EXIT_CODE", "EXIT_STATUS", "PIDFILE", "SYSTEMD_EXEC_PID", "FDSTORE",
    "MEMORY_PRESSURE_WATCH", "MEMORY_PRESSURE_WRITE", "REMOTE_ADDR", "REMOTE_PORT",
})
_SYSTEMD_PREFIXES = ("MONITOR_", "TRIGGER_", "LISTEN_", "SYSTEMD_")
_BIND_KEYS = frozenset({"socket", "uwsgi-socket", "shared-socket", "http-socket", "https-socket", "http",
                        "https", "http2"})


def check(model: Deployment):
    for app in model.uwsgi:
        la = app.config.launcher
        if la is None or la.kind != "systemd" or not la.environment_complete:
            continue
        for o in app.config.options:
            if not o.dynamic or o.conditional or "$(" not in o.value:
                continue
            unset = [n for n in dict.fromkeys(_REF.findall(o.value))
                     if n not in la.environment and n not in _SYSTEMD_SETS and not n.startswith(_SYSTEMD_PREFIXES)]
            if not unset:
                continue
            names = ", ".join(unset)
            if o.key in _BIND_KEYS:
                what = (f"uWSGI binds {o.value!r} as written (a unix socket of that name in its working "
                        f"directory), so nothing listens where the web server connects (502/503)")
                sev = ERROR
            else:
                what = f"uWSGI uses {o.value!r} as written"
                sev = WARNING
            yield Hit(o.span, f"{o.key} = {o.value}: {la.name} never sets {names} (no Environment=, "
                      f"EnvironmentFile= or DefaultEnvironment= in this tree): {what}",
                      severity=sev, service=app.service,
                      fix=f"set {names} in {la.name} (Environment=) or write the value in the ini")


RULE = Rule(
    id="WSG124",
    name="uwsgi-env-var-unset",
    severity=ERROR,
    summary="uWSGI $(VAR) that the systemd unit never sets: uWSGI uses the text as written",
    fix="Set the variable in the unit (Environment=/EnvironmentFile=) or write the value in the ini",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html",
        "https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#Environment",
    ),
    check=check,
    docs=__doc__,
)
