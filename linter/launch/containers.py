"""Dockerfiles/Containerfiles as launchers of uWSGI instances (issue 14), read-only, through the
FileSystem (inside the checked paths or --root).

A Dockerfile in a checked directory starts a uWSGI instance when its image's Entrypoint + Cmd runs
uwsgi (wsgilint.launch.docker parses it: pure text in, records out). wsgilint.discover calls
``read_containers`` only for a tree that holds Dockerfiles; the instances join the same
``LaunchPlan`` as the host's launchers (wsgilint.launch.read).
"""

from __future__ import annotations

import posixpath

from wsgilint.fsroot import FileSystem
from wsgilint.launch import unit as unit_mod
from wsgilint.launch.read import LaunchPlan, _add, _text
from wsgilint.launch.types import Arg, Launcher


# -- containers (Dockerfiles, Containerfiles) --------------------------------------------
# A Dockerfile in a checked directory starts a uWSGI instance when its image's Entrypoint + Cmd
# runs uwsgi (wsgilint.launch.docker says how that is read). Image paths map to files of the build
# context through the COPY/ADD instructions; the context is the Dockerfile's directory, or a
# directory above it up to the checked one (`docker build -f sub/Dockerfile .`), the first in which
# the source exists. Stop: STOPSIGNAL, else Docker's default SIGTERM.
def read_containers(fs: FileSystem, plan: LaunchPlan, dockerfiles: list[tuple[str, str]]) -> None:
    """``dockerfiles``: (config path of the Dockerfile, the checked directory it was found in)."""
    from wsgilint.launch import docker  # only for a tree that has Dockerfiles

    for path, top in dockerfiles:
        text = _text(fs, path)
        if text is None or "uwsgi" not in text:
            continue
        df = docker.parse(text)
        img = docker.image(df)
        if img is None:
            continue
        _container(fs, plan, docker, path, top, text, img)


def _contexts(path: str, top: str) -> list[str]:
    out = []
    d = posixpath.dirname(path)
    top = top.rstrip("/") or "/"
    while True:
        out.append(d)
        if d == top or d == "/" or not (d + "/").startswith(top.rstrip("/") + "/"):
            break
        d = posixpath.dirname(d)
    return out


MAX_COPY_STEPS = 20000  # COPY entries looked at for one image path, through every stage: bounded


def _image_file(fs: FileSystem, img, contexts: list[str], image_path: str, walk: dict | None = None) -> str | None:
    """The build-context file that a COPY/ADD put at ``image_path`` (the last one that did), through
    ``COPY --from=STAGE`` to what that stage copied from the build context. ``walk`` (one per top-level
    lookup): each (stage, path) answered once, and at most MAX_COPY_STEPS COPY entries looked at in all;
    past that, not found."""
    if walk is None:
        walk = {"steps": 0}
    key = (id(img), image_path)
    if key in walk:
        return walk[key]
    walk[key] = None  # a cycle or a repeat answers "not found" meanwhile
    found = _find_copied(fs, img, contexts, image_path, walk)
    walk[key] = found
    return found


def _find_copied(fs: FileSystem, img, contexts: list[str], image_path: str, walk: dict) -> str | None:
    for srcs, dest, _line, workdir, stage in reversed(img.copies):
        walk["steps"] += 1
        if walk["steps"] > MAX_COPY_STEPS:
            return None
        dest_abs = posixpath.normpath(posixpath.join(workdir, dest))
        into_dir = dest.endswith("/") or len(srcs) > 1
        if stage is not None:
            found = _from_stage(fs, stage, contexts, srcs, dest_abs, into_dir, image_path, walk)
            if found is not None:
                return found
            continue
        for src in srcs:
            if "://" in src or src.startswith("<<"):
                continue
            for ctx in contexts:
                host = posixpath.normpath(posixpath.join(ctx, src.lstrip("/")))
                if not (host + "/").startswith(ctx.rstrip("/") + "/") and ctx != "/":
                    continue  # outside the context: refused by the builder
                if fs.is_dir(host):
                    prefix = dest_abs
                    if image_path == prefix or image_path.startswith(prefix.rstrip("/") + "/"):
                        cand = posixpath.join(host, image_path[len(prefix):].lstrip("/"))
                        if fs.is_file(cand):
                            return cand
                    continue  # `COPY . /app`: the context is the one that has the file
                if fs.is_file(host):
                    # (a dest that is a directory of the base image without a trailing / is not known here)
                    target = posixpath.join(dest_abs, posixpath.basename(src)) if into_dir else dest_abs
                    if target == image_path:
                        return host
                    break
    return None


def _from_stage(fs: FileSystem, stage, contexts: list[str], srcs: list[str], dest_abs: str, into_dir: bool,
                image_path: str, walk: dict) -> str | None:
    """``COPY --from=STAGE SRC... DEST``: the path in the stage's file system that lands at
    ``image_path`` (a directory source: its contents under DEST; a file: DEST, or DEST/name into a
    directory), followed in that stage. Whether SRC is a directory is not known without the stage's
    files: both readings are tried, the directory one first."""
    for src in srcs:
        if "://" in src:
            continue
        src_abs = posixpath.normpath(posixpath.join("/", src))
        if image_path.startswith(dest_abs.rstrip("/") + "/"):
            found = _image_file(fs, stage, contexts, posixpath.join(src_abs, image_path[len(dest_abs):].lstrip("/")),
                                walk)
            if found is not None:
                return found
        target = posixpath.join(dest_abs, posixpath.basename(src_abs)) if into_dir else dest_abs
        if target == image_path:
            found = _image_file(fs, stage, contexts, src_abs, walk)
            if found is not None:
                return found
    return None


def _container(fs: FileSystem, plan: LaunchPlan, docker, path: str, top: str, text: str, img) -> None:
    shown = fs.display(path)
    contexts = _contexts(path, top)
    env = {k: v for k, v in img.env.items()}
    argv = img.argv()
    # an ENTRYPOINT script of the build context ending in `exec "$@"` / `exec uwsgi ...`
    if argv and img.entrypoint is not None and not img.entrypoint[2]:
        script = argv[0][0]
        if "/" in script:
            script_abs = script if script.startswith("/") else posixpath.join(img.workdir, script)
            local = _image_file(fs, img, contexts, posixpath.normpath(script_abs))
        else:  # runc looks a bare name up in the container's PATH (exec.LookPath(Args[0]))
            local = None
            for d in _search_path(img):
                local = _image_file(fs, img, contexts, posixpath.join(d, script))
                if local is not None:
                    break
        tail = docker.entrypoint_script_tail(_text(fs, local) or "") if local else None
        if tail is not None:
            rest = argv[1:]
            words = []
            for w in tail:
                if w in ("$@", "${@}"):
                    words.extend(rest)
                else:
                    words.append((w, img.entrypoint[1]))
            argv = words
    words, cwd = docker.command(argv, env)
    if not words or not unit_mod.is_uwsgi(words[0][0]):
        return
    workdir = posixpath.normpath(posixpath.join(img.workdir, cwd)) if cwd else img.workdir
    lines = {}
    for w, line in words[1:]:
        lines.setdefault(w, line)
    args = []
    image_values: list[tuple[Arg, str]] = []
    line_of_cmd = words[0][1]
    for kind, key, val in unit_mod.uwsgi_args([w for w, _l in words[1:]]):
        line = lines.get(val, line_of_cmd) if kind != "opt" else line_of_cmd
        if kind in ("ini", "inherit"):
            fpath, sep, sect = val.partition(":")
            image_path = posixpath.normpath(posixpath.join(workdir, fpath))
            local = _image_file(fs, img, contexts, image_path)
            if local is None:
                continue  # a file of the base image, or made at build time: not read
            args.append(Arg(kind, key, local + sep + sect, line))
            image_values.append((args[-1], val))  # as uWSGI sees it (its `ini =` option)
            continue
        args.append(Arg(kind, key, val, line))
    inis = [a for a in args if a.kind == "ini" and not a.value.partition(":")[2]]
    if not inis:
        return
    main = inis[-1]
    main.main = True
    local_main = main.value  # the instance's ini is read from here; its option value is the image's path
    main.value = next(v for a, v in image_values if a is main)
    if img.stop_signal is not None:
        value, sline = img.stop_signal
        stop, stop_source = unit_mod.signal_name(value), f"STOPSIGNAL {value} in {shown}:{sline}"
    else:
        stop = DOCKER_DEFAULT_STOP_SIGNAL
        stop_source = (f"no STOPSIGNAL in {shown}: Docker's default"
                       + (f", unless the base image {img.base} sets one" if img.base else ""))
    env_list = [(k, v, line) for k, (v, line, dyn) in img.env.items() if not dyn]
    user = img.user[0] if img.user else None
    uname, _, gname = (user or "").partition(":")
    _add(fs, plan, local_main, Launcher(
        "container", f"the container image of {shown}", path, text, env=unit_mod.uwsgi_env_options(env_list),
        args=args, stop_signal=stop, stop_source=stop_source, user=uname or None, group=gname or None,
        environment={k: v for k, (v, _l, _d) in img.env.items()}))


def _search_path(img) -> list[str]:
    """The image's PATH (ENV PATH), else the default Docker gives a container whose image sets none
    (moby/moby@6371675bf9de2f38735db36ebe73fba5c9078ffb:pkg/system/path_deprecated.go; a base image's own
    PATH is not known here). runc resolves an Args[0] without a slash there
    (opencontainers/runc@02120488a4c0fc487d1ed2867e901eeed7ce8ecf:libcontainer/standard_init_linux.go:
    ``exec.LookPath(l.config.Args[0])``)."""
    value = img.env.get("PATH")
    text = value[0] if value is not None and not value[2] else DOCKER_DEFAULT_PATH
    return [d for d in text.split(":", MAX_PATH_DIRS) if d.startswith("/")][:MAX_PATH_DIRS]


DOCKER_DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MAX_PATH_DIRS = 64  # PATH entries looked in (each a walk of the COPY list): bounded whatever the Dockerfile


# https://docs.docker.com/reference/cli/docker/container/stop/: "If no signal is configured for the
# container, SIGTERM is used as default."
DOCKER_DEFAULT_STOP_SIGNAL = "SIGTERM"
