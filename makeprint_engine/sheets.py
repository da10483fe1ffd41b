"""Card and label stocks: one small YAML file per sheet layout under templates/sheets/, no code."""

from __future__ import annotations

from pathlib import Path

from .errors import Problems, display_path
from .geometry import LABEL_INSET_MM, OFFICE_MARGIN_MM, PAPER_MM, Sheet, to_mm
from .yamlsrc import Mapping, load_yaml

KEYS = {"description", "kind", "paper", "card", "label", "columns", "rows", "margin_left",
        "margin_top", "gutter_x", "gutter_y"}
# cards: printed both sides, cut or snapped apart; labels: one side, die-cut, peeled off.
KINDS = {"cards": "card", "labels": "label"}  # kind -> the key that gives the item's size
DEFAULT_SHEET = {
    "cards": {"letter": "avery-8371", "a4": "a4-10up-85x55"},
    "labels": {"letter": "avery-5163", "a4": "avery-l7165"},
}


def load_sheets(folder: Path, root: Path) -> dict[str, Sheet]:
    """Every templates/sheets/NAME.yaml, validated: the cards must fit the printable sheet."""
    problems = Problems()
    sheets: dict[str, Sheet] = {}
    for path in sorted(folder.glob("*.yaml")):
        source = display_path(path, root)
        data = load_yaml(path, root)
        if not isinstance(data, Mapping):
            problems.add("must be a mapping", path=source, line=1)
            continue

        def where(key: str, source: str = source, data: Mapping = data) -> dict[str, object]:
            return {"path": source, "line": data.line_of(key), "field": key}

        for key in sorted(set(data) - KEYS):
            problems.add("unknown setting", **where(key),
                         hint="valid settings are " + ", ".join(sorted(KEYS)))
        before = len(problems.errors)
        kind = str(data.get("kind", "cards"))
        if kind not in KINDS:
            problems.add(f'"{kind}" is not a kind of stock', **where("kind"),
                         hint="use cards or labels")
            continue
        size_key = KINDS[kind]
        paper = str(data.get("paper", ""))
        if paper not in PAPER_MM:
            problems.add(f'"{paper}" is not a paper size', **where("paper"),
                         hint="use letter or a4")
            continue

        def length(key: str, default: str | None = None, data: Mapping = data) -> float:
            value = data.get(key, default)
            try:
                return to_mm(str(value))
            except ValueError:
                problems.add(f'"{value}" is not a length', **where(key),
                             hint="write it like 0.5in or 11mm")
                return 0.0

        def count(key: str, data: Mapping = data) -> int:
            value = data.get(key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.add(f'"{value}" is not a whole number of cards', **where(key),
                             hint="e.g. 2")
                return 1
            return value

        card = data.get(size_key)
        card_w = card_h = 0.0
        if not isinstance(card, list) or len(card) != 2:
            problems.add("must be [width, height]", **where(size_key), hint="e.g. [3.5in, 2in]")
        else:
            try:
                card_w, card_h = to_mm(str(card[0])), to_mm(str(card[1]))
            except ValueError as exc:
                problems.add(str(exc), **where(size_key))
        width, height = PAPER_MM[paper]
        sheet = Sheet(
            name=path.stem, description=str(data.get("description", path.stem)), paper=paper,
            width=width, height=height, card_w=card_w, card_h=card_h,
            columns=count("columns"), rows=count("rows"),
            margin_left=length("margin_left"), margin_top=length("margin_top"),
            gutter_x=length("gutter_x", "0mm"), gutter_y=length("gutter_y", "0mm"),
            kind=kind,
        )
        if len(problems.errors) > before:
            continue
        right = sheet.margin_left + sheet.columns * card_w + (sheet.columns - 1) * sheet.gutter_x
        bottom = sheet.margin_top + sheet.rows * card_h + (sheet.rows - 1) * sheet.gutter_y
        if right > width + 0.01 or bottom > height + 0.01:
            problems.add("the cards do not fit on the paper", path=source, line=1,
                         hint="check the card size, counts, margins and gutters")
            continue
        # A label's print stays LABEL_INSET_MM inside its edge, so a label may come nearer
        # the paper edge than a card (Avery 5163: 5/32 in) while its print stays printable.
        inset = LABEL_INSET_MM if kind == "labels" else 0.0
        if min(sheet.margin_left, sheet.margin_top, width - right, height - bottom) + inset < (
                OFFICE_MARGIN_MM - 0.01):
            what = f"{kind} come" if not inset else "the labels' print comes"
            problems.add(f"{what} closer than 1/4 in (6.35 mm) to the paper edge",
                         path=source, line=1,
                         hint="office printers cannot print there; choose wider margins")
            continue
        sheets[sheet.name] = sheet
    problems.raise_if_errors()
    return sheets
