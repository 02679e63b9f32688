"""A read-only dict for the mappings that results hand out.

Results of analyses are values: two calls never share something one of them could
change. :class:`FrozenDict` is a ``dict`` (so ``json.dumps``, pandas and ``==`` with a
plain dict work as for any dict) whose mutating methods raise ``TypeError``; ``copy()``
gives a plain, mutable ``dict``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn, TypeVar

__all__ = ["FrozenDict", "frozen"]

K = TypeVar("K")
V = TypeVar("V")


class FrozenDict(dict[K, V]):
    """A ``dict`` that cannot be changed after it is made.

    Examples:
        >>> d = FrozenDict({"EUR": 1.0})
        >>> d["EUR"]
        1.0
        >>> try:
        ...     d["USD"] = 2.0
        ... except TypeError as error:
        ...     print(error)
        this mapping is read-only; copy() it to change it
    """

    __slots__ = ()

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("this mapping is read-only; copy() it to change it")

    __setitem__ = _read_only
    __delitem__ = _read_only
    __ior__ = _read_only
    clear = _read_only
    pop = _read_only
    popitem = _read_only
    setdefault = _read_only
    update = _read_only

    def __reduce__(self) -> tuple[type[FrozenDict[K, V]], tuple[dict[K, V]]]:
        # Unpickling must not go through the blocked __setitem__.
        return (type(self), (dict(self),))


def frozen(mapping: Mapping[Any, Any]) -> FrozenDict[Any, Any]:
    """A read-only copy of ``mapping``: the attrs converter of result fields.

    Typed loosely because attrs' type checking does not follow generic converters; the
    fields it converts carry the precise types.
    """
    return mapping if isinstance(mapping, FrozenDict) else FrozenDict(mapping)
