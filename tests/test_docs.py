"""Every Python code block in the docs and the README runs, page by page, in order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
PAGES = [
    page
    for page in [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
    if BLOCK.search(page.read_text("utf-8"))
]


def test_pages_have_code() -> None:
    """The guides and the tutorial carry runnable examples."""
    with_code = {p.relative_to(ROOT).as_posix() for p in PAGES}
    assert "docs/tutorial.md" in with_code
    assert len(with_code) >= 12


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_code_blocks_run(
    page: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A page's blocks run in one namespace, from the repository root, without error."""
    blocks = BLOCK.findall(page.read_text("utf-8"))
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for number, code in enumerate(blocks, start=1):
        try:
            exec(compile(code, f"{page.name}[{number}]", "exec", dont_inherit=True), namespace)
        except Exception as error:  # pragma: no cover - a failing page shows where
            pytest.fail(f"{page.name}, block {number} raised {error!r}\n{code}")
    capsys.readouterr()
