"""HTTP trigger route templates, matched the way the Functions host (ASP.NET routing) does.

Supported: literal segments (case-insensitive), `{name}`, `{name:constraint}`, optional
`{name?}` at the end, catch-all `{*rest}` at the end. Constraints: int, long, bool, guid, alpha,
double, float, decimal. Anything else is refused at start rather than silently matched wrong.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

_PARAM = re.compile(
    r"^\{(?P<star>\*)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"(?::(?P<constraint>[a-z]+))?(?P<opt>\?)?\}$"
)


def _is_int(value: str, bits: int) -> bool:
    if not re.fullmatch(r"[+-]?\d+", value):
        return False
    limit = 1 << (bits - 1)
    return -limit <= int(value) < limit


def _is_float(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


CONSTRAINTS: dict[str, Callable[[str], bool]] = {
    "int": lambda v: _is_int(v, 32),
    "long": lambda v: _is_int(v, 64),
    "bool": lambda v: v.lower() in ("true", "false"),
    "guid": _is_guid,
    "alpha": lambda v: bool(re.fullmatch(r"[A-Za-z]+", v)),
    "double": _is_float,
    "float": _is_float,
    "decimal": _is_float,
}


class RouteTemplateError(ValueError):
    """A route template devhost cannot match faithfully."""


@dataclass(frozen=True)
class RouteTemplate:
    template: str
    pattern: re.Pattern[str]
    constraints: dict[str, Callable[[str], bool]] = field(default_factory=dict)
    literal_segments: int = 0
    catch_all: bool = False

    def match(self, path: str) -> dict[str, str] | None:
        """Route parameters if `path` (after the route prefix, no leading slash) matches."""
        found = self.pattern.fullmatch("/" + path.strip("/") if path.strip("/") else "")
        if found is None:
            return None
        params = {k: v for k, v in found.groupdict().items() if v is not None}
        for name, check in self.constraints.items():
            if name in params and not check(params[name]):
                return None
        return params

    @property
    def precedence(self) -> tuple[int, int]:
        """Sort key: more literal segments first, catch-alls last (ASP.NET's order, roughly)."""
        return (1 if self.catch_all else 0, -self.literal_segments)


def parse_route(template: str) -> RouteTemplate:
    segments = [s for s in template.strip("/").split("/") if s]
    parts: list[str] = []
    constraints: dict[str, Callable[[str], bool]] = {}
    literals = 0
    catch_all = False
    seen_optional = False
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if "{" not in segment and "}" not in segment:
            if seen_optional:
                raise RouteTemplateError(f"route {template!r}: an optional parameter must be last")
            parts.append("/" + re.escape(segment))
            literals += 1
            continue
        param = _PARAM.match(segment)
        if param is None:
            raise RouteTemplateError(
                f"route {template!r}: segment {segment!r} is not supported by devhost "
                "(use one {name}, {name:constraint}, {name?} or {*name} per segment)"
            )
        name = param["name"]
        if param["constraint"]:
            if param["constraint"] not in CONSTRAINTS:
                raise RouteTemplateError(
                    f"route {template!r}: constraint {param['constraint']!r} is not supported "
                    f"by devhost (supported: {', '.join(sorted(CONSTRAINTS))})"
                )
            constraints[name] = CONSTRAINTS[param["constraint"]]
        if param["star"]:
            if not last:
                raise RouteTemplateError(f"route {template!r}: a catch-all must be last")
            parts.append(f"(?:/(?P<{name}>.+))?")
            catch_all = True
        elif param["opt"]:
            parts.append(f"(?:/(?P<{name}>[^/]+))?")
            seen_optional = True
        else:
            if seen_optional:
                raise RouteTemplateError(f"route {template!r}: an optional parameter must be last")
            parts.append(f"/(?P<{name}>[^/]+)")
    pattern = re.compile("".join(parts), re.IGNORECASE)
    return RouteTemplate(template, pattern, constraints, literals, catch_all)
