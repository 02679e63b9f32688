"""Tables of results as pandas DataFrames (``pip install itvalue[pandas]``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from itvalue.errors import ItValueError

__all__ = ["frame"]


def frame(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> Any:
    """A :class:`pandas.DataFrame` of ``rows`` with ``columns``, or a clear error."""
    try:
        import pandas as pd
    except ModuleNotFoundError as exc:  # pragma: no cover - only without pandas
        raise ItValueError("to_pandas() needs pandas: pip install 'itvalue[pandas]'") from exc
    return pd.DataFrame(list(rows), columns=list(columns))
