"""The example portfolios load, check and run their scripts."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

import itvalue as iv

EXAMPLES = Path(__file__).parent.parent / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))


def test_there_are_examples() -> None:
    """At least the three realistic portfolios and the design's example ship."""
    names = {p.stem for p in EXAMPLES.glob("*.yaml")}
    assert {"retail_holiday_peak", "utility_contact_centre", "manufacturer", "northwind"} <= names
    assert {p.stem for p in SCRIPTS} >= names


#: The value traps each example is written to show, as (code, subject).
FINDINGS = {
    "manufacturer": [
        ("ITV001", "scada-historian"),
        ("ITV002", "mes-sla"),
        ("ITV004", "oem"),
        ("ITV007", "erp"),
        ("ITV007", "label-printing"),
        ("ITV007", "mes"),
        ("ITV007", "plc-gateway"),
        ("ITV008", "label-printing"),
        ("ITV015", "integrator"),
    ],
    "northwind": [("ITV007", "payments")],
    "retail_holiday_peak": [
        ("ITV001", "legacy-edi"),
        ("ITV002", "storefront-sla"),
        ("ITV003", "store-staff"),
        ("ITV005", "return-refunded"),
        ("ITV006", "nps"),
        ("ITV007", "catalog-db"),
        ("ITV007", "cdn"),
        ("ITV007", "erp"),
        ("ITV007", "fraud-check"),
        ("ITV007", "payments"),
        ("ITV007", "product-catalog"),
        ("ITV007", "storefront"),
        ("ITV007", "wms"),
        ("ITV011", "erp"),
        ("ITV014", "fraud-check"),
        ("ITV014", "returns-portal"),
        ("ITV015", "cloud-vendor"),
        ("ITV015", "psp"),
    ],
    "utility_contact_centre": [
        ("ITV001", "wallboard"),
        ("ITV002", "crm-sla"),
        ("ITV007", "billing-db"),
        ("ITV007", "billing-engine"),
        ("ITV007", "mdm"),
        ("ITV007", "network"),
        ("ITV007", "telephony"),
        ("ITV012", "crm-sla"),
        ("ITV015", "telco"),
    ],
}


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_example_portfolios_round_trip(path: Path) -> None:
    """Every example loads, round-trips in every format and shows its value traps."""
    p = iv.load(path)
    for fmt in ("yaml", "json", "toml"):
        assert iv.loads(iv.dumps(p, fmt), fmt) == p
    assert [(f.code, f.subject) for f in iv.check(p)] == FINDINGS[path.stem]


def test_bundled_example_is_the_one_in_examples() -> None:
    """iv.example() is the same portfolio as examples/northwind.yaml."""
    assert iv.example("northwind") == iv.load(EXAMPLES / "northwind.yaml")
    assert iv.example_names() == ["northwind"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_example_scripts_run(script: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every example script runs and prints its figures."""
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    expected = {
        "northwind": "99.9% over a 730-hour month allows 43.8 minutes without payments",
        "retail_holiday_peak": "A four-hour ERP outage on a peak day:",
        "utility_contact_centre": "bills right while head-end A is down: 1.0",
        "manufacturer": "depends on retired 'print-server-2008'",
    }[script.stem]
    assert expected in out
