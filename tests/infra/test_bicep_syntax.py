"""Every Bicep file parses cleanly with tree-sitter-bicep (the Bicep CLI is not available here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.infra.bicep import INFRA, all_bicep_files, syntax_problems

EXPECTED_FILES = {
    "main.bicep",
    "modules/identity.bicep",
    "modules/storage.bicep",
    "modules/keyvault.bicep",
    "modules/monitoring.bicep",
    "modules/rbac.bicep",
    "modules/functionapp.bicep",
}


def test_the_templates_are_all_there() -> None:
    found = {path.relative_to(INFRA).as_posix() for path in all_bicep_files()}
    assert found >= EXPECTED_FILES


@pytest.mark.parametrize("path", all_bicep_files(), ids=lambda p: p.relative_to(INFRA).as_posix())
def test_bicep_file_parses_without_errors(path: Path) -> None:
    assert syntax_problems(path.read_text(encoding="utf-8")) == []


VALID = """\
@description('Name.')
param name string = 'x${uniqueString(resourceGroup().id)}'
var tags = union({ a: 'b' }, { 'c-d': 'e' })
resource st 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  properties: {
    allowSharedKeyAccess: false
  }
}
output id string = st.id
"""


@pytest.mark.parametrize(
    ("broken", "where"),
    [
        (VALID.replace("output id string = st.id", "output id string ="), "10:"),
        (VALID.replace("    allowSharedKeyAccess: false\n  }\n", ""), "4:"),
        (VALID.replace("param name string", "param name"), "2:"),
        (VALID.replace("resource st", "resource st st2"), "4:"),
        (VALID.replace("union({ a: 'b' }", "union({ a: 'b' "), "3:"),
    ],
    ids=["no-output-value", "unclosed-object", "untyped-param", "stray-token", "unclosed-call"],
)
def test_the_parser_check_reports_broken_bicep(broken: str, where: str) -> None:
    assert syntax_problems(VALID) == []
    problems = syntax_problems(broken)
    assert problems, "a broken template was reported clean"
    assert problems[0].startswith(where), problems
