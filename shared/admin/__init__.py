"""The admin API's engine: connect a project (with access checks on both sides), list, show,
pause, resume, re-run the initial sync, disconnect. See `service.ProjectAdmin` and README.md."""

from shared.admin.errors import (
    AccessRefused,
    AccessUndecided,
    AdminRefusal,
    FieldProblem,
    InvalidInput,
    ProjectConflict,
    StoreUnavailable,
    UnknownProject,
)
from shared.admin.request_body import parse_body, parse_flag
from shared.admin.service import ProjectAdmin

__all__ = [
    "AccessRefused",
    "AccessUndecided",
    "AdminRefusal",
    "FieldProblem",
    "InvalidInput",
    "ProjectAdmin",
    "ProjectConflict",
    "StoreUnavailable",
    "UnknownProject",
    "parse_body",
    "parse_flag",
]
