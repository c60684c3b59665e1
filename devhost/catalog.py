"""The functions an app registers, read from the app object itself (`app.get_functions()`).

No second list: whatever the decorators registered is what devhost runs. A function whose
bindings devhost cannot honour (anything besides its trigger and the HTTP `$return`) is refused
at start with its name, rather than invoked with arguments missing.

`%NAME%` in a queue name, schedule or route is resolved from the app settings (environment), as
the Functions host resolves binding expressions.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from azure.functions.decorators.core import AuthLevel
from azure.functions.decorators.http import HttpOutput, HttpTrigger
from azure.functions.decorators.queue import QueueTrigger
from azure.functions.decorators.timer import TimerTrigger

from devhost.routes import RouteTemplate, parse_route

_SETTING_REF = re.compile(r"%([^%]+)%")
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class CatalogError(ValueError):
    """The app registers something devhost cannot run faithfully."""


@dataclass(frozen=True)
class Entry:
    """What every trigger kind shares: the name, the Python callable and how to call it."""

    name: str
    func: Callable[..., Any]
    arg_name: str
    wants_context: bool

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.func)


@dataclass(frozen=True)
class QueueFunction(Entry):
    queue_name: str
    connection: str


@dataclass(frozen=True)
class TimerFunction(Entry):
    schedule: str
    run_on_startup: bool


@dataclass(frozen=True)
class HttpFunction(Entry):
    route: RouteTemplate
    methods: tuple[str, ...]
    auth_level: str


@dataclass(frozen=True)
class Catalog:
    queues: tuple[QueueFunction, ...]
    timers: tuple[TimerFunction, ...]
    http: tuple[HttpFunction, ...]

    @property
    def all(self) -> tuple[Entry, ...]:
        return (*self.queues, *self.timers, *self.http)

    def describe(self) -> list[dict[str, Any]]:
        """One line of facts per function (for the start banner and the status endpoint)."""
        rows: list[dict[str, Any]] = []
        for q in self.queues:
            rows.append({"name": q.name, "trigger": "queue", "queue": q.queue_name})
        for t in self.timers:
            rows.append({"name": t.name, "trigger": "timer", "schedule": t.schedule})
        for h in self.http:
            rows.append(
                {
                    "name": h.name,
                    "trigger": "http",
                    "route": h.route.template,
                    "methods": list(h.methods),
                    "auth_level": h.auth_level,
                }
            )
        return rows


def resolve_settings(value: str, env: Mapping[str, str], what: str) -> str:
    """Replace `%NAME%` with the app setting NAME; a missing setting is an error."""

    def lookup(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in env:
            raise CatalogError(f"{what}: app setting {name!r} (referenced as %{name}%) is not set")
        return env[name]

    return _SETTING_REF.sub(lookup, value)


def _enum_value(value: Any) -> str:
    return str(getattr(value, "value", value))


def discover(app: Any, env: Mapping[str, str] | None = None) -> Catalog:
    """Read every registered function of `app` (a `func.FunctionApp`) into a Catalog."""
    env = os.environ if env is None else env
    queues: list[QueueFunction] = []
    timers: list[TimerFunction] = []
    http: list[HttpFunction] = []
    for function in app.get_functions():
        name = function.get_function_name()
        trigger = function.get_trigger()
        func = function.get_user_function()
        others = [b for b in function.get_bindings() if b is not trigger]
        unsupported = [b for b in others if not (isinstance(b, HttpOutput) and b.name == "$return")]
        if unsupported:
            kinds = ", ".join(f"{type(b).__name__}({b.name})" for b in unsupported)
            raise CatalogError(f"function {name}: bindings not supported by devhost: {kinds}")
        params = inspect.signature(func).parameters
        if trigger.name not in params:
            raise CatalogError(f"function {name}: has no parameter named {trigger.name!r}")
        extra = [p for p in params if p not in (trigger.name, "context")]
        if extra:
            raise CatalogError(f"function {name}: parameters {extra} are bound to nothing")
        common = {
            "name": name,
            "func": func,
            "arg_name": trigger.name,
            "wants_context": "context" in params,
        }
        if isinstance(trigger, QueueTrigger):
            queues.append(
                QueueFunction(
                    **common,
                    queue_name=resolve_settings(trigger.queue_name, env, name).lower(),
                    connection=trigger.connection or "AzureWebJobsStorage",
                )
            )
        elif isinstance(trigger, TimerTrigger):
            timers.append(
                TimerFunction(
                    **common,
                    schedule=resolve_settings(trigger.schedule, env, name),
                    run_on_startup=bool(trigger.run_on_startup),
                )
            )
        elif isinstance(trigger, HttpTrigger):
            methods = tuple(_enum_value(m).upper() for m in trigger.methods or ()) or ALL_METHODS
            http.append(
                HttpFunction(
                    **common,
                    route=parse_route(resolve_settings(trigger.route or name, env, name)),
                    methods=methods,
                    auth_level=_enum_value(trigger.auth_level or AuthLevel.FUNCTION).lower(),
                )
            )
        else:
            raise CatalogError(
                f"function {name}: trigger {type(trigger).__name__} is not supported by devhost"
            )
    http.sort(key=lambda h: h.route.precedence)
    return Catalog(tuple(queues), tuple(timers), tuple(http))
