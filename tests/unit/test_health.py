"""The health report names bad settings (never their values)."""

from __future__ import annotations

import pytest

from shared.config import setting_names
from shared.health import health_report
from tests.conftest import example_settings


def test_healthy_with_the_example_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in example_settings().items():
        monkeypatch.setenv(key, value)
    assert health_report().model_dump() == {"status": "ok", "settings_ok": True, "problems": []}


def test_misconfigured_lists_each_bad_setting_without_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    for key, value in example_settings().items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PROCORE_CLIENT_ID")
    monkeypatch.setenv("QUIET_PERIOD_S", "soon")
    report = health_report()
    assert report.status == "misconfigured" and not report.settings_ok
    assert [p.split(":")[0] for p in report.problems] == ["PROCORE_CLIENT_ID", "QUIET_PERIOD_S"]
    assert not any("local-procore-secret" in p for p in report.problems)
