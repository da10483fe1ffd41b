"""organization.yaml: who prints the materials, on what paper, in which colours and languages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .directories import Directory, load_directories
from .errors import Problems, display_path
from .fields import FieldError, check_country, check_https_url
from .links import check_intake_url
from .yamlsrc import Mapping, Sequence, load_yaml

HEX_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLORS = {"primary": "#0B5563", "accent": "#F5B95F", "ink": "#1A1D21", "paper": "#FFFFFF"}
DEFAULT_PARAMS = {
    "source": "utm_source",
    "medium": "utm_medium",
    "campaign": "utm_campaign",
    "content": "utm_content",
}
KNOWN_KEYS = {
    "name",
    "website",
    "intake_url",
    "intake_short_url",
    "paper",
    "country",
    "languages",
    "colors",
    "logo",
    "qr_tracking",
    "poster_tabs",
    "directories",
    "directory_url",
}


@dataclass(frozen=True)
class Tracking:
    """Which query parameters the QR code adds; an empty name turns that parameter off."""

    enabled: bool = True
    medium: str = "print"
    params: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PARAMS))


@dataclass(frozen=True)
class Organization:
    name: str
    website: str | None
    intake_url: str
    paper: str
    country: str
    languages: tuple[str, ...]
    colors: dict[str, str]
    logo: str | None
    tracking: Tracking
    path: str
    key_lines: dict[str, int] = field(default_factory=dict)
    intake_short_url: str | None = None  # printed instead of a long intake_url
    poster_tabs: bool = False  # tear-off tabs with the phone number at the poster's foot
    # Named directories (directories.py): name -> filters; none named: one of every location.
    directories: dict[str, Directory] = field(default_factory=dict)
    directory_url: str | None = None  # the locations page a directory's QR code opens


def load_organization(path: Path, root: Path) -> Organization:
    """Load and validate organization.yaml, reporting every problem at once."""
    source = display_path(path, root)
    data = load_yaml(path, root)
    problems = Problems()
    if not isinstance(data, Mapping):
        problems.add(
            "must be a mapping of settings",
            path=source,
            line=1,
            hint="start with lines like 'name: Your Organization'",
        )
        problems.raise_if_errors()
    assert isinstance(data, Mapping)

    def where(key: str) -> dict[str, object]:
        return {"path": source, "line": data.line_of(key), "field": key}

    for key in sorted(set(data) - KNOWN_KEYS):
        problems.add(
            "unknown setting",
            **where(key),
            hint="valid settings are " + ", ".join(sorted(KNOWN_KEYS)),
        )

    def text(key: str, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None or value == "":
            if required:
                problems.add(
                    "is required",
                    path=source,
                    line=data.line_of(key),
                    field=key,
                    hint=f"add a line '{key}: ...'",
                )
            return None
        if not isinstance(value, str):
            kind = "a list" if isinstance(value, list) else "a mapping" if isinstance(
                value, dict) else f"{type(value).__name__}"
            problems.add(f"must be text, not {kind}", **where(key),
                         hint=f"write one value on the line: {key}: ...")
            return None
        return value.strip()

    def checked(key: str, check, required: bool = False) -> str | None:  # type: ignore[no-untyped-def]
        value = text(key, required)
        if value is None:
            return None
        try:
            return check(value)  # type: ignore[no-any-return]
        except FieldError as exc:
            problems.add(exc.message, **where(key), hint=exc.hint)
            return None

    name = text("name", required=True) or ""
    website = checked("website", check_https_url)
    intake_url = checked("intake_url", check_intake_url, required=True) or ""
    short_url = checked("intake_short_url", check_https_url)
    paper = (text("paper") or "letter").lower()
    if paper not in ("letter", "a4"):
        problems.add(f'"{paper}" is not a paper size', **where("paper"), hint="use letter or a4")
    country = checked("country", check_country) or "US"

    languages: tuple[str, ...] = ("en",)
    raw_langs = data.get("languages")
    if raw_langs is not None:
        if (
            isinstance(raw_langs, Sequence)
            and all(isinstance(x, str) for x in raw_langs)
            and raw_langs
        ):
            languages = tuple(x.strip() for x in raw_langs)
        else:
            problems.add(
                "must be a list of language codes",
                **where("languages"),
                hint="write it like: languages: [en, es]",
            )

    colors = dict(DEFAULT_COLORS)
    raw_colors = data.get("colors")
    if raw_colors is not None:
        if not isinstance(raw_colors, Mapping):
            problems.add("must be a mapping of colour names to #rrggbb values", **where("colors"))
        else:
            for key, value in raw_colors.items():
                line = raw_colors.line_of(key)
                if key not in DEFAULT_COLORS:
                    problems.add(
                        "unknown colour",
                        path=source,
                        line=line,
                        field=f"colors.{key}",
                        hint="valid colours are " + ", ".join(DEFAULT_COLORS),
                    )
                elif not isinstance(value, str) or not HEX_RE.match(value):
                    problems.add(
                        f'"{value}" is not a colour',
                        path=source,
                        line=line,
                        field=f"colors.{key}",
                        hint='write it as "#0B5563" (quoted)',
                    )
                else:
                    colors[key] = value.upper()

    logo = text("logo")
    if logo is not None:
        logo_path = (root / "assets" / logo).resolve()
        assets = (root / "assets").resolve()
        if not logo_path.is_relative_to(assets) or not logo_path.is_file():
            problems.add(
                f'"{logo}" is not a file in assets/',
                **where("logo"),
                hint="put the logo under assets/ and give its name, e.g. logo.svg",
            )
            logo = None

    tracking = Tracking()
    raw_tracking = data.get("qr_tracking")
    if raw_tracking is not None:
        if not isinstance(raw_tracking, Mapping):
            problems.add(
                "must be a mapping", **where("qr_tracking"), hint="see the sample organization.yaml"
            )
        else:
            tracking = _tracking(raw_tracking, source, problems)

    poster_tabs = data.get("poster_tabs", False)
    if not isinstance(poster_tabs, bool):
        problems.add(f'"{poster_tabs}" is not true or false', **where("poster_tabs"),
                     hint="poster_tabs: true gives the poster tear-off tabs; false (the default) "
                     "leaves them out")
        poster_tabs = False

    directories = load_directories(data.get("directories"), source, data.line_of("directories"),
                                   problems)
    directory_url = checked("directory_url", check_https_url)

    problems.raise_if_errors()
    return Organization(
        name,
        website,
        intake_url,
        paper,
        country,
        languages,
        colors,
        logo,
        tracking,
        source,
        dict(data.key_lines),
        short_url,
        poster_tabs,
        directories,
        directory_url,
    )


def _tracking(raw: Mapping, source: str, problems: Problems) -> Tracking:
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        problems.add(
            "must be true or false",
            path=source,
            line=raw.line_of("enabled"),
            field="qr_tracking.enabled",
        )
        enabled = True
    medium = raw.get("medium", "print")
    if not isinstance(medium, str) or not re.match(r"^[A-Za-z0-9_.-]+$", medium):
        problems.add(
            "must be a short word",
            path=source,
            line=raw.line_of("medium"),
            field="qr_tracking.medium",
            hint="e.g. print",
        )
        medium = "print"
    params = dict(DEFAULT_PARAMS)
    raw_params = raw.get("params")
    if raw_params is not None:
        if not isinstance(raw_params, Mapping):
            problems.add(
                "must be a mapping",
                path=source,
                line=raw.line_of("params"),
                field="qr_tracking.params",
            )
        else:
            for key, value in raw_params.items():
                line = raw_params.line_of(key)
                if key not in DEFAULT_PARAMS:
                    problems.add(
                        "unknown parameter",
                        path=source,
                        line=line,
                        field=f"qr_tracking.params.{key}",
                        hint="valid ones are " + ", ".join(DEFAULT_PARAMS),
                    )
                elif value in (None, "", False):
                    params[key] = ""
                elif not isinstance(value, str) or not re.match(r"^[A-Za-z0-9_.-]+$", value):
                    problems.add(
                        "must be a query parameter name or empty",
                        path=source,
                        line=line,
                        field=f"qr_tracking.params.{key}",
                        hint="e.g. utm_source, or leave empty to turn it off",
                    )
                else:
                    params[key] = value
    for key in sorted(set(raw) - {"enabled", "medium", "params"}):
        problems.add(
            "unknown setting",
            path=source,
            line=raw.line_of(key),
            field=f"qr_tracking.{key}",
            hint="valid settings are enabled, medium, params",
        )
    return Tracking(enabled, medium, params)
