"""Hooks and triggers management (API-NOTES A9). A hook belongs to a project or a company."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from shared.config import Settings
from shared.procore.scope import Scope
from shared.procore.session import ProcoreSession, page_rows
from shared.procore.webhook_models import Hook, Trigger

HOOKS = "/rest/v1.0/webhooks/hooks"
API_VERSION = "v2"


def _owner(scope: Scope) -> dict[str, int]:
    if scope.is_company:
        return {"company_id": scope.company_id}
    return {"project_id": scope.require_project()}


class WebhookOperations:
    _session: ProcoreSession
    _settings: Settings

    def create_hook(
        self,
        scope: Scope,
        *,
        namespace: str,
        destination_url: str,
        destination_headers: Mapping[str, str] | None = None,
    ) -> Hook:
        """A hook delivering v2.0 payloads to `destination_url` with `destination_headers`
        (the only authentication Procore offers: a shared secret echoed on every POST)."""
        hook: dict[str, Any] = {
            "api_version": API_VERSION,
            "namespace": namespace,
            "destination_url": destination_url,
        }
        if destination_headers is not None:
            hook["destination_headers"] = dict(destination_headers)
        response = self._session.request(
            "POST", HOOKS, company_id=scope.company_id, json={**_owner(scope), "hook": hook}
        )
        return Hook.model_validate(response.json())

    def list_hooks(self, scope: Scope, *, namespace: str | None = None) -> Iterator[Hook]:
        params: dict[str, Any] = {**_owner(scope), "namespace": namespace}
        for page in self._session.pages(HOOKS, company_id=scope.company_id, params=params):
            for row in page_rows(page.json()):
                yield Hook.model_validate(row)

    def delete_hook(self, scope: Scope, hook_id: int) -> None:
        self._session.request(
            "DELETE", f"{HOOKS}/{hook_id}", company_id=scope.company_id, params=_owner(scope)
        )

    def create_trigger(
        self, scope: Scope, hook_id: int, *, resource_name: str, event_type: str
    ) -> Trigger:
        """Deliver `event_type` (create/update/delete) events of `resource_name` to the hook."""
        response = self._session.request(
            "POST",
            f"{HOOKS}/{hook_id}/triggers",
            company_id=scope.company_id,
            json={
                **_owner(scope),
                "api_version": API_VERSION,
                "trigger": {"resource_name": resource_name, "event_type": event_type},
            },
        )
        return Trigger.model_validate(response.json())

    def list_triggers(self, scope: Scope, hook_id: int) -> Iterator[Trigger]:
        for page in self._session.pages(
            f"{HOOKS}/{hook_id}/triggers", company_id=scope.company_id, params=_owner(scope)
        ):
            for row in page_rows(page.json()):
                yield Trigger.model_validate(row)

    def delete_trigger(self, scope: Scope, hook_id: int, trigger_id: int) -> None:
        self._session.request(
            "DELETE",
            f"{HOOKS}/{hook_id}/triggers/{trigger_id}",
            company_id=scope.company_id,
            params=_owner(scope),
        )
