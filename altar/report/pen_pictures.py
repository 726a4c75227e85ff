"""Approved pen-pictures as the reports print them (section "Case stories").

Only approved pen-pictures are read (``db.pen_pictures.published``), and
never with their case reference. What else a reader learns about the child
is kept to the least that makes the portrait useful:

- the **regional report** says which sample (stratum) each comes from, as
  the research is stratified, but not the authority: authority and stratum
  together often name a group of one to five children, the very counts the
  report withholds. A stratum with fewer children in the region than the
  disclosure threshold is not named either;
- an **authority summary** shows only its own authority's pen-pictures
  (the document names the authority) and no stratum, for the same reason.

The text is printed through the autoescaping templates, paragraph by
paragraph (``shared/pen_picture.html``); it is never read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from altar.db.pen_pictures import PublishedPenPicture
from altar.disclosure import Rule
from altar.stats.document import StatsDocument
from altar.stories.pen_pictures import paragraphs
from altar.vocab import STRATUM_LABELS


@dataclass(frozen=True)
class PenPictureView:
    """One pen-picture in a report: its title, its paragraphs, and the
    sample it comes from ("" when the document does not say)."""

    title: str
    paragraphs: tuple[str, ...]
    stratum: str


def regional_stories(
    pictures: Sequence[PublishedPenPicture], by_stratum: StatsDocument, rule: Rule
) -> tuple[PenPictureView, ...]:
    """Every approved pen-picture, with its stratum named when the region has
    enough children in that stratum (``by_stratum``: the ``altar stats``
    document by stratum)."""
    sizes = {g: group.n for g, group in by_stratum.groups.items()}

    def named(stratum: str) -> str:
        hidden = rule.enabled and sizes.get(stratum, 0) < rule.threshold
        return "" if hidden else STRATUM_LABELS.get(stratum, stratum)

    return tuple(PenPictureView(p.title, paragraphs(p.body), named(p.stratum)) for p in pictures)


def authority_stories(
    pictures: Sequence[PublishedPenPicture], code: str
) -> tuple[PenPictureView, ...]:
    """The approved pen-pictures of one authority's children, without stratum."""
    return tuple(
        PenPictureView(p.title, paragraphs(p.body), "") for p in pictures if p.authority == code
    )
