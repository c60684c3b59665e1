"""Photos in the initial sync: each album becomes a folder under Photos, both ways."""

from __future__ import annotations

import base64

from shared.procore.client import ProcoreClient
from shared.procore.scope import Scope
from shared.state.projects import Phase
from tests.e2e.stack import COMPANY, Stack, failed_invocations

PROJECT = 4300009401
PHOTOS = "/Projects/Pictures/Photos"


def test_albums_become_folders_and_folders_become_albums(stack: Stack) -> None:
    seeded = stack.procore.seed_project(
        PROJECT,
        "Picture Tower",
        {"Plans": {"A.pdf": 100}},
        photos={
            "Site Progress": {"IMG_0001.jpg": 41000, "IMG_0002.jpg": 39000},
            "Safety Walk": {"IMG_0100.jpg": 5000},
        },
    )
    stack.graph.seed(
        {
            "Projects": {
                "Pictures": {
                    "Photos": {
                        "Site Progress": {"phone shot.jpg": {"content_b64": "cGhvbmUgc2hvdA=="}},
                        "Handover": {"keys.jpg": "keys photo"},
                    }
                }
            }
        }
    )
    project = stack.connect(PROJECT, "Picture Tower", "Projects/Pictures")

    done = stack.wait_for_phase(project.key, Phase.REGULAR)

    for path, image_id in seeded["images"].items():
        sp = stack.graph.content(f"{PHOTOS}/{path}")
        response = stack.procore.http.get(f"/images/{image_id}/content")
        assert response.status_code == 200
        assert sp == response.content, path
    with ProcoreClient(stack.settings) as procore:
        scope = Scope.project(COMPANY, PROJECT)
        albums = {a.name: a.id for a in procore.list_albums(scope)}
        assert set(albums) == {"Site Progress", "Safety Walk", "Handover"}
        progress = {
            i.filename: i for i in procore.list_photos(scope, album_id=albums["Site Progress"])
        }
        handover = {i.filename: i for i in procore.list_photos(scope, album_id=albums["Handover"])}
        assert set(progress) == {"IMG_0001.jpg", "IMG_0002.jpg", "phone shot.jpg"}
        assert set(handover) == {"keys.jpg"}
        shot = progress["phone shot.jpg"]
        assert shot.url is not None
        assert b"".join(procore.download(scope, shot.url)) == base64.b64decode("cGhvbmUgc2hvdA==")
    assert stack.graph.content("/Projects/Pictures/Documents/Plans/A.pdf")
    counters = done.run_counters
    assert counters.files_to_sharepoint == 4  # three photos and the document
    assert counters.files_to_procore == 2
    assert failed_invocations(stack) == []
