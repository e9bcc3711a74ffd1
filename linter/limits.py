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

    _fields = (
        'max_files', 'max_file_bytes', 'max_depth', 'max_line_length', 'max_lines', 'max_glob_matches',
        'max_expansion',
    )

    def __init__(self, max_files=100_000, max_file_bytes=32 * 1024 * 1024, max_depth=256,
                 max_line_length=1024 * 1024, max_lines=1_000_000, max_glob_matches=100_000,
                 max_expansion=64 * 1024) -> None:
        set_field(self, 'max_files', max_files)
        set_field(self, 'max_file_bytes', max_file_bytes)
        set_field(self, 'max_depth', max_depth)
        set_field(self, 'max_line_length', max_line_length)
        set_field(self, 'max_lines', max_lines)
        set_field(self, 'max_glob_matches', max_glob_matches)
        set_field(self, 'max_expansion', max_expansion)

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
