"""Turning Procore field values (people, dates, nested objects) into text a reader wants.

Procore's shapes vary per tool and version (API-NOTES A2: not uniform), so these accept what comes
and never fail: an unknown shape becomes its most telling string.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from typing import Any

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(br|/p|/div|/li)\s*/?>", re.IGNORECASE)


def person(value: Any) -> str:
    """A user or company: its name (with the company in brackets when given)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(p for p in (person(v) for v in value) if p)
    if isinstance(value, dict):
        name = value.get("name") or value.get("login") or value.get("email_address") or ""
        if not name and (value.get("first_name") or value.get("last_name")):
            name = f"{value.get('first_name', '')} {value.get('last_name', '')}".strip()
        company = value.get("company")
        company_name = company.get("name") if isinstance(company, dict) else company
        return f"{name} ({company_name})" if name and company_name else str(name)
    return str(value)


def when(value: Any) -> str:
    """A date or timestamp as `2025-03-04` or `2025-03-04 09:30 UTC`."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if len(text) <= 10:
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def label(value: Any) -> str:
    """A named thing (`{"name": ...}`), a status object, a list of them, or a scalar."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(x for x in (label(v) for v in value) if x)
    if isinstance(value, dict):
        for key in ("name", "title", "label", "status", "description", "number"):
            inner = value.get(key)
            if inner not in (None, ""):
                return str(inner)
        return ""
    text = str(value)
    return text.replace("_", " ") if re.fullmatch(r"[a-z_]+", text) else text


def money(value: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return f"{float(value):,.2f}"
    except (TypeError, ValueError):
        return str(value)


def plain(value: Any) -> str:
    """Rich text (Procore sends HTML bodies) as plain text with its line breaks."""
    if value in (None, ""):
        return ""
    text = _BREAK.sub("\n", str(value))
    text = html.unescape(_TAG.sub("", text))
    lines = [line.strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def text_of(item: dict[str, Any], *keys: str) -> str:
    """The first non-empty body among `keys` (plain-text variants first where both exist)."""
    for key in keys:
        text = plain(item.get(key))
        if text:
            return text
    return ""
