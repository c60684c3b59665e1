"""The email that closes an initial sync (DESIGN §1.2): subject and body, composed purely.

The body gives a document controller everything in one read: what was copied each way, how much,
where it is, which conflicts were resolved and how, every skipped item with its reason, and how
long it took. HTML for mail clients, with a plain-text twin.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from pydantic import BaseModel, Field

SUBJECT = "Two way sync initiated for project {name}"


class ConflictNote(BaseModel):
    path: str
    resolution: str


class SkipNote(BaseModel):
    path: str
    side: str
    reason: str


class InitialSyncSummary(BaseModel):
    project_name: str
    project_key: str
    mode: str
    procore_project_url: str | None = None
    sharepoint_folder_url: str | None = None
    sharepoint_folder_path: str
    started_at: datetime
    finished_at: datetime
    folders_created: int = 0
    files_to_sharepoint: int = 0
    files_to_procore: int = 0
    files_linked: int = 0
    bytes_copied: int = 0
    items_exported: int = 0
    """Procore tool items (RFIs, submittals, drawings...) exported as PDFs."""
    conflicts: list[ConflictNote] = Field(default_factory=list)
    skipped: list[SkipNote] = Field(default_factory=list)


class EmailContent(BaseModel):
    subject: str
    text: str
    html: str


def human_bytes(count: int) -> str:
    size = float(count)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{count} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def human_duration(span: timedelta) -> str:
    seconds = max(int(span.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    if minutes or hours:
        parts.append(f"{minutes} min")
    parts.append(f"{seconds} s")
    return " ".join(parts)


def _facts(summary: InitialSyncSummary) -> list[tuple[str, str]]:
    return [
        ("Mode", summary.mode),
        ("Folders created", str(summary.folders_created)),
        ("Files copied to SharePoint", str(summary.files_to_sharepoint)),
        ("Files copied to Procore", str(summary.files_to_procore)),
        ("Identical files linked (not copied)", str(summary.files_linked)),
        ("Data copied", human_bytes(summary.bytes_copied)),
        ("Procore tool items exported as PDF", str(summary.items_exported)),
        ("Conflicts resolved", str(len(summary.conflicts))),
        ("Items skipped", str(len(summary.skipped))),
        ("Duration", human_duration(summary.finished_at - summary.started_at)),
        (
            "SharePoint folder",
            summary.sharepoint_folder_path
            + (f" ({summary.sharepoint_folder_url})" if summary.sharepoint_folder_url else ""),
        ),
    ]


def compose(summary: InitialSyncSummary) -> EmailContent:
    subject = SUBJECT.format(name=summary.project_name)
    intro = (
        f"The initial sync of Procore project {summary.project_name} ({summary.project_key}) "
        "is complete. From now on, changes on either side are kept in sync."
    )
    text_lines = [intro, ""]
    text_lines += [f"{label}: {value}" for label, value in _facts(summary)]
    if summary.conflicts:
        text_lines += ["", "Conflicts resolved:"]
        text_lines += [f"  - {c.path}: {c.resolution}" for c in summary.conflicts]
    if summary.skipped:
        text_lines += ["", "Skipped (not synced):"]
        text_lines += [f"  - {s.path} ({s.side}): {s.reason}" for s in summary.skipped]
    html_rows = "".join(
        f"<tr><th align='left'>{escape(label)}</th><td>{escape(value)}</td></tr>"
        for label, value in _facts(summary)
    )
    html = [f"<p>{escape(intro)}</p>", f"<table>{html_rows}</table>"]
    if summary.conflicts:
        items = "".join(
            f"<li>{escape(c.path)}: {escape(c.resolution)}</li>" for c in summary.conflicts
        )
        html.append(f"<h3>Conflicts resolved</h3><ul>{items}</ul>")
    if summary.skipped:
        items = "".join(
            f"<li>{escape(s.path)} ({escape(s.side)}): {escape(s.reason)}</li>"
            for s in summary.skipped
        )
        html.append(f"<h3>Skipped (not synced)</h3><ul>{items}</ul>")
    return EmailContent(subject=subject, text="\n".join(text_lines) + "\n", html="".join(html))
