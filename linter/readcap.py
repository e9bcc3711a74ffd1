"""Bounded reads of the files wsgilint's own settings name: a config file, a baseline, stdin.

These are not part of the checked tree (that is read through wsgilint.fsroot.FileSystem,
confined to ``--root``): the user names them, or the config search finds them. They can
still be hostile (a cloned repository can commit ``wsgilint-baseline.json`` as a symlink to
``/dev/zero``, or ``.wsgilint.toml`` as one to a 3 GB file: ../shared/hostile/
hang-baseline-special-file, hang-config-symlink-unbounded), so each is opened without
blocking (``O_NONBLOCK``: a FIFO with no writer does not hang the open), must be a regular
file (no FIFO, device, socket or directory), and is read to at most ``limit`` bytes: one
byte more is an error, never a partial read taken for the whole.
"""

from __future__ import annotations

import os
import stat

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)


class CapError(Exception):
    """A file or stream that cannot be read within the rules (the message names why)."""


def _mib(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n % (1024 * 1024) == 0 else f"{n} bytes"


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a regular file"


def read_regular(path: str, limit: int) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed), at most ``limit`` of them.

    CapError (with the reason, not the path) for a special file, a file over ``limit`` bytes or
    an OSError (its strerror)."""
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        raise CapError(f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = _kind(st.st_mode)
            raise CapError(f"{kind}{'' if kind.startswith('not') else ', not a regular file'}; not read")
        if st.st_size > limit:
            raise CapError(f"larger than {_mib(limit)} ({st.st_size} bytes); not read")
        return _read_fd(fd, limit)
    except OSError as exc:
        raise CapError(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _read_fd(fd: int, limit: int) -> bytes:
    chunks, total = [], 0
    while True:
        chunk = os.read(fd, min(1 << 20, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:  # the file grew, or reported a wrong size (/proc)
            raise CapError(f"larger than {_mib(limit)}; not read")


def read_stream(stream, limit: int) -> bytes:
    """At most ``limit`` bytes of a binary stream (stdin) until its end; CapError beyond that."""
    chunks, total = [], 0
    read = getattr(stream, "read1", stream.read)
    while True:
        chunk = read(min(1 << 20, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise CapError(f"more than {_mib(limit)}; not read")
