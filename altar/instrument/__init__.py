"""The screening instrument: codebook files shipped with altar and their loader."""

from functools import lru_cache

from altar.errors import NotFoundError
from altar.instrument.codebook import (
    BINARY_ANSWERS,
    Codebook,
    Component,
    Group,
    Item,
    Score,
    load_codebook,
    load_versions,
    parse_codebook,
)
from altar.resources import codebooks_dir

INSTRUMENT_NAME = "altar-screening"

__all__ = [
    "BINARY_ANSWERS",
    "Codebook",
    "Component",
    "Group",
    "INSTRUMENT_NAME",
    "Item",
    "Score",
    "all_codebooks",
    "codebook",
    "current_codebook",
    "load_codebook",
    "parse_codebook",
]


@lru_cache(maxsize=1)
def all_codebooks() -> dict[int, Codebook]:
    """Every shipped version of the instrument, validated, keyed by version."""
    return load_versions(codebooks_dir(), INSTRUMENT_NAME, "codebook", load_codebook)


def current_codebook() -> Codebook:
    """The newest version: new screenings are captured with it."""
    books = all_codebooks()
    return books[max(books)]


def codebook(version: int) -> Codebook:
    try:
        return all_codebooks()[version]
    except KeyError:
        known = ", ".join(str(v) for v in sorted(all_codebooks()))
        raise NotFoundError(
            f"instrument version {version} is not known (this altar has: {known})"
        ) from None
