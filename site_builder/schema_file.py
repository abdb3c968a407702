"""Publish the JSON Schema of units and positions, for editors' autocompletion and other tools."""

import json
from pathlib import Path

from .model.schema import Position, Unit

SCHEMAS = {"unit.schema.json": Unit, "position.schema.json": Position}


def schema_text(model: type[Unit] | type[Position]) -> str:
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        path = folder / name
        path.write_text(schema_text(model), encoding="utf-8")
        written.append(path)
    return written
