"""Publish the JSON Schema of units and positions, for editors' autocompletion and other tools."""

import json
from pathlib import Path

from pydantic import BaseModel

from .model.schema import Position, Unit

SCHEMAS: dict[str, type[BaseModel]] = {"unit.schema.json": Unit, "position.schema.json": Position}


def schema_text(model: type[BaseModel]) -> str:
    """A model's JSON Schema exactly as committed in schema/, so a test can tell when it is stale."""
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into folder; return the files, for `jianxi schema` to list."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        path = folder / name
        path.write_text(schema_text(model), encoding="utf-8")
        written.append(path)
    return written
