"""Rendering: template → HTML → WeasyPrint document, with every problem caught and located."""

from __future__ import annotations

import datetime
import gc
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox
from markdown_it import MarkdownIt
from markupsafe import Markup

from . import fit, painted, typeset
from .context import document_context, page_geometry
from .errors import Problem, display_path
from .fit import NO_FIT, FitState
from .links import break_points
from .options import Options
from .plan import Job
from .project import Project
from .qr import QRDrawing

_MARKDOWN = MarkdownIt("zero").enable(["emphasis"])  # raw HTML is never enabled


def inline_markdown(text: object) -> Markup:
    """Render **bold** and *italic* only; every other character is escaped.

    Content text is typeset first (see typeset.py): its last words bound, ``|`` soft breaks.
    """
    original = text
    if isinstance(text, str) and not isinstance(text, Markup):
        text = typeset.typeset(text)
    return typeset.tagged(original, Markup(_MARKDOWN.renderInline(str(text))))


def breakable_url(text: object) -> Markup:
    """A printed URL that wraps only at its break points (``links.break_points``): each piece
    a no-wrap span, <wbr> between them, so no line ever ends inside a host label or with an
    added hyphen."""
    return Markup("<wbr>").join(
        Markup('<span class="nobr">{}</span>').format(piece)
        for piece in break_points(str(text))
    )


@jinja2.pass_eval_context
def joined(eval_ctx: Any, value: Any, separator: str = "", attribute: Any = None) -> Any:
    """Jinja's ``join``; content joined stays content, typeset as one text (a run-in list)."""
    items = list(value)
    text = jinja2.filters.do_join(eval_ctx, items, separator, attribute)
    if attribute is None and not isinstance(text, Markup) and any(
        isinstance(item, typeset.ContentText) for item in items
    ):
        return typeset.ContentText(text)
    return text


_TYPE_SIZE = re.compile(
    r"(?P<property>font-size|line-height)(?P<colon>\s*:\s*)(?P<value>\d+(?:\.\d+)?)"
    r"(?P<unit>pt|px|mm|in|pc|cm|q)\b"
)


def scaled_type(css: str, scale: float) -> str:
    """A stylesheet with every absolute font-size and line-height multiplied by ``scale``.

    A language's ``font_scale`` (Arabic looks small at the Latin size): the materials' sizes
    are in points, so the language's sizes are the stylesheet's own, scaled, and copyfitting
    steps them down from there as from any other size.
    """

    def scaled(match: re.Match[str]) -> str:
        value = round(float(match["value"]) * scale, 2)
        return f"{match['property']}{match['colon']}{value:g}{match['unit']}"

    return _TYPE_SIZE.sub(scaled, css)


def one_line(text: object) -> Markup:
    """A name that must not wrap (a hotline's name): on one line when short enough."""
    if isinstance(text, Markup):
        return text
    return typeset.tagged(text, Markup("{}").format(typeset.one_line(str(text))))


class ProjectLoader(jinja2.FileSystemLoader):
    """Loads templates from templates/ only: a symbolic link that leads out is refused."""

    def get_source(self, environment: jinja2.Environment, template: str) -> Any:
        source, filename, uptodate = super().get_source(environment, template)
        roots = [Path(folder).resolve() for folder in self.searchpath]
        if filename and not any(Path(filename).resolve().is_relative_to(r) for r in roots):
            raise jinja2.TemplateNotFound(
                template, f"{template} is a link to a file outside templates/; refused"
            )
        return source, filename, uptodate


def left_to_right(text: object) -> Markup:
    """Phone numbers, URLs, e-mail: always left to right, even inside right-to-left text.

    Isolated twice: dir="ltr" for the element, and LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL
    ISOLATE around the text itself, which Pango's bidi handles however the box is split.
    """
    return Markup('<span dir="ltr" class="ltr">\u2066{}\u2069</span>').format(text)


def isolated(text: object) -> Markup:
    """Text of its own direction (a name, an address) that must not reorder its neighbours:
    wrapped in FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE. Its last two words are
    bound (typeset.bind_last_words), so a name never ends on a line of one word; a Korean
    name breaks only between words (typeset.keep_hangul_words)."""
    if isinstance(text, str) and not isinstance(text, Markup):
        text = typeset.keep_hangul_words(typeset.bind_last_words(text, NAME_BOUND))
    return Markup("\u2068{}\u2069").format(text)


# A collection material (the directory) has as many pages as its locations take: this stands
# for "any number" where a page count is expected, and bounds what copyfitting measures.
COLLECTION_PAGES = -1
MAX_COLLECTION_PAGES = 500

# A name's last two words are bound up to this many characters ("Reduction Coalition"): names
# are set in columns at least 40 mm wide, and each is a fitted element that may step down.
NAME_BOUND = 24


def plain(text: object) -> Markup:
    """Text as it is, without the line-breaking rules: for what is not laid out in lines,
    such as the document's title in its metadata (escaped like any other text)."""
    return Markup("{}").format(str(text))


def tail_together(text: object) -> Markup:
    """A name for a narrow column (the flyer's tabs): its last two words stay together and
    a hyphenated word is never split, so no word is left alone on a line ("Van")."""
    words = str(text).split(" ")
    if len(words) > 1:
        words[-2:] = [words[-2] + "\u00a0" + words[-1]]
    return Markup(" ").join(
        Markup('<span class="nobr">{}</span>').format(w) if "-" in w else w for w in words
    )


def template_environment(templates_dir: Path) -> jinja2.Environment:
    # Templates may come from partners: the sandbox refuses Python internals (no
    # ``__class__``, ``__globals__``…) and changes to the shared content and location data.
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        loader=ProjectLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # Text from content/ (typeset.ContentText) printed with its line-breaking rules.
        finalize=typeset.finalize,
    )
    env.filters["md"] = inline_markdown
    env.filters["join"] = joined
    env.filters["one_line"] = one_line
    env.filters["url"] = breakable_url
    env.filters["ltr"] = left_to_right
    env.filters["isolate"] = isolated
    env.filters["plain"] = plain
    env.filters["tail_together"] = tail_together
    return env


@dataclass
class Rendered:
    job: Job
    pdf: bytes | None
    pages: int
    qr_url: str
    problems: list[Problem] = field(default_factory=list)
    document: Any = None  # the laid-out WeasyPrint document, for in-process checks only
    # Further files made from the same document: (path, pdf, pages, variant), e.g. the card
    # sheet of a wallet card.
    extras: list[tuple[str, bytes, int, str]] = field(default_factory=list)
    marks: list[fit.Mark] = field(default_factory=list)  # what does not fit, for previews

    @property
    def ok(self) -> bool:
        return self.pdf is not None and not any(p.severity == "error" for p in self.problems)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def captured_weasyprint_log() -> Iterator[_Capture]:
    """Collect WeasyPrint's warnings and errors instead of letting them reach the terminal."""
    logger = logging.getLogger("weasyprint")
    handler = _Capture()
    old_propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = old_propagate


class Renderer:
    """A warm renderer: templates compiled, fonts and stylesheets loaded once, many jobs."""

    def __init__(self, project: Project, options: Options | None = None):
        from . import speedups

        # Deferred: planning and fingerprinting must not pay for it.
        weasyprint = speedups.import_weasyprint()
        from weasyprint.text.fonts import FontConfiguration

        from .fetcher import SandboxFetcher

        speedups.apply()
        self.project = project
        self.options = options or Options()
        self.weasyprint = weasyprint
        self.env = template_environment(project.templates_dir)
        self.fonts = FontConfiguration()
        self.fetcher = SandboxFetcher(
            [project.templates_dir, project.assets_dir, project.content_dir]
        )
        self._stylesheets: dict[str, list[Any]] = {}
        self._style_problems: dict[str, list[Problem]] = {}
        self._shared_pages: dict[
            tuple[str, str, str], tuple[Any, list[Problem], list[fit.Mark]]
        ] = {}
        # The same, for boxes on a location's pages that are the same for every location.
        self._donors: dict[tuple[str, str, str], tuple[Any, list[Problem], list[fit.Mark]]] = {}
        # What preflight's layout checks keep between documents: the findings on those shared
        # pages, and how each text was shaped (see preflight.build_problems).
        self.check_cache: dict[Any, Any] = {}
        # Content strings printed in spans naming their unit (budget.py measures where each
        # went); never for documents that are written.
        self.name_units = False

    def warm_state(self) -> int:
        """How many stylesheets and shared layouts this renderer keeps between documents."""
        return len(self._stylesheets) + len(self._shared_pages) + len(self._donors)

    def html(self, job: Job, part: str = "all") -> str:
        """The document's HTML; ``part`` picks the shared pages, the location pages, or all."""
        return self._source(job, part)[0]

    def _source(
        self, job: Job, part: str, fit: FitState = NO_FIT, repeat: bool = False
    ) -> tuple[str, dict[str, Any]]:
        """The HTML; with ``repeat``, elements marked to repeat the one before them are left
        empty, for ``repeat_boxes`` to fill after layout (the HTML given to others is whole)."""
        template = self.env.get_template(self.project.materials[job.material].template)
        context = document_context(self.project, job, self.options, fit)
        context["part"] = part
        context["repeat"] = repeat
        # Boxes the same for every location, laid out once (share_boxes): left empty here.
        # Not when measuring named strings (budget.py): the copies would name none.
        context["share_boxes"] = repeat and part in ("all", "location") and not self.name_units
        if self.name_units:
            _mark_units(context)
        else:
            _mark_content(context)
        return template.render(context), context

    def _styles(
        self, material: str, direction: str = "ltr", scale: float = 1.0
    ) -> tuple[list[Any], list[Problem]]:
        """base.css, the material's stylesheet and, for right-to-left languages, rtl.css:
        parsed once per material, direction and type scale (the language's font_scale)."""
        key = f"{material}:{direction}:{scale:g}"
        if key in self._stylesheets:  # parsed once; its problems count for every job
            return self._stylesheets[key], list(self._style_problems.get(key, []))
        styles = []
        problems: list[Problem] = []
        names = ["base", material] + (["rtl"] if direction == "rtl" else [])
        self.fetcher.clear()
        with captured_weasyprint_log() as log:
            for name in names:
                path = self.project.templates_dir / "styles" / f"{name}.css"
                if path.is_file() and scale == 1:
                    styles.append(
                        self.weasyprint.CSS(
                            filename=str(path), url_fetcher=self.fetcher, font_config=self.fonts
                        )
                    )
                elif path.is_file():
                    styles.append(
                        self.weasyprint.CSS(
                            string=scaled_type(path.read_text(encoding="utf-8"), scale),
                            base_url=str(path),
                            url_fetcher=self.fetcher,
                            font_config=self.fonts,
                        )
                    )
        problems += self._log_problems(log, f"templates/styles ({material})")
        # A refused @import or font names the stylesheet (and line) that asked for it.
        stylesheet = self.project.templates_dir / "styles" / f"{material}.css"
        problems += self.fetcher.problems(
            f"stylesheets for {material}", stylesheet, f"templates/styles/{material}.css"
        )
        self.fetcher.clear()
        self._stylesheets[key] = styles
        self._style_problems[key] = list(problems)
        return styles, problems

    def _layout(
        self, job: Job, part: str, pages: int
    ) -> tuple[Any, list[Problem], list[fit.Mark]]:
        """Template → HTML → laid-out document, fitted to its boxes (see fit.py), with every
        problem found on the way."""
        material = self.project.materials[job.material]
        spec = material.fit
        where = str(job)
        if part == "shared":  # not this location's fault: say so, once for all of them
            where = f"{job.lang} / {job.name} (pages shared by every location)"
        elif part == "donor":
            where = f"{job.lang} / {job.name} (text the same for every location)"
        if job.kind == "directory":  # many locations: a problem points at the locations file
            location = None
            has_short = False
            numbers = list(range(1, MAX_COLLECTION_PAGES + 1))
        else:
            location = next(loc for loc in self.project.locations if loc.slug == job.slug)
            has_short = bool(location.short_name) and location.short_name != location.name
            numbers = _page_numbers(material.pages, material.shared_pages, part)
        fitter = fit.Fitter(spec, has_short)
        state, fitted = NO_FIT, None
        for attempt in range(1, fit.MAX_LAYOUTS + 1):
            document, problems = self._layout_once(job, part, where, state)
            if document is None or any(p.severity == "error" for p in problems):
                return document, problems, []
            seen = fit.measure(document, numbers)
            if not seen.overflows:
                fitted = (state, document, problems, seen)
            if not fitter.update(seen):
                break
            if attempt == fit.MAX_LAYOUTS - 1 and fitted is None:
                fitter.give_all()  # the last try: every box at its smallest
            state = fitter.state()
            if fitted is not None and state == fitted[0]:
                break  # back to a state already laid out, and it fit: the same layout again
        if fitted is not None:
            state, document, problems, seen = fitted
            notes = fit.fitted_notes(spec, state, seen, fitter.defaults, where,
                                     _fallback_labels(spec))
            return document, problems + notes + _page_count(document, where, pages), []
        source = (
            fit.Source(location.source, location.line, has_short) if location is not None
            else fit.Source(display_path(self.project.locations_path, self.project.root), None,
                            False)
        )
        failures = fit.failures(spec, state, seen, fitter.stuck, where, source)
        problems += [problem for problem, _ in failures] + _page_count(document, where, pages)
        return document, problems, [mark for _, marks in failures for mark in marks]

    def _layout_once(
        self, job: Job, part: str, where: str, fit_state: FitState
    ) -> tuple[Any, list[Problem]]:
        """One layout of the document with the fitting chosen so far."""
        material = self.project.materials[job.material]
        try:
            html, context = self._source(job, part, fit_state, repeat=True)
        except jinja2.TemplateSyntaxError as exc:
            return None, [
                Problem(
                    f"template syntax error: {exc.message}",
                    path=f"templates/{exc.name}",
                    line=exc.lineno,
                    hint="fix the template",
                )
            ]
        except jinja2.UndefinedError as exc:
            return None, [
                Problem(
                    f"template uses something undefined: {exc.message}",
                    path=f"templates/{material.template}",
                    line=_template_line(exc),
                    hint=f"check the variable name, or add the key to content/{job.lang}/"
                    f"{job.material}.yaml",
                )
            ]
        except Exception as exc:  # anything else a template can raise, if it came from one
            line = _template_line(exc)
            if line is None and not isinstance(exc, jinja2.TemplateError):
                raise
            name = getattr(exc, "name", None) if isinstance(exc, jinja2.TemplateNotFound) else None
            what = (
                f"template not found: {exc.message}"
                if name
                else (f"template error: {type(exc).__name__}: {exc}")
            )
            return None, [
                Problem(
                    what, path=f"templates/{material.template}", line=line, hint="fix the template"
                )
            ]
        # Boxes the same for every location: laid out first, as a layout of their own (it
        # clears the fetcher and captures its own log).
        donor = None
        if context["share_boxes"] and " data-shared-box=" in html:
            donor = self._donor(job)[0]
        language = self.project.languages[job.lang]
        styles, problems = self._styles(job.material, language.direction, language.font_scale)
        self.fetcher.clear()
        template_path = self.project.templates_dir / material.template
        # The QR code's SVG is drawn from its modules, not parsed (qr.QRDrawing): WeasyPrint
        # looks an image up in this cache before it fetches it.
        qr = context["qr"]
        images = {qr["src"]: QRDrawing(qr["code"])}
        with captured_weasyprint_log() as log:
            document = self.weasyprint.HTML(
                string=html, base_url=str(template_path), url_fetcher=self.fetcher
            ).render(font_config=self.fonts, stylesheets=styles, cache=images)
            repeat_boxes(document)
            if donor is not None:
                share_boxes(donor, document)
            fit.fill(document)
            problems += self._log_problems(log, where)
        problems += self.fetcher.problems(where, template_path, f"templates/{material.template}")
        self.fetcher.clear()
        return document, problems

    def laid_out(self, job: Job) -> tuple[Any, list[Problem]]:
        """Every page of the document laid out and fitted in one go, shared pages included,
        with what was found on the way: for measuring it (budget.py), never for writing."""
        document, problems, _ = self._layout(job, "all", self.project.materials[job.material].pages)
        return document, problems

    def _shared(self, job: Job) -> tuple[Any, list[Problem], list[fit.Mark]]:
        """Pages that do not depend on the location: laid out once per language, material and
        profile (a press page has bleed)."""
        key = (job.lang, job.name, job.profile)
        if key not in self._shared_pages:
            count = len(self.project.materials[job.material].shared_pages)
            self._shared_pages[key] = self._layout(job, "shared", count)
        return self._shared_pages[key]

    def _donor(self, job: Job) -> tuple[Any, list[Problem], list[fit.Mark]]:
        """A location's pages with only the boxes that are the same for every location
        (``data-shared-box``), laid out and fitted once per language, material and profile."""
        key = (job.lang, job.name, job.profile)
        if key not in self._donors:
            material = self.project.materials[job.material]
            self._donors[key] = self._layout(
                job, "donor", material.pages - len(material.shared_pages))
        return self._donors[key]

    def _with_donor(
        self, job: Job, problems: list[Problem], marks: list[fit.Mark]
    ) -> tuple[list[Problem], list[fit.Mark]]:
        """What fitting the boxes laid out once found counts for every document too."""
        _, found, shown = self._donors.get((job.lang, job.name, job.profile), (None, [], []))
        return found + problems, shown + marks

    def render(self, job: Job, draft: bool = False) -> Rendered:
        """Lay out, fit, check and write one document's PDF.

        ``draft``: a document whose only errors are text that does not fit is written all the
        same, with ``marks`` saying where, for previews (``build`` never writes one).
        """
        material = self.project.materials[job.material]
        qr_url = document_context_qr(self.project, job)
        shared_pages = material.shared_pages
        expected = COLLECTION_PAGES if material.collection else material.pages
        if not shared_pages:
            document, problems, marks = self._layout(job, "all", expected)
            problems, marks = self._with_donor(job, problems, marks)
            pages = document.pages if document is not None else []
        else:
            shared, shared_problems, shared_marks = self._shared(job)
            document, problems, marks = self._layout(
                job, "location", material.pages - len(shared_pages)
            )
            problems, marks = self._with_donor(job, shared_problems + problems,
                                               shared_marks + marks)
            pages = []
            if document is not None and shared is not None:
                for page in shared.pages:
                    painted.share(page)  # painted once, then copied into each PDF
                mine, common = iter(document.pages), iter(shared.pages)
                for number in range(1, material.pages + 1):
                    page = next(common if number in shared_pages else mine, None)
                    if page is not None:
                        pages.append(page)
        errors = [p for p in problems if p.severity == "error"]
        only_fit = (material.collection or len(pages) == material.pages) and all(
            isinstance(p, fit.FitProblem) for p in errors
        )
        if document is None or (errors and not (draft and only_fit)):
            return Rendered(job, None, len(pages), qr_url, _unique(problems), document, marks=marks)
        if shared_pages:
            document = document.copy(pages)  # keeps this document's title and language
        _stamp_date(document)
        where = str(job)
        self.fetcher.clear()
        with captured_weasyprint_log() as log, self.fetcher.embedding():
            pdf = document.write_pdf(**self._pdf_options())
            problems += self._log_problems(log, where)
        if self.fetcher.refusals:  # an attachment: never embedded, the document fails
            asked = self.project.templates_dir / material.template
            problems += self.fetcher.problems(where, asked, f"templates/{material.template}")
            self.fetcher.clear()
            return Rendered(job, None, len(pages), qr_url, _unique(problems), document)
        extras: list[tuple[str, bytes, int, str]] = []
        try:
            pdf, extras = self._finish(job, pdf)
        except (ValueError, RuntimeError) as exc:
            problems.append(Problem(f"{where}: cannot finish the PDF: {exc}",
                                    hint="check the sheet stock and material settings"))
            pdf = None
        return Rendered(job, pdf, len(pages), qr_url, _unique(problems), document, extras, marks)

    def _finish(self, job: Job, pdf: bytes) -> tuple[bytes, list[tuple[str, bytes, int, str]]]:
        """Press marks around the trim, or card sheets for office printers."""
        from . import impose  # pikepdf: only when a finished file needs it

        material = self.project.materials[job.material]
        if job.profile == "press":
            page = page_geometry(self.project, job, self.options)  # no second QR code
            folds = []
            if job.material == "pamphlet":
                folds = [page["folds"]["outside"], page["folds"]["inside"]]
            return impose.add_press_marks(pdf, page["bleed_mm"], folds), []
        if material.stock:
            sheet = self.project.sheet(self.options.sheet, material.stock)
            width, height = material.trim(self.project.organization.paper)
            item = "card" if material.stock == "cards" else "label"
            if abs(sheet.card_w - width) > 0.5 or abs(sheet.card_h - height) > 0.5:
                raise ValueError(
                    f"sheet {sheet.name} holds {sheet.card_w:g} × {sheet.card_h:g} mm "
                    f"{item}s, but the {item} is {width:g} × {height:g} mm")
            imposed = impose.impose_cards(pdf, sheet)
            return pdf, [(job.sibling("sheet"), imposed, sheet.sides, "sheet")]
        return pdf, []

    def _pdf_options(self) -> dict[str, Any]:
        """Tagged PDF/UA by default: language, title, reading order and alt text for readers."""
        options: dict[str, Any] = {}
        if self.options.pdf_variant:
            options["pdf_variant"] = self.options.pdf_variant
            options["pdf_tags"] = self.options.tagged
        elif self.options.tagged:
            options["pdf_variant"] = "pdf/ua-1"
        return options

    @staticmethod
    def _log_problems(log: _Capture, where: str) -> list[Problem]:
        from .fetcher import MARKER  # a refusal is reported once, by the fetcher, located

        log.records[:] = [r for r in log.records if MARKER not in r.getMessage()]
        found = []
        for record in log.records:
            message = record.getMessage()
            # A character no font has prints as an empty box: text is missing, so it is an
            # error (the document is not written), not a warning.
            missing = message.startswith(".notdef glyph rendered")
            found.append(
                Problem(
                    f"{where}: {message}",
                    severity="error" if record.levelno >= logging.ERROR or missing else "warning",
                    hint="remove the character, or name a font that has it in the language's "
                    "language.yaml (fonts:)"
                    if missing
                    else "fix the template, stylesheet or asset it names",
                )
            )
        log.records.clear()
        return found


# Automatic collections of the youngest generation: rare enough that a document is laid out
# without the collector walking it again and again, frequent enough to bound the garbage a
# single document leaves in cycles.
GC_THRESHOLD = 10_000


def repeat_boxes(document: Any) -> None:
    """Fill each empty box marked ``data-repeat`` with copies of what the box before it (its
    nearest previous sibling not so marked) holds, moved to the empty box's place.

    The flyer's ten tear-off tabs hold the same text: WeasyPrint would lay it out ten times
    (a third of the flyer's layout), this lays it out once. The copies are boxes of their own,
    drawn, tagged, linked and checked like the source's; only their layout is shared. The
    empty box must have the source's size from its style alone (the tabs: a tenth of the row,
    its full height, the same borders), and no transformed ancestor."""
    for page in document.pages:
        for target, source in _repeat(page._page_box):
            _copy_into(page, target, source)


def _repeat(box: Any) -> Iterator[tuple[Any, Any]]:
    source = None
    for child in _block_children(box):
        element = getattr(child, "element", None)
        if element is None or getattr(child, "element_tag", None) is None:
            yield from _repeat(child)
        elif element.get("data-repeat") is None:
            source = child
            yield from _repeat(child)
        elif source is not None:
            yield child, source


def share_boxes(donor: Any, document: Any) -> None:
    """Fill each empty box marked ``data-shared-box="NAME"`` on ``document``'s pages with
    copies of what the box of that name holds on the same page of ``donor`` (a layout of
    those boxes alone, once per language: the pamphlet's flap), moved to its place.

    The box must be laid out alike in both (its size from its style, its place from boxes
    before it that both hold) and its fitted text must not depend on anything else on the
    page: its own ``data-fit`` box holds nothing else."""
    for page, given in zip(document.pages, donor.pages, strict=False):
        sources = dict(_named(given._page_box))
        for name, target in _named(page._page_box):
            if name in sources and not target.children:
                _copy_into(page, target, sources[name])


def _named(box: Any) -> Iterator[tuple[str, Any]]:
    for child in _block_children(box):
        element = getattr(child, "element", None)
        name = None
        if element is not None and getattr(child, "element_tag", None) is not None:
            name = element.get("data-shared-box")
        if name is not None:
            yield name, child
        else:
            yield from _named(child)


def _block_children(box: Any) -> Iterator[Any]:
    """The children of ``box`` that may hold blocks: not lines or text."""
    for child in getattr(box, "children", ()):
        if type(child).__name__ not in ("LineBox", "TextBox"):
            yield child


def _copy_into(page: Any, target: Any, source: Any) -> None:
    """Copies of ``source``'s children into the empty ``target``, moved to its place."""
    from weasyprint.anchors import gather_anchors

    dx = target.content_box_x() - source.content_box_x()
    dy = target.content_box_y() - source.content_box_y()
    target.children = [inner.deepcopy() for inner in source.children]
    target.height = source.height
    for copy in target.children:
        copy.translate(dx, dy)
        # Transforms (the tabs' turned text) and links are placed when a page is made:
        # place the copies' too, where they now are.
        gather_anchors(copy, page.anchors, page.links, page.bookmarks, page.forms)


class DocumentCollector:
    """Python's cyclic garbage collector, run once per document instead of every few ms.

    WeasyPrint's box trees are cycles (a box points to its parent and children), so a
    laid-out document is freed only by the cyclic collector. Left to its default thresholds,
    the collector runs a full collection every few documents, and each one walks every object
    the warm renderer keeps (fonts, stylesheets, templates, the shared pages): about 10 ms a
    document, 7 % of a build. Instead, the renderer's warm state is frozen (``gc.freeze``:
    never walked again, and still freed by reference counting), automatic collections are
    made rare, and one collection after each document frees that document, which is all
    garbage by then. Memory stays lower than with the defaults, since nothing lingers.
    """

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self.warm = -1  # how much warm state was frozen last time
        self.saved = gc.get_threshold()
        gc.set_threshold(GC_THRESHOLD, *self.saved[1:])

    def document_done(self) -> None:
        gc.collect()
        warm = self.renderer.warm_state()
        if warm != self.warm:  # the first document of a language and material: new pages
            gc.freeze()
            self.warm = warm

    def close(self) -> None:
        """Give the process its defaults back (a build run in-process, e.g. with -j1)."""
        gc.unfreeze()
        gc.set_threshold(*self.saved)


def _mark_content(context: dict[str, Any]) -> None:
    """Every word from content/ marked, so the environment typesets it (typeset.finalize)."""
    for key in ("t", "c", "labels", "hotlines"):
        context[key] = typeset.mark(context[key])
    loc = context["loc"]
    loc["services"] = [(key, typeset.mark(label)) for key, label in loc["services"]]
    if "legend" in context:  # the directory's tag legend: codes and the services' words
        context["legend"] = [(code, typeset.mark(label)) for code, label in context["legend"]]


def _mark_units(context: dict[str, Any]) -> None:
    """Every word from content/ marked with the unit it is (``typeset.KeyedText``)."""
    material = context["job"]["material"]
    context["t"] = typeset.mark_keyed(context["t"], f"{material}:")
    context["c"] = typeset.mark_keyed(context["c"], "common:")
    context["labels"] = context["c"].get("labels", {})
    context["hotlines"] = typeset.mark(context["hotlines"])
    common = context["c"].get("hotlines", {})
    for key, line in context["hotlines"].items():
        words = common.get(key, {})
        line.update({part: words[part] for part in ("name", "note") if words.get(part)})
        line["short"] = words.get("short") or line["name"]
    loc = context["loc"]
    services = context["c"].get("services", {})
    loc["services"] = [(key, services.get(key, typeset.mark(label)))
                       for key, label in loc["services"]]


def _stamp_date(document: Any) -> None:
    """Dates only from SOURCE_DATE_EPOCH: without it the PDF carries none, so builds repeat."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        stamp = datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        document.metadata.created = document.metadata.modified = stamp.strftime(
            "%Y-%m-%dT%H:%M:%SZ")


def document_context_qr(project: Project, job: Job) -> str:
    from .context import qr_for

    return qr_for(project, job)


def _template_line(exc: BaseException) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith((".html", ".j2")) or tb.tb_frame.f_globals.get(
            "__jinja_template__"
        ):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _unique(problems: list[Problem]) -> list[Problem]:
    seen = set()
    result = []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            result.append(problem)
    return result


def _page_numbers(count: int, shared: tuple[int, ...], part: str) -> list[int]:
    """The material's page number of each page laid out for ``part``."""
    if part == "shared":
        return list(shared)
    if part in ("location", "donor"):
        return [n for n in range(1, count + 1) if n not in shared]
    return list(range(1, count + 1))


def _fallback_labels(spec: fit.FitSpec) -> dict[str, str]:
    return {e.key: e.label for e in spec.elements}


def _page_count(document: Any, where: str, expected_pages: int) -> list[Problem]:
    """Text that spilled onto an extra page (a collection takes the pages it needs)."""
    if len(document.pages) == expected_pages or expected_pages == COLLECTION_PAGES:
        return []
    return [
        Problem(
            f"{where}: rendered {len(document.pages)} pages, expected {expected_pages}",
            hint="the text does not fit: shorten the location's data or the content",
        )
    ]
