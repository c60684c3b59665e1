"""docs/deploy.md covers every step of the deployment issue, with the commands and routes that
match the templates (secret names are checked against Bicep in test_app_settings)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO_ROOT
from tests.infra.bicep import load

GUIDE = REPO_ROOT / "docs" / "deploy.md"

STEPS = {
    "Procore DMSA app": ["Developer Managed Service Account", "permitted projects"],
    "Procore permissions per tool": [
        "| Project | Documents |",
        "| Project | Photos |",
        "Read Only",
    ],
    "Sites.Selected grant call": ["Sites.Selected", "POST https://graph.microsoft.com/v1.0/sites/"],
    "Sites.ReadWrite.All alternative": ["Sites.ReadWrite.All"],
    "grant body": ['"roles": ["write"]', '"grantedToIdentities"'],
    "Mail.Send restricted": ["New-ApplicationAccessPolicy", "-AccessRight RestrictAccess"],
    "secrets into Key Vault": ["az keyvault secret set"],
    "azd route": ["azd provision", "azd deploy", "azd up"],
    "az route": ["az deployment group create", "func azure functionapp publish"],
    "webhook URLs": ["/api/webhooks/procore", "/api/webhooks/graph", "planned"],
    "first project": ["POST /api/projects", "procore_project_id", "folder_path"],
    "logs": ["Application Insights", "exceptions", "traces"],
    "poison queues": ["-poison", "az storage message peek"],
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_the_guide_covers(step: str) -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    missing = [phrase for phrase in STEPS[step] if phrase not in guide]
    assert not missing, f"{step}: {missing}"


def test_the_guide_names_every_output_it_reads() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    outputs = set(load("main.bicep").outputs())
    read = {name for name in outputs if name in guide}
    needed = {"FUNCTION_APP_NAME", "FUNCTION_APP_URL", "STORAGE_ACCOUNT_NAME", "KEY_VAULT_NAME"}
    assert read >= needed
    fetched = set(re.findall(r"azd env get-value ([A-Z][A-Z0-9_]*)", guide))
    assert fetched
    assert fetched <= outputs, sorted(fetched - outputs)
