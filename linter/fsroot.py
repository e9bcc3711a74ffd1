"""Confined, read-only file access: every file wsgilint reads goes through here.

Paths named inside configs are *config paths* (absolute as the server would see
them). With a root, they are resolved inside it as a chroot would: ``..`` stops
at the root and absolute symlink targets are re-anchored at the root, so no file
outside the root is ever opened. Nothing is written and nothing is executed.

With a root, the kernel is never handed a path that could cross a symlink the
resolver did not vet, even while another process changes the tree (issue 20 #2,
``../shared/hostile/escape-toctou-dir-swap``): every open, stat, readlink and
listing is ``op(NAME, dir_fd=FD)`` with NAME one component, opened with
O_NOFOLLOW, and FD a directory descriptor reached from a descriptor of the root
by O_NOFOLLOW|O_DIRECTORY opens of vetted components (``_dirfd``). Symlinks are
read (readlinkat) and resolved here; ``..`` is never handed to the kernel. A
directory swapped for a symlink after it was opened keeps being read through the
descriptor opened before the swap (the check reads one snapshot); one swapped
before it was opened is re-resolved inside the root. Without a root (root = /)
host paths are opened as given, as before.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import posixpath
import re
import stat

from wsgilint.limits import Limits

MAX_SYMLINKS = 40
# Directory descriptors kept open per check (with a root); past this many the cache
# is emptied and refilled as directories are used again (each costs one openat).
MAX_DIR_FDS = 256
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
        # Symlinks resolved once per check: (resolved parent directory, link name) -> (the resolved
        # components the link leads to, links followed on the way). A chain of padded links met by
        # every entry was re-walked per entry (~30k lstat each: ../shared/hostile/superlinear-symlink-chain).
        # Only resolved names are kept; every open still goes through _dirfd's no-follow descriptors.
        self._links: dict[tuple[str, str], tuple[tuple[str, ...], int]] = {}
        self.on_read = None  # optional callback(config_path) per file read (progress display)
        # With a root: directory path relative to the root ("" is the root) -> an
        # O_PATH descriptor of that directory, or -1 when it could not be opened as a
        # directory without following a symlink. See _dirfd.
        self._fds: dict[str, int] = {}
        self._rootlen = len(self.root) if self.root else 0

    def close(self) -> None:
        """Close the directory descriptors this check holds (with a root). Idempotent."""
        fds, self._fds = self._fds, {}
        for fd in fds.values():
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        fds.clear()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    # -- descriptors (with a root) ------------------------------------------------
    def _dirfd(self, rel: str) -> int | None:
        """An O_PATH descriptor of the directory ``rel`` (a resolved path relative to the
        root, components joined by "/", "" for the root), or None.

        Opened component by component from the root's descriptor with
        O_NOFOLLOW|O_DIRECTORY: a component that is (now) a symlink or not a directory
        is never crossed. Each directory is opened once per check; the descriptor is
        kept (a swap of the name later cannot redirect it).
        """
        fds = self._fds
        fd = fds.get(rel)
        if fd is not None:
            return fd if fd >= 0 else None
        if len(fds) >= MAX_DIR_FDS:
            self._trim()
            fds = self._fds
        cur = fds.get("")
        if cur is None:
            try:
                cur = os.open(self.root, _DIR_FLAGS)
            except (OSError, ValueError):
                cur = -1
            fds[""] = cur
        if cur < 0 or not rel:
            return cur if cur >= 0 else None
        key = ""
        for comp in rel.split("/"):
            key = key + "/" + comp if key else comp
            nxt = fds.get(key)
            if nxt is None:
                if comp in ("", ".", ".."):
                    nxt = -1  # never in a resolved path; never handed to the kernel
                else:
                    try:
                        nxt = os.open(comp, _DIR_FLAGS, dir_fd=cur)
                    except (OSError, ValueError):
                        nxt = -1
                fds[key] = nxt
            if nxt < 0:
                return None
            cur = nxt
        return cur

    def _trim(self) -> None:
        """Close every cached directory descriptor but the root's (bounded descriptors)."""
        fds = self._fds
        root_fd = fds.pop("", None)
        self.close()
        if root_fd is not None:
            self._fds[""] = root_fd

    def _at(self, hp: str) -> tuple[int | None, str]:
        """(descriptor of the parent directory, last component) of a resolved host path
        under the root; the root itself is (the root's descriptor, ".")."""
        rel = hp[self._rootlen:].lstrip("/")
        parent, _, name = rel.rpartition("/")
        if not name:
            return self._dirfd(""), "."
        return self._dirfd(parent), name

    def _lstat_at(self, hp: str) -> os.stat_result:
        """lstat of a resolved host path, through descriptors (with a root) or as given."""
        if self.root is None:
            return os.lstat(hp)
        dfd, name = self._at(hp)
        if dfd is None:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), hp)
        return os.stat(name, dir_fd=dfd, follow_symlinks=False)

    def _stat(self, hp: str) -> os.stat_result:
        """stat of a resolved host path. With a root the last component is not followed:
        a resolved path ends in no symlink, unless one was swapped in since (then its
        lstat is what is reported, never the file it points to)."""
        return os.stat(hp) if self.root is None else self._lstat_at(hp)

    def _open_file(self, hp: str) -> int:
        """A read-only, non-blocking descriptor of the resolved host path ``hp``."""
        if self.root is None:
            return os.open(hp, _OPEN_FLAGS)
        dfd, name = self._at(hp)
        if dfd is None:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), hp)
        return os.open(name, _OPEN_FLAGS, dir_fd=dfd)

    def _scandir(self, hp: str) -> tuple[list, int | None]:
        """os.scandir of the resolved directory ``hp``: (entries, descriptor to close or None).

        With a root the directory's vetted descriptor (_dirfd) is re-opened for reading
        (``.`` relative to it: the same directory, whatever its name now leads to) and
        listed through that descriptor; any lstat scandir falls back to (no d_type) is
        relative to it too.
        """
        if self.root is None:
            return list(os.scandir(hp)), None
        dfd = self._dirfd(hp[self._rootlen:].lstrip("/"))
        if dfd is None:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), hp)
        fd = os.open(".", _LIST_FLAGS, dir_fd=dfd)
        try:
            return list(os.scandir(fd)), fd
        except BaseException:
            os.close(fd)
            raise

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
        done = self._dir_cache.get(config_path)  # resolved before, as the directory of a file
        if done is not None:
            hit = root + ("/" + "/".join(done) if done else ("" if root else "/"))
            self._resolved[config_path] = hit
            return hit
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
        if self.root is not None:
            return self._walk_at(done, todo, config_path)
        return self._walk_path(done, todo, config_path, 0)[0]

    def _walk_path(self, done: list[str], todo: list[str], config_path: str, links: int) -> tuple[list[str], int]:
        """The path walk without a root: (resolved components, links followed so far)."""
        root = ""
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
                key = ("/".join(done), comp)
                hit = self._links.get(key)
                if hit is None:
                    before = links
                    links += 1
                    if links > MAX_SYMLINKS:
                        raise ReadError(f"{config_path}: too many levels of symbolic links")
                    target = os.readlink(cand)
                    start = [] if target.startswith("/") else list(done)
                    res, links = self._walk_path(start, list(reversed(target.split("/"))), config_path, links)
                    hit = self._links[key] = (tuple(res), links - before)
                else:
                    links += hit[1]
                    if links > MAX_SYMLINKS:
                        raise ReadError(f"{config_path}: too many levels of symbolic links")
                done = list(hit[0])
            else:
                done.append(comp)
        return done, links

    def _walk_at(self, done: list[str], todo: list[str], config_path: str) -> list[str]:
        """_walk_components inside the root, through directory descriptors: each component
        is lstat'ed (and a symlink read) relative to its parent's descriptor (_dirfd), so
        no path the kernel walks can cross an unvetted symlink. Same results as the
        path walk on a tree nobody changes."""
        return self._walk_at_n(done, todo, config_path, 0)[0]

    def _walk_at_n(self, done: list[str], todo: list[str], config_path: str, links: int) -> tuple[list[str], int]:
        """_walk_at: (resolved components, links followed so far). A symlink is resolved by a
        walk of its own target from its directory, once per check (self._links); meeting it
        again charges the links that walk followed, so MAX_SYMLINKS holds as before."""
        parent = None  # descriptor of "/".join(done), while done is unchanged
        while todo:
            comp = todo.pop()
            if comp in ("", "."):
                continue
            if comp == "..":
                if done:
                    done.pop()
                    parent = None
                continue
            if parent is None:
                parent = self._dirfd("/".join(done))
            if parent is None:  # a missing (or not a) directory: the rest is lexical
                done.append(comp)
                continue
            try:
                st = os.stat(comp, dir_fd=parent, follow_symlinks=False)
            except (OSError, ValueError):
                done.append(comp)
                parent = None
                continue
            if stat.S_ISLNK(st.st_mode):
                key = ("/".join(done), comp)  # the checked directory (its descriptor's path) + name
                hit = self._links.get(key)
                if hit is None:
                    before = links
                    links += 1
                    if links > MAX_SYMLINKS:
                        raise ReadError(f"{config_path}: too many levels of symbolic links")
                    try:
                        target = os.readlink(comp, dir_fd=parent)
                    except (OSError, ValueError):
                        done.append(comp)  # replaced since the lstat: unreadable as a link
                        parent = None
                        continue
                    start = [] if target.startswith("/") else list(done)
                    res, links = self._walk_at_n(start, list(reversed(target.split("/"))), config_path, links)
                    hit = self._links[key] = (tuple(res), links - before)
                else:
                    links += hit[1]
                    if links > MAX_SYMLINKS:
                        raise ReadError(f"{config_path}: too many levels of symbolic links")
                done = list(hit[0])
                parent = None
            else:
                done.append(comp)
                parent = None
        return done, links

    # -- queries ---------------------------------------------------------------
    def _kind(self, config_path: str) -> str | None:
        """"file", "dir", "other" (symlinks followed inside the root), or None when missing."""
        kind = self._kinds.get(config_path, _UNKNOWN)
        if kind is not _UNKNOWN:
            return kind
        try:
            mode = self._stat(self.resolve(config_path)).st_mode
        except (OSError, ValueError, ReadError):
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
        """Is the last component of ``config_path`` a symlink (its directory resolved inside the root)?"""
        if self.root is None:
            try:
                return os.path.islink(self.host_path(config_path))
            except OSError:
                return False
        head, _, tail = posixpath.normpath(config_path).rpartition("/")
        if not tail or tail == "..":
            return False
        try:
            return stat.S_ISLNK(self._lstat_at(self.resolve(head or "/").rstrip("/") + "/" + tail).st_mode)
        except (OSError, ValueError, ReadError):
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
            entries, fd = self._scandir(real)
        except (OSError, ValueError, ReadError):
            return []
        prefix = config_path.rstrip("/") + "/"
        host_prefix = real.rstrip("/") + "/"
        resolved = self._resolved
        kinds = self._kinds
        out = []
        try:
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
        finally:
            if fd is not None:  # the entries' lstat fallback (no d_type) is relative to it
                os.close(fd)
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
        # The tree is a snapshot for the check: a pattern met again (N Include lines over one
        # directory: ../shared/hostile/superlinear-glob-fanout) is answered from the first expansion.
        cache = self.__dict__.setdefault("_glob_cache", {})
        hit = cache.get(pattern)
        if hit is not None:
            if isinstance(hit, ReadLimitError):
                raise hit
            return list(hit)
        try:
            found = self._glob(pattern)
        except ReadLimitError as exc:
            cache[pattern] = exc
            raise
        cache[pattern] = tuple(found)
        return found

    def _glob(self, pattern: str) -> list[str]:
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
            return stat.S_ISLNK(self._lstat_at(self.resolve(base).rstrip("/") + "/" + name).st_mode)
        except (OSError, ValueError, ReadError):
            return True

    def read_bytes(self, config_path: str) -> bytes:
        if self.on_read is not None:
            self.on_read(config_path)
        hp = self.resolve(config_path)
        if self._kinds.get(config_path) != "file":
            # Not seen as a regular file yet: never open a directory, FIFO or device.
            try:
                st = self._stat(hp)
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
        try:
            return _read_regular(hp, self.max_file_bytes, self._open_file)
        except _NotRegular as exc:
            raise ReadError(f"cannot read {self.display(config_path)}: {exc}") from None
        except _TooBig as exc:
            size = exc.args[0]
            what = (f"{size} bytes is over the limit of {self.max_file_bytes}" if size >= 0
                    else f"over the limit of {self.max_file_bytes} bytes")
            raise ReadLimitError(f"{self.display(config_path)}: {what} (max-file-bytes); not read") from None
        except OSError as exc:
            raise ReadError(f"cannot read {self.display(config_path)}: {os.strerror(exc.errno or errno.EIO)}") from None

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
# Directories walked through (with a root): never a symlink, never anything but a
# directory. O_PATH (Linux) needs only search permission and cannot read; elsewhere
# O_RDONLY.
_DIR_FLAGS = (getattr(os, "O_PATH", 0) or os.O_RDONLY) | getattr(os, "O_DIRECTORY", 0) | \
    getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
# A directory opened to be listed.
_LIST_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | \
    getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)


def _open_host(hp: str) -> int:
    return os.open(hp, _OPEN_FLAGS)


def _read_regular(hp: str, max_bytes: int, opener=_open_host) -> bytes:
    """The bytes of the regular file at host path ``hp``: open, fstat, read, close.

    ``opener`` opens it (FileSystem._open_file: relative to a vetted directory
    descriptor when there is a root). Raises OSError, _NotRegular or _TooBig.
    """
    fd = opener(hp)
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
