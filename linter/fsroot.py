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
import stat

from wsgilint.limits import Limits

MAX_SYMLINKS = 40
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
        self.on_read = None  # optional callback(config_path) per file read (progress display)

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
        """How a path is shown to users: relative to the current directory when under it."""
        hp = self.host_path(config_path)
        try:
            rel = os.path.relpath(hp, self.cwd)
        except ValueError:
            return hp
        return hp if rel.startswith("..") else rel

    def resolve(self, config_path: str) -> str:
        """Follow symlinks like the kernel would inside a chroot at ``root``; return a host path.

        Without a root this is realpath(). Resolved directories are cached, so a file
        in an already-seen directory costs one lstat (a 10k-file tree is walked in
        O(files), not O(files x depth)).
        """
        root = self.root or ""
        head, _, tail = config_path.rpartition("/")
        base = self._dir_cache.get(head)
        if base is None:
            base = self._walk_components([], list(reversed(head.split("/"))), config_path)
            self._dir_cache[head] = base
        done = self._walk_components(list(base), [tail], config_path)
        return root + ("/" + "/".join(done) if done else ("" if root else "/"))

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
    def _stat(self, config_path: str) -> os.stat_result | None:
        try:
            return os.stat(self.resolve(config_path))
        except (OSError, ReadError):
            return None

    def exists(self, config_path: str) -> bool:
        return self._stat(config_path) is not None

    def is_dir(self, config_path: str) -> bool:
        st = self._stat(config_path)
        return st is not None and stat.S_ISDIR(st.st_mode)

    def is_file(self, config_path: str) -> bool:
        st = self._stat(config_path)
        return st is not None and stat.S_ISREG(st.st_mode)

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
        try:
            names = os.listdir(self.resolve(config_path))
        except (OSError, ReadError):
            return []
        return sorted(names, key=lambda n: n.encode("utf-8", "surrogateescape"))

    def scan(self, config_path: str) -> list[tuple[str, str]]:
        """(name, kind) of a directory's entries, sorted by name; kind is "dir", "file",
        "link-dir", "link-file" (symlinks, resolved inside the root) or "other"."""
        try:
            entries = list(os.scandir(self.resolve(config_path)))
        except (OSError, ReadError):
            return []
        out = []
        for e in entries:
            try:
                if e.is_symlink():
                    p = posixpath.join(config_path, e.name)
                    kind = "link-dir" if self.is_dir(p) else "link-file" if self.is_file(p) else "other"
                elif e.is_dir(follow_symlinks=False):
                    kind = "dir"
                elif e.is_file(follow_symlinks=False):
                    kind = "file"
                else:
                    kind = "other"
            except OSError:
                kind = "other"
            out.append((e.name, kind))
        out.sort(key=lambda nk: nk[0].encode("utf-8", "surrogateescape"))
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
            for base in results:
                if has_wildcard(part):
                    for name in self.listdir(base):
                        if name.startswith(".") and not part.startswith("."):
                            continue
                        if fnmatch.fnmatchcase(name, part):
                            cand = posixpath.join(base, name)
                            if not last and self._is_link(base, name):
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
        try:
            st = os.stat(hp)
        except OSError as exc:
            raise ReadError(f"cannot read {self.display(config_path)}: {os.strerror(exc.errno or errno.EIO)}") from None
        if stat.S_ISDIR(st.st_mode):
            raise ReadError(f"cannot read {self.display(config_path)}: is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise ReadError(f"cannot read {self.display(config_path)}: not a regular file")
        if st.st_size > self.max_file_bytes:
            raise ReadLimitError(
                f"{self.display(config_path)}: {st.st_size} bytes is over the limit of {self.max_file_bytes} "
                f"(max-file-bytes); not read"
            )
        # Never follow a symlink swapped in after resolve(), never block on a FIFO or
        # a device, and re-check what was actually opened.
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
        try:
            fd = os.open(hp, flags)
        except OSError as exc:
            raise ReadError(f"cannot read {self.display(config_path)}: {os.strerror(exc.errno or errno.EIO)}") from None
        try:
            fst = os.fstat(fd)
            if not stat.S_ISREG(fst.st_mode):
                raise ReadError(f"cannot read {self.display(config_path)}: not a regular file")
            with os.fdopen(fd, "rb", closefd=True) as fh:
                fd = -1
                # Read what stat reported (plus one byte to notice growth), not a
                # max-size buffer: allocating 32 MiB per file dominated big trees.
                data = fh.read(min(fst.st_size, self.max_file_bytes) + 1)
        except OSError as exc:
            raise ReadError(f"cannot read {self.display(config_path)}: {os.strerror(exc.errno or errno.EIO)}") from None
        finally:
            if fd >= 0:
                os.close(fd)
        if len(data) > self.max_file_bytes:
            raise ReadLimitError(f"{self.display(config_path)}: over the limit of {self.max_file_bytes} bytes "
                                 f"(max-file-bytes); not read")
        return data

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
    if b"\x00" in data[:8192] or b"\x00" in data:
        raise ReadError("binary file (contains NUL bytes)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return data.decode("latin-1"), f"not valid UTF-8 (byte {exc.start}); read as latin-1"
