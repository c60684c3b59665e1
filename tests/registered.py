"""The Function App's registered functions, read once per test process.

The azure-functions SDK refuses a second `get_functions()` on one app object, so every test
that inspects the registrations goes through this.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def registered_functions() -> tuple[Any, ...]:
    from function_app import app

    return tuple(app.get_functions())
