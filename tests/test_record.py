"""Every record class (wsgilint.record) behaves as the dataclass with its fields would.

The record classes write out what ``@dataclass`` generates at import. For each one,
this builds that dataclass from the class's own annotations, ``__init__`` signature and
field lists, and checks construction, defaults (a fresh object per default factory),
``repr``, ``==``, hashing and frozenness against it; and that the field lists match the
annotations, so a field added without them fails here.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import pytest

import wsgilint
from wsgilint.record import FACTORY, FrozenRecord, Record


def _record_classes() -> list[type]:
    found = {}
    for info in pkgutil.walk_packages(wsgilint.__path__, "wsgilint."):
        if info.name.startswith("wsgilint.rules") or info.name.endswith("__main__"):  # __main__ runs the CLI
            continue
        mod = importlib.import_module(info.name)
        for obj in vars(mod).values():
            if isinstance(obj, type) and issubclass(obj, Record) and obj not in (Record, FrozenRecord) \
                    and obj.__module__ == mod.__name__:
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[k] for k in sorted(found)]


CLASSES = _record_classes()


class _Value:
    """A distinct, hashable, comparable stand-in for any field value."""

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def __repr__(self) -> str:
        return f"<{self.tag}>"


def test_the_record_classes_are_found():
    names = {c.__name__ for c in CLASSES}
    assert {"Finding", "Hit", "Route", "Span", "Deployment", "Limits", "ApacheConfig"} <= names
    assert len(CLASSES) >= 30


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_fields_are_the_annotations(cls):
    own = [n for n in cls.__dict__.get("__annotations__", {}) if not n.startswith("__")]
    assert list(cls._fields) == own
    assert set(cls._eq_fields) <= set(cls._fields)
    assert [f for f in cls._fields if f in cls._eq_fields] == list(cls._eq_fields)  # in field order
    if "__repr__" not in cls.__dict__:
        assert [f for f in cls._fields if f in cls._repr_fields] == list(cls._repr_fields)
    if "__slots__" in cls.__dict__:
        assert tuple(cls.__slots__) == cls._fields
        assert not hasattr(cls(*_required(cls)), "__dict__")


def _required(cls) -> list:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    return [_Value(p.name) for p in params if p.default is inspect.Parameter.empty]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_behaves_as_its_dataclass(cls):
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    names = [p.name for p in params]
    assert [f for f in cls._fields if f in names] == names  # __init__ takes fields, in field order
    a = cls(*_required(cls))
    b = cls(*_required(cls))
    # every field is set; a default factory gives each instance its own object
    for f in cls._fields:
        getattr(a, f)
    for p in params:
        if p.default is FACTORY:
            assert getattr(a, p.name) is not getattr(b, p.name) or getattr(a, p.name) is None
    # the dataclass with these fields, defaults and flags
    spec = []
    for f in cls._fields:
        p = next((p for p in params if p.name == f), None)
        if p is None or p.default is FACTORY:
            value = getattr(a, f)
            kind = dataclasses.field(default_factory=type(value)) if p is not None and value is not None \
                else dataclasses.field(default=value)
            if p is None:
                kind = dataclasses.field(default=value, init=False)
        elif p.default is inspect.Parameter.empty:
            kind = dataclasses.field()
        else:
            kind = dataclasses.field(default=p.default)
        kind.repr = f in cls._repr_fields
        kind.compare = f in cls._eq_fields
        spec.append((f, "object", kind))
    frozen = issubclass(cls, FrozenRecord)
    ref = dataclasses.make_dataclass(cls.__name__, spec, frozen=frozen)
    ref.__qualname__ = cls.__qualname__
    args = [_Value(f) for f in names]
    mine, theirs = cls(*args), ref(*args)
    for f in cls._fields:
        assert getattr(mine, f) == getattr(theirs, f), f
    if "__repr__" not in cls.__dict__:
        assert repr(mine) == repr(theirs)
    assert mine == cls(*args) and (mine != cls(*args)) is False
    assert mine.__eq__(object()) is NotImplemented
    for i, f in enumerate(names):  # a compared field changes equality; another does not
        other = cls(*args[:i], _Value("x"), *args[i + 1:])
        assert (mine == other) is (f not in cls._eq_fields), f
    if frozen:
        assert hash(mine) == hash(theirs) == hash(cls(*args))
        with pytest.raises(AttributeError):
            setattr(mine, cls._fields[0], 1)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(theirs, cls._fields[0], 1)
    else:
        with pytest.raises(TypeError):
            hash(mine)
        with pytest.raises(TypeError):
            hash(theirs)
