"""The launch layer: how each uWSGI instance is started, read from the launcher's own files.

A uWSGI instance's configuration is what uWSGI loads, not its ini alone: Debian's init script
adds an inherited ini and two ``UWSGI_DEB_*`` options, a systemd unit adds command-line
options, environment and a stop signal, the Emperor starts vassals, a Dockerfile's CMD or a kolla
container's config.json runs it. The parsers are pure (text in, records out; no file access, no
rules): ``unit`` (systemd units, shell assignments, uWSGI command lines), ``docker``
(Dockerfiles), ``kolla`` (config.json, and each container's view of its files), ``httpd`` (httpd's
command line and -D defines). The readers find and read the launchers through
``fsroot.FileSystem`` inside ``--root``: ``read`` (Debian, systemd, openstack-pkg-tools, the
Emperor, the web servers' units, /etc/passwd and /etc/group) and ``containers`` (Dockerfiles);
each ini is mapped to its ``Launcher`` (``types``), and
``wsgilint.resolve.uwsgi.resolve(..., launcher=...)`` computes the effective options in uWSGI's
order (environment ``UWSGI_*`` options, then the command line with each ``--ini`` inlined where
it stands), proven against ``uwsgi --show-config`` by tests/test_differential_launch.py.
"""
