"""Dockerfiles and Containerfiles as launchers: pure text in, records out (no file access, no rules).

What is encoded, and where it comes from (moby/buildkit, the Dockerfile frontend Docker and
Podman's buildah follow; docs.docker.com/reference/dockerfile/):

- Lines (moby/buildkit@3e6e08dcd620f69d73d5181ecb0687e7b5167649:frontend/dockerfile/parser/parser.go
  ``Parse``/``processLine``): a UTF-8 BOM on the first line is dropped; a line whose first non-blank
  character is ``#`` is a comment, also inside a continuation; the escape token (``\\``, or
  ````` with the ``# escape=`` parser directive) as the last non-blank character continues the
  line; parser directives (``^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$``, only ``escape``
  and ``syntax``) are read only before the first other line; heredocs (``<<EOF``) of RUN, COPY and
  ADD in shell form consume the lines up to their terminator.
- Exec form (same repository, frontend/dockerfile/parser/line_parsers.go ``parseMaybeJSON``):
  the arguments are a JSON array when they start with ``[`` and the first JSON value decodes; an
  array holding a non-string is an error; anything else is the shell form, kept as one string.
- The image config (moby/buildkit@571e14e003d665dc824d0ee9863dd7f79fa45d6f:
  frontend/dockerfile/dockerfile2llb/convert.go): shell form becomes ``SHELL`` (default
  ``["/bin/sh", "-c"]``) + the string (``withShell``); the last CMD/ENTRYPOINT wins; ENTRYPOINT
  clears a CMD not set in the same stage (``dispatchEntrypoint``: ``if !d.cmdSet``); ENV replaces
  an existing variable in place (``addEnv``). At run time the process is Entrypoint + Cmd
  (https://docs.docker.com/reference/dockerfile/#understand-how-cmd-and-entrypoint-interact).
- Variables (https://docs.docker.com/reference/dockerfile/#environment-replacement): ``$v``,
  ``${v}``, ``${v:-w}``, ``${v:+w}`` in ADD COPY ENV FROM STOPSIGNAL USER WORKDIR (not in CMD or
  ENTRYPOINT: the shell of the shell form expands them at run time, from the image's ENV); an
  ARG without a default (given with --build-arg) is not known here.
- Stages: the image is the last stage; ``FROM <earlier stage>`` starts from that stage's config.
- Stop signal: STOPSIGNAL; without one SIGTERM ("If no signal is configured for the container,
  SIGTERM is used as default", https://docs.docker.com/reference/cli/docker/container/stop/),
  unless the base image sets one (not known here: named in the launcher's stop source).
"""

from __future__ import annotations

import re

from wsgilint.numbers import is_digits, parse_int
from wsgilint.record import FACTORY, Record

MAX_LINE = 1 << 20  # characters of one logical line kept (buildkit's scanner refuses longer lines)
MAX_INSTRUCTIONS = 20000
DEFAULT_SHELL = ["/bin/sh", "-c"]
_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_HEREDOC = re.compile(r"^(\d*)<<(-?)(['\"]?)([^<'\"\s]+)\3$")
_HEREDOC_INSTRUCTIONS = ("RUN", "COPY", "ADD")
_FLAGGED = ("FROM", "RUN", "COPY", "ADD", "HEALTHCHECK")  # instructions that take --flags
_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


class Instruction(Record):
    """One instruction: ``cmd`` upper case, ``flags`` (``--from=x``), ``rest`` the text after
    them, ``exec`` the exec-form words (None: shell form), ``line``/``end`` its lines (1-based)."""

    cmd: str
    flags: list[str]
    rest: str
    exec: list[str] | None
    line: int
    end: int

    def __init__(self, cmd, flags=FACTORY, rest="", exec=None, line=0, end=0) -> None:  # noqa: A002
        self.cmd = cmd
        self.flags = [] if flags is FACTORY else flags
        self.rest = rest
        self.exec = exec
        self.line = line
        self.end = end


class Dockerfile(Record):
    """A parsed Dockerfile: its instructions and problems (line, message) that stop a build."""

    instructions: list[Instruction]
    errors: list[tuple[int, str]]
    escape: str

    def __init__(self, instructions=FACTORY, errors=FACTORY, escape="\\") -> None:
        self.instructions = [] if instructions is FACTORY else instructions
        self.errors = [] if errors is FACTORY else errors
        self.escape = escape


class Image(Record):
    """The config of the image the last stage builds, as far as the Dockerfile decides it.

    ``entrypoint``/``cmd``: (words, line, shell_form) or None (not set: the base image's);
    ``env``: name -> (value, line, dynamic) in the image's order; ``copies``: (sources, dest, line,
    workdir, stage) of COPY/ADD, in order: ``stage`` None for the build context, else the Image of the
    stage of this Dockerfile that ``COPY --from=NAME`` copies from (its sources are paths in that
    stage's file system); ``base``: the external image it starts from."""

    base: str | None
    entrypoint: tuple | None
    cmd: tuple | None
    env: dict[str, tuple[str, int, bool]]
    workdir: str
    stop_signal: tuple[str, int] | None
    user: tuple[str, int] | None
    copies: list[tuple[list[str], str, int, str, "Image | None"]]

    def __init__(self, base=None, entrypoint=None, cmd=None, env=FACTORY, workdir="/", stop_signal=None,
                 user=None, copies=FACTORY) -> None:
        self.base = base
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.env = {} if env is FACTORY else env
        self.workdir = workdir
        self.stop_signal = stop_signal
        self.user = user
        self.copies = [] if copies is FACTORY else copies

    def argv(self) -> list[tuple[str, int]]:
        """The process the container runs: Entrypoint + Cmd, each word with its line."""
        out: list[tuple[str, int]] = []
        for part in (self.entrypoint, self.cmd):
            if part is not None:
                out.extend((w, part[1]) for w in part[0])
        return out


def is_dockerfile(name: str) -> bool:
    """Dockerfile, Containerfile, NAME.Dockerfile, Dockerfile.NAME (also .containerfile)."""
    low = name.lower()
    return (low in ("dockerfile", "containerfile") or low.endswith((".dockerfile", ".containerfile"))
            or low.startswith(("dockerfile.", "containerfile.")))


def parse(text: str) -> Dockerfile:
    df = Dockerfile()
    lines = text.split("\n")
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    escape = "\\"
    directives_done = False
    seen: set[str] = set()
    i = 0
    n = len(lines)

    def is_comment(s: str) -> bool:
        return s.lstrip().startswith("#")

    def continues(s: str) -> tuple[str, bool]:
        t = s.rstrip(" \t")
        if t.endswith(escape) and (len(t) == 1 or t[-2] != escape):
            return t[:-1], True
        return s, False

    while i < n:
        raw = lines[i].rstrip("\r")
        i += 1
        start = i
        s = raw.lstrip()
        if not directives_done:
            m = _DIRECTIVE.match(s)
            key = m.group(1).lower() if m else ""
            if m and key in ("escape", "syntax"):
                if key in seen:
                    df.errors.append((start, f"only one {key} parser directive can be used"))
                seen.add(key)
                if key == "escape":
                    if m.group(2) in ("\\", "`"):
                        escape = m.group(2)
                    else:
                        df.errors.append((start, f"invalid escape token {m.group(2)!r} does not match ` or \\"))
                continue
            directives_done = True
        if not s or s.startswith("#"):
            continue
        line, more = continues(s)
        parts = [line]
        size = len(line)
        while more and i < n:
            nxt = lines[i].rstrip("\r")
            i += 1
            if is_comment(nxt) or not nxt.strip():
                continue
            piece, more = continues(nxt)
            if size < MAX_LINE:
                parts.append(piece)
                size += len(piece)
        logical = "".join(parts)[:MAX_LINE]
        if not logical.strip():
            continue
        inst = _instruction(logical, start, i, df)
        if inst is None:
            continue
        if inst.cmd in _HEREDOC_INSTRUCTIONS and inst.exec is None and "<<" in inst.rest:
            for word in inst.rest.split():
                hm = _HEREDOC.match(word)
                if not hm:
                    continue
                term, chomp = hm.group(4), hm.group(2) == "-"
                while i < n:
                    cand = lines[i].rstrip("\r\n")
                    i += 1
                    if (cand.lstrip("\t") if chomp else cand) == term:
                        break
                else:
                    df.errors.append((start, "unterminated heredoc"))
            inst.end = i
        if len(df.instructions) >= MAX_INSTRUCTIONS:
            df.errors.append((start, f"more than {MAX_INSTRUCTIONS} instructions: the rest is not read"))
            break
        df.instructions.append(inst)
    df.escape = escape
    if not df.instructions and not df.errors:
        df.errors.append((n, "file with no instructions"))
    return df


def _instruction(logical: str, line: int, end: int, df: Dockerfile) -> Instruction | None:
    s = logical.strip()
    head, _, rest = s.partition(" ")
    if "\t" in head:
        head, _, tail = head.partition("\t")
        rest = tail + " " + rest
    cmd = head.upper()
    rest = rest.strip()
    flags = []
    while rest.startswith("--") and cmd in _FLAGGED:
        flag, _, rest = rest.partition(" ")
        flags.append(flag)
        rest = rest.lstrip()
    words = None
    if cmd in ("CMD", "ENTRYPOINT", "SHELL", "RUN", "COPY", "ADD", "VOLUME") and rest.startswith("["):
        import json

        try:
            value, _end = json.JSONDecoder().raw_decode(rest)
        except (ValueError, RecursionError):
            value = None  # not JSON: the shell form (parseMaybeJSON)
        if isinstance(value, list):
            if all(isinstance(v, str) for v in value):
                words = value
            else:
                df.errors.append((line, f"{cmd}: the JSON array holds a value that is not a string: "
                                        "the build fails"))
                return None
    return Instruction(cmd, flags, rest, words, line, end)


# -- variables and words ------------------------------------------------------------------
def expand(text: str, env: dict[str, tuple[str, bool]], escape: str = "\\") -> tuple[str, bool]:
    """Quote removal and ``$VAR`` expansion of one instruction's argument, as the builder does it;
    returns (value, dynamic): dynamic when a variable is not known statically."""
    out = []
    dynamic = False
    i = 0
    quote = ""
    while i < len(text):
        ch = text[i]
        if ch == escape and quote != "'" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch in "'\"" and (not quote or quote == ch):
            quote = "" if quote else ch
            i += 1
            continue
        if ch == "$" and quote != "'":
            m = _VAR.match(text, i)
            if m:
                name = m.group(1) or m.group(4)
                got = env.get(name)
                if got is not None and got[1]:
                    dynamic = True
                value = got[0] if got is not None else None
                op, word = m.group(2), m.group(3) or ""
                if op and op.endswith("-"):
                    value = value if value else word
                elif op and op.endswith("+"):
                    value = word if value else ""
                elif value is None:
                    value = ""
                out.append(value)
                i = m.end()
                continue
        out.append(ch)
        i += 1
    return "".join(out), dynamic


def split(text: str, escape: str = "\\") -> list[str]:
    """Words of an instruction's argument (whitespace outside quotes), quotes kept."""
    words, cur, quote, i = [], [], "", 0
    while i < len(text):
        ch = text[i]
        if ch == escape and quote != "'" and i + 1 < len(text):
            cur.append(text[i:i + 2])
            i += 2
            continue
        if ch in "'\"":
            quote = "" if quote == ch else (quote or ch)
        if ch in " \t" and not quote:
            if cur:
                words.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
        i += 1
    if cur:
        words.append("".join(cur))
    return words


# -- the image ------------------------------------------------------------------------------
MAX_STAGE_DEPTH = 8  # COPY --from chains followed (each to an earlier stage: bounded by the stages anyway)


def image(df: Dockerfile) -> Image | None:
    """The config the Dockerfile gives its last stage's image (None: no FROM)."""
    stages: list[tuple[str | None, list[Instruction]]] = []
    global_args: dict[str, tuple[str, bool]] = {}
    froms: list[tuple[str, str | None, int]] = []  # (image, stage name, index)
    for inst in df.instructions:
        if inst.cmd == "FROM":
            words = split(inst.rest, df.escape)
            name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
            img, _dyn = expand(words[0], global_args, df.escape) if words else ("", True)
            froms.append((img, name, len(stages)))
            stages.append((name, []))
        elif not stages:
            if inst.cmd == "ARG":
                for w in split(inst.rest, df.escape):
                    k, eq, v = w.partition("=")
                    global_args[k] = expand(v, global_args, df.escape) if eq else ("", True)
        else:
            stages[-1][1].append(inst)
    if not stages:
        return None
    names = {name: j for _img, name, j in froms if name}
    return _stage_image(df, stages, froms, names, global_args, len(stages) - 1, 0, {})


def _stage_image(df: Dockerfile, stages, froms, names: dict, global_args: dict, idx: int, depth: int,
                 memo: dict) -> Image:
    """The image stage ``idx`` builds (its FROM chain through earlier stages included). ``memo``: each
    (stage, depth) is built once, however many `COPY --from` name it (without it, 30 of them per stage
    over 8 stages were 30**8 builds)."""
    key = (idx, depth)
    found = memo.get(key)
    if found is not None:
        return found
    img = memo[key] = _build_stage(df, stages, froms, names, global_args, idx, depth, memo)
    return img


def _build_stage(df: Dockerfile, stages, froms, names: dict, global_args: dict, idx: int, depth: int,
                 memo: dict) -> Image:
    last = idx
    chain = []
    for _ in range(len(stages)):
        chain.append(idx)
        parent = names.get(froms[idx][0].lower())
        if parent is None or parent >= idx:
            break
        idx = parent
    chain.reverse()
    img = Image(base=froms[chain[0]][0])
    shell = list(DEFAULT_SHELL)
    for j in chain:
        cmd_set = False
        vars_: dict[str, tuple[str, bool]] = {k: (v, False) for k, (v, _l, _d) in img.env.items()}
        for inst in stages[j][1]:
            c = inst.cmd
            if c == "ARG":
                for w in split(inst.rest, df.escape):
                    k, eq, v = w.partition("=")
                    if k in img.env:
                        continue  # ENV wins over ARG
                    if eq:
                        vars_[k] = expand(v, vars_, df.escape)
                    else:
                        vars_[k] = global_args.get(k, ("", True))
            elif c == "ENV":
                for k, v in _env_pairs(inst.rest, df.escape):
                    value, dyn = expand(v, vars_, df.escape)
                    img.env[k] = (value, inst.line, dyn)  # in place when it exists (addEnv)
                    vars_[k] = (value, dyn)
            elif c == "WORKDIR":
                w, _dyn = expand(inst.rest, vars_, df.escape)
                import posixpath

                img.workdir = posixpath.normpath(posixpath.join(img.workdir, w)) if w else img.workdir
            elif c == "SHELL" and inst.exec:
                shell = list(inst.exec)
            elif c in ("CMD", "ENTRYPOINT"):
                words = (inst.exec, inst.line, False) if inst.exec is not None else (
                    shell + [inst.rest], inst.line, True)
                if c == "CMD":
                    img.cmd, cmd_set = words, True
                else:
                    img.entrypoint = words
                    if not cmd_set:
                        img.cmd = None
            elif c == "STOPSIGNAL":
                img.stop_signal = (expand(inst.rest, vars_, df.escape)[0].strip(), inst.line)
            elif c == "USER":
                img.user = (expand(inst.rest, vars_, df.escape)[0].strip(), inst.line)
            elif c in ("COPY", "ADD"):
                source = None
                src_flag = next((f[7:] for f in inst.flags if f.startswith("--from=")), None)
                if src_flag is not None:
                    # `COPY --from=NAME` (or the stage's index) of an earlier stage of this Dockerfile:
                    # its files, followed to the build context; another image's files are not known.
                    ref = expand(src_flag, vars_, df.escape)[0].lower()
                    k = names.get(ref, parse_int(ref) if is_digits(ref) else None)
                    if k is None or k >= last or depth >= MAX_STAGE_DEPTH:
                        continue
                    source = _stage_image(df, stages, froms, names, global_args, k, depth + 1, memo)
                words = inst.exec if inst.exec is not None else [expand(w, vars_, df.escape)[0]
                                                                   for w in split(inst.rest, df.escape)]
                if len(words) >= 2 and not any(w.startswith("<<") for w in words):
                    img.copies.append((words[:-1], words[-1], inst.line, img.workdir, source))
    return img


def _env_pairs(rest: str, escape: str) -> list[tuple[str, str]]:
    words = split(rest, escape)
    if not words:
        return []
    if "=" not in words[0]:  # legacy `ENV key value with spaces`
        key, _, value = rest.strip().partition(" ")
        return [(key, value.strip())]
    return [(w.partition("=")[0], w.partition("=")[2]) for w in words if "=" in w]


# -- the command a shell runs ---------------------------------------------------------------
_SHELLS = ("sh", "bash", "dash", "ash")
_INITS = ("tini", "tini-static", "dumb-init")


def command(argv: list[tuple[str, int]], env: dict[str, tuple[str, int, bool]]) -> tuple[list[tuple[str, int]], str]:
    """The program a container's argv ends up running, with its words (and the directory a
    ``cd`` moves to, "" if none): through ``sh -c "cd X && exec uwsgi ..."`` (a simple command
    list: ``&&``/``;`` with ``cd`` and ``exec``; ``$VAR`` from the image's ENV) and init wrappers
    (tini, dumb-init: they run their arguments as a child and forward signals). Empty when the
    script is anything else."""
    cwd = ""
    for _ in range(4):
        if not argv:
            return [], cwd
        base = argv[0][0].rsplit("/", 1)[-1]
        if base in _INITS:
            rest = argv[1:]
            while rest and rest[0][0].startswith("-"):
                flag = rest[0][0]
                rest = rest[1:]
                if flag == "--":
                    break
            argv = rest
            continue
        if base in _SHELLS and len(argv) >= 3 and argv[1][0] == "-c":
            script, line = argv[2]
            positional = [w for w, _l in argv[4:]]
            words, cwd2 = _script_words(script, env, positional)
            if words is None:
                return [], cwd
            cwd = cwd2 or cwd
            argv = [(w, line) for w in words]
            continue
        break
    return argv, cwd


def _script_words(script: str, env, positional: list[str]) -> tuple[list[str] | None, str]:
    import shlex

    if any(tok in script for tok in ("|", "`", "$(", "<", ">", "||", "\n")):
        return None, ""
    cwd = ""
    segments = [s.strip() for s in re.split(r"&&|;", script) if s.strip()]
    if not segments:
        return None, ""

    def subst(word: str) -> str | None:
        unknown = False

        def one(m):
            nonlocal unknown
            got = env.get(m.group(1) or m.group(4))
            if got is None or got[2]:
                unknown = True
                return m.group(0)
            return got[0]

        out = _VAR.sub(one, word)
        return None if unknown else out

    for seg in segments[:-1]:
        try:
            w = shlex.split(seg)
        except ValueError:
            return None, ""
        if len(w) == 2 and w[0] == "cd":
            cwd = subst(w[1])
            if cwd is None:
                return None, ""
        elif w and w[0] in ("set", "export", "echo", ":", "true"):
            continue
        else:
            return None, ""
    last = segments[-1]
    try:
        lex = shlex.shlex(last, posix=True, punctuation_chars=False)
        lex.whitespace_split = True
        words = list(lex)
    except ValueError:
        return None, ""
    if words and words[0] == "exec":
        words = words[1:]
    out = []
    for w in words:
        if w in ("$@", "${@}"):
            out.extend(positional)
            continue
        w2 = subst(w)
        if w2 is None and w is words[0]:
            return None, ""
        out.append(w if w2 is None else w2)
    return out, cwd


def entrypoint_script_tail(text: str) -> list[str] | None:
    """The words of a shell entrypoint script's last command when it is ``exec ...`` (``"$@"``
    kept as a word); None otherwise."""
    import shlex

    if not text.startswith("#!") or not any(s in text.split("\n", 1)[0] for s in _SHELLS):
        return None
    lines = [ln.strip() for ln in text.split("\n") if ln.strip() and not ln.strip().startswith("#")]
    if not lines or not lines[-1].startswith("exec "):
        return None
    try:
        words = shlex.split(lines[-1])
    except ValueError:
        return None
    return words[1:]
