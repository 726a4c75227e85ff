"""General-population baselines: published ACE prevalences the cohort is set
against. Files live in ``altar/data/baselines/`` (format: README.md there);
a region can add its own folder of files in the same format.

Every figure carries its source; an item the study did not measure has no
prevalence and is never filled in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from altar.errors import CodebookError
from altar.resources import baselines_dir, parse_yaml


@dataclass(frozen=True)
class BaselineItem:
    code: str
    source_item: str | None
    prevalence: float | None
    confirmed: bool
    mapping_note: str | None
    note: str | None


@dataclass(frozen=True)
class Baseline:
    key: str
    title: str
    citation: str
    url: str | None
    year: int
    population: str
    n: int | None
    method_note: str
    items: tuple[BaselineItem, ...]
    # score code -> {"at_least_one": p, "bands": {label: p}}
    scores: dict[str, dict[str, Any]]

    def source(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "citation": self.citation,
            "url": self.url,
            "year": self.year,
            "population": self.population,
            "n": self.n,
            "method_note": self.method_note,
        }


def load_baselines(extra_dirs: Iterable[Path] = ()) -> list[Baseline]:
    """The shipped baselines, then any in ``extra_dirs``, validated."""
    paths = sorted(baselines_dir().glob("*.yaml"))
    for folder in extra_dirs:
        paths += sorted(Path(folder).glob("*.yaml"))
    baselines = [_load(p) for p in paths]
    keys = [b.key for b in baselines]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise CodebookError(f"baseline key(s) {', '.join(sorted(duplicates))} defined twice")
    return baselines


def _load(path: Path) -> Baseline:
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
        return _parse(raw)
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise CodebookError(f"baseline file {path.name}: {exc}") from exc


def _parse(raw: dict[str, Any]) -> Baseline:
    items = tuple(
        BaselineItem(
            code=i["code"],
            source_item=i.get("source_item"),
            prevalence=_proportion(i.get("prevalence"), i["code"]),
            confirmed=bool(i.get("confirmed", False)),
            mapping_note=i.get("mapping_note"),
            note=i.get("note"),
        )
        for i in raw["items"]
    )
    scores = raw.get("scores") or {}
    for code, figures in scores.items():
        _proportion(figures.get("at_least_one"), code)
        for label, p in (figures.get("bands") or {}).items():
            _proportion(p, f"{code} band {label}")
    return Baseline(
        key=str(raw["key"]),
        title=str(raw["title"]),
        citation=str(raw["citation"]),
        url=raw.get("url"),
        year=int(raw["year"]),
        population=str(raw["population"]),
        n=raw.get("n"),
        method_note=" ".join(str(raw["method_note"]).split()),
        items=items,
        scores=scores,
    )


def _proportion(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if not isinstance(value, (int, float)) or not 0 < value < 1:
        raise ValueError(
            f"{what}: a prevalence must be a proportion between 0 and 1 (e.g. 0.14), not {value!r}"
        )
    return float(value)
