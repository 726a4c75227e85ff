"""The screening instrument: codebook files shipped with altar and their loader."""

from functools import lru_cache

from altar.errors import CodebookError, NotFoundError
from altar.instrument.codebook import (
    BINARY_ANSWERS,
    Codebook,
    Component,
    Group,
    Item,
    Score,
    load_codebook,
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
    books: dict[int, Codebook] = {}
    for path in sorted(codebooks_dir().glob(f"{INSTRUMENT_NAME}_v*.yaml")):
        book = load_codebook(path)
        if book.name != INSTRUMENT_NAME or path.stem != f"{INSTRUMENT_NAME}_v{book.version}":
            raise CodebookError(f"{path.name} declares {book.name} v{book.version}; file name and content disagree")
        books[book.version] = book
    if not books:
        raise CodebookError(f"no codebook found in {codebooks_dir()}")
    return books


def current_codebook() -> Codebook:
    """The newest version: new screenings are captured with it."""
    books = all_codebooks()
    return books[max(books)]


def codebook(version: int) -> Codebook:
    try:
        return all_codebooks()[version]
    except KeyError:
        known = ", ".join(str(v) for v in sorted(all_codebooks()))
        raise NotFoundError(f"instrument version {version} is not known (this altar has: {known})") from None
