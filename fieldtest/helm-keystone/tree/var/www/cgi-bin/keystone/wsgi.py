import threading

from keystone.server import wsgi

application = None
lock = threading.Lock()
with lock:
    if application is None:
        application = wsgi.initialize_public_application()
