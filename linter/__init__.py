"""wsgilint: lint Apache httpd, uWSGI and nginx deployments of WSGI services."""

__version__ = "0.1.0"
