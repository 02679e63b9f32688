"""Example portfolios bundled with the package, for docs, notebooks and tests."""

from __future__ import annotations

from importlib import resources

from itvalue.errors import UnknownIdError
from itvalue.io import loads
from itvalue.model import Portfolio

__all__ = ["example", "example_names"]


def example_names() -> list[str]:
    """The names of the bundled example portfolios."""
    folder = resources.files("itvalue") / "examples"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def example(name: str = "northwind") -> Portfolio:
    """A bundled example portfolio; ``"northwind"`` is the one the documentation uses throughout.

    Examples:
        >>> import itvalue
        >>> itvalue.example().name
        'Northwind Retail'
    """
    if name not in example_names():
        raise UnknownIdError(
            name, expected="example", hint="bundled: " + ", ".join(example_names())
        )
    text = (resources.files("itvalue") / "examples" / f"{name}.yaml").read_text("utf-8")
    return loads(text, "yaml", source=f"{name}.yaml")
