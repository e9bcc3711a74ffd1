"""WSGI app with a background thread that ticks every 50 ms (tests/test_proof_uwsgi_versions.py).

Standard library only. The thread starts at import, so under uWSGI run it with
`lazy-apps = true` (otherwise it starts in the master and is not in the forked
worker). GET /?SECONDS sleeps that long, then answers the tick count as text.
With Python threads off (uWSGI < 2.0.27 without enable-threads) the thread only
runs while a request holds the worker, so the count stalls between requests.
"""
import threading
import time

state = {"ticks": 0}


def _tick():
    while True:
        state["ticks"] += 1
        time.sleep(0.05)


threading.Thread(target=_tick, daemon=True).start()


def application(environ, start_response):
    time.sleep(float(environ.get("QUERY_STRING") or 0))
    body = str(state["ticks"]).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
