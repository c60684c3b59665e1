"""The command line: settings file loading like `func start`, and clear errors on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from devhost.__main__ import UsageError, load_settings_file

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_settings_file_values_fill_the_environment_but_never_override_it(tmp_path: Path) -> None:
    path = tmp_path / "local.settings.json"
    path.write_text(
        json.dumps({"IsEncrypted": False, "Values": {"A": "from-file", "B": "from-file", "N": 3}})
    )
    env = {"A": "from-env"}

    applied = load_settings_file(path, env)

    assert env == {"A": "from-env", "B": "from-file", "N": "3"}
    assert sorted(applied) == ["B", "N"]
    assert load_settings_file(tmp_path / "absent.json", env) == []


def test_settings_file_without_values_object_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "local.settings.json"
    path.write_text(json.dumps({"Values": ["not", "an", "object"]}))

    with pytest.raises(UsageError, match="Values"):
        load_settings_file(path, {})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--app", "no_such_module:app"], "cannot import 'no_such_module'"),
        (["--app", "function_app"], "module:attribute"),
        (["--app", "json:loads"], "is not a Function App"),
        (["--host-json", "{bad}"], "batchSize must be 1..32"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(
    tmp_path: Path, args: list[str], message: str
) -> None:
    if "{bad}" in args:
        bad = tmp_path / "host.json"
        bad.write_text(json.dumps({"extensions": {"queues": {"batchSize": 64}}}))
        args = ["--host-json", str(bad)]
    result = subprocess.run(
        [sys.executable, "-m", "devhost", "--port", "0", "--settings", "none.json", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
