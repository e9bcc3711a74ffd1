"""Size and depth limits of one check; hitting one is reported as a limit-exceeded finding."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Limits:
    """What one check may read and build. Defaults are far above any real deployment."""

    max_files: int = 100_000  # file loads per check (each Include / ini = of a file counts)
    max_file_bytes: int = 32 * 1024 * 1024  # bytes per file
    max_depth: int = 256  # nested sections in one file
    max_line_length: int = 1024 * 1024  # characters per logical line (after continuations)
    max_lines: int = 1_000_000  # lines per file (the 10k-vhost bench tree has 180k in all)
    # paths one Include may expand to (also per glob step); a hosting provider's
    # sites-enabled/*.conf can hold 10k+ vhosts (the benchmark tree does)
    max_glob_matches: int = 100_000
    max_expansion: int = 64 * 1024  # characters of a value after ${VAR} / %(key) expansion

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

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
        return replace(self, **changes)


DEFAULT = Limits()
