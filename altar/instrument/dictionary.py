"""The codebook as a data dictionary (one row per item), REDCap-style, for
people who document or check the instrument in a spreadsheet."""

from __future__ import annotations

from altar.instrument.codebook import BINARY_ANSWERS, Codebook

DICTIONARY_COLUMNS = (
    "item_code",
    "group",
    "group_title",
    "label",
    "type",
    "choices",
    "protective",
    "max",
    "thresholds",
    "help",
    "sources",
    "used_in_scores",
)


def dictionary_rows(book: Codebook) -> list[dict[str, str]]:
    scores_by_item: dict[str, list[str]] = {}
    for score in book.scores:
        for code in score.items:
            scores_by_item.setdefault(code, []).append(score.code)
    rows = []
    for group in book.groups:
        for item in group.items:
            rows.append(
                {
                    "item_code": item.code,
                    "group": group.code,
                    "group_title": group.title,
                    "label": item.label,
                    "type": item.type,
                    "choices": " | ".join(BINARY_ANSWERS)
                    if item.type == "binary"
                    else "integer >= 0 | unknown",
                    "protective": "yes" if item.protective else "no",
                    "max": "" if item.max is None else str(item.max),
                    "thresholds": " ".join(str(t) for t in item.thresholds),
                    "help": item.help,
                    "sources": "; ".join(book.sources[key] for key in item.sources),
                    "used_in_scores": " ".join(scores_by_item.get(item.code, [])),
                }
            )
    return rows


def codebook_document(book: Codebook) -> dict:
    """The whole instrument as plain JSON-ready data."""
    return {
        "name": book.name,
        "title": book.title,
        "version": book.version,
        "released": book.released,
        "description": book.description,
        "answers": book.answers,
        "groups": [
            {
                "code": g.code,
                "title": g.title,
                "description": g.description,
                "items": [r for r in dictionary_rows(book) if r["group"] == g.code],
            }
            for g in book.groups
        ],
        "scores": [
            {
                "code": s.code,
                "label": s.label,
                "description": s.description,
                "bands": list(s.bands),
                "components": [
                    {"code": c.code, "label": c.label, "any_of": list(c.any_of)}
                    for c in s.components
                ],
            }
            for s in book.scores
        ],
        "sources": book.sources,
    }
