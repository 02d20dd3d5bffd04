"""The published OpenAPI document is valid (issue 13 item 1, issue 9 defect 12).

Swagger UI refused it with "Parser error: duplicated mapping key" (two "200" responses), and
two different schemas were published under one name (``RequirementOut``), so one operation's
documented response was another's."""

from __future__ import annotations

import enum
import json
from typing import Any

import pydantic
import pytest
from django.test import Client
from openapi_spec_validator import validate

API = "/api/v1"
pytestmark = pytest.mark.django_db


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    assert not twice, f"duplicated mapping key(s) {twice} in {keys}"
    return dict(pairs)


def _document() -> dict[str, Any]:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    doc: dict[str, Any] = json.loads(response.content, object_pairs_hook=_no_duplicate_keys)
    return doc


def test_the_openapi_document_has_no_duplicated_key_and_validates() -> None:
    doc = _document()
    validate(doc)  # raises OpenAPIValidationError with the path of the first problem


def test_the_crosswalk_export_declares_one_200_response_as_csv() -> None:
    op = _document()["paths"][f"{API}/crosswalks/{{key}}/export"]["get"]
    assert list(op["responses"]["200"]["content"]) == ["text/csv"]


def _keel_models() -> list[type[pydantic.BaseModel]]:
    seen: list[type[pydantic.BaseModel]] = []
    todo = list(pydantic.BaseModel.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("keel.") and ".tests" not in cls.__module__ and cls not in seen:
            seen.append(cls)
    return seen


def test_no_two_different_schemas_are_published_under_one_name() -> None:
    components = _document()["components"]["schemas"]
    by_name: dict[str, list[type[pydantic.BaseModel]]] = {}
    for cls in _keel_models():
        if cls.__name__ in components:
            by_name.setdefault(cls.__name__, []).append(cls)
    clashes = {
        name: [f"{c.__module__}.{c.__qualname__}" for c in classes]
        for name, classes in by_name.items()
        if len({json.dumps(c.model_json_schema(), sort_keys=True) for c in classes}) > 1
    }
    assert not clashes, f"Schemas sharing one published name (rename one): {clashes}"


def _keel_enums() -> list[type[enum.Enum]]:
    seen: list[type[enum.Enum]] = []
    todo = list(enum.Enum.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("keel.") and ".tests" not in cls.__module__ and cls not in seen:
            seen.append(cls)
    return seen


def test_no_two_different_choices_are_published_under_one_name() -> None:
    """Two ``Frequency`` enums (controls' and support's) were once published as one component:
    the API then documented, and schemathesis sent, values one of the two endpoints refused."""
    components = _document()["components"]["schemas"]
    by_name: dict[str, list[type[enum.Enum]]] = {}
    for cls in _keel_enums():
        if cls.__name__ in components:
            by_name.setdefault(cls.__name__, []).append(cls)
    clashes = {
        name: [f"{c.__module__}.{c.__qualname__}" for c in classes]
        for name, classes in by_name.items()
        if len({tuple(sorted(str(m.value) for m in c)) for c in classes}) > 1
    }
    assert not clashes, f"Choices sharing one published name (rename one): {clashes}"
