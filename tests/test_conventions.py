"""Project conventions that a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
from pathlib import Path

from pydantic import BaseModel

from kb.config import Settings

ROOT = Path(__file__).parent.parent
LAYERS = {"kb": 0, "ingest": 1, "api": 2}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_imports_go_one_way_api_ingest_kb() -> None:
    wrong = []
    for package, level in LAYERS.items():
        for path in (ROOT / package).rglob("*.py"):
            for name in _imports(path):
                if name in LAYERS and LAYERS[name] > level:
                    wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not wrong, wrong


def settings_env_vars() -> list[str]:
    names = []
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += [f"KB_{name.upper()}__{sub.upper()}" for sub in annotation.model_fields]
        else:
            names.append(f"KB_{name.upper()}")
    return names


def test_every_setting_is_documented() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for var in settings_env_vars():
        assert f"{var}=" in example, f"{var} is missing from .env.example"
        assert var in readme, f"{var} is missing from the README's configuration table"


def test_no_settings_instance_at_import_time_in_kb() -> None:
    for path in (ROOT / "kb").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                func = node.value.func
                assert not (isinstance(func, ast.Name) and func.id in {"Settings", "get_settings"}), path


def test_every_python_file_opens_text_with_an_encoding() -> None:
    offenders = []
    for package in ("kb", "ingest", "api"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"read_text", "write_text"}
                    and not any(k.arg == "encoding" for k in node.keywords)
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders
