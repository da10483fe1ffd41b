"""The only way rendering reads anything: files under the project's own folders, nothing else."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

MAX_DATA_URL = 1024 * 1024
MAX_FILE = 20 * 1024 * 1024


class SandboxFetcher(URLFetcher):
    """Serves files below the allowed folders and small ``data:`` URLs; refuses all else.

    Refusals are recorded in ``refused`` so the renderer can turn them into errors naming
    what asked, rather than leaving WeasyPrint to log and carry on.
    """

    def __init__(self, allowed: list[Path]):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.allowed = [p.resolve() for p in allowed]
        self.refused: list[tuple[str, str]] = []

    def _refuse(self, url: str, why: str) -> None:
        self.refused.append((url, why))
        raise ValueError(f"refused {url}: {why}")

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            if len(url) > MAX_DATA_URL:
                self._refuse(url[:60] + "…", f"data: URL larger than {MAX_DATA_URL} bytes")
            return super().fetch(url, headers)
        if scheme != "file":
            self._refuse(url, "makeprint renders offline and fetches nothing from the network")
        path = Path(unquote(urlsplit(url).path)).resolve()
        if not any(path.is_relative_to(root) for root in self.allowed):
            self._refuse(url, "outside the project's templates/, assets/ and content/ folders")
        if not path.is_file():
            self._refuse(url, "file not found")
        if path.stat().st_size > MAX_FILE:
            self._refuse(url, f"file larger than {MAX_FILE // (1024 * 1024)} MB")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})
