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

MAX_SYMLINKS = 40
WILDCARD_CHARS = frozenset("*?[")


class ReadError(Exception):
    """A file could not be read; the message is one line for the user."""


def has_wildcard(text: str) -> bool:
    return any(c in WILDCARD_CHARS for c in text)


class FileSystem:
    """Read files and list directories, confined to ``root`` when one is given."""

    def __init__(self, root: str | None = None, cwd: str | None = None) -> None:
        self.root = os.path.realpath(root) if root else None
        self.cwd = cwd or os.getcwd()
        self.max_file_bytes = 32 * 1024 * 1024

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
        """Follow symlinks like the kernel would inside a chroot at ``root``; return a host path."""
        if self.root is None:
            return os.path.realpath(config_path)
        root = self.root
        todo = [p for p in reversed(config_path.split("/"))]
        done: list[str] = []
        links = 0
        while todo:
            comp = todo.pop()
            if comp in ("", "."):
                continue
            if comp == "..":
                if done:
                    done.pop()
                continue
            cand = root + "/" + "/".join(done + [comp])
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
        return root + ("/" + "/".join(done) if done else "")

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

    def glob(self, pattern: str) -> list[str]:
        """Expand wildcards in any component of an absolute config path (httpd style).

        Like apr_fnmatch with APR_FNM_PERIOD: a wildcard never matches a leading dot.
        """
        parts = [p for p in pattern.split("/") if p]
        results = ["/"]
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
                            if last or self.is_dir(cand):
                                nxt.append(cand)
                else:
                    nxt.append(posixpath.join(base, part))
            results = nxt
            if not results:
                break
        return [r for r in results if self.exists(r)] if results else []

    def read_bytes(self, config_path: str) -> bytes:
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
            raise ReadError(
                f"{self.display(config_path)}: {st.st_size} bytes is over the limit of {self.max_file_bytes}"
            )
        try:
            with open(hp, "rb") as fh:
                return fh.read(self.max_file_bytes + 1)
        except OSError as exc:
            raise ReadError(f"cannot read {self.display(config_path)}: {os.strerror(exc.errno or errno.EIO)}") from None

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
            raise ReadError(msg) from None


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
