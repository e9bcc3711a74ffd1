"""nova under uWSGI without a file trigger for Guru Meditation Reports.

## What it does
For nova served by uWSGI, reads `/etc/nova/nova.conf` and reports when
`[oslo_reports] file_event_handler` is not set. Only judged when nova.conf was
read.

## Why is this bad?
A Guru Meditation Report (thread stacks, green threads, config) is triggered
by SIGUSR2 in nova's eventlet services. nova's release note (uwsgi-gmr):
"uWSGI intercepts SIGUSR2 signals, so a file trigger should be used instead".
Without `file_event_handler`, `kill -USR2` on a nova API worker gives no
report. The oslo.reports file trigger names a file whose modification makes
each worker write its report.

## Example
```ini
# /etc/nova/nova.conf
[DEFAULT]
transport_url = rabbit://nova:secret@rabbit/
```

## Use instead
```ini
[oslo_reports]
file_event_handler = /var/lib/nova/gmr_trigger
file_event_handler_interval = 1
log_dir = /var/log/nova
```

## References
- https://opendev.org/openstack/nova/src/branch/master/releasenotes/notes/uwsgi-gmr-c00631db79836340.yaml
- https://docs.openstack.org/nova/latest/reference/gmr.html
"""

from wsgilint.findings import INFO, Hit, Rule
from wsgilint.knowledge import GMR_FILE_OPTION, GMR_SERVICES
from wsgilint.model.types import Deployment
from wsgilint.rules._service import config_related


def check(model: Deployment):
    section, key = GMR_FILE_OPTION
    for app in model.uwsgi:
        if app.service not in GMR_SERVICES:
            continue
        cfg = model.service_config(app.service, app.container)
        if cfg is None:
            continue
        entry = cfg.get(section, key)
        if entry is not None and entry.value.strip():
            continue
        where = app.app_option.span if app.app_option is not None else app.span
        if where is None:
            continue
        yield Hit(where, f"{app.service} under uWSGI without [{section}] {key} in {cfg.path}: uWSGI takes "
                  f"SIGUSR2, so no Guru Meditation Report can be triggered", service=app.service,
                  related=[config_related(cfg, section, key)])


RULE = Rule(
    id="WSG432",
    name="nova-gmr-under-uwsgi",
    severity=INFO,
    summary="nova under uWSGI has no [oslo_reports] file_event_handler (SIGUSR2 belongs to uWSGI)",
    fix="Set `[oslo_reports] file_event_handler = /var/lib/nova/gmr_trigger` in nova.conf and touch that file",
    references=(
        "https://opendev.org/openstack/nova/src/branch/master/releasenotes/notes/uwsgi-gmr-c00631db79836340.yaml",
        "https://docs.openstack.org/nova/latest/reference/gmr.html",
    ),
    check=check,
    docs=__doc__,
)
