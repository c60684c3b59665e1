"""The deployment hangs together: modules exist and get the parameters they declare, the
parameter file matches main.bicep, the outputs the guide relies on exist, and azure.yaml points
azd at the templates and the Python function app."""

from __future__ import annotations

import json
import re

import yaml

from tests.conftest import REPO_ROOT
from tests.infra.bicep import INFRA, BicepFile, literal_string, load, object_entries

REQUIRED_OUTPUTS = {"FUNCTION_APP_NAME", "FUNCTION_APP_URL", "STORAGE_ACCOUNT_NAME"}
PLACEHOLDER = re.compile(r"^\$\{[A-Z][A-Z0-9_]*\}$")


def parameter_file() -> dict[str, dict[str, object]]:
    data = json.loads((INFRA / "main.parameters.json").read_text(encoding="utf-8"))
    parameters: dict[str, dict[str, object]] = data["parameters"]
    return parameters


def test_every_referenced_module_exists() -> None:
    for module in load("main.bicep").modules():
        assert (INFRA / module.path).is_file(), module.path


def test_modules_get_exactly_the_parameters_they_declare() -> None:
    for module in load("main.bicep").modules():
        declared = load(module.path).params()
        passed = set(module.params)
        assert passed <= set(declared), f"{module.path}: unknown {sorted(passed - set(declared))}"
        required = {name for name, has_default in declared.items() if not has_default}
        assert required <= passed, f"{module.path}: missing {sorted(required - passed)}"


def test_parameter_file_declares_only_main_parameters_and_every_required_one() -> None:
    declared = load("main.bicep").params()
    in_file = set(parameter_file())
    assert in_file <= set(declared), sorted(in_file - set(declared))
    required = {name for name, has_default in declared.items() if not has_default}
    assert required <= in_file, sorted(required - in_file)


def test_parameter_file_holds_only_environment_placeholders() -> None:
    for name, entry in parameter_file().items():
        value = entry["value"]
        assert isinstance(value, str) and PLACEHOLDER.match(value), f"{name}: {value!r}"


def test_outputs_name_the_app_its_url_and_the_storage_account() -> None:
    assert set(load("main.bicep").outputs()) >= REQUIRED_OUTPUTS


def test_the_app_runs_python_3_11_on_flex_consumption_with_identity_storage() -> None:
    app = load("modules/functionapp.bicep")
    plan_sku = object_entries(app.resource_body("plan")["sku"])
    assert literal_string(plan_sku["tier"]) == "FlexConsumption"
    assert literal_string(plan_sku["name"]) == "FC1"
    site = object_entries(app.resource_body("site")["properties"])
    config = object_entries(site["functionAppConfig"])
    runtime = object_entries(config["runtime"])
    assert literal_string(runtime["name"]) == "python"
    assert literal_string(runtime["version"]) == "3.11"
    deployment = object_entries(object_entries(config["deployment"])["storage"])
    authentication = object_entries(deployment["authentication"])
    assert literal_string(authentication["type"]) == "UserAssignedIdentity"
    scale = object_entries(config["scaleAndConcurrency"])
    assert set(scale) == {"instanceMemoryMB", "maximumInstanceCount"}
    assert {"instanceMemoryMB", "maximumInstanceCount"} <= set(load("main.bicep").params())


def test_the_storage_account_refuses_shared_keys() -> None:
    storage = load("modules/storage.bicep")
    properties = object_entries(storage.resource_body("account")["properties"])
    assert properties["allowSharedKeyAccess"].text == b"false"
    assert properties["allowBlobPublicAccess"].text == b"false"


def test_host_json_uses_extension_bundle_v4() -> None:
    host = json.loads((REPO_ROOT / "host.json").read_text(encoding="utf-8"))
    assert host["version"] == "2.0"
    assert host["extensionBundle"]["version"].startswith("[4.")


def test_azure_yaml_deploys_the_python_function_app_from_infra() -> None:
    spec = yaml.safe_load((REPO_ROOT / "azure.yaml").read_text(encoding="utf-8"))
    assert spec["infra"] == {"provider": "bicep", "path": "infra", "module": "main"}
    services = spec["services"]
    assert len(services) == 1
    ((service_name, service),) = services.items()
    assert service == {"project": ".", "language": "python", "host": "function"}
    app: BicepFile = load("modules/functionapp.bicep")
    assert f"param azdServiceName string = '{service_name}'" in app.source
