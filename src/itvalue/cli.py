"""The entry point of the ``itvalue`` command (also ``python -m itvalue``).

The commands themselves are in ``itvalue._commands``, imported only when the command
line's extra is installed (``pip install itvalue[cli]``); without it, :func:`main` says
how to install it rather than failing on an import.

Commands: ``check``, ``trace``, ``impact``, ``rank``, ``sla``, ``report``, ``export``,
``import``, ``schema``, ``rules``. ``--format json`` gives machine-readable output. Data goes to
stdout, diagnostics to stderr. Exit status: 0 success, 1 findings of error severity (or,
for ``sla``, a promise that cannot be kept), 2 unusable input or an unknown id.
"""

from __future__ import annotations

import sys

__all__ = ["main"]

_CLI_PACKAGES = {"click", "rich"}


def main() -> None:
    """Run the command line."""
    try:
        from itvalue._commands import app
    except ModuleNotFoundError as exc:  # pragma: no cover - only without the cli extra
        if exc.name in _CLI_PACKAGES:
            sys.stderr.write("error: the itvalue command needs: pip install 'itvalue[cli]'\n")
            raise SystemExit(2) from None
        raise
    app()
