"""The only way rendering reads anything: files under the project's own folders, nothing else.

WeasyPrint asks its URL fetcher for every stylesheet, ``@import``, font, image, SVG reference
and attachment. :class:`SandboxFetcher` serves ``file:`` URLs that resolve (symlinks followed)
below the allowed folders and small ``data:`` URLs, checks raster images for decompression
bombs before WeasyPrint decodes them, and refuses everything else. Each refusal is recorded,
and :meth:`SandboxFetcher.problems` turns them into errors naming the template or stylesheet
that asked for the URL, with its line.
"""

from __future__ import annotations

import io
import mimetypes
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse, iri_to_uri, path2url

from .errors import Problem, display_path

MAX_DATA_URL = 1024 * 1024  # characters in a data: URL
MAX_FILE = 20 * 1024 * 1024  # bytes in any file rendering reads
MAX_IMAGE_PIXELS = 40_000_000  # a Letter page at 600 dpi is 33.7 million pixels
MARKER = "makeprint refused"  # in the exception text WeasyPrint logs, so the log can be skipped

_RASTER_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"BM",
    b"RIFF",  # WebP
    b"II*\x00",  # TIFF
    b"MM\x00*",
    b"\x00\x00\x01\x00",  # ICO
)
_REFERENCE_RES = (
    # HTML and SVG attributes that name something to load
    re.compile(
        r"""(?<![\w-])(?:src|href|xlink:href|data|poster|srcset)\s*=\s*"""
        r"""(?:"(?P<a>[^"]*)"|'(?P<b>[^']*)'|(?P<c>[^\s>"']+))""",
        re.I,
    ),
    # CSS url(...), in stylesheets, <style> blocks and style="" attributes
    re.compile(r"""url\(\s*(?:"(?P<a>[^"]*)"|'(?P<b>[^']*)'|(?P<c>[^)\s"']*))\s*\)""", re.I),
    # CSS @import "..."
    re.compile(r"""@import\s+(?:"(?P<a>[^"]*)"|'(?P<b>[^']*)')""", re.I),
)


@dataclass(frozen=True)
class Refusal:
    url: str  # as asked for
    why: str
    attachment: bool = False

    @property
    def shown(self) -> str:
        """The URL as an error message shows it: data: URLs and very long ones shortened."""
        limit = 60 if self.url[:5].lower() == "data:" else 300
        return self.url if len(self.url) <= limit else self.url[:limit] + "…"


class SandboxFetcher(URLFetcher):
    """Serves files below the allowed folders and small ``data:`` URLs; refuses all else.

    Refusals are recorded in ``refused`` (as ``(url, why)``) and ``refusals`` so the renderer
    can turn them into errors naming what asked, rather than leaving WeasyPrint to log and
    carry on. While :meth:`embedding` is active (``write_pdf``), every fetch is refused: the
    only things WeasyPrint loads then are attachments, and makeprint never embeds files.
    """

    def __init__(self, allowed: list[Path], root: Path | None = None):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.allowed = [p.resolve() for p in allowed]
        self.root = (root or _common_parent(self.allowed)).resolve()
        self.refused: list[tuple[str, str]] = []
        self.refusals: list[Refusal] = []
        self._embedding = False

    # --- serving -----------------------------------------------------------------------

    def _refuse(self, url: str, why: str) -> None:
        refusal = Refusal(url, why, attachment=self._embedding)
        self.refusals.append(refusal)
        self.refused.append((refusal.shown, why))
        raise ValueError(f"{MARKER} {refusal.shown}: {why}")

    def clear(self) -> None:
        self.refused.clear()
        self.refusals.clear()

    @contextmanager
    def embedding(self) -> Iterator[None]:
        """Refuse everything while the PDF is written: only attachments are fetched then."""
        self._embedding = True
        try:
            yield
        finally:
            self._embedding = False

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if self._embedding:
            self._refuse(url, "makeprint never embeds files in a PDF (rel=attachment)")
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            if len(url) > MAX_DATA_URL:
                self._refuse(url, f"data: URL larger than {MAX_DATA_URL // 1024} KB")
            response = super().fetch(url, headers)
            body = response.read(MAX_DATA_URL + 1)
            self._check_image(url, body)
            return URLFetcherResponse(response.url, body, response.headers)
        if scheme != "file":
            self._refuse(url, "makeprint renders offline and fetches nothing from the network")
        try:
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                self._refuse(url, f"the file URL names another machine ({parts.netloc})")
            path = Path(unquote(parts.path)).resolve()  # follows every symlink
            inside = any(path.is_relative_to(root) for root in self.allowed)
            is_file = inside and path.is_file()  # a FIFO or device is not a file
            size = path.stat().st_size if is_file else 0
        except (OSError, ValueError, RuntimeError) as exc:
            if str(exc).startswith(MARKER):
                raise
            self._refuse(url, f"not a readable file path ({exc})")
        if not inside:
            self._refuse(url, "outside the project's templates/, assets/ and content/ folders")
        if not is_file:
            self._refuse(url, "file not found")
        if size > MAX_FILE:
            self._refuse(url, f"file larger than {MAX_FILE // (1024 * 1024)} MB")
        with open(path, "rb") as handle:
            body = handle.read(MAX_FILE + 1)
        if len(body) > MAX_FILE:
            self._refuse(url, f"file larger than {MAX_FILE // (1024 * 1024)} MB")
        self._check_image(url, body)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body, {"Content-Type": mime})

    def _check_image(self, url: str, body: bytes) -> None:
        """Refuse a raster image whose header promises more pixels than the bound."""
        if not body.startswith(_RASTER_MAGIC):
            return
        from PIL import Image  # WeasyPrint's own dependency; reads only the header here

        bound = f"larger than the {MAX_IMAGE_PIXELS // 1_000_000} million pixels allowed"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with Image.open(io.BytesIO(body)) as image:
                    width, height = image.size
        except Image.DecompressionBombError:  # past Pillow's own, larger bound
            self._refuse(url, f"image is {bound} (a decompression bomb?)")
        except Exception:  # not an image after all, or a broken one: WeasyPrint reports it
            return
        if width * height > MAX_IMAGE_PIXELS:
            self._refuse(url, f"image of {width} × {height} pixels is {bound}")

    # --- reporting -----------------------------------------------------------------------

    def problems(self, where: str, base: Path, fallback: str) -> list[Problem]:
        """One error per refused URL, at the template or stylesheet (and line) that asked.

        ``base`` is the file relative references in the HTML were resolved against (the
        material's template); ``fallback`` names the file to blame when no file in the
        project spells out the URL (it was built from a variable, say).
        """
        found = []
        for refusal in dict.fromkeys(self.refusals):
            path, line = self.locate(refusal.url, base) or (fallback, None)
            if refusal.attachment:
                hint = "remove rel=attachment: printed materials carry no embedded files"
            elif refusal.url.split(":", 1)[0].lower() in ("file", "data"):
                hint = "put the file under assets/ (a small file) and refer to it there"
            else:
                hint = "download the file into assets/ and refer to it there"
            found.append(
                Problem(
                    f"{where}: refused to load {refusal.shown}: {refusal.why}",
                    path=path,
                    line=line,
                    hint=hint,
                )
            )
        return found

    def locate(self, url: str, base: Path) -> tuple[str, int] | None:
        """The project file (and line) whose text refers to ``url``, if one does."""
        wanted = _comparable(url)
        for file, against in self._sources(base):
            try:
                text = file.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            base_url = path2url(str(against))
            for pattern in _REFERENCE_RES:
                for match in pattern.finditer(text):
                    raw = (match["a"] or match["b"] or match["c"] or "").strip()
                    if not raw or "{{" in raw or "{%" in raw:
                        continue
                    try:
                        joined = iri_to_uri(urljoin(base_url, raw))
                    except ValueError:
                        continue
                    if _comparable(joined) == wanted:
                        line = text.count("\n", 0, match.start()) + 1
                        return display_path(file, self.root), line
        return None

    def _sources(self, base: Path) -> Iterator[tuple[Path, Path]]:
        """Files that may name a URL, each with the file its references resolve against."""
        templates = self.root / "templates"
        seen = set()

        def once(path: Path) -> bool:
            key = path.resolve()
            if key in seen or not path.is_file():
                return False
            seen.add(key)
            return True

        if once(base):
            yield base, base
        for page in sorted(templates.rglob("*.html")):
            if once(page):
                yield page, base  # extended and included templates share the page's base
        for folder in (templates, self.root / "assets"):
            for pattern in ("*.css", "*.svg"):
                for path in sorted(folder.rglob(pattern)):
                    if once(path):
                        yield path, path


def _comparable(url: str) -> str:
    """A URL as compared when locating it: file URLs without query or fragment, unquoted."""
    if url.lower().startswith("file:"):
        parts = urlsplit(url)
        return "file://" + unquote(parts.path)
    return url


def _common_parent(paths: list[Path]) -> Path:
    parents = {p.parent for p in paths}
    return parents.pop() if len(parents) == 1 else Path("/")
