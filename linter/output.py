"""Writing the files wsgilint is asked to write (``--output``, ``--create-baseline``).

One function, ``write_text``, for every file wsgilint writes. What it does depends on what
the path names when the report is ready (symlinks followed one link at a time, at most 40):

- a character device (``/dev/null``, a terminal) or a FIFO: opened for writing and written
  *through*, never created, truncated, renamed over or unlinked. A FIFO with no reader waits
  for one, as a shell redirect does.
- a ``/proc`` "magic" link (``/dev/stdout`` -> ``/proc/self/fd/1``, ``/dev/fd/N``): the report
  goes to that open file description itself (our own fd N when it is ours: the offset and
  append mode the shell set are kept, as bash does for ``/dev/stdout``), never to a rename.
- a regular file, or nothing (a new file): atomic replace. A temporary file
  (``.wsgilint-XXXXXXXXXXXX.tmp``) is created next to it (``O_EXCL|O_NOFOLLOW``), written,
  fsynced and renamed onto the name with ``os.replace``; the directory is fsynced. An existing
  file keeps its permission bits (and owner and group when running as root); a new file is
  created with mode 0666 and the kernel applies the umask (or the directory's default ACL),
  as a shell redirect does. The replaced file is a new inode: hard links to the old one, its
  ACLs and extended attributes are not carried over.
- a symlink whose chain ends at a regular file (or at nothing): the file at the end of the
  chain is replaced and the links stay links. ruff's ``--output-file`` reaches the same end
  state with ``File::create`` (open with ``O_CREAT|O_TRUNC``, following links; astral-sh/ruff
  @03e3ba0c crates/ruff/src/lib.rs), only not atomically.
- a directory, a block device, a socket, a path under a missing directory: ``OutputError``
  with a one-line reason; nothing is created, nothing is left behind. (ruff creates missing
  parent directories, astral-sh/ruff#11550; wsgilint refuses, as a shell redirect does, so a
  typo cannot create a tree.)

tests/hostile/test_output_paths.py measures each case through the real CLI, on device nodes
made with mknod in a temporary directory.
"""

import os
import stat

_MAX_LINKS = 40  # Linux's MAXSYMLINKS


class OutputError(Exception):
    """A file wsgilint was asked to write cannot be written; str() is one line."""


def write_text(path: str, text: str, option: str = "--output") -> None:
    """Write ``text`` (UTF-8) to ``path`` as the module docstring says; ``option`` names the
    command-line option in error messages. Raises OutputError with a one-line message."""
    data = text.encode("utf-8")
    shown = _printable(path)
    try:
        kind, where, st = _classify(path)
        if kind == "fd":
            _write_fd(where, data)
        elif kind == "through":
            _write_through(path, data)
        else:
            _replace(where, st, data)
    except _Refused as exc:
        raise OutputError(f"{option} {shown}: {exc}") from None
    except OSError as exc:
        raise OutputError(f"{option} {shown}: {_reason(exc)}") from None


class _Refused(Exception):
    pass


def _classify(path: str):
    """('replace', file, stat or None) | ('through', path, None) | ('fd', n, None)."""
    if not path:
        raise _Refused("empty file name")
    cur = path
    for _ in range(_MAX_LINKS + 1):
        try:
            st = os.lstat(cur)
        except FileNotFoundError:
            _check_parent(cur)
            return "replace", cur, None
        if stat.S_ISLNK(st.st_mode):
            if _on_procfs(st):
                fd = _own_fd(cur)
                return ("fd", fd, None) if fd is not None else ("through", path, None)
            cur = os.path.join(os.path.dirname(cur), os.readlink(cur))
            continue
        if stat.S_ISREG(st.st_mode):
            return "replace", cur, st
        if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
            return "through", path, None
        if stat.S_ISDIR(st.st_mode):
            raise _Refused("is a directory" if cur == path else f"is a directory ({_printable(cur)})")
        if stat.S_ISBLK(st.st_mode):
            raise _Refused("is a block device; a report is written to a file, a character device or a FIFO")
        raise _Refused("is a socket or another special file; not written")
    raise _Refused("too many levels of symbolic links")


def _check_parent(cur: str) -> None:
    parent = os.path.dirname(cur) or "."
    try:
        st = os.stat(parent)
    except FileNotFoundError:
        raise _Refused(f"no such directory: {_printable(parent)}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise _Refused(f"not a directory: {_printable(parent)}")


def _on_procfs(st: os.stat_result) -> bool:
    try:
        return st.st_dev == os.lstat("/proc").st_dev
    except OSError:
        return False


def _own_fd(link: str):
    """N when ``link`` is /proc/self/fd/N (or /proc/<our pid>/fd/N, /proc/thread-self/fd/N)
    and N is open in this process; else None."""
    name = os.path.basename(link)
    if not name.isdigit() or not name.isascii():
        return None
    d = os.path.realpath(os.path.dirname(os.path.abspath(link)))
    pid = os.getpid()
    parts = d.split("/")
    ours = d == f"/proc/{pid}/fd" or (len(parts) == 6 and parts[:3] == ["", "proc", str(pid)]
                                      and parts[3] == "task" and parts[5] == "fd")
    if not ours:
        return None
    fd = int(name)
    try:
        os.fstat(fd)
    except OSError:
        return None
    return fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except BlockingIOError:  # a non-blocking descriptor we were handed (our own fd N)
            import select

            select.select([], [fd], [])
            continue
        view = view[n:]


def _write_fd(fd: int, data: bytes) -> None:
    import sys

    for stream in (sys.stdout, sys.stderr):  # keep the order of anything already written there
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    _write_all(fd, data)


def _write_through(path: str, data: bytes) -> None:
    """Open what ``path`` names without creating or replacing it, and write into it."""
    flags = os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(path, flags | os.O_NONBLOCK)  # a tty-like device must not block the open
    except OSError as exc:
        import errno

        if exc.errno != errno.ENXIO:
            raise
        fd = os.open(path, flags)  # a FIFO with no reader yet: wait for one, as `>` does
    try:
        st = os.fstat(fd)
        if stat.S_ISREG(st.st_mode):  # another process's fd reached through /proc: like `>`
            os.ftruncate(fd, 0)
        elif not (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
            raise _Refused("changed into something that is not a file, character device or FIFO")
        os.set_blocking(fd, True)
        _write_all(fd, data)
    finally:
        os.close(fd)


def _replace(target: str, st, data: bytes) -> None:
    """Atomic replace of the regular file ``target`` (or a new file when ``st`` is None)."""
    directory = os.path.dirname(target) or "."
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        tmp = os.path.join(directory, f".wsgilint-{os.urandom(6).hex()}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666 if st is None else 0o600)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise _Refused(f"{_reason(exc)} (creating a file in {_printable(directory)})") from None
    else:
        raise _Refused(f"cannot create a temporary file in {_printable(directory)}")
    try:
        try:
            if st is not None:
                _keep_owner_and_mode(fd, st)
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def _keep_owner_and_mode(fd: int, st: os.stat_result) -> None:
    # chown before chmod: chown clears set-id bits.
    if os.geteuid() == 0:
        os.fchown(fd, st.st_uid, st.st_gid)
    elif st.st_gid != os.getegid():
        try:
            os.fchown(fd, -1, st.st_gid)  # allowed when we are in that group
        except OSError:
            pass
    os.fchmod(fd, stat.S_IMODE(st.st_mode))


def _reason(exc: OSError) -> str:
    text = exc.strerror or os.strerror(exc.errno or 0) or "cannot write"
    return _printable(text[:1].lower() + text[1:])


def _printable(s) -> str:
    """``s`` with control, bidi and other non-printable characters escaped (\\x1b, \\u202e):
    wsgilint.report.escape.visible, the one escaping function of every output."""
    from wsgilint.report.escape import visible

    return visible(s)
