"""Route templates match as the Functions host's ASP.NET routing does (no I/O)."""

from __future__ import annotations

import pytest

from devhost.routes import RouteTemplateError, parse_route


@pytest.mark.parametrize(
    ("template", "path", "expected"),
    [
        ("health", "health", {}),
        ("health", "HEALTH/", {}),
        ("health", "health/more", None),
        ("projects/{key}", "projects/acme-1", {"key": "acme-1"}),
        ("projects/{key}", "projects", None),
        ("items/{id:int}", "items/-12", {"id": "-12"}),
        ("items/{id:int}", "items/2147483648", None),  # beyond a 32-bit int
        ("items/{id:long}", "items/2147483648", {"id": "2147483648"}),
        ("items/{id:int}", "items/1.5", None),
        ("flags/{on:bool}", "flags/True", {"on": "True"}),
        ("flags/{on:bool}", "flags/yes", None),
        (
            "ids/{g:guid}",
            "ids/6f1c1c9e-7d4b-4f7a-9a55-2d8f2b0e8a11",
            {"g": "6f1c1c9e-7d4b-4f7a-9a55-2d8f2b0e8a11"},
        ),
        ("names/{n:alpha}", "names/abc1", None),
        ("files/{name?}", "files", {}),
        ("files/{name?}", "files/a.txt", {"name": "a.txt"}),
        ("tree/{*rest}", "tree/a/b/c", {"rest": "a/b/c"}),
        ("", "", {}),
    ],
)
def test_route_matching(template: str, path: str, expected: dict[str, str] | None) -> None:
    assert parse_route(template).match(path) == expected


@pytest.mark.parametrize(
    "template",
    [
        "items/{id:regex(^a$)}",
        "items/{id:minlength}",
        "files/{name}.{ext}",
        "files/{name?}/more",
        "tree/{*rest}/leaf",
    ],
)
def test_unsupported_templates_are_refused_with_the_template_named(template: str) -> None:
    with pytest.raises(RouteTemplateError, match="route"):
        parse_route(template)


def test_literal_routes_take_precedence_over_parameters() -> None:
    routes = sorted(
        [parse_route("tree/{*rest}"), parse_route("items/{id}"), parse_route("items/new")],
        key=lambda r: r.precedence,
    )

    assert [r.template for r in routes] == ["items/new", "items/{id}", "tree/{*rest}"]
