"""Start-up stays light: the CLI module imports neither pyparsing, rich nor typer."""

from __future__ import annotations

import subprocess
import sys


def test_cli_import_is_lazy():
    code = ("import sys, wsgilint.cli; "
            "print(sorted(m for m in ('pyparsing', 'rich', 'typer', 'click') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_json_check_does_not_import_rich(tmp_path):
    (tmp_path / "a.ini").write_text("[uwsgi]\nsocket = /run/a.sock\nmodule = heat.wsgi.api:application\n"
                                    "processes = 2\n")
    code = ("import sys\nfrom wsgilint.cli import app\n"
            "try:\n    app(['check', '--format', 'json', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "print('RICH' if 'rich' in sys.modules else 'NORICH', file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True)
    assert proc.stderr.strip().endswith("NORICH"), proc.stderr


def _text_check(tmp_path, env_extra):
    import os

    (tmp_path / "a.ini").write_text("[uwsgi]\nsocket = /run/a.sock\nmodule = heat.wsgi.api:application\n")
    code = ("import sys\nfrom wsgilint.cli import app\n"
            "try:\n    app(['check', '--fail-on', 'never', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "print('RICH' if 'rich' in sys.modules else 'NORICH', file=sys.stderr)")
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR")}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, env=env)


def test_text_to_a_pipe_does_not_import_rich(tmp_path):
    proc = _text_check(tmp_path, {})
    assert proc.stderr.strip().endswith("NORICH"), proc.stderr
    assert "\x1b[" not in proc.stdout and "WSG" in proc.stdout


def test_force_color_still_colours_a_pipe_through_rich(tmp_path):
    proc = _text_check(tmp_path, {"FORCE_COLOR": "1"})
    assert proc.stderr.strip().endswith("RICH") and not proc.stderr.strip().endswith("NORICH"), proc.stderr
    assert "\x1b[" in proc.stdout


def test_process_exit_skips_interpreter_teardown(tmp_path):
    """main() flushes the report and ends with os._exit: shutdown never traverses the check's objects."""
    (tmp_path / "a.ini").write_text("[uwsgi]\nsocket = /run/a.sock\nmodule = heat.wsgi.api:application\n")
    code = ("import atexit, os, sys\n"
            "atexit.register(lambda: print('TEARDOWN', file=sys.stderr))\n"
            "real = os._exit\n"
            "os._exit = lambda status: (print('HARD-EXIT', status, file=sys.stderr), sys.stderr.flush(), "
            "real(status))\n"
            "from wsgilint.cli import main\n"
            "sys.argv = ['wsgilint', 'check', '--format', 'json', sys.argv[1]]\nmain()\n")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr  # the ini has warnings (default --fail-on warning)
    assert "HARD-EXIT 1" in proc.stderr and "TEARDOWN" not in proc.stderr
    import json

    assert json.loads(proc.stdout)["findings"], "the report was flushed before the hard exit"


def test_a_closed_pipe_is_not_a_traceback(tmp_path):
    """`wsgilint check ... | head`: the reader goes away mid-report (more than a pipe buffer of output)."""
    sites = tmp_path / "sites"
    sites.mkdir()
    (tmp_path / "httpd.conf").write_text(f"ServerRoot {tmp_path}\nIncludeOptional sites/*.conf\n")
    for i in range(300):
        (sites / f"s{i:03d}.conf").write_text(
            f"<VirtualHost *:80>\nProxyPass /api/ unix:/run/s{i}.sock|uwsgi://s{i}/\nSetEnv proxy-sendcl 1\n"
            f"</VirtualHost>\n")
    full = subprocess.run([sys.executable, "-m", "wsgilint", "check", "--format", "json", str(tmp_path)],
                          capture_output=True, text=True)
    assert len(full.stdout) > 200_000, "enough output to fill the pipe"
    proc = subprocess.run(f"{sys.executable} -m wsgilint check --format json {tmp_path} | head -c 10",
                          shell=True, capture_output=True, text=True, timeout=60)
    assert proc.stdout == full.stdout[:10]
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
