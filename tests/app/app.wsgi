# mod_wsgi script file: serves the same application as app.py beside it.
import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
    "wsgilint_test_app", os.path.join(os.path.dirname(os.path.abspath(__file__)), "app.py"))
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
application = _module.application
