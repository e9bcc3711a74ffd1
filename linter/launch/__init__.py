"""The launch layer: how each uWSGI instance is started, read from the launcher's own files.

A uWSGI instance's configuration is what uWSGI loads, not its ini alone: Debian's init script
adds an inherited ini and two ``UWSGI_DEB_*`` options, a systemd unit adds command-line
options, environment and a stop signal, the Emperor starts vassals. ``unit`` parses (pure text
in, records out; no file access, no rules), ``read`` finds and reads the launchers through
``fsroot.FileSystem`` inside ``--root`` and maps each ini to its ``Launcher`` (``types``), and
``wsgilint.resolve.uwsgi.resolve(..., launcher=...)`` computes the effective options in uWSGI's
order (environment ``UWSGI_*`` options, then the command line with each ``--ini`` inlined where
it stands), proven against ``uwsgi --show-config`` by tests/test_differential_launch.py.
"""
