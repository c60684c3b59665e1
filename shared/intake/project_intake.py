"""A project's part in the intake at connect and disconnect: its Procore hook and its drive's
subscription. Nothing here may fail a connect: a failure is logged, noted on the project
(`procore_hook_error`, and `last_error`, which the admin view shows) and retried by the renewal
timer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from shared.errors import ApiError
from shared.intake.procore_hooks import HookRegistrar
from shared.intake.subscriptions import SubscriptionKeeper
from shared.state import EntityNotFound, StateError, StateStore
from shared.state.log import LogAction
from shared.state.projects import LAST_ERROR_MAX_CHARS, Project

log = logging.getLogger("intake.project")

HOOK_ERROR_PREFIX = "Procore webhook registration failed: "
SUBSCRIPTION_ERROR_PREFIX = "SharePoint change notifications not set up: "


@dataclass
class ProjectIntake:
    store: StateStore
    hooks: HookRegistrar
    subscriptions: SubscriptionKeeper

    @classmethod
    def from_runtime(cls) -> ProjectIntake:
        from shared import runtime
        from shared.config import get_settings

        settings = get_settings()
        store = runtime.state_store()
        return cls(
            store,
            HookRegistrar(runtime.procore_client(), settings),
            SubscriptionKeeper(runtime.graph_client(), store.drives, settings),
        )

    def connected(self, project: Project) -> Project:
        """Register the project's hook and subscribe its drive; the project as it now is."""
        project = self.register_hook(project)
        try:
            self.subscriptions.ensure(project.drive_id)
        except (ApiError, StateError) as exc:
            log.warning(
                "graph subscription not created; the renewal timer retries",
                extra={
                    "project_key": project.key,
                    "drive_id": project.drive_id,
                    "operation": "subscribe",
                    "error": str(exc),
                },
            )
            self._note(project.key, SUBSCRIPTION_ERROR_PREFIX + str(exc))
        return project

    def register_hook(self, project: Project) -> Project:
        """Ensure the hook; record its id, or the failure, on the project."""
        try:
            hook_id = self.hooks.ensure(project)
        except (ApiError, StateError) as exc:
            message = (HOOK_ERROR_PREFIX + str(exc))[:LAST_ERROR_MAX_CHARS]
            log.warning(
                "procore hook not registered; the renewal timer retries",
                extra={"project_key": project.key, "operation": "hook", "error": str(exc)},
            )
            self._note(project.key, message)
            return self._record(project, None, message)
        return self._record(project, hook_id, None)

    def _record(self, project: Project, hook_id: int | None, error: str | None) -> Project:
        now = self.store.projects.clock()

        def change(current: Project) -> Project:
            update: dict[str, object] = {"procore_hook_error": error}
            if hook_id is not None:
                update["procore_hook_id"] = hook_id
            if error is not None:
                update.update(last_error=error, last_error_at=now)
            elif (current.last_error or "").startswith(HOOK_ERROR_PREFIX):
                update.update(last_error=None, last_error_at=None)
            return current.model_copy(update=update)

        try:
            return self.store.projects.modify(project.key, change)
        except EntityNotFound:
            return project

    def _note(self, key: str, detail: str) -> None:
        try:
            self.store.log.append(self.store.log.entry(key, LogAction.ERROR, detail=detail))
        except StateError:
            log.warning("log entry not written", extra={"project_key": key}, exc_info=True)

    def disconnected(self, project: Project) -> None:
        """Delete the project's hook (the drive's subscription goes with the renewal timer once
        no project is left on the drive)."""
        try:
            self.hooks.remove(project)
        except ApiError as exc:
            log.warning(
                "procore hook not removed",
                extra={"project_key": project.key, "operation": "hook", "error": str(exc)},
            )
