"""Debian envvars: shell assignments read without running the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from wsgilint.parse.envvars import parse_envvars


def test_quoting_and_expansion():
    text = (
        'export A="x y"\n'
        "B='$A literal'\n"
        "export C=${A}/z # trailing comment\n"
        'D="q\\"$A"\n'
        "export E=$UNSET/tail\n"
        "export LANG\n"
        "F=`id -u`\n"
    )
    got = parse_envvars(text)
    assert got["A"] == "x y"
    assert got["B"] == "$A literal"
    assert got["C"] == "x y/z"
    assert got["D"] == 'q"x y'
    assert got["E"] == "/tail"
    assert "LANG" not in got
    assert "F" not in got  # command substitution is never run


def test_control_flow_blocks_are_skipped_and_suffix_is_empty():
    text = ('if [ "${APACHE_CONFDIR##/etc/apache2-}" != "${APACHE_CONFDIR}" ] ; then\n'
            '\tSUFFIX="-${APACHE_CONFDIR##/etc/apache2-}"\nelse\n\tSUFFIX=\nfi\n'
            "export APACHE_RUN_DIR=/var/run/apache2$SUFFIX\n")
    assert parse_envvars(text) == {"APACHE_RUN_DIR": "/var/run/apache2"}


def test_debian_stock_envvars():
    path = Path("/etc/apache2/envvars")
    if not path.exists():
        pytest.skip("no /etc/apache2/envvars on this machine (apache2 not installed)")
    got = parse_envvars(path.read_text())
    assert got["APACHE_LOG_DIR"] == "/var/log/apache2"
    assert got["APACHE_RUN_USER"] == "www-data"
