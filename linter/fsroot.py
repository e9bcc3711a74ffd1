"""Confined, read-only file access: every file wsgilint reads goes through here.

Paths named inside configs are *config paths* (absolute as the server would see
them). With a root, they are resolved inside it as a chroot would: ``..`` stops
at the root and absolute symlink targets are re-anchored at the root, so no file
outside the root is ever opened. Nothing is written and nothing is executed.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import posixpath
import re
import stat
import struct
import sys
from contextlib import contextmanager

from wsgilint.limits import Limits

MAX_SYMLINKS = 40
_UNKNOWN = object()
WILDCARD_CHARS = frozenset("*?[")


class ReadError(Exception):
    """A file could not be read; the message is one line for the user."""

    code = "file-unreadable"  # the diagnostic (rule) a resolver reports it as


class ReadLimitError(ReadError):
    """Reading stopped at a configured limit (wsgilint.limits); ``partial`` is what was found."""

    code = "limit-exceeded"

    def __init__(self, message: str, partial: list[str] | None = None) -> None:
        super().__init__(message)
        self.partial = partial or []


def has_wildcard(text: str) -> bool:
    return any(c in WILDCARD_CHARS for c in text)


class FileSystem:
    """Read files and list directories, confined to ``root`` when one is given."""

    # Fewer files than this are read in this process: a fork costs ~1-3 ms, a file ~10 us.
    prefetch_min = 256

    def __init__(self, root: str | None = None, cwd: str | None = None, limits: Limits | None = None) -> None:
        self.root = os.path.realpath(root) if root else None
        self.cwd = cwd or os.getcwd()
        self.limits = limits or Limits()
        self.max_file_bytes = self.limits.max_file_bytes
        self.loads = 0  # files loaded by resolvers (Include / ini =), for limits.max_files
        self._dir_cache: dict[str, list[str]] = {}
        # Per-check memos: a check reads the tree as a snapshot (what was opened is
        # re-checked with fstat). On the 10k-vhost tree the glob, is_dir, exists and
        # read of each included file cost 4 resolves and 3 stats; with these and the
        # kinds scandir reports, reading a globbed file is open + fstat + read.
        self._resolved: dict[str, str] = {}  # config path -> host path
        self._kinds: dict[str, str | None] = {}  # config path -> "file" | "dir" | "other" | None
        self._display_dirs: dict[str, str | None] = {}  # directory config path -> shown prefix
        self._listings: dict[str, list[tuple[str, bool]]] = {}  # directory config path -> entries
        self.on_read = None  # optional callback(config_path) per file read (progress display)
        self._prefetch: _Prefetch | None = None

    # -- paths -----------------------------------------------------------------
    def to_config_path(self, host_path: str) -> str:
        """Map a host path (as given on the command line) to a config path."""
        ap = os.path.abspath(os.path.join(self.cwd, host_path))
        if self.root is None:
            return ap
        rel = os.path.relpath(ap, self.root)
        if rel == ".":
            return "/"
        if rel.startswith(".."):
            raise ReadError(f"{host_path}: outside the root {self.root}")
        return "/" + rel

    def host_path(self, config_path: str) -> str:
        """The lexical host path of a config path (symlinks not followed)."""
        norm = posixpath.normpath(config_path)
        if norm.startswith("//"):
            norm = "/" + norm.lstrip("/")
        if self.root is None:
            return norm
        return self.root if norm == "/" else self.root + norm

    def display(self, config_path: str) -> str:
        """How a path is shown to users: relative to the current directory when under it.

        Computed once per directory (relpath per file was 0.2 s of the 10k-vhost tree).
        """
        head, _, tail = config_path.rpartition("/")
        if not tail or tail in (".", "..") or "//" in config_path or "/." in head or not head.startswith("/"):
            return self._display_full(config_path)
        prefix = self._display_dirs.get(head, "")
        if prefix == "":
            shown = self._display_full(head)
            if shown == ".":
                prefix = None  # the current directory: the bare name
            elif os.path.isabs(shown):
                prefix = shown.rstrip("/") + "/"
            else:
                prefix = shown + "/"
            self._display_dirs[head] = prefix
        return tail if prefix is None else prefix + tail

    def _display_full(self, config_path: str) -> str:
        hp = self.host_path(config_path)
        try:
            rel = os.path.relpath(hp, self.cwd)
        except ValueError:
            return hp
        return hp if rel == ".." or rel.startswith("../") else rel

    def resolve(self, config_path: str) -> str:
        """Follow symlinks like the kernel would inside a chroot at ``root``; return a host path.

        Without a root this is realpath(). Resolved directories are cached, so a file
        in an already-seen directory costs one lstat (a 10k-file tree is walked in
        O(files), not O(files x depth)).
        """
        hit = self._resolved.get(config_path)
        if hit is not None:
            return hit
        root = self.root or ""
        head, _, tail = config_path.rpartition("/")
        base = self._dir_cache.get(head)
        if base is None:
            base = self._walk_components([], list(reversed(head.split("/"))), config_path)
            self._dir_cache[head] = base
        done = self._walk_components(list(base), [tail], config_path)
        hit = root + ("/" + "/".join(done) if done else ("" if root else "/"))
        self._resolved[config_path] = hit
        return hit

    def _walk_components(self, done: list[str], todo: list[str], config_path: str) -> list[str]:
        root = self.root or ""
        links = 0
        while todo:
            comp = todo.pop()
            if comp in ("", "."):
                continue
            if comp == "..":
                if done:
                    done.pop()
                continue
            cand = root + "/" + "/".join(done) + ("/" if done else "") + comp
            try:
                st = os.lstat(cand)
            except OSError:
                done.append(comp)
                continue
            if stat.S_ISLNK(st.st_mode):
                links += 1
                if links > MAX_SYMLINKS:
                    raise ReadError(f"{config_path}: too many levels of symbolic links")
                target = os.readlink(cand)
                if target.startswith("/"):
                    done = []
                todo.extend(reversed(target.split("/")))
            else:
                done.append(comp)
        return done

    # -- queries ---------------------------------------------------------------
    def _kind(self, config_path: str) -> str | None:
        """"file", "dir", "other" (symlinks followed inside the root), or None when missing."""
        kind = self._kinds.get(config_path, _UNKNOWN)
        if kind is not _UNKNOWN:
            return kind
        try:
            mode = os.stat(self.resolve(config_path)).st_mode
        except (OSError, ReadError):
            kind = None
        else:
            kind = "dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"
        self._kinds[config_path] = kind
        return kind

    def exists(self, config_path: str) -> bool:
        return self._kind(config_path) is not None

    def is_dir(self, config_path: str) -> bool:
        return self._kind(config_path) == "dir"

    def is_file(self, config_path: str) -> bool:
        return self._kind(config_path) == "file"

    def is_symlink(self, config_path: str) -> bool:
        try:
            return os.path.islink(self.host_path(config_path))
        except OSError:
            return False

    def same_file(self, a: str, b: str) -> bool:
        try:
            return self.resolve(a) == self.resolve(b)
        except ReadError:
            return False

    def listdir(self, config_path: str) -> list[str]:
        """Entry names of a directory, sorted as httpd sorts them (byte order)."""
        return [name for name, _ in self._entries(config_path)]

    def _entries(self, config_path: str) -> list[tuple[str, bool]]:
        """(name, is a symlink) of a directory's entries, in byte order.

        What scandir already knows is remembered: an entry that is not a symlink
        resolves to its directory's host path plus its name, and its type (d_type)
        needs no stat.
        """
        listed = self._listings.get(config_path)
        if listed is not None:
            return listed
        try:
            real = self.resolve(config_path)
            entries = list(os.scandir(real))
        except (OSError, ReadError):
            return []
        prefix = config_path.rstrip("/") + "/"
        host_prefix = real.rstrip("/") + "/"
        resolved = self._resolved
        kinds = self._kinds
        out = []
        for e in entries:
            name = e.name
            try:
                link = e.is_symlink()
                if not link:
                    cp = prefix + name
                    resolved[cp] = host_prefix + name
                    kinds[cp] = "dir" if e.is_dir(follow_symlinks=False) else \
                        "file" if e.is_file(follow_symlinks=False) else "other"
            except OSError:
                link = True  # unknown: treated like a symlink (resolved and stat'ed when used)
            out.append((name, link))
        if all(name.isascii() for name, _ in out):
            out.sort()  # byte order is code point order for ASCII names
        else:
            out.sort(key=lambda nl: nl[0].encode("utf-8", "surrogateescape"))
        self._listings[config_path] = out
        return out

    def scan(self, config_path: str) -> list[tuple[str, str]]:
        """(name, kind) of a directory's entries, sorted by name; kind is "dir", "file",
        "link-dir", "link-file" (symlinks, resolved inside the root) or "other"."""
        prefix = config_path.rstrip("/") + "/"
        out = []
        for name, link in self._entries(config_path):
            p = prefix + name
            if link:
                kind = "link-dir" if self.is_dir(p) else "link-file" if self.is_file(p) else "other"
            else:
                kind = self._kinds.get(p) or "other"
            out.append((name, kind))
        return out

    def glob(self, pattern: str) -> list[str]:
        """Expand wildcards in any component of an absolute config path (httpd style).

        Like apr_fnmatch with APR_FNM_PERIOD: a wildcard never matches a leading dot.
        As httpd's process_resource_config_fnmatch does, a wildcard before the last
        component matches real directories only, never symlinks (apr_dir_read reports
        APR_LNK; checked on 2.4.71), so symlink loops (``d/s1 -> .``) cannot grow a glob.
        At most ``max_glob_matches`` paths per step (ReadLimitError beyond).
        """
        parts = [p for p in pattern.split("/") if p]
        results = ["/"]
        cap = self.limits.max_glob_matches
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt: list[str] = []
            match = re.compile(fnmatch.translate(part)).match if has_wildcard(part) else None
            for base in results:
                if match is not None:
                    prefix = base if base.endswith("/") else base + "/"  # posixpath.join(base, name)
                    for name, link in self._entries(base):
                        if name.startswith(".") and not part.startswith("."):
                            continue
                        if match(name):
                            cand = prefix + name
                            if not last and link and self._is_link(base, name):
                                continue
                            if last or self.is_dir(cand):
                                nxt.append(cand)
                                if len(nxt) > cap:
                                    raise ReadLimitError(
                                        f"{pattern}: matches more than {cap} paths (max-glob-matches); "
                                        + (f"only the first {cap} were read" if last else "none were read"),
                                        partial=nxt[:cap] if last else [])
                else:
                    nxt.append(posixpath.join(base, part))
            results = nxt
            if not results:
                break
        return [r for r in results if self.exists(r)] if results else []

    def _is_link(self, base: str, name: str) -> bool:
        """Is entry ``name`` of directory ``base`` a symlink (checked inside the root)?"""
        try:
            return stat.S_ISLNK(os.lstat(self.resolve(base) + "/" + name).st_mode)
        except (OSError, ReadError):
            return True

    def read_bytes(self, config_path: str) -> bytes:
        if self.on_read is not None:
            self.on_read(config_path)
        hp = self.resolve(config_path)
        if self._kinds.get(config_path) != "file":
            # Not seen as a regular file yet: never open a directory, FIFO or device.
            try:
                st = os.stat(hp)
            except OSError as exc:
                raise ReadError(f"cannot read {self.display(config_path)}: "
                                f"{os.strerror(exc.errno or errno.EIO)}") from None
            if stat.S_ISDIR(st.st_mode):
                raise ReadError(f"cannot read {self.display(config_path)}: is a directory")
            if not stat.S_ISREG(st.st_mode):
                raise ReadError(f"cannot read {self.display(config_path)}: not a regular file")
            if st.st_size > self.max_file_bytes:
                raise ReadLimitError(
                    f"{self.display(config_path)}: {st.st_size} bytes is over the limit of {self.max_file_bytes} "
                    f"(max-file-bytes); not read"
                )
        pf = self._prefetch
        if pf is not None:
            data = pf.take(config_path)
            if data is not None:
                return data
        try:
            return _read_regular(hp, self.max_file_bytes)
        except _NotRegular as exc:
            raise ReadError(f"cannot read {self.display(config_path)}: {exc}") from None
        except _TooBig as exc:
            size = exc.args[0]
            what = (f"{size} bytes is over the limit of {self.max_file_bytes}" if size >= 0
                    else f"over the limit of {self.max_file_bytes} bytes")
            raise ReadLimitError(f"{self.display(config_path)}: {what} (max-file-bytes); not read") from None
        except OSError as exc:
            raise ReadError(f"cannot read {self.display(config_path)}: {os.strerror(exc.errno or errno.EIO)}") from None

    @contextmanager
    def prefetching(self, config_paths: list[str]):
        """Read ``config_paths`` ahead, in this order, in a forked child process, meanwhile.

        For a long Include glob (10k vhost files): the child opens and reads each file on
        the second core while this process parses the ones before it, and sends their
        bytes through a pipe; ``read_bytes`` then takes them from there (see _Prefetch).
        Only files already known as regular files are read ahead, with the same checks
        as ``read_bytes``; anything unusual is left to ``read_bytes`` itself. Below
        ``prefetch_min`` files, in a process with threads, or where fork is missing,
        this does nothing.
        """
        pf = None
        if self._prefetch is None and len(config_paths) >= self.prefetch_min and _can_fork():
            kinds = self._kinds
            resolved = self._resolved
            wanted = {}
            hosts = []
            for p in config_paths:
                if kinds.get(p) == "file" and p not in wanted:
                    hp = resolved.get(p)
                    if hp is not None:
                        wanted[p] = len(hosts)
                        hosts.append(hp)
            if len(hosts) >= self.prefetch_min:
                pf = _Prefetch.start(wanted, hosts, self.max_file_bytes)
        if pf is None:
            yield
            return
        self._prefetch = pf
        try:
            yield
        finally:
            self._prefetch = None
            pf.close()

    def charge_load(self, config_path: str) -> None:
        """Count one file load (an Include or ini = of a file) against limits.max_files."""
        self.loads += 1
        if self.loads > self.limits.max_files:
            raise ReadLimitError(f"{self.display(config_path)}: not read: this check already loaded "
                                 f"{self.limits.max_files} files (max-files)")

    def read_text(self, config_path: str) -> tuple[str, str | None, bool]:
        """Read and decode a config file: (text, encoding note, had a UTF-8 BOM).

        ReadError messages always name the file.
        """
        try:
            data = self.read_bytes(config_path)
            text, note = decode(data)
            return text, note, data.startswith(b"\xef\xbb\xbf")
        except ReadError as exc:
            msg = str(exc)
            shown = self.display(config_path)
            if not msg.startswith(("cannot", shown)):
                msg = f"{shown}: {msg}"
            raise type(exc)(msg) from None


def decode(data: bytes) -> tuple[str, str | None]:
    """Decode config bytes: UTF-8 (BOM dropped), else latin-1 with a note. NUL means binary."""
    if b"\x00" in data:
        raise ReadError("binary file (contains NUL bytes)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return data.decode("latin-1"), f"not valid UTF-8 (byte {exc.start}); read as latin-1"


class _NotRegular(Exception):
    """What was opened is not a regular file (the message says what it is)."""


class _TooBig(Exception):
    """Over max-file-bytes: args[0] is the size fstat gave, or -1 when the file grew past it."""


# Never follow a symlink swapped in after resolve(), never block on a FIFO or a
# device, and re-check what was actually opened.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | \
    getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)


def _read_regular(hp: str, max_bytes: int) -> bytes:
    """The bytes of the regular file at host path ``hp``: open, fstat, read, close.

    Raises OSError, _NotRegular or _TooBig. Shared by read_bytes and the prefetch child.
    """
    fd = os.open(hp, _OPEN_FLAGS)
    try:
        fst = os.fstat(fd)
        if not stat.S_ISREG(fst.st_mode):
            raise _NotRegular("is a directory" if stat.S_ISDIR(fst.st_mode) else "not a regular file")
        if fst.st_size > max_bytes:
            raise _TooBig(fst.st_size)
        # Read what fstat reported (plus one byte to notice growth), not a max-size
        # buffer: allocating 32 MiB per file dominated big trees. os.read, not a
        # buffered file object: 10k small files are mostly per-call overhead.
        want = fst.st_size + 1
        chunks = []
        got = 0
        while got < want:
            chunk = os.read(fd, want - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if got > max_bytes or len(chunk) < fst.st_size + 1 - (got - len(chunk)):
                break  # a short read of a regular file is its end
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise _TooBig(-1)
    return data


def _can_fork() -> bool:
    """fork() is there and safe: no other thread could be holding a lock the child needs."""
    if not hasattr(os, "fork") or os.environ.get("WSGILINT_NO_PREFETCH"):
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


_HEADER = struct.Struct("<IQ")  # file index, byte count (or _FALLBACK)
_FALLBACK = (1 << 64) - 1  # the child could not read it as a plain regular file: read_bytes decides


class _Prefetch:
    """A child process reading files ahead of the parser, on the other core.

    Reading 10k small files costs ~0.1 s of system calls (open, fstat, read, close);
    the child does them while the parent parses, and writes ``index, size, bytes``
    records to a pipe in the order given. The parent takes a file's bytes when it
    reads it, keeping the records it passes on its way (files not read in the order
    given). A file the child could not read plainly (gone, grown past the limit, no
    longer a regular file, ...) comes back as a fallback: ``read_bytes`` reads it
    itself and reports what it finds, exactly as without a prefetch.

    The child only opens and reads files the parent had already resolved inside the
    root as regular files, with read_bytes' own checks (_read_regular); it writes
    nothing but the pipe and ends with os._exit (no atexit handler, no buffer flush).
    Threads would make fork unsafe; _can_fork refuses then. Measured on the
    10k-vhost tree: see bench/README.md.
    """

    def __init__(self, wanted: dict[str, int], pid: int, rfd: int) -> None:
        self.wanted = wanted
        self.pid = pid
        self.pipe = open(rfd, "rb", buffering=1 << 20)
        self.ready: dict[int, bytes | None] = {}
        self.last = -1  # index of the last record received
        self.done = False

    @classmethod
    def start(cls, wanted: dict[str, int], hosts: list[str], max_bytes: int) -> "_Prefetch | None":
        try:
            rfd, wfd = os.pipe()
        except OSError:
            return None
        try:
            import fcntl

            fcntl.fcntl(wfd, fcntl.F_SETPIPE_SZ, 1 << 20)  # fewer wake-ups; best effort
        except (ImportError, AttributeError, OSError):
            pass
        try:
            pid = os.fork()
        except OSError:
            os.close(rfd)
            os.close(wfd)
            return None
        if pid == 0:  # the child: read, send, and leave without running anything else
            try:
                os.close(rfd)
                _child(hosts, max_bytes, wfd)
            finally:
                os._exit(0)
        os.close(wfd)
        return cls(wanted, pid, rfd)

    def take(self, config_path: str) -> bytes | None:
        """The file's bytes from the child, or None: read it directly."""
        idx = self.wanted.get(config_path)
        if idx is None:
            return None
        if idx <= self.last:
            return self.ready.pop(idx, None)  # None too when taken once already
        while not self.done:
            got = self._record()
            if got is None:
                break
            i, data = got
            if i == idx:
                return data
            self.ready[i] = data
        return None

    def _record(self) -> tuple[int, bytes | None] | None:
        head = self.pipe.read(_HEADER.size)
        if len(head) < _HEADER.size:
            self.done = True
            return None
        i, n = _HEADER.unpack(head)
        if n == _FALLBACK:
            data = None
        else:
            data = self.pipe.read(n)
            if len(data) < n:  # the child died mid-record: what is left is read directly
                self.done = True
                return None
        self.last = i
        return i, data

    def close(self) -> None:
        try:
            self.pipe.close()
        finally:
            try:
                os.kill(self.pid, 9)
            except OSError:
                pass
            try:
                os.waitpid(self.pid, 0)
            except OSError:
                pass


def _child(hosts: list[str], max_bytes: int, wfd: int) -> None:
    """The prefetch child's work: each file's record, written in ~256 KiB batches."""
    pack = _HEADER.pack
    batch: list[bytes] = []
    size = 0
    try:
        for i, hp in enumerate(hosts):
            try:
                data = _read_regular(hp, max_bytes)
            except Exception:  # noqa: BLE001 - anything unusual is read_bytes' to report
                batch.append(pack(i, _FALLBACK))
                size += _HEADER.size
            else:
                batch.append(pack(i, len(data)))
                batch.append(data)
                size += _HEADER.size + len(data)
            if size >= 1 << 18:
                _write_all(wfd, b"".join(batch))
                batch = []
                size = 0
        if batch:
            _write_all(wfd, b"".join(batch))
    except OSError:
        pass  # the parent closed the pipe (it is done, or gone)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
