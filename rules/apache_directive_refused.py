"""httpd refuses a directive's arguments at start-up: Apache does not start.

## What it does
Checks the arguments of the directives wsgilint models the way httpd and its modules check
them while reading the configuration, and reports each refusal with the server's own message:

- mod_wsgi `WSGIScriptAlias` / `WSGIScriptAliasMatch`: at least two arguments, then only
  `process-group=`, `application-group=`, `callable-object=` (non-empty) and
  `pass-authorization=On|Off` ("Invalid option to WSGI script alias definition.");
- mod_wsgi `WSGIDaemonProcess`: a name, then only the options mod_wsgi knows, each value checked
  as mod_wsgi checks it (`processes=` at least 1, `threads=` 0 to 65533, timeouts not negative,
  `umask=` octal, buffer sizes' minimums, `home=` absolute, not `user=root`, ...);
- `WSGIProcessGroup`, `WSGIApplicationGroup` and the other one-argument directives the rules
  read: exactly one argument;
- mod_proxy `ProxyPass`: every parameter `key=value` (besides `nocanon`, `interpolate`,
  `noquery`), every worker parameter known, each value in range ("ProxyPass unknown Worker
  parameter", "ProxyPass Timeout must be at least one second", ...).

## Why is this bad?
`apache2 -t` fails with `AH00526: Syntax error on line N of FILE: <message>` and a restart
leaves the server down (or a reload keeps the old configuration). Every case here is checked
against the real `apache2 -t` (tests/test_differential_apache.py, Apache 2.4.71 with
mod_wsgi 4.9.4).

## Example
```apache
WSGIDaemonProcess keystone processes=5 thread=1
WSGIScriptAlias / /usr/bin/keystone-wsgi-public process_group=keystone
ProxyPass /image http://127.0.0.1:9292/ timeout=0 connecttimeout=5
```

## Use instead
```apache
WSGIDaemonProcess keystone processes=5 threads=1
WSGIScriptAlias / /usr/bin/keystone-wsgi-public process-group=keystone
ProxyPass /image http://127.0.0.1:9292/ timeout=600 connectiontimeout=5
```

## References
- https://github.com/GrahamDumpleton/mod_wsgi/blob/4.9.4/src/server/mod_wsgi.c (`wsgi_add_script_alias`, `wsgi_add_daemon_process`, `wsgi_parse_option`)
- https://github.com/apache/httpd/blob/2.4.x/modules/proxy/mod_proxy.c (`add_pass`, `set_worker_param`)
- https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIDaemonProcess.html
- https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass
"""

from __future__ import annotations

import re

from wsgilint.findings import ERROR, Hit, Rule
from wsgilint.model.types import Deployment

# mod_wsgi 4.9.4 src/server/mod_wsgi.c (GrahamDumpleton/mod_wsgi@8476599fb835, tag 4.9.4; Debian
# libapache2-mod-wsgi-py3 4.9.4), wsgi_add_script_alias: the options and their messages.
ALIAS_OPTIONS = {
    "application-group": "Invalid name for WSGI application group.",
    "process-group": "Invalid name for WSGI process group.",
    "callable-object": "Invalid name for WSGI callable object.",
    "pass-authorization": "Invalid value for authorization flag.",
}
ALIAS_INVALID = "Invalid option to WSGI script alias definition."
DAEMON_INVALID = "Invalid option to WSGI daemon process definition."


def _atoi(text: str) -> int:
    """C atoi/atol: leading blanks, a sign, digits; whatever follows is ignored; nothing is 0."""
    from wsgilint.numbers import parse_int  # ASCII digits as C reads them; saturates, never raises

    return parse_int(text, leading=True, signed=True)


def _octal(text: str) -> bool:
    """strtol(value, &end, 8) consumed all of it and is not negative (mod_wsgi's umask check)."""
    return re.fullmatch(r"\s*\+?[0-7]+", text) is not None


def _minimum(what: str, low: int, zero_ok: bool = False):
    def check(v: str):
        n = _atoi(v)
        return None if (n >= low or (zero_ok and n == 0)) else what
    return check


def _nonneg(noun: str):
    return _minimum(f"Invalid {noun} for WSGI daemon process.", 0)


def _size(label: str, low: int, tail: str = "system default"):
    msg = f"{label} must be >= {low} bytes, or 0 for {tail}."
    return _minimum(msg, low, zero_ok=True)


def _flag(msg: str):
    return lambda v: None if v.lower() in ("on", "off") else msg


def _user(v: str):
    return "WSGI process blocked from running as root." if v in ("root", "#0") else None


def _absolute(msg: str):
    return lambda v: None if v.startswith("/") else msg


def _any(v: str):
    return None


# wsgi_add_daemon_process (same file and tag): option -> (message for an empty value or None when
# an empty value is accepted, value check returning the message or None).
DAEMON_OPTIONS = {
    "user": ("Invalid user for WSGI daemon process.", _user),
    "group": ("Invalid group for WSGI daemon process.", _any),
    "supplementary-groups": (None, _any),
    "processes": ("Invalid process count for WSGI daemon process.",
                  _minimum("Invalid process count for WSGI daemon process.", 1)),
    # threads < 0 || threads >= WSGI_STACK_LAST-1, WSGI_STACK_LAST 0xffff (src/server/wsgi_daemon.h)
    "threads": ("Invalid thread count for WSGI daemon process.",
                lambda v: None if 0 <= _atoi(v) < 0xffff - 1 else "Invalid thread count for WSGI daemon process."),
    "umask": ("Invalid umask for WSGI daemon process.",
              lambda v: None if _octal(v) else "Invalid umask for WSGI daemon process."),
    "chroot": (None, _absolute("Invalid chroot directory for WSGI daemon process.")),
    "home": (None, _absolute("Invalid home directory for WSGI daemon process.")),
    "lang": (None, _any), "locale": (None, _any), "python-home": (None, _any),
    "python-path": (None, _any), "python-eggs": (None, _any), "display-name": (None, _any),
    "stack-size": ("Invalid stack size for WSGI daemon process.",
                   _minimum("Invalid stack size for WSGI daemon process.", 1)),
    "maximum-requests": ("Invalid request count for WSGI daemon process.", _nonneg("request count")),
    "startup-timeout": ("Invalid startup timeout for WSGI daemon process.", _nonneg("startup timeout")),
    "shutdown-timeout": ("Invalid shutdown timeout for WSGI daemon process.", _nonneg("shutdown timeout")),
    "deadlock-timeout": ("Invalid deadlock timeout for WSGI daemon process.", _nonneg("deadlock timeout")),
    "inactivity-timeout": ("Invalid inactivity timeout for WSGI daemon process.", _nonneg("inactivity timeout")),
    "request-timeout": ("Invalid request timeout for WSGI daemon process.", _nonneg("request timeout")),
    "graceful-timeout": ("Invalid graceful timeout for WSGI daemon process.", _nonneg("graceful timeout")),
    "eviction-timeout": ("Invalid eviction timeout for WSGI daemon process.", _nonneg("eviction timeout")),
    "restart-interval": ("Invalid restart interval for WSGI daemon process.", _nonneg("restart interval")),
    "connect-timeout": ("Invalid connect timeout for WSGI daemon process.", _nonneg("connect timeout")),
    "socket-timeout": ("Invalid socket timeout for WSGI daemon process.", _nonneg("socket timeout")),
    "queue-timeout": ("Invalid queue timeout for WSGI daemon process.", _nonneg("queue timeout")),
    "listen-backlog": ("Invalid listen backlog for WSGI daemon process.", _nonneg("listen backlog")),
    "send-buffer-size": ("Invalid send buffer size for WSGI daemon process.", _size("Send buffer size", 512)),
    "receive-buffer-size": ("Invalid receive buffer size for WSGI daemon process.",
                            _size("Receive buffer size", 512)),
    "header-buffer-size": ("Invalid header buffer size for WSGI daemon process.", _size("Header buffer size", 8192, "default")),
    "response-buffer-size": ("Invalid response buffer size for WSGI daemon process.",
                             _size("Response buffer size", 65536, "default")),
    "response-socket-timeout": ("Invalid response socket timeout for WSGI daemon process.",
                                _nonneg("response socket timeout")),
    "socket-user": ("Invalid socket user for WSGI daemon process.", _any),
    "script-user": ("Invalid script user for WSGI daemon process.", _any),
    "script-group": ("Invalid script group for WSGI daemon process.", _any),
    "cpu-time-limit": ("Invalid CPU time limit for WSGI daemon process.", _nonneg("CPU time limit")),
    "cpu-priority": ("Invalid CPU priority for WSGI daemon process.", _any),
    "memory-limit": ("Invalid memory limit for WSGI daemon process.", _nonneg("memory limit")),
    "virtual-memory-limit": ("Invalid virtual memory limit for WSGI daemon process.",
                             _nonneg("virtual memory limit")),
    "server-metrics": ("Invalid server metrics flag for WSGI daemon process.",
                       _flag("Invalid server metrics flag for WSGI daemon process.")),
    "newrelic-config-file": (None, _any), "newrelic-environment": (None, _any),
}


def _onoff(label: str):
    return lambda v: None if v.lower() in ("on", "off") else f"{label} must be On|Off"


def _timeout_ms(fmt: str, low: str):
    """httpd server/util.c ap_timeout_parameter_parse: apr_strtoi64 (0 without digits), then the unit's
    first letters: s, h, ms, mi (none: the default unit); anything else or a negative is a format error."""
    default = "ms" if fmt.startswith("Acquire") else "s"

    def check(v: str):
        m = re.match(r"\s*([+-]?)([0-9]*)", v)
        from wsgilint.numbers import parse_int  # saturates, never raises

        n = (parse_int(m.group(2)) or 0) * (-1 if m.group(1) == "-" else 1)
        unit = v[m.end():] or default
        if n < 0:
            return fmt
        if unit[0] == "s":
            scale = 1000
        elif unit[0] == "h":
            scale = 3600000
        elif unit[:2] == "ms":
            scale = 1
        elif unit[:2] == "mi":
            scale = 60000
        else:
            return fmt
        return low if n * scale < 1 else None
    return check


# httpd 2.4.x modules/proxy/mod_proxy.c set_worker_param (apache/httpd@f45abec1bd20): key -> check.
# Unknown keys: "unknown Worker parameter" (mod_proxy_hcheck, when loaded, takes them instead).
WORKER_PARAMS = {
    "loadfactor": lambda v: None if 100 <= int(_float(v) * 100) <= 10000 else "LoadFactor must be a number between 1..100",
    "retry": lambda v: None if _atoi(v) >= 0 else "Retry must be a positive value",
    "ttl": lambda v: None if _atoi(v) >= 1 else "TTL must be at least one second",
    "min": lambda v: None if _atoi(v) >= 0 else "Min must be a positive number",
    "max": lambda v: None if _atoi(v) >= 0 else "Max must be a positive number",
    "smax": lambda v: None if _atoi(v) >= 0 else "Smax must be a positive number",
    "acquire": _timeout_ms("Acquire timeout has wrong format", "Acquire must be at least one millisecond"),
    "timeout": lambda v: None if _atoi(v) >= 1 else "Timeout must be at least one second",
    "iobuffersize": lambda v: None if _atoi(v) >= 512 or _atoi(v) == 0 else
    "IOBufferSize must be >= 512 bytes, or 0 for system default.",
    "receivebuffersize": lambda v: None if _atoi(v) >= 512 or _atoi(v) == 0 else
    "ReceiveBufferSize must be >= 512 bytes, or 0 for system default.",
    "keepalive": _onoff("KeepAlive"),
    "disablereuse": _onoff("DisableReuse"),
    "enablereuse": _onoff("EnableReuse"),
    "addressttl": lambda v: None if v == "-1" or re.fullmatch(r"\d+(s)?", v) else
    "AddressTTL must be -1 or a number of seconds not exceeding 2147483647",
    "route": _any, "redirect": _any, "status": _any, "flusher": _any, "upgrade": _any, "secret": _any,
    "flushpackets": lambda v: None if v.lower() in ("on", "off", "auto") else "flushpackets must be on|off|auto",
    "flushwait": lambda v: None if 0 <= _atoi(v) <= 1000 else
    "flushwait must be <= 1000, or 0 for system default of 10 millseconds.",
    "ping": _timeout_ms("Ping/Pong timeout has wrong format", "Ping/Pong timeout must be at least one millisecond"),
    "lbset": lambda v: None if 0 <= _atoi(v) <= 99 else "lbset must be between 0 and 99",
    "connectiontimeout": _timeout_ms("Connectiontimeout has wrong format",
                                     "Connectiontimeout must be at least one millisecond."),
    "responsefieldsize": lambda v: None if _atoi(v) >= 0 else
    "ResponseFieldSize must be greater than 0 bytes, or 0 for system default.",
}
PROXY_FLAGS = ("nocanon", "interpolate", "noquery")
KEY_VALUE = "Invalid ProxyPass|ProxyPassMatch parameter. Parameter must be in the form 'key=value'."

# Directives the rules read that httpd declares TAKE1 (httpd core.c, mod_proxy.c, mod_wsgi.c
# command tables): any other count is "<Name> takes one argument".
TAKE1 = {
    "wsgiprocessgroup": "WSGIProcessGroup", "wsgiapplicationgroup": "WSGIApplicationGroup",
    "wsgichunkedrequest": "WSGIChunkedRequest", "wsgipassauthorization": "WSGIPassAuthorization",
    "wsgisocketprefix": "WSGISocketPrefix", "timeout": "Timeout", "proxytimeout": "ProxyTimeout",
    "limitrequestbody": "LimitRequestBody",
}
MODULE_OF = {"wsgi": "wsgi_module", "proxy": "proxy_module"}


def _float(v: str) -> float:
    m = re.match(r"\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", v)
    return max(-1e18, min(float(m.group(0)), 1e18)) if m else 0.0  # finite: int(x * 100) cannot overflow


# Template placeholders (devstack's %NAME%, Jinja, ERB, unexpanded ${VAR}): the file is not what
# httpd reads, so its arguments are not judged (mod_wsgi's own %{GLOBAL}/%{GROUP} are not these).
_TEMPLATE = re.compile(r"%[A-Za-z_][A-Za-z0-9_]*%|\{\{|\{%|<%|@[A-Za-z_]+@|\$\{")


def _templated(d) -> bool:
    return any(_TEMPLATE.search(a) for a in d.args)


def _loaded(server, module: str) -> bool:
    return not server.complete or MODULE_OF[module] in server.config.modules


def _alias_errors(d) -> list[str]:
    name = "WSGIScriptAliasMatch" if d.key == "wsgiscriptaliasmatch" else "WSGIScriptAlias"
    if len(d.args) < 2 or not d.args[0]:
        return [f"{name} requires at least two arguments"]
    for word in d.args[2:]:
        key, eq, value = word.partition("=")
        if not eq or not key or key not in ALIAS_OPTIONS:
            return [ALIAS_INVALID]
        if not value or (key == "pass-authorization" and value.lower() not in ("on", "off")):
            return [ALIAS_OPTIONS[key]]
    return []


def _daemon_errors(d) -> list[str]:
    if not d.args or not d.args[0]:
        return ["Name of WSGI daemon process not supplied."]
    seen = set()
    for word in d.args[1:]:
        key, eq, value = word.partition("=")
        if not eq or not key or key not in DAEMON_OPTIONS:
            return [DAEMON_INVALID]
        empty_msg, check = DAEMON_OPTIONS[key]
        if not value and empty_msg:
            return [empty_msg]
        problem = check(value)
        if problem:
            return [problem]
        seen.add(key)
    if "script-user" in seen and "script-group" in seen:
        return ["Only one of script-user and script-group allowed."]
    return []


def _proxy_errors(d, hcheck: bool, seen_workers: set) -> list[str]:
    args = list(d.args)
    in_location = d.parent is not None and d.parent.key in ("<location", "<locationmatch")
    if args and args[0] == "~" and d.key == "proxypass":
        args = args[1:]
    rest = args if in_location else args[1:]
    if not rest:
        return []  # "needs a path": the model never builds such a route; WSG001 territory
    target, params = rest[0], rest[1:]
    if target == "!" or target.lower().startswith("balancer:"):
        return []
    errors, pairs = [], []
    for word in params:
        if word.lower() in PROXY_FLAGS:
            continue
        key, eq, value = word.partition("=")
        if not eq:
            return [KEY_VALUE]
        if key.lower() == "mapping":
            if value.lower() not in ("encoded", "servlet"):
                return ["unknown mapping"]
            continue
        pairs.append((key.lower(), value))
    worker = target.lower()
    if worker in seen_workers:
        return []  # a shared worker: httpd logs AH01146 and ignores its parameters
    seen_workers.add(worker)
    for key, value in pairs:
        check = WORKER_PARAMS.get(key)
        if check is None:
            if hcheck:
                continue  # mod_proxy_hcheck judges the rest (its own table)
            errors.append("ProxyPass unknown Worker parameter")
            break
        problem = check(value)
        if problem:
            errors.append("ProxyPass " + problem)
            break
    return errors


def check(model: Deployment):
    for server in model.apache:
        if _loaded(server, "wsgi"):
            for key in ("wsgiscriptalias", "wsgiscriptaliasmatch"):
                for d in server.directives(key):
                    if _templated(d):
                        continue
                    for msg in _alias_errors(d):
                        yield Hit(d.span, f"httpd refuses this at start-up: {msg}")
            for d in server.directives("wsgidaemonprocess"):
                if _templated(d):
                    continue
                for msg in _daemon_errors(d):
                    yield Hit(d.span, f"httpd refuses this at start-up: {msg}")
        for key, name in TAKE1.items():
            module = "wsgi" if key.startswith("wsgi") else ("proxy" if key.startswith("proxy") else None)
            if module and not _loaded(server, module):
                continue
            for d in server.directives(key):
                if len(d.args) != 1:
                    yield Hit(d.span, f"httpd refuses this at start-up: {name} takes one argument")
        if _loaded(server, "proxy"):
            hcheck = server.complete and "proxy_hcheck_module" in server.config.modules
            seen: set = set()
            for d in server.directives("proxypass"):
                if _templated(d):
                    continue
                for msg in _proxy_errors(d, hcheck, seen):
                    yield Hit(d.span, f"httpd refuses this at start-up: {msg}")


RULE = Rule(
    id="WSG217",
    name="apache-directive-refused",
    severity=ERROR,
    summary="httpd refuses a directive's arguments at start-up (unknown option, bad value, argument count)",
    fix="Spell the option as the module documents it, with a value it accepts (the message names which)",
    references=(
        "https://github.com/GrahamDumpleton/mod_wsgi/blob/4.9.4/src/server/mod_wsgi.c",
        "https://github.com/apache/httpd/blob/2.4.x/modules/proxy/mod_proxy.c",
        "https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIDaemonProcess.html",
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass",
    ),
    check=check,
    docs=__doc__,
)
