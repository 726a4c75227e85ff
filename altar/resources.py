"""Where the files that ship beside the code live.

``templates/`` and ``migrations/`` sit at the top of the checkout; a wheel
carries them inside the package as ``altar/_templates`` and
``altar/_migrations`` (see ``[tool.hatch...force-include]`` in
pyproject.toml). Looking in both places lets an editable install and an
installed wheel behave the same.
"""

from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    installed = PACKAGE_DIR / f"_{name}"
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent / name


def migrations_dir() -> Path:
    return _shipped("migrations")


def templates_dir() -> Path:
    return _shipped("templates")


def codebooks_dir() -> Path:
    return PACKAGE_DIR / "instrument" / "codebooks"


def baselines_dir() -> Path:
    return PACKAGE_DIR / "data" / "baselines"


def story_templates_dir() -> Path:
    return PACKAGE_DIR / "instrument" / "stories"


def identifier_lists_dir() -> Path:
    return PACKAGE_DIR / "data" / "identifiers"


def parse_yaml(text: str) -> Any:
    """``yaml.safe_load``, with libyaml's C parser when PyYAML has it: the
    same data, ten times as fast (every command reads the codebook)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
