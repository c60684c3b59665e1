"""The project's Procore hook: registered at connect, checked again by the renewal timer, removed
at disconnect (API-NOTES A9: hook -> triggers; namespace `a-z0-9-`, one per app).

Registration is idempotent: the project's hooks are listed by our namespace; one that points at
our receiver with our secret is kept, any other of ours (an old URL, a rotated secret, a
duplicate left by a race) is deleted, and only the missing triggers are created. Whether Procore
lists `destination_headers` back is unconfirmed ([U]); when it does not, a hook at our URL is
kept as it is.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from shared.config import Settings
from shared.errors import InvalidRequest, NotFound
from shared.export.schedule import webhook_resources
from shared.intake.routes import PROCORE_ROUTE, receiver_url
from shared.intake.secret_check import bearer_header
from shared.mapping import Tool
from shared.procore.scope import Scope
from shared.procore.webhook_models import Hook, Trigger
from shared.state.projects import Project

log = logging.getLogger("intake.hooks")

DOCUMENT_RESOURCES = ("Project Folders", "Project Files", "Project File Versions")
PHOTO_RESOURCES = ("Images", "Image Categories")
EVENT_TYPES = ("create", "update", "delete")
"""Company-level `Company Folders/Files/File Versions` are not mapped today."""


class HookClient(Protocol):
    """What registration needs of `ProcoreClient`."""

    def create_hook(
        self,
        scope: Scope,
        *,
        namespace: str,
        destination_url: str,
        destination_headers: Mapping[str, str] | None = None,
    ) -> Hook: ...

    def list_hooks(self, scope: Scope, *, namespace: str | None = None) -> Iterator[Hook]: ...

    def delete_hook(self, scope: Scope, hook_id: int) -> None: ...

    def create_trigger(
        self, scope: Scope, hook_id: int, *, resource_name: str, event_type: str
    ) -> Trigger: ...

    def list_triggers(self, scope: Scope, hook_id: int) -> Iterator[Trigger]: ...


def two_way_resources(tools: Sequence[str]) -> list[str]:
    resources: list[str] = []
    if Tool.DOCUMENTS.value in tools:
        resources.extend(DOCUMENT_RESOURCES)
    if Tool.PHOTOS.value in tools:
        resources.extend(PHOTO_RESOURCES)
    return resources


@dataclass
class HookRegistrar:
    procore: HookClient
    settings: Settings
    export_resources: Callable[[Sequence[str]], list[str]] = webhook_resources
    """Resource names of the one-way tools the project exports (issue #7's export)."""

    @property
    def destination_url(self) -> str:
        return receiver_url(self.settings, PROCORE_ROUTE)

    def resources(self, project: Project) -> list[str]:
        """Resource names to register triggers for, given the project's tools."""
        names = two_way_resources(project.tools)
        for name in self.export_resources(project.tools):
            if name not in names:
                names.append(name)
        return names

    def _ours(self, scope: Scope) -> list[Hook]:
        namespace = self.settings.procore_webhook_namespace
        return [
            h
            for h in self.procore.list_hooks(scope, namespace=namespace)
            if h.namespace == namespace
        ]

    def _current(self, hook: Hook, authorization: str) -> bool:
        if hook.destination_url != self.destination_url:
            return False
        headers = hook.destination_headers
        return headers is None or headers.get("Authorization") == authorization

    def ensure(self, project: Project) -> int:
        """Make sure the project has exactly one hook of ours with every trigger; its id."""
        scope = Scope.project(project.company_id, project.project_id)
        authorization = bearer_header(self.settings.procore_webhook_secret)
        kept: Hook | None = None
        for hook in self._ours(scope):
            if kept is None and self._current(hook, authorization):
                kept = hook
                continue
            log.info(
                "stale procore hook removed",
                extra={"project_key": project.key, "hook_id": hook.id, "operation": "hook"},
            )
            self._delete(scope, hook.id)
        if kept is None:
            kept = self.procore.create_hook(
                scope,
                namespace=self.settings.procore_webhook_namespace,
                destination_url=self.destination_url,
                destination_headers={"Authorization": authorization},
            )
            log.info(
                "procore hook created",
                extra={"project_key": project.key, "hook_id": kept.id, "operation": "hook"},
            )
        self._ensure_triggers(project, scope, kept.id)
        return kept.id

    def _ensure_triggers(self, project: Project, scope: Scope, hook_id: int) -> None:
        present = {
            (t.resource_name, t.event_type) for t in self.procore.list_triggers(scope, hook_id)
        }
        refused: list[str] = []
        for resource in self.resources(project):
            for event_type in EVENT_TYPES:
                if (resource, event_type) in present:
                    continue
                try:
                    self.procore.create_trigger(
                        scope, hook_id, resource_name=resource, event_type=event_type
                    )
                except InvalidRequest:
                    # Some resources take no delete events (e.g. Inspection Checklists, A9).
                    refused.append(f"{resource}/{event_type}")
        if refused:
            log.warning(
                "procore refused some triggers",
                extra={"project_key": project.key, "hook_id": hook_id, "refused": refused},
            )

    def remove(self, project: Project) -> int:
        """Delete the project's hooks of ours; how many went."""
        scope = Scope.project(project.company_id, project.project_id)
        ids = {hook.id for hook in self._ours(scope)}
        if project.procore_hook_id is not None:
            ids.add(project.procore_hook_id)
        for hook_id in sorted(ids):
            self._delete(scope, hook_id)
        log.info(
            "procore hooks removed",
            extra={"project_key": project.key, "hooks": len(ids), "operation": "hook"},
        )
        return len(ids)

    def _delete(self, scope: Scope, hook_id: int) -> None:
        with contextlib.suppress(NotFound):
            self.procore.delete_hook(scope, hook_id)
