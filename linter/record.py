"""Plain classes with what ``@dataclass`` would generate, minus generating it at import.

``@dataclass`` builds each class's ``__init__``, ``__repr__`` and ``__eq__`` from source
text and compiles it every time its module is imported: ~0.5 ms a class on the CI
machine, and 36 classes (plus the dataclasses module) sit on the path of every check,
~20 ms of a ~0.1 s pre-commit run. wsgilint's record classes write their ``__init__``
out, so it is in the bytecode cache, and take ``__repr__``, ``__eq__`` and ``__hash__``
from these bases, driven by three class attributes:

- ``_fields``: every field, in order (what ``dataclasses.fields`` lists; a class with
  ``__slots__`` writes ``_fields = __slots__``);
- ``_repr_fields``: those ``__repr__`` shows (dataclass ``repr=True``; default: all);
- ``_eq_fields``: those ``__eq__`` and, for frozen classes, ``__hash__`` compare
  (default: all).

The semantics are dataclasses': ``__eq__`` compares the fields of two instances of the
same class, ``Record`` instances are unhashable (``eq=True`` without ``frozen``),
``FrozenRecord`` instances refuse assignment and hash their compared fields. A field
with a default factory takes ``FACTORY`` as its parameter's default.
tests/test_record.py checks every record class against the dataclass with its fields.
"""

from __future__ import annotations

FACTORY = object()  # "call the field's default factory" (dataclasses' _HAS_DEFAULT_FACTORY)
set_field = object.__setattr__  # how a frozen record's __init__ fills its fields


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record (as dataclasses.FrozenInstanceError)."""


class Record:
    __slots__ = ()
    _fields: tuple[str, ...] = ()
    _repr_fields: tuple[str, ...] = ()
    _eq_fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: object) -> None:
        # Shown and compared: every field unless the class lists fewer (as dataclasses'
        # field(repr=False, compare=False)), so only the exceptions are written out.
        super().__init_subclass__(**kwargs)
        if "_repr_fields" not in cls.__dict__:
            cls._repr_fields = cls._fields
        if "_eq_fields" not in cls.__dict__:
            cls._eq_fields = cls._fields

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._repr_fields)
        return f"{type(self).__qualname__}({inner})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        names = self._eq_fields  # a tuple comparison, as dataclasses' (identity first, then ==)
        return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)

    __hash__ = None  # type: ignore[assignment]  # mutable and compared by value: unhashable


class FrozenRecord(Record):
    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in self._eq_fields))
