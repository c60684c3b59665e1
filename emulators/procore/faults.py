"""Switchable faults for tests: 429 storms, 500/503, dropped connections, slowness and
upload part failures."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FaultKind = Literal["429", "500", "503", "drop", "slow", "upload_part"]


class FaultSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: FaultKind
    count: int | None = Field(default=None, ge=1)
    path_prefix: str = "/"
    method: str | None = None
    delay_s: float = Field(default=1.0, ge=0, le=60)
    retry_after_s: int = Field(default=5, ge=0)


class Fault(FaultSpec):
    id: str
    hits: int = 0


class Faults:
    def __init__(self) -> None:
        self.items: list[Fault] = []
        self._next = 1

    def add(self, spec: FaultSpec) -> Fault:
        fault = Fault(id=f"f{self._next}", **spec.model_dump())
        self._next += 1
        self.items.append(fault)
        return fault

    def remove(self, fault_id: str) -> bool:
        before = len(self.items)
        self.items = [f for f in self.items if f.id != fault_id]
        return len(self.items) != before

    def clear(self) -> None:
        self.items = []

    def take(self, method: str, path: str, part_upload: bool) -> Fault | None:
        """The first fault matching this request, its remaining count spent by one."""
        for fault in self.items:
            if (fault.kind == "upload_part") != part_upload:
                continue
            if fault.method and fault.method.upper() != method:
                continue
            if not path.startswith(fault.path_prefix):
                continue
            fault.hits += 1
            if fault.count is not None:
                fault.count -= 1
                if fault.count == 0:
                    self.items.remove(fault)
            return fault
        return None
