"""Every real file from the formats' own projects imports, or is refused with a clear message.

The files are read in place from the shared folder beside the repository (Backstage's
example catalog, ArchiMate models from Archi's test data, OpenSLO's examples); the
module is skipped where that folder is not present.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import itvalue as iv
from itvalue._commands import app

EXTERNAL = Path(__file__).resolve().parent.parent.parent / "shared" / "external"
if not EXTERNAL.is_dir():  # pragma: no cover - the shared folder is there in CI
    pytest.skip("the real-world sample files are not beside this checkout", allow_module_level=True)

FILES = sorted(
    p
    for p in EXTERNAL.rglob("*")
    if p.is_file() and p.suffix.lower() in (".yaml", ".yml", ".json", ".xml", ".csv")
)


def test_there_are_files() -> None:
    """The folder holds the three formats' files."""
    names = {p.relative_to(EXTERNAL).parts[0] for p in FILES}
    assert names == {"archimate", "backstage", "openslo"}
    assert len(FILES) > 60


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(EXTERNAL).as_posix())
def test_import_succeeds_or_says_why(path: Path, tmp_path: Path) -> None:
    """`itvalue import FILE` writes a document, or exits 2 with a message naming the file."""
    target = tmp_path / "out.yaml"
    result = CliRunner().invoke(app, ["import", str(path), "-o", str(target)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        assert iv.load(target).name
    else:
        assert result.exit_code == 2
        assert result.stderr.startswith("error:")
        assert path.name in result.stderr


def test_whole_catalogs_compose_with_their_overlays() -> None:
    """The roots named in the docs give portfolios with outcomes and figures."""
    with pytest.warns(iv.SourceWarning):
        backstage = iv.load(
            EXTERNAL / "backstage" / "all.yaml", "examples/backstage/external-business.yaml"
        )
    with pytest.warns(iv.SourceWarning):
        archisurance = iv.load(
            EXTERNAL / "archimate" / "archisurance.xml",
            "examples/archimate/archisurance-business.yaml",
        )
    for portfolio in (backstage, archisurance):
        assert portfolio.outcomes
        ranking = portfolio.graph().rank_services()
        assert ranking[0][1] > 0
        assert iv.loads(iv.dumps(portfolio)) == portfolio
