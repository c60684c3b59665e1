"""The alert emails of the regular sync, composed purely: deletes held back by the delete limit,
and a safety stop (DESIGN §1.4, §4: nothing is lost, nothing is silent).

Each says what happened, lists the held deletes (the first `HELD_LISTED` paths, with the side
each was deleted on) and tells the administrator how to answer through the admin API. HTML for
mail clients, with a plain-text twin; every value from the project is escaped.
"""

from __future__ import annotations

from html import escape

from pydantic import BaseModel, Field

from shared.notify.initial_sync_email import EmailContent

DELETES_HELD_SUBJECT = "Deletes held back for project {name}"
SYNC_STOPPED_SUBJECT = "Sync stopped for project {name}"
HELD_LISTED = 50

SIDE_NAMES = {"procore": "Procore", "sharepoint": "SharePoint"}


class HeldNote(BaseModel):
    path: str
    deleted_on: str
    is_folder: bool = False

    def line(self) -> str:
        side = SIDE_NAMES.get(self.deleted_on, self.deleted_on)
        kind = "folder, " if self.is_folder else ""
        return f"{self.path or '(unnamed)'} ({kind}deleted in {side})"


class AlertFacts(BaseModel):
    """What an alert email says, read from the project's state when it is sent."""

    project_name: str
    project_key: str
    admin_url: str = Field(description="The project in the admin API: .../api/projects/<key>.")
    delete_limit: int
    held_count: int = 0
    held: list[HeldNote] = Field(default_factory=list, description="The first ones, by path.")
    stopped_reason: str | None = None


def _answers(facts: AlertFacts) -> list[tuple[str, str]]:
    """(what to call, what it does) for each way to answer held deletes."""
    return [
        (
            f"POST {facts.admin_url}/deletes/approve",
            "Approve: the held deletes are carried out on the next pass (the limit and the "
            "safety stop are waived once); the deleted items go to the other side's recycle "
            "bin.",
        ),
        (
            f"POST {facts.admin_url}/deletes/restore",
            "Restore: each item is put back on the side it was deleted on, from the other "
            "side's copy.",
        ),
    ]


def _held_lines(facts: AlertFacts) -> list[str]:
    shown = facts.held[:HELD_LISTED]
    lines = [note.line() for note in shown]
    more = facts.held_count - len(shown)
    if more > 0:
        lines.append(f"… and {more} more (GET {facts.admin_url} lists them)")
    return lines


def _text(paragraphs: list[str], held: list[str], steps: list[tuple[str, str]]) -> str:
    out: list[str] = []
    for paragraph in paragraphs:
        out += [paragraph, ""]
    if held:
        out += ["Held back:"] + [f"  - {line}" for line in held] + [""]
    if steps:
        out += ["How to answer (admin API, with the function key):"]
        out += [f"  - {what}\n      {call}" for call, what in steps]
    return "\n".join(out).rstrip() + "\n"


def _html(paragraphs: list[str], held: list[str], steps: list[tuple[str, str]]) -> str:
    parts = [f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs]
    if held:
        items = "".join(f"<li>{escape(line)}</li>" for line in held)
        parts.append(f"<h3>Held back</h3><ul>{items}</ul>")
    if steps:
        items = "".join(
            f"<li>{escape(what)}<br><code>{escape(call)}</code></li>" for call, what in steps
        )
        parts.append(f"<h3>How to answer (admin API, with the function key)</h3><ul>{items}</ul>")
    return "".join(parts)


def _content(
    subject: str, paragraphs: list[str], held: list[str], steps: list[tuple[str, str]]
) -> EmailContent:
    return EmailContent(
        subject=subject,
        text=_text(paragraphs, held, steps),
        html=_html(paragraphs, held, steps),
    )


def compose_deletes_held(facts: AlertFacts) -> EmailContent:
    name = f"{facts.project_name} ({facts.project_key})"
    paragraphs = [
        f"{facts.held_count} delete(s) in project {name} were held back: the project's delete "
        f"limit is {facts.delete_limit} per 24 hours.",
        "The held items are still on the other side and nothing more is done to them until "
        "you answer; the rest of the project keeps syncing.",
    ]
    return _content(
        DELETES_HELD_SUBJECT.format(name=facts.project_name),
        paragraphs,
        _held_lines(facts),
        _answers(facts),
    )


def compose_sync_stopped(facts: AlertFacts) -> EmailContent:
    name = f"{facts.project_name} ({facts.project_key})"
    paragraphs = [
        f"The sync of project {name} was stopped by a safety stop before it wrote anything.",
        f"Reason: {facts.stopped_reason or 'not recorded'}",
    ]
    steps = _answers(facts)
    if facts.held_count:
        paragraphs.append(
            f"{facts.held_count} delete(s) are held back. Answering them (approve or restore) "
            "also brings the project back to regular sync. Until then nothing of this project "
            "is synced."
        )
    else:
        paragraphs.append(
            "No deletes are held back. Put the cause right (for example, restore the mapped "
            "folder from the SharePoint recycle bin, or move it back), then resume the project; "
            "if the cause remains, the next pass stops again. Until then nothing of this "
            "project is synced."
        )
        steps = [
            (f"POST {facts.admin_url}/resume", "Resume: the project goes back to regular sync."),
            (
                f"POST {facts.admin_url}/resync",
                "Or re-run the initial sync, which compares both sides afresh.",
            ),
        ]
    return _content(
        SYNC_STOPPED_SUBJECT.format(name=facts.project_name),
        paragraphs,
        _held_lines(facts),
        steps,
    )
