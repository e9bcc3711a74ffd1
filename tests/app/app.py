"""Tiny WSGI app used by wsgilint's real-server tests (tests/stack.py).

Standard library only: it runs inside mod_wsgi and the uWSGI python3 plugin,
which use the system Python, not the test-suite's interpreter.

Query string:
  mode=auto (default)  CONTENT_LENGTH -> read that many bytes;
                       elif wsgi.input_terminated -> read to EOF;
                       elif under uWSGI and Transfer-Encoding: chunked ->
                         uwsgi.chunked_read() loop;
                       else read nothing.
  mode=cl              honour CONTENT_LENGTH only (what most apps do).
  mode=eof             read wsgi.input to EOF whatever the headers say.
  mode=chunked         uwsgi.chunked_read() loop (uWSGI only).
  mode=none            read nothing.
  sleep=N              sleep N seconds (float) before answering.

Answers 200 with a JSON object; the keys the tests rely on are
"bytes" (bytes actually read), "how" (how they were read), "error"
(exception text while reading, or null) and "token_len" (length of the
X-Auth-Token request header, or null); "pid", "master_pid" (uWSGI's master,
else null) and "ini" (uWSGI's --ini, else null) say which server answered.
"""
import json
import os
import sys
import time

try:  # only importable inside uWSGI
    import uwsgi  # type: ignore
except ImportError:  # pragma: no cover - depends on the server
    uwsgi = None

CHUNK = 64 * 1024


def _read_cl(stream, length):
    got = 0
    while got < length:
        piece = stream.read(min(CHUNK, length - got))
        if not piece:
            break
        got += len(piece)
    return got


def _read_eof(stream):
    got = 0
    while True:
        piece = stream.read(CHUNK)
        if not piece:
            break
        got += len(piece)
    return got


def _read_uwsgi_chunked():
    got = 0
    while True:
        piece = uwsgi.chunked_read()
        if not piece:
            break
        got += len(piece)
    return got


def _server(environ):
    if uwsgi is not None:
        return "uwsgi"
    if "mod_wsgi.version" in environ:
        return "mod_wsgi"
    return environ.get("SERVER_SOFTWARE", "other")


def _query(environ):
    out = {}
    for part in environ.get("QUERY_STRING", "").split("&"):
        if part:
            key, _, value = part.partition("=")
            out[key] = value
    return out


def _content_length(environ):
    raw = (environ.get("CONTENT_LENGTH") or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return None


def _opt(name):
    if uwsgi is None:
        return None
    value = uwsgi.opt.get(name)
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value


def application(environ, start_response):
    query = _query(environ)
    mode = query.get("mode", "auto")
    length = _content_length(environ)
    te = environ.get("HTTP_TRANSFER_ENCODING", "")
    terminated = bool(environ.get("wsgi.input_terminated"))
    stream = environ["wsgi.input"]

    if query.get("sleep"):
        time.sleep(float(query["sleep"]))

    nbytes, how, error = 0, "none", None
    try:
        if mode == "auto":
            if length is not None:
                how = "content-length"
                nbytes = _read_cl(stream, length)
            elif terminated:
                how = "eof(wsgi.input_terminated)"
                nbytes = _read_eof(stream)
            elif uwsgi is not None and "chunked" in te.lower():
                how = "uwsgi.chunked_read"
                nbytes = _read_uwsgi_chunked()
            else:
                how = "none(no CONTENT_LENGTH)"
        elif mode == "cl":
            if length is not None:
                how = "content-length"
                nbytes = _read_cl(stream, length)
            else:
                how = "none(no CONTENT_LENGTH)"
        elif mode == "eof":
            how = "eof"
            nbytes = _read_eof(stream)
        elif mode == "chunked":
            how = "uwsgi.chunked_read"
            if uwsgi is None:
                raise RuntimeError("uwsgi.chunked_read needs uWSGI")
            nbytes = _read_uwsgi_chunked()
        elif mode == "none":
            how = "none"
        else:
            raise ValueError("unknown mode %r" % mode)
    except Exception as exc:  # report, don't crash: the tests look at this
        error = "%s: %s" % (type(exc).__name__, exc)

    token = environ.get("HTTP_X_AUTH_TOKEN")
    payload = {
        "bytes": nbytes,
        "how": how,
        "error": error,
        "mode": mode,
        "token_len": None if token is None else len(token),
        "server": _server(environ),
        "process_group": environ.get("mod_wsgi.process_group"),
        "content_length": environ.get("CONTENT_LENGTH"),
        "transfer_encoding": te or None,
        "input_terminated": terminated,
        "buffer_size": _opt("buffer-size"),
        "method": environ.get("REQUEST_METHOD"),
        "path": environ.get("PATH_INFO"),
        "script_name": environ.get("SCRIPT_NAME"),
        "python": sys.version.split()[0],
        # which server answered (the tests check it is the one they started)
        "pid": os.getpid(),
        "master_pid": uwsgi.masterpid() if uwsgi is not None else None,
        "ini": _opt("ini"),
    }
    body = json.dumps(payload, sort_keys=True).encode("utf-8")
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]
