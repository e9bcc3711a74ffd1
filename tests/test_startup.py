"""Start-up stays light: the CLI module imports neither pyparsing nor rich."""

from __future__ import annotations

import subprocess
import sys


def test_cli_import_is_lazy():
    code = "import sys, wsgilint.cli; print(sorted(m for m in ('pyparsing', 'rich') if m in sys.modules))"
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


def test_process_exit_skips_the_final_collection(tmp_path):
    """main() freezes the heap before exiting, so shutdown does not traverse the check's objects."""
    (tmp_path / "a.ini").write_text("[uwsgi]\nsocket = /run/a.sock\nmodule = heat.wsgi.api:application\n")
    code = ("import atexit, gc, sys\n"
            "atexit.register(lambda: print('FROZEN', gc.get_freeze_count(), file=sys.stderr))\n"
            "from wsgilint.cli import main\n"
            "sys.argv = ['wsgilint', 'check', '--format', 'json', sys.argv[1]]\nmain()\n")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr  # the ini has findings (default --fail-on warning)
    frozen = [line for line in proc.stderr.splitlines() if line.startswith("FROZEN")]
    assert frozen and int(frozen[0].split()[1]) > 1000, proc.stderr
    assert '"findings"' in proc.stdout
