"""Size and depth limits of one check; hitting one is reported as a limit-exceeded finding."""

from __future__ import annotations

from wsgilint.record import FrozenRecord, set_field


class Limits(FrozenRecord):
    """What one check may read and build. Defaults are far above any real deployment."""

    max_files: int  # file loads per check (each Include / ini = of a file counts)
    max_file_bytes: int  # bytes per file
    max_depth: int  # nested sections in one file
    max_line_length: int  # characters per logical line (after continuations)
    max_lines: int  # lines per file (the 10k-vhost bench tree has 180k in all)
    # paths one Include may expand to (also per glob step); a hosting provider's
    # sites-enabled/*.conf can hold 10k+ vhosts (the benchmark tree does)
    max_glob_matches: int
    max_expansion: int  # characters of a value after ${VAR} / %(key) expansion
    # Totals of one check (the Budget below), whatever construct spends them:
    max_directives: int  # directives/options created (repeated Includes, for = blocks)
    max_expanded_bytes: int  # characters produced by ${VAR}, %(key), $VAR (envvars) and for = in all
    max_dirs: int  # directories entered by Include of a directory (and symlink steps followed)
    max_regex_work: int  # bounded backtracking steps of one regex taken from a config (saferegex)

    def __init__(self, max_files=100_000, max_file_bytes=32 * 1024 * 1024, max_depth=256,
                 max_line_length=1024 * 1024, max_lines=1_000_000, max_glob_matches=100_000,
                 max_expansion=64 * 1024, max_directives=1_000_000, max_expanded_bytes=64 * 1024 * 1024,
                 max_dirs=100_000, max_regex_work=10_000_000) -> None:
        set_field(self, 'max_files', max_files)
        set_field(self, 'max_file_bytes', max_file_bytes)
        set_field(self, 'max_depth', max_depth)
        set_field(self, 'max_line_length', max_line_length)
        set_field(self, 'max_lines', max_lines)
        set_field(self, 'max_glob_matches', max_glob_matches)
        set_field(self, 'max_expansion', max_expansion)
        set_field(self, 'max_directives', max_directives)
        set_field(self, 'max_expanded_bytes', max_expanded_bytes)
        set_field(self, 'max_dirs', max_dirs)
        set_field(self, 'max_regex_work', max_regex_work)

    @classmethod
    def names(cls) -> list[str]:
        return list(cls._fields)

    def with_overrides(self, items: list[str]) -> "Limits":
        """Apply ``name=value`` strings (``max-depth=500`` or ``max_depth=500``); ValueError on bad input."""
        changes: dict[str, int] = {}
        for item in items:
            name, eq, value = item.partition("=")
            key = name.strip().replace("-", "_")
            if not key.startswith("max_"):
                key = "max_" + key
            if not eq or key not in self.names():
                raise ValueError(f"--limit expects NAME=NUMBER with NAME one of "
                                 f"{', '.join(n.replace('_', '-') for n in self.names())} (got {item!r})")
            try:
                number = int(value.strip())
            except ValueError:
                raise ValueError(f"--limit {name}: {value!r} is not a whole number") from None
            if number < 1:
                raise ValueError(f"--limit {name}: must be at least 1 (got {number})")
            changes[key] = number
        return Limits(**{**{n: getattr(self, n) for n in self._fields}, **changes})


DEFAULT = Limits()

# What each budget counts, for the WSG010 message (the option is the limit's name with dashes).
_UNITS = {
    "max_files": "file loads (every Include / include / ini = of a file counts, a file read again too, "
                 "and every file read to find its kind)",
    "max_directives": "directives and options created",
    "max_expanded_bytes": "characters of ${VAR} / %(key) / $VAR / for = expansion",
    "max_dirs": "directories entered",
    "max_regex_work": "steps of one regular expression",
}


class Budget:
    """The totals of one check, shared by every reader of it (one per FileSystem, see ``of``).

    Per-construct limits (a file's bytes, one value's expansion) bound one step; a budget
    bounds the sum over the whole check, so that repeating a cheap step (a file included
    twice at every level of a chain, 80 ``for =`` blocks, 16,000 ``${A}`` lines) cannot
    multiply the work. Spending past a budget returns False: the caller stops that kind of
    work, and ``report_once`` lets exactly one WSG010 finding per budget be made per check.
    """

    __slots__ = ("limits", "used", "reported", "prepaid")

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.used: dict[str, int] = {}
        self.reported: set[str] = set()
        self.prepaid: set[str] = set()  # real paths whose read was charged to max_files already

    def spend(self, kind: str, amount: int = 1) -> bool:
        """Charge ``amount`` to the budget ``kind`` (a Limits field); False once it is over."""
        used = self.used.get(kind, 0) + amount
        self.used[kind] = used
        return used <= getattr(self.limits, kind)

    def left(self, kind: str) -> int:
        return max(0, getattr(self.limits, kind) - self.used.get(kind, 0))

    def exhausted(self, kind: str) -> bool:
        return self.used.get(kind, 0) >= getattr(self.limits, kind)

    def report_once(self, kind: str) -> bool:
        """True the first time a finding about budget ``kind`` is to be made in this check."""
        if kind in self.reported:
            return False
        self.reported.add(kind)
        return True

    def message(self, kind: str, where: str = "") -> str:
        """The WSG010 text: which budget, its size, and the option that raises it."""
        option = kind.replace("_", "-")
        head = f"{where}: " if where else ""
        return (f"{head}this check reached its budget of {getattr(self.limits, kind)} "
                f"{_UNITS.get(kind, kind)} ({option}); what lies beyond was not read (raise it with "
                f"--limit {option}=N)")


def budget_of(fs) -> Budget:
    """The Budget of the check that reads through ``fs`` (a FileSystem), created on first use."""
    b = getattr(fs, "budget", None)
    if b is None:
        b = Budget(fs.limits)
        fs.budget = b
    return b



def charge_load(fs, config_path: str) -> None:
    """Charge one file load to max-files (FileSystem.charge_load), unless discovery already
    charged reading this file to find its kind (``Budget.prepaid``): a file costs one load
    whether it was sniffed first or not. Raises ReadLimitError past the budget."""
    b = budget_of(fs)
    if config_path in b.prepaid:
        b.prepaid.discard(config_path)
        return
    fs.charge_load(config_path)
