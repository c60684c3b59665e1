"""Seeding: the demo world, a compact JSON spec, and large generated trees.

Seeded changes fire no webhooks (no hooks exist yet, and they stand for history).
"""

from __future__ import annotations

import random
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from emulators.procore import photos, tree
from emulators.procore.api_errors import ApiError
from emulators.procore.content import Content, DerivedContent, StoredContent, seed_for
from emulators.procore.emulator import Emulator
from emulators.procore.model import (
    HUMAN_ACTOR,
    Client,
    Company,
    File,
    Folder,
    Project,
    Scope,
    Version,
)
from emulators.procore.tool_items import TOOLS, seed_tool

DEMO_COMPANY_ID = 4_300_000_001
DEMO_PROJECT_ID = 4_300_000_101
HIDDEN_PROJECT_ID = 4_300_000_102


class CompanySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int = DEMO_COMPANY_ID
    name: str = "Contoso Construction"


class ClientSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1)


class ProjectSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int = Field(gt=0)
    name: str = Field(min_length=1)
    permitted: bool = True
    documents: dict[str, Any] = Field(default_factory=dict)
    photos: dict[str, dict[str, int]] = Field(default_factory=dict)
    tools: dict[str, int | list[dict[str, Any]]] = Field(default_factory=dict)


class SeedSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    company: CompanySpec | None = None
    clients: list[ClientSpec] = Field(default_factory=list)
    projects: list[ProjectSpec] = Field(default_factory=list)
    company_documents: dict[str, Any] = Field(default_factory=dict)


class LargeSeedSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project_id: int
    folders: int = Field(ge=0, le=200_000)
    files: int = Field(ge=0, le=2_000_000)
    file_size: int | dict[str, int] = 1024
    max_depth: int = Field(default=4, ge=1, le=50)
    seed: int = 7


DEMO_SPEC: dict[str, Any] = {
    "company": {"id": DEMO_COMPANY_ID, "name": "Contoso Construction"},
    "clients": [{"client_id": "local-procore-client", "client_secret": "local-procore-secret"}],
    "projects": [
        {
            "id": DEMO_PROJECT_ID,
            "name": "Harbor View Tower",
            "permitted": True,
            "documents": {
                "Drawings": {
                    "Architectural": {"A-101 Floor Plan.pdf": 48213, "A-201 Elevations.pdf": 51877},
                    "Structural": {
                        "S-101 Foundations.pdf": {"_file": True, "size": 39004, "versions": 2}
                    },
                },
                "Specifications": {"03 30 00 Cast-in-Place Concrete.pdf": 22560},
                "Contracts": {"_private": True, "Prime Contract.pdf": 120000},
                "Site Photos Archive": {},
                "Project Directory.xlsx": 8192,
            },
            "photos": {
                "Site Progress": {
                    "IMG_0001.jpg": 41230,
                    "IMG_0002.jpg": 39877,
                    "IMG_0003.jpg": 45012,
                },
                "Safety Walk": {"IMG_0101.jpg": 36001},
            },
            "tools": {
                "rfis": 3,
                "submittals": 2,
                "drawing_revisions": 3,
                "forms": 2,
                "observations": 2,
                "inspections": 2,
                "incidents": 1,
                "commitments": 2,
            },
        },
        {
            "id": HIDDEN_PROJECT_ID,
            "name": "Riverside Depot",
            "permitted": False,
            "documents": {"Private": {"Secret.pdf": 4096}},
        },
    ],
    "company_documents": {"Templates": {"Safety Plan Template.docx": 15360}},
}


def _root(emu: Emulator, scope: Scope) -> Folder:
    now = emu.world.now()
    folder = Folder(emu.world.new_id(), scope, "", None, False, now, now)
    emu.world.folders[folder.id] = folder
    return folder


def ensure_company(emu: Emulator, spec: CompanySpec) -> Company:
    company = emu.world.companies.get(spec.id)
    if company is None:
        company = Company(spec.id, spec.name)
        emu.world.companies[spec.id] = company
        company.root_folder_id = _root(emu, Scope(spec.id, None)).id
    return company


def _tree(
    emu: Emulator,
    scope: Scope,
    parent: Folder,
    node: dict[str, Any],
    prefix: str,
    paths: dict[str, int],
) -> None:
    for name, value in node.items():
        if name.startswith("_"):
            continue
        path = f"{prefix}{name}"
        if isinstance(value, dict) and not value.get("_file"):
            folder = tree.create_folder(
                emu,
                scope,
                parent.id,
                name,
                HUMAN_ACTOR,
                private=bool(value.get("_private")),
                emit=False,
            )
            paths[path] = folder.id
            _tree(emu, scope, folder, value, f"{path}/", paths)
            continue
        private = False
        contents: list[Content]
        if isinstance(value, bool):
            raise ApiError(
                422, {"error": f"{path}: a file is an integer size, a string or an object"}
            )
        if isinstance(value, int):
            contents = [DerivedContent(seed_for(scope, path, 1), value)]
        elif isinstance(value, str):
            contents = [StoredContent(value.encode())]
        elif isinstance(value, dict):
            try:
                versions = int(value.get("versions", 1))
            except (TypeError, ValueError):
                versions = 0
            if versions < 1:
                raise ApiError(422, {"error": f"{path}: versions must be a positive integer"})
            private = bool(value.get("private", False))
            if "content" in value:
                contents = [StoredContent(str(value["content"]).encode())] * versions
            else:
                size = value.get("size", 0)
                if not isinstance(size, int) or isinstance(size, bool):
                    raise ApiError(422, {"error": f"{path}: size must be an integer"})
                contents = [
                    DerivedContent(seed_for(scope, path, n), size) for n in range(1, versions + 1)
                ]
        else:
            raise ApiError(
                422, {"error": f"{path}: a file is an integer size, a string or an object"}
            )
        if any(c.size < 0 for c in contents):
            raise ApiError(422, {"error": f"{path}: size must not be negative"})
        file = tree.create_file(
            emu, scope, parent.id, name, contents[0], HUMAN_ACTOR, private=private, emit=False
        )
        for extra in contents[1:]:
            tree._new_version(emu, file, extra, "", HUMAN_ACTOR, emu.world.now())
        paths[path] = file.id


def apply_spec(emu: Emulator, spec: SeedSpec) -> dict[str, Any]:
    for client in spec.clients:
        emu.world.clients[client.client_id] = Client(client.client_id, client.client_secret)
    if spec.company is not None:
        company = ensure_company(emu, spec.company)
    elif emu.world.companies:
        company = next(iter(emu.world.companies.values()))
    else:
        company = ensure_company(emu, CompanySpec())
    result: dict[str, Any] = {"company_id": company.id, "projects": {}}
    for pspec in spec.projects:
        if pspec.id in emu.world.projects:
            raise ApiError(422, {"error": f"project {pspec.id} already exists"})
    for pspec in spec.projects:
        now = emu.world.now()
        project = Project(pspec.id, company.id, pspec.name, pspec.permitted, 0, now, now)
        emu.world.projects[project.id] = project
        scope = Scope(company.id, project.id)
        root = _root(emu, scope)
        project.root_folder_id = root.id
        paths: dict[str, int] = {}
        _tree(emu, scope, root, pspec.documents, "", paths)
        albums: dict[str, int] = {}
        images: dict[str, int] = {}
        for album_name, files in pspec.photos.items():
            album = photos.create_album(emu, project.id, album_name, HUMAN_ACTOR, emit=False)
            albums[album_name] = album.id
            for filename, size in files.items():
                content = DerivedContent(seed_for(project.id, album_name, filename), size)
                image = photos.create_image(
                    emu, project.id, album.id, filename, content, HUMAN_ACTOR, emit=False
                )
                images[f"{album_name}/{filename}"] = image.id
        tools: dict[str, list[int]] = {}
        for tool, count in pspec.tools.items():
            if tool not in TOOLS:
                raise ApiError(422, {"error": f"unknown tool {tool!r}; one of {', '.join(TOOLS)}"})
            tools[tool] = seed_tool(emu, project.id, tool, count)
        result["projects"][str(project.id)] = {
            "root_folder_id": root.id,
            "paths": paths,
            "albums": albums,
            "images": images,
            "tools": tools,
        }
    if spec.company_documents:
        scope = Scope(company.id, None)
        paths = {}
        _tree(emu, scope, emu.world.scope_root(scope), spec.company_documents, "", paths)
        result["company"] = {"root_folder_id": company.root_folder_id, "paths": paths}
    return result


def seed_demo(emu: Emulator) -> dict[str, Any]:
    return apply_spec(emu, SeedSpec.model_validate(DEMO_SPEC))


def seed_large(emu: Emulator, spec: LargeSeedSpec) -> dict[str, Any]:
    """`files` files spread over `folders` folders (at most `max_depth` deep) under the project
    root; bodies are derived from `seed` on read, never stored."""
    project = emu.world.projects.get(spec.project_id)
    if project is None:
        raise ApiError(404, {"error": f"project {spec.project_id} not found"})
    if isinstance(spec.file_size, dict):
        low, high = int(spec.file_size.get("min", 0)), int(spec.file_size.get("max", 0))
        if low < 0 or high < low:
            raise ApiError(422, {"error": "file_size: need 0 <= min <= max"})
    else:
        if spec.file_size < 0:
            raise ApiError(422, {"error": "file_size must not be negative"})
        low = high = spec.file_size
    if spec.files and not spec.folders:
        raise ApiError(422, {"error": "files need at least one folder"})
    rng = random.Random(spec.seed)
    scope = Scope(project.company_id, project.id)
    world = emu.world
    root = world.scope_root(scope)
    base = world.now()
    folders: list[Folder] = []
    depth: dict[int, int] = {root.id: 0}
    parents = [root]
    for n in range(spec.folders):
        parent = parents[rng.randrange(len(parents))]
        folder = Folder(world.new_id(), scope, f"Folder {n + 1:05d}", parent.id, False, base, base)
        world.folders[folder.id] = folder
        parent.folder_ids.append(folder.id)
        folders.append(folder)
        depth[folder.id] = depth[parent.id] + 1
        if depth[folder.id] < spec.max_depth:
            parents.append(folder)
    total = 0
    for n in range(spec.files):
        parent = folders[n % len(folders)]
        size = low if low == high else rng.randint(low, high)
        name = f"file-{n + 1:06d}.bin"
        content = DerivedContent(spec.seed * 1_000_003 + n, size)
        blob = world.add_blob(content, name)
        file = File(world.new_id(), scope, name, parent.id, False, "", base, base)
        version = Version(world.new_id(), file.id, 1, blob.id, size, "", base, HUMAN_ACTOR.user_id)
        file.versions.append(version)
        world.files[file.id] = file
        world.versions[version.id] = version
        parent.file_ids.append(file.id)
        total += size
    return {
        "root_folder_id": root.id,
        "folders": spec.folders,
        "files": spec.files,
        "total_bytes": total,
    }
