"""The committed OpenAPI schema (docs/api/openapi.yaml) is what the code generates: a change to an endpoint
without `make schema` fails here. Every endpoint of the citizen, public and token parts documents its errors."""

from pathlib import Path

import pytest
import yaml
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"


def generated() -> str:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return OpenApiYamlRenderer().render(schema, renderer_context={}).decode()


@pytest.mark.django_db
def test_the_committed_schema_is_up_to_date():
    assert yaml.safe_load(generated()) == yaml.safe_load(COMMITTED.read_text()), (
        "docs/api/openapi.yaml differs from the code's schema: run make schema and commit the file"
    )


@pytest.mark.django_db
def test_every_operation_documents_its_errors_with_the_error_body():
    paths = yaml.safe_load(generated())["paths"]
    mine = {p: ops for p, ops in paths.items() if not p.startswith("/api/v1/staff")}
    assert mine
    for route, operations in mine.items():
        if route.startswith(("/api/v1/schema", "/api/v1/docs", "/api/v1/redoc")):
            continue
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "429" in codes, (route, method)
            for code in codes - {"200", "201"}:
                ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/Error"), (route, method, code)
            if route.startswith("/api/v1/citizen"):
                assert {"401", "403"} <= codes, (route, method)
