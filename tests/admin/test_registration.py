"""The Function App serves the admin API: every route, method and function-level auth."""

from __future__ import annotations

from typing import Any

from tests.registered import registered_functions

ADMIN_ROUTES = {
    ("connect_project", "projects", ("POST",)),
    ("list_projects", "projects", ("GET",)),
    ("show_project", "projects/{key}", ("GET",)),
    ("pause_project", "projects/{key}/pause", ("POST",)),
    ("resume_project", "projects/{key}/resume", ("POST",)),
    ("resync_project", "projects/{key}/resync", ("POST",)),
    ("disconnect_project", "projects/{key}", ("DELETE",)),
}


def http_triggers() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for function in registered_functions():
        for binding in function.get_bindings():
            if binding.type == "httpTrigger":
                found[function.get_function_name()] = binding.get_dict_repr()
    return found


def test_every_admin_route_is_registered_with_function_level_auth() -> None:
    triggers = http_triggers()
    registered = {
        (name, triggers[name]["route"], tuple(str(m) for m in triggers[name]["methods"]))
        for name, _, _ in ADMIN_ROUTES
        if name in triggers
    }
    assert registered == ADMIN_ROUTES
    for name, _, _ in ADMIN_ROUTES:
        assert str(triggers[name]["authLevel"]).lower().endswith("function")
