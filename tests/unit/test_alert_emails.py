"""The regular sync's alert emails: exact subjects, every held delete accounted for (the first
50 listed, the rest counted), the limit, the reason, how to answer, and escaped HTML."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.config import Settings, load_settings
from shared.notify.alert_email import (
    AlertFacts,
    HeldNote,
    compose_deletes_held,
    compose_sync_stopped,
)
from shared.notify.alerts import alert_facts
from shared.state.pending import HeldDelete
from shared.state.projects import Phase, Project
from tests.conftest import example_settings

ADMIN = "https://sync.contoso.example/api/projects/1-2"
NAME = "Tower A <North> & Co"


def facts(**changes: object) -> AlertFacts:
    values: dict[str, object] = {
        "project_name": NAME,
        "project_key": "1-2",
        "admin_url": ADMIN,
        "delete_limit": 5,
        "held_count": 2,
        "held": [
            HeldNote(path="Drawings/A-101.pdf", deleted_on="sharepoint"),
            HeldNote(path="Specs", deleted_on="procore", is_folder=True),
        ],
        **changes,
    }
    return AlertFacts.model_validate(values)


def test_deletes_held_subject_is_exact_and_the_body_lists_every_held_delete() -> None:
    email = compose_deletes_held(facts())
    assert email.subject == f"Deletes held back for project {NAME}"
    assert "2 delete(s) in project Tower A <North> & Co (1-2) were held back" in email.text
    assert "the project's delete limit is 5 per 24 hours" in email.text
    assert "  - Drawings/A-101.pdf (deleted in SharePoint)\n" in email.text
    assert "  - Specs (folder, deleted in Procore)\n" in email.text
    assert f"POST {ADMIN}/deletes/approve" in email.text
    assert f"POST {ADMIN}/deletes/restore" in email.text
    assert "and more" not in email.text


def test_the_html_twin_escapes_what_comes_from_the_project() -> None:
    email = compose_deletes_held(
        facts(held=[HeldNote(path="<script>x</script>.pdf", deleted_on="sharepoint")], held_count=1)
    )
    assert "<script>" not in email.html
    assert "&lt;script&gt;x&lt;/script&gt;.pdf (deleted in SharePoint)" in email.html
    assert "Tower A &lt;North&gt; &amp; Co (1-2)" in email.html
    assert f"<code>POST {ADMIN}/deletes/approve</code>" in email.html
    assert "<li>" in email.html and "<h3>Held back</h3>" in email.html


def test_only_the_first_fifty_are_listed_and_the_rest_are_counted() -> None:
    notes = [HeldNote(path=f"Drawings/plan {n:03}.pdf", deleted_on="procore") for n in range(80)]
    email = compose_deletes_held(facts(held=notes, held_count=130))
    listed = [line for line in email.text.splitlines() if line.startswith("  - Drawings/")]
    assert len(listed) == 50
    assert listed[0] == "  - Drawings/plan 000.pdf (deleted in Procore)"
    assert listed[-1] == "  - Drawings/plan 049.pdf (deleted in Procore)"
    assert f"  - … and 80 more (GET {ADMIN} lists them)" in email.text
    assert email.html.count("(deleted in Procore)</li>") == 50


def test_sync_stopped_gives_the_reason_the_held_deletes_and_how_to_answer() -> None:
    reason = "12 of 20 synced items would be deleted at once (more than 50%); nothing was written"
    email = compose_sync_stopped(facts(stopped_reason=reason, held_count=2))
    assert email.subject == f"Sync stopped for project {NAME}"
    assert "was stopped by a safety stop before it wrote anything" in email.text
    assert f"Reason: {reason}" in email.text
    assert "2 delete(s) are held back" in email.text
    assert "  - Drawings/A-101.pdf (deleted in SharePoint)" in email.text
    assert f"POST {ADMIN}/deletes/approve" in email.text
    assert f"POST {ADMIN}/deletes/restore" in email.text
    assert "/resume" not in email.text


def test_a_stop_without_held_deletes_says_to_put_the_cause_right_and_resume() -> None:
    reason = "the mapped project folder was deleted in SharePoint"
    email = compose_sync_stopped(facts(stopped_reason=reason, held_count=0, held=[]))
    assert f"Reason: {reason}" in email.text
    assert "No deletes are held back" in email.text
    assert "restore the mapped folder from the SharePoint recycle bin" in email.text
    assert f"POST {ADMIN}/resume" in email.text
    assert f"POST {ADMIN}/resync" in email.text
    assert "deletes/approve" not in email.text
    assert "Held back" not in email.html


def settings(**overrides: str) -> Settings:
    values: dict[str, str] = {k: v for k, v in example_settings().items() if v != ""}
    values.update(overrides)
    return load_settings(**values)


def held(number: int, path: str, side: str = "sharepoint") -> HeldDelete:
    return HeldDelete(
        procore_id=4300900000 + number,
        sharepoint_id=f"01HELD{number}",
        deleted_on=side,
        name=path.rsplit("/", 1)[-1],
        path=path,
        held_at=datetime(2030, 5, 1, tzinfo=UTC),
    )


def test_the_facts_come_from_the_project_its_held_deletes_and_the_settings() -> None:
    project = Project(
        company_id=1,
        project_id=2,
        project_name=NAME,
        site_id="site",
        drive_id="drive",
        folder_path="Projects/A",
        phase=Phase.ERROR,
        stopped_reason="the mapped project folder was deleted in SharePoint",
    )
    app = settings(PUBLIC_BASE_URL="https://sync.contoso.example/", DELETE_LIMIT_PER_DAY="7")
    rows = [held(1, "Drawings/Old/b.pdf"), held(2, "z.pdf", "procore"), held(3, "Drawings/a.pdf")]
    found = alert_facts(project, rows, app)
    assert found.admin_url == ADMIN
    assert found.delete_limit == 7
    assert found.held_count == 3
    assert [n.path for n in found.held] == ["z.pdf", "Drawings/a.pdf", "Drawings/Old/b.pdf"]
    assert found.held[0].deleted_on == "procore"
    assert found.stopped_reason == project.stopped_reason
    own_limit = alert_facts(project.model_copy(update={"delete_limit": 2}), rows, app)
    assert own_limit.delete_limit == 2
