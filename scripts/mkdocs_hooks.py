"""mkdocs hooks: pages that are generated from the library, so they never rot.

Markers in Markdown pages are replaced at build time:

* ``<!-- itvalue:rules -->`` — the value-trap rules, from ``itvalue.RULES``;
* ``<!-- itvalue:schema -->`` — the JSON Schema, from ``itvalue.json_schema()``;
* ``<!-- itvalue:mermaid NAME -->`` — a bundled example's value graph as Mermaid;
* ``<!-- itvalue:changelog -->`` — CHANGELOG.md.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import itvalue as iv
from itvalue.viz import to_mermaid

ROOT = Path(__file__).resolve().parent.parent


def _rules() -> str:
    lines = []
    for rule in iv.RULES.values():
        lines += [
            f"## {rule.code} {rule.name}",
            "",
            f"**{rule.title}.** Fires when {rule.summary}. "
            f"Default severity: `{rule.severity.value}`.",
            "",
            rule.rationale,
            "",
        ]
    return "\n".join(lines)


def _schema() -> str:
    return "```json\n" + json.dumps(iv.json_schema(), indent=2) + "\n```"


def _mermaid(name: str) -> str:
    return "```mermaid\n" + to_mermaid(iv.example(name).graph()) + "```"


def _changelog() -> str:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    return text.split("\n", 1)[1]  # the page has its own title


def on_page_markdown(markdown: str, **_kwargs: Any) -> str:
    """Replace the markers of generated content."""
    markdown = markdown.replace("<!-- itvalue:rules -->", _rules())
    markdown = markdown.replace("<!-- itvalue:schema -->", _schema())
    markdown = markdown.replace("<!-- itvalue:changelog -->", _changelog())
    return re.sub(r"<!-- itvalue:mermaid (\S+) -->", lambda m: _mermaid(m.group(1)), markdown)
