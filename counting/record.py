"""Plain value classes for the counting package, without :mod:`dataclasses`.

``import dataclasses`` brings :mod:`inspect`, :mod:`ast`, :mod:`dis` and :mod:`tokenize` with it,
and each ``@dataclass`` compiles its methods when the module loads: together about a third of
the CPU that ``python -m counting FILE --rule greedy`` used before it read a line (issue 15).
A record names its fields as class annotations and writes its ``__init__``; equality,
``repr`` and, for a :class:`FrozenRecord`, hashing and read-only fields come from here,
as a dataclass would give them.
"""

from __future__ import annotations


class Record:
    """Equal to another record of the same class with equal fields; shown as ``Name(a=1, b=2)``.
    The fields are the class's annotations, in order (strings here: no typing at run time).
    Unhashable, as a class that defines ``__eq__`` alone is: its fields may change."""

    def _fields(self) -> tuple:
        return tuple(getattr(self, name) for name in type(self).__annotations__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in type(self).__annotations__)
        return f"{type(self).__name__}({shown})"


class FrozenRecord(Record):
    """A record whose fields are set once, in ``__init__`` with :meth:`_set`; hashable."""

    def _set(self, **fields: object) -> None:
        self.__dict__.update(fields)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a {type(self).__name__}")

    def __hash__(self) -> int:
        return hash(self._fields())
