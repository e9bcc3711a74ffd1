"""A local uWSGI whose proxy worker mod_proxy still shuts out for `retry` seconds.

## What it does
Finds proxy workers to a uWSGI on this host (a unix socket or a loopback address)
without a `retry=` parameter, but only where httpd really keeps such a worker in
error state after a failed connect:
- a `BalancerMember` of a balancer with `forcerecovery=Off` (on `ProxySet`, or
  on the `ProxyPass ... balancer://` line);
- a plain `ProxyPass` worker whose `status=` clears the ignore-errors flag (`-I`);
- any plain `ProxyPass` worker when the target httpd is older than 2.4.21
  (given with `--httpd-version` or detected; an unknown version is not assumed old).

## Why is this bad?
When a connect fails (uWSGI restarting for a deploy), httpd marks a worker that is
not flagged "ignore errors" as in error (`AH00959: ap_proxy_connect_backend
disabling worker for (...) for 60s`) and does not try it again for `retry`
seconds, 60 by default. Measured on Apache 2.4.71 + uWSGI 2.0.21 on loopback, for
mod_proxy_http, mod_proxy_uwsgi over TCP and over a unix socket alike
(tests/test_proof_proxy_retry.py); one request while uWSGI is down, then
requests from the moment it listens again:
- plain `ProxyPass` (with or without `retry=`): **200 at once**. Since httpd
  2.4.21 every worker outside a balancer carries PROXY_WORKER_IGNORE_ERRORS, so
  it is never disabled (no AH00959, no AH00940).
- single-member balancer, default `forcerecovery=On`: AH00959 is logged, but
  mod_proxy_balancer forces the recovery of a balancer whose members are all in
  error (AH01165): **200 at once**.
- balancer with `forcerecovery=Off`: **503** (`AH01170: balancer://...: All
  workers are in error state`) until `retry` has passed since the failure: 200
  after 5 s with `retry=5`, still 503 after 8 s with the default 60.
- plain `ProxyPass` with `status=-I`: **503** (`AH00940: ... disabled connection
  for (...)`) until `retry` has passed.

So the 503 window exists only where httpd keeps the worker in error; elsewhere
`retry=0` changes nothing for a local uWSGI, and this rule is silent.

## Example
```apache
<Proxy balancer://keystone>
    BalancerMember unix:/run/uwsgi/keystone.socket|uwsgi://keystone/
    ProxySet forcerecovery=Off
</Proxy>
ProxyPass /identity balancer://keystone/
```

## Use instead
```apache
<Proxy balancer://keystone>
    BalancerMember unix:/run/uwsgi/keystone.socket|uwsgi://keystone/ retry=0
    ProxySet forcerecovery=Off
</Proxy>
ProxyPass /identity balancer://keystone/
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass (retry, status, forcerecovery)
- apache/httpd@d9f456d5ba8d:modules/proxy/proxy_util.c (first in 2.4.21: `if (!balancer)
  wshared->status |= PROXY_WORKER_IGNORE_ERRORS;` in ap_proxy_define_worker, and
  ap_proxy_retry_worker clears the error of such a worker at once; part of the
  mod_proxy_hcheck merge, no CHANGES entry of its own)
- apache/httpd@fc05096631e4:modules/proxy/mod_proxy_balancer.c (2.4.2: `forcerecovery`,
  default On; CHANGES 2.4.2 "mod_proxy: Add the forcerecovery balancer parameter")
- apache/httpd@f45abec1bd20:modules/proxy/proxy_util.c (branch 2.4.x, 2024-10-18:
  unchanged since; AH00959 in ap_proxy_connect_backend, AH00940 in
  ap_proxy_acquire_connection)
- measured: tests/test_proof_proxy_retry.py (Apache 2.4.71, uWSGI 2.0.21)
"""

from wsgilint.findings import INFO, Hit, Rule
from wsgilint.knowledge import APACHE_DEFAULTS
from wsgilint.model.build import parse_proxy_target
from wsgilint.model.types import Deployment
from wsgilint.rules._modwsgi import apache_routes

# httpd flags every worker outside a balancer "ignore errors" since 2.4.21:
# apache/httpd@d9f456d5ba8d:modules/proxy/proxy_util.c (`git tag --contains`: 2.4.21 first).
IGNORE_ERRORS_SINCE = (2, 4, 21)
LOCAL_KINDS = ("proxy_uwsgi", "proxy_http")
LOCAL_SCHEMES = ("uwsgi", "http")


def _status_flag(status: str, flag: str) -> bool | None:
    """What a `status=` value does to one flag: True set, False cleared, None untouched.

    httpd's set_worker_param "status": '+' sets the following flags, '-' clears them,
    letters before any sign set (apache/httpd@f45abec1bd20:modules/proxy/mod_proxy.c).
    """
    result, setting = None, True
    for ch in status:
        if ch == "+":
            setting = True
        elif ch == "-":
            setting = False
        elif ch.upper() == flag:
            result = setting
    return result


def _params(args: list[str]) -> dict[str, str]:
    out = {}
    for a in args:
        k, eq, v = a.partition("=")
        if eq:
            out[k.lower()] = v
    return out


def _balancer_name(url: str) -> str:
    return url.rstrip("/").lower()


def _plain_routes(model: Deployment):
    old = model.targets.version("httpd")
    old = old is not None and old < IGNORE_ERRORS_SINCE
    default = APACHE_DEFAULTS["proxy-retry"].value
    for route in apache_routes(model, LOCAL_KINDS):
        a = route.address
        if a is None or "retry" in route.params or not a.connects_locally:
            continue
        cleared = _status_flag(route.params.get("status", ""), "I") is False
        if cleared:
            why = "status= clears the ignore-errors flag (-I)"
        elif old:
            why = (f"{model.targets.describe('httpd')} predates 2.4.21, which exempts workers outside "
                   f"a balancer")
        else:
            continue
        yield Hit(route.target_span(),
                  f"no retry= on a ProxyPass to local {a} and {why}: after one failed connect "
                  f"(uWSGI restarting) {route.path} answers 503 (AH00940 disabled connection) for up to {default} s",
                  service=route.service)


def _balancer_members(model: Deployment):
    default = APACHE_DEFAULTS["proxy-retry"].value
    for server in model.apache:
        off: dict[str, bool] = {}  # balancer -> forcerecovery is Off (last setting wins)
        services: dict[str, str | None] = {}
        members = []  # (balancer, directive, url index)
        for route in server.routes:
            if route.scheme == "balancer":
                name = _balancer_name(route.target)
                services.setdefault(name, route.service)
                if "forcerecovery" in route.params:
                    off[name] = route.params["forcerecovery"].lower() == "off"
        for d in server.directives("proxyset"):
            section = d.parent if d.parent is not None and d.parent.key == "<proxy" else None
            if section is not None and section.args:
                name, args = section.args[0], d.args
            elif d.args and "=" not in d.args[0]:
                name, args = d.args[0], d.args[1:]
            else:
                continue
            value = _params(args).get("forcerecovery")
            if value is not None:
                off[_balancer_name(name)] = value.lower() == "off"
        for d in server.directives("balancermember"):
            section = d.parent if d.parent is not None and d.parent.key == "<proxy" else None
            if section is not None and section.args:
                members.append((_balancer_name(section.args[0]), d, 0))
            elif len(d.args) > 1:
                members.append((_balancer_name(d.args[0]), d, 1))
        for name, d, idx in members:
            if not off.get(name) or len(d.args) <= idx:
                continue
            params = _params(d.args[idx + 1:])
            if "retry" in params or _status_flag(params.get("status", ""), "I"):
                continue
            scheme, a, _worker = parse_proxy_target(d.args[idx])
            if a is None or scheme not in LOCAL_SCHEMES or not a.connects_locally:
                continue
            yield Hit(d.arg_span(idx),
                      f"no retry= on BalancerMember local {a} of {name}, which has forcerecovery=Off: "
                      f"after one failed connect (uWSGI restarting) the member gets no request for "
                      f"up to {default} s, and with no other member up {name} answers 503 (AH01170)",
                      service=services.get(name))


def check(model: Deployment):
    yield from _plain_routes(model)
    yield from _balancer_members(model)


RULE = Rule(
    id="WSG212",
    name="proxy-retry-default",
    severity=INFO,
    summary="Local uWSGI behind a balancer with forcerecovery=Off (or status=-I) and no retry=: "
            "503 for 60 s after a restart",
    fix="Add `retry=0` to the BalancerMember (or ProxyPass) line",
    references=(
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass",
        "https://github.com/apache/httpd/commit/d9f456d5ba8d912a6cfeee947ae1014e30289f43",
        "https://github.com/apache/httpd/commit/fc05096631e43f94b65206c08c1251d438311059",
    ),
    check=check,
    docs=__doc__,
)
