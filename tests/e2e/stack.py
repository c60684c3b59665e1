"""The end-to-end stack lives in devhost.stack (shared with the demo and the benchmarks)."""

from devhost.stack import (
    COMPANY,
    DRIVE,
    GraphSide,
    ProcoreSide,
    Stack,
    failed_invocations,
    poll,
    start_stack,
)

__all__ = [
    "COMPANY",
    "DRIVE",
    "GraphSide",
    "ProcoreSide",
    "Stack",
    "failed_invocations",
    "poll",
    "start_stack",
]
