"""The layers are a contract: import-linter holds the code to the one in
pyproject.toml, and ARCHITECTURE.md's layer table names the same layers, so
the document a newcomer reads stays true."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def contract_layers() -> list[set[str]]:
    """The `layers` contract of pyproject.toml, top first: each layer's modules."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers"]
    return [{m.strip() for m in re.split(r"[|:]", layer)} for layer in contract["layers"]]


def documented_layers() -> list[set[str]]:
    """The table under ARCHITECTURE.md's "Layers" heading, top first: the
    modules named (in backticks) in each row's second column."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("\n## Layers", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if re.match(r"^\|\s*\d+\s*\|", line)]
    return [set(re.findall(r"`(altar\.[\w.]+)`", row.split("|")[2])) for row in rows]


def test_the_code_keeps_every_import_contract():
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_architecture_names_the_layers_of_the_contract():
    documented = documented_layers()
    assert documented, "ARCHITECTURE.md has no layer table under its Layers heading"
    assert documented == contract_layers()


def test_every_package_and_module_of_altar_has_a_layer():
    placed = set().union(*contract_layers())
    top_level = {
        f"altar.{p.stem if p.is_file() else p.name}"
        for p in (ROOT / "altar").iterdir()
        if (p.suffix == ".py" and p.stem not in ("__init__", "__main__"))
        or (p.is_dir() and (p / "__init__.py").exists())
    }
    assert top_level == placed
