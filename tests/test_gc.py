"""Tests of the collector's handling during bulk work."""

from __future__ import annotations

import gc

import pytest

from itvalue import _gc


@pytest.fixture
def freezes(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The calls of gc.freeze, recorded instead of made."""
    calls: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append(True))
    return calls


def test_bulk_work_pauses_and_restores_the_collector(freezes: list[bool]) -> None:
    """The collector is paused during bulk work and restored after, errors included."""
    assert gc.isenabled()
    with _gc.paused_gc(large=True):
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), _gc.paused_gc(large=True):
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with _gc.paused_gc(large=True):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert freezes == []


def test_freezing_is_asked_for(freezes: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """Survivors of large bulk work are frozen only when asked, and only on success."""
    assert _gc.FREEZE_AFTER_BULK is False
    monkeypatch.setattr(_gc, "FREEZE_AFTER_BULK", True)
    with _gc.paused_gc(large=False):
        pass
    assert freezes == []
    with pytest.raises(RuntimeError), _gc.paused_gc(large=True):
        raise RuntimeError("boom")
    assert freezes == []
    with _gc.paused_gc(large=True):
        pass
    assert freezes == [True]
