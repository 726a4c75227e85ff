"""The case-story template as data: load and validate a template file.

A template (``altar/instrument/stories/<name>_v<version>.yaml``) lists the
sections a story is written in, each with a title and the prompts a
practitioner researcher is asked. It is versioned like the codebook: a
released version never changes (its digest is recorded in the database the
first time a story is saved with it, and a changed file is refused), and each
story version records the template version it was written with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from altar.errors import CodebookError, NotFoundError

# The codebook's field rules, so a template and a codebook are judged alike.
from altar.instrument.codebook import (
    _check_unique,
    _code,
    _iso_date,
    _list,
    _positive_int,
    _text,
    load_definition,
    load_versions,
)
from altar.resources import story_templates_dir

TEMPLATE_NAME = "case-story"


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    prompts: tuple[str, ...]


@dataclass(frozen=True)
class StoryTemplate:
    name: str
    title: str
    version: int
    released: str
    description: str
    sections: tuple[Section, ...]
    digest: str = field(default="", compare=False)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.sections)

    def section(self, code: str) -> Section:
        for section in self.sections:
            if section.code == code:
                return section
        known = ", ".join(self.codes)
        raise NotFoundError(
            f"no section {code!r} in {self.name} v{self.version} (sections: {known})"
        )


def load_template(path: Path) -> StoryTemplate:
    """Read and validate one template file; raise CodebookError naming the problem."""
    return load_definition(path, "story template", parse_template)


def parse_template(raw: Any) -> StoryTemplate:
    """Build a StoryTemplate from parsed YAML, checking every rule."""
    if not isinstance(raw, dict):
        raise CodebookError("top level must be a mapping")
    sections = tuple(_section(s) for s in _list(raw, "sections"))
    _check_unique([s.code for s in sections], "section")
    _check_unique([s.title.casefold() for s in sections], "section title")
    return StoryTemplate(
        name=_text(raw, "name"),
        title=_text(raw, "title"),
        version=_positive_int(raw, "version"),
        released=_iso_date(raw, "released"),
        description=_text(raw, "description"),
        sections=sections,
    )


def _section(raw: Any) -> Section:
    code = _code(raw, "code")
    prompts = _list(raw, "prompts")
    for number, prompt in enumerate(prompts, start=1):
        if not isinstance(prompt, str) or not prompt.strip():
            raise CodebookError(f"section {code!r}: prompt {number} must be non-empty text")
        if "-->" in prompt:
            # Prompts are shown inside an HTML comment in the editor form.
            raise CodebookError(f"section {code!r}: prompt {number} must not contain '-->'")
    return Section(
        code=code, title=_text(raw, "title"), prompts=tuple(" ".join(p.split()) for p in prompts)
    )


@lru_cache(maxsize=1)
def all_templates() -> dict[int, StoryTemplate]:
    """Every shipped version of the case-story template, validated, keyed by version."""
    return load_versions(story_templates_dir(), TEMPLATE_NAME, "story template", load_template)


def current_template() -> StoryTemplate:
    """The newest version: new stories are written with it."""
    templates = all_templates()
    return templates[max(templates)]


def template(version: int) -> StoryTemplate:
    try:
        return all_templates()[version]
    except KeyError:
        known = ", ".join(str(v) for v in sorted(all_templates()))
        raise NotFoundError(
            f"story template version {version} is not known (this altar has: {known})"
        ) from None
