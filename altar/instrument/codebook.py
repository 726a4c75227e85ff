"""The screening instrument as data: load and validate a codebook file.

A codebook (see ``codebooks/*.yaml`` and ARCHITECTURE.md) declares the
items a practitioner screens for, their help text, and the derived scores.
It is validated on load, so a broken file stops the first command that
reads the codebook rather than producing wrong tallies later.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol, TypeVar

import yaml

from altar.errors import CodebookError
from altar.resources import parse_yaml

BINARY_ANSWERS = ("yes", "suspected", "no", "unknown")
ItemType = Literal["binary", "count"]
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_BAND = re.compile(r"^(\d+)(?:-(\d+)|(\+))?$")


class _Versioned(Protocol):
    # A dataclass, as dataclasses.replace needs to stamp the digest on it.
    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def name(self) -> str: ...
    @property
    def version(self) -> int: ...


D = TypeVar("D", bound=_Versioned)


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    type: ItemType
    help: str
    group: str
    protective: bool = False
    sources: tuple[str, ...] = ()
    max: int | None = None
    thresholds: tuple[int, ...] = ()


@dataclass(frozen=True)
class Group:
    code: str
    title: str
    description: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Component:
    """One thing a score counts: present when any of its items is."""

    code: str
    label: str
    any_of: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    code: str
    label: str
    description: str
    components: tuple[Component, ...]
    bands: tuple[str, ...]

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(code for c in self.components for code in c.any_of)


@dataclass(frozen=True)
class Codebook:
    name: str
    title: str
    version: int
    released: str
    description: str
    answers: dict[str, str]
    sources: dict[str, str]
    groups: tuple[Group, ...]
    scores: tuple[Score, ...]
    digest: str = field(default="", compare=False)

    # Cached: import and scoring ask for these once per row.
    @cached_property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for g in self.groups for item in g.items)

    @cached_property
    def _items_by_code(self) -> dict[str, Item]:
        return {item.code: item for item in self.items}

    def item(self, code: str) -> Item:
        return self._items_by_code[code]

    @cached_property
    def _codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.items)

    def item_codes(self) -> tuple[str, ...]:
        return self._codes

    def group(self, code: str) -> Group:
        for group in self.groups:
            if group.code == code:
                return group
        raise KeyError(code)

    def score(self, code: str) -> Score:
        for score in self.scores:
            if score.code == code:
                return score
        raise KeyError(code)


def load_codebook(path: Path) -> Codebook:
    """Read and validate one codebook file; raise CodebookError naming the problem."""
    return load_definition(path, "codebook", parse_codebook)


def load_definition(path: Path, what: str, parse: Callable[[Any], D]) -> D:
    """Read a versioned YAML definition (a codebook, a story template), build
    it with ``parse`` and stamp it with the digest of its content, which
    ``altar`` records so a released version cannot change unnoticed."""
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CodebookError(f"cannot read {what} {path.name}: {exc}") from exc
    try:
        built = parse(raw)
    except CodebookError as exc:
        raise CodebookError(f"{what} {path.name}: {exc}") from exc
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()
    return replace(built, digest=digest)


def load_versions(folder: Path, name: str, what: str, load: Callable[[Path], D]) -> dict[int, D]:
    """Every ``<name>_v<version>.yaml`` in ``folder``, loaded, keyed by version;
    the file name must agree with the name and version it declares."""
    found: dict[int, D] = {}
    for path in sorted(folder.glob(f"{name}_v*.yaml")):
        item = load(path)
        declared = (item.name, item.version)
        if declared[0] != name or path.stem != f"{name}_v{declared[1]}":
            raise CodebookError(
                f"{path.name} declares {declared[0]} v{declared[1]}; file name and content disagree"
            )
        found[declared[1]] = item
    if not found:
        raise CodebookError(f"no {what} found in {folder}")
    return found


def parse_codebook(raw: Any) -> Codebook:
    """Build a Codebook from parsed YAML/JSON, checking every rule."""
    if not isinstance(raw, dict):
        raise CodebookError("top level must be a mapping")
    sources = {_text(s, "key"): _text(s, "citation") for s in _list(raw, "sources", required=False)}
    groups = tuple(_group(g, sources) for g in _list(raw, "groups"))
    book = Codebook(
        name=_text(raw, "name"),
        title=_text(raw, "title"),
        version=_positive_int(raw, "version"),
        released=_iso_date(raw, "released"),
        description=_text(raw, "description"),
        answers=_answers(raw),
        sources=sources,
        groups=groups,
        scores=tuple(_score(s) for s in _list(raw, "scores", required=False)),
    )
    _check_unique([g.code for g in book.groups], "group")
    _check_unique([i.code for i in book.items], "item")
    binary = {i.code for i in book.items if i.type == "binary"}
    for score in book.scores:
        for code in score.items:
            if code not in binary:
                raise CodebookError(
                    f"score {score.code!r} uses {code!r}, which is not a binary item"
                )
    _check_unique([s.code for s in book.scores], "score")
    return book


def _group(raw: Any, sources: dict[str, str]) -> Group:
    code = _code(raw, "code")
    items = tuple(_item(i, code, sources) for i in _list(raw, "items"))
    return Group(
        code=code, title=_text(raw, "title"), description=_text(raw, "description"), items=items
    )


def _item(raw: Any, group: str, sources: dict[str, str]) -> Item:
    code = _code(raw, "code")
    kind = raw.get("type")
    if kind not in ("binary", "count"):
        raise CodebookError(f"item {code!r}: type must be binary or count, not {kind!r}")
    cited = tuple(raw.get("sources") or ())
    for key in cited:
        if key not in sources:
            raise CodebookError(f"item {code!r} cites unknown source {key!r}")
    if kind == "binary" and ("max" in raw or "thresholds" in raw):
        raise CodebookError(f"item {code!r}: max and thresholds apply to count items only")
    thresholds = tuple(raw.get("thresholds") or ())
    if any(not isinstance(t, int) or t < 0 for t in thresholds):
        raise CodebookError(f"item {code!r}: thresholds must be whole numbers >= 0")
    maximum = raw.get("max")
    if maximum is not None and (not isinstance(maximum, int) or maximum < 1):
        raise CodebookError(f"item {code!r}: max must be a whole number >= 1")
    return Item(
        code=code,
        label=_text(raw, "label"),
        type=kind,
        help=_text(raw, "help"),
        group=group,
        protective=bool(raw.get("protective", False)),
        sources=cited,
        max=maximum,
        thresholds=thresholds,
    )


def _score(raw: Any) -> Score:
    code = _code(raw, "code")
    if "items" in raw and "components" in raw:
        raise CodebookError(f"score {code!r}: give items or components, not both")
    if "items" in raw:
        components = tuple(Component(c, c, (c,)) for c in _list(raw, "items"))
    else:
        components = tuple(
            Component(_code(c, "code"), _text(c, "label"), tuple(_list(c, "any_of")))
            for c in _list(raw, "components")
        )
    bands = tuple(str(b) for b in _list(raw, "bands"))
    _check_bands(code, bands)
    return Score(code, _text(raw, "label"), _text(raw, "description"), components, bands)


def _check_bands(score: str, bands: tuple[str, ...]) -> None:
    expected = 0
    for i, label in enumerate(bands):
        m = _BAND.match(label)
        if not m or int(m.group(1)) != expected:
            raise CodebookError(f"score {score!r}: band {label!r} should start at {expected}")
        is_last = i == len(bands) - 1
        if bool(m.group(3)) != is_last:
            raise CodebookError(f"score {score!r}: only the last band is open-ended (like '4+')")
        if m.group(2) and int(m.group(2)) < int(m.group(1)):
            raise CodebookError(f"score {score!r}: band {label!r} ends before it starts")
        expected = int(m.group(2) or m.group(1)) + 1


def _answers(raw: dict) -> dict[str, str]:
    answers = raw.get("answers")
    if not isinstance(answers, dict) or set(answers) != set(BINARY_ANSWERS):
        raise CodebookError(f"answers must explain exactly {', '.join(BINARY_ANSWERS)}")
    return {k: str(answers[k]).strip() for k in BINARY_ANSWERS}


def _list(raw: Any, key: str, required: bool = True) -> list:
    value = raw.get(key) if isinstance(raw, dict) else None
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        raise CodebookError(f"{key!r} must be a non-empty list")
    return value


def _text(raw: Any, key: str) -> str:
    value = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(value, str) or not value.strip():
        where = f" in {raw.get('code')!r}" if isinstance(raw, dict) and raw.get("code") else ""
        raise CodebookError(f"{key!r}{where} must be non-empty text")
    return " ".join(value.split())


def _code(raw: Any, key: str) -> str:
    value = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(value, str) or not _CODE.match(value):
        raise CodebookError(f"{key} {value!r} must be lower-case letters, digits and underscores")
    return value


def _positive_int(raw: dict, key: str) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise CodebookError(f"{key!r} must be a whole number >= 1")
    return value


def _iso_date(raw: dict, key: str) -> str:
    value = raw.get(key)
    try:
        return (value if isinstance(value, date) else date.fromisoformat(str(value))).isoformat()
    except ValueError as exc:
        raise CodebookError(f"{key!r} must be an ISO date (YYYY-MM-DD)") from exc


def _check_unique(codes: list[str], what: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise CodebookError(f"{what} code {code!r} appears twice")
        seen.add(code)
