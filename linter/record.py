"""Plain classes with what ``@dataclass`` would generate, minus generating it at import.

``@dataclass`` builds each class's ``__init__``, ``__repr__`` and ``__eq__`` from source
text and compiles it every time its module is imported: ~0.5 ms a class on the CI
machine, and 36 classes (plus the dataclasses module) sit on the path of every check,
~20 ms of a ~0.1 s pre-commit run. wsgilint's record classes write their ``__init__``
out, so it is in the bytecode cache, and take ``__repr__``, ``__eq__`` and ``__hash__``
from these bases, driven by three class attributes:

- ``_fields``: every field, in order (what ``dataclasses.fields`` lists), derived once
  per class from its own annotations (names not starting with ``__``);
- ``_repr_fields``: those ``__repr__`` shows (dataclass ``repr=True``): all but the ones
  a class lists in ``_not_shown``;
- ``_eq_fields``: those ``__eq__`` and, for frozen classes, ``__hash__`` compare: all but
  the ones a class lists in ``_not_compared``.

A class may still spell any of the three out (older code does); tests/test_record.py
checks them against the annotations either way.

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
    _not_shown: tuple[str, ...] = ()
    _not_compared: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: object) -> None:
        # Fields from the annotations (each written once, in the class body); shown and
        # compared unless listed in _not_shown / _not_compared (dataclasses'
        # field(repr=False, compare=False)), so only the exceptions are written out.
        super().__init_subclass__(**kwargs)
        own = cls.__dict__
        if "_fields" not in own:
            cls._fields = tuple(n for n in own.get("__annotations__", ()) if not n.startswith("__"))
        if "_repr_fields" not in own:
            cls._repr_fields = tuple(n for n in cls._fields if n not in cls._not_shown)
        if "_eq_fields" not in own:
            cls._eq_fields = tuple(n for n in cls._fields if n not in cls._not_compared)

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
