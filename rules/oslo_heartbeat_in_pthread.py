"""`heartbeat_in_pthread` for a service run under a WSGI server (by oslo.messaging version).

## What it does
For each service served by mod_wsgi or uWSGI whose own config
(`/etc/<service>/<service>.conf`) was read and has an `[oslo_messaging_rabbit]`
section, looks at `heartbeat_in_pthread` against the oslo.messaging deployed:
read from the tree's packages when it shows them, else the version in the
upper-constraints of the OpenStack release given with `--openstack-release`
(the mapping, each row with its source, lives in `wsgilint.knowledge`). The
version and where it came from are named in the message:

- oslo.messaging 14.0.0 up to 14.9.0 (zed to 2024.1), option not set: info, set it to true;
- oslo.messaging 18.0.0 or later (2026.2 on), option set: warning, it was removed and is ignored.

Only judged when the service config was read and the oslo.messaging version is known.

## Why is this bad?
Under a WSGI server the process is not an eventlet service: the green-thread
heartbeat only runs while a request is being handled, so an idle worker stops
answering RabbitMQ's heartbeats, the broker closes the connection, and the log
shows `Connection failed: [Errno 104] Connection reset by peer` / `Unexpected
error during heartbeat thread processing` before the next RPC call reconnects
(oslo.messaging bug 1934937). oslo.messaging 14.0.0 turned the default back to
false and told WSGI applications to set it to true. It was deprecated in 14.9.0
(eventlet is being removed) and removed in 18.0.0: from then on the line does
nothing and should go.

## Example
```ini
# /etc/nova/nova.conf, nova-api under uWSGI, OpenStack 2024.1
[oslo_messaging_rabbit]
amqp_durable_queues = true
```

## Use instead
```ini
[oslo_messaging_rabbit]
amqp_durable_queues = true
heartbeat_in_pthread = true
```
(and remove the line again once the release ships oslo.messaging 18.0.0).

## References
- https://bugs.launchpad.net/oslo.messaging/+bug/1934937
- https://docs.openstack.org/releasenotes/oslo.messaging/zed.html
- https://opendev.org/openstack/oslo.messaging/src/branch/master/releasenotes/notes/remove-heartbeat-in-pthread-option-0ffa11bfc07c58e2.yaml
"""

from wsgilint.findings import INFO, WARNING, Hit, Rule
from wsgilint.knowledge import (
    HEARTBEAT_DEPRECATED_IN, HEARTBEAT_OPTION, HEARTBEAT_RECOMMENDED_FROM, HEARTBEAT_REMOVED_IN,
    oslo_messaging_version, parse_version,
)
from wsgilint.model.types import Deployment
from wsgilint.rules._service import wsgi_instances


def _v(parts: tuple[int, ...]) -> str:
    return ".".join(map(str, parts))


def check(model: Deployment):
    detected = model.targets.version("oslo.messaging")
    if detected is not None:
        have = (detected + (0, 0, 0))[:3]
        assumed = model.targets.describe("oslo.messaging")
    else:
        release = model.targets.openstack
        series = oslo_messaging_version(release) if release else None
        if series is None:
            return
        have = (parse_version(series) + (0, 0, 0))[:3]
        assumed = (f"oslo.messaging {series}.x in the upper-constraints of OpenStack {release}, "
                   f"{model.targets.source('openstack')}")
    section, key = HEARTBEAT_OPTION
    done: set[str] = set()
    for service, where, what, container in wsgi_instances(model):
        cfg = model.service_config(service, container)
        if cfg is None or cfg.path in done or not cfg.has_section(section):
            continue
        done.add(cfg.path)
        entry = cfg.get(section, key)
        if entry is not None and have >= HEARTBEAT_REMOVED_IN:
            yield Hit(cfg.span_of(entry), f"[{section}] {key} was removed in oslo.messaging "
                      f"{_v(HEARTBEAT_REMOVED_IN)} ({assumed}): the setting is ignored; remove it",
                      severity=WARNING, service=service,
                      fix=f"Remove `{key}` from [{section}]: oslo.messaging no longer reads it")
        elif entry is None and HEARTBEAT_RECOMMENDED_FROM <= have < HEARTBEAT_DEPRECATED_IN:
            yield Hit(cfg.section_span(section), f"{service} runs under a WSGI server ({what}) without "
                      f"[{section}] {key} = true ({assumed}, default false): idle workers miss RabbitMQ "
                      f"heartbeats and lose their connection", service=service)


RULE = Rule(
    id="WSG431",
    name="oslo-heartbeat-in-pthread",
    severity=INFO,
    summary="heartbeat_in_pthread unset under WSGI (oslo.messaging 14.x), or set after its removal (18.0.0)",
    fix="Set `[oslo_messaging_rabbit] heartbeat_in_pthread = true` on oslo.messaging 14.0-14.8; "
        "remove it from 18.0.0 on",
    references=(
        "https://bugs.launchpad.net/oslo.messaging/+bug/1934937",
        "https://docs.openstack.org/releasenotes/oslo.messaging/zed.html",
        "https://opendev.org/openstack/oslo.messaging/src/branch/master/releasenotes/notes/"
        "remove-heartbeat-in-pthread-option-0ffa11bfc07c58e2.yaml",
    ),
    check=check,
    docs=__doc__,
)
