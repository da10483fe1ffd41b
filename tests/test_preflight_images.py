"""The image check fed laid-out images built by hand: a raster of so many pixels in a box of
so many CSS pixels. The mutation guards of ``preflight.images``."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from test_preflight_checks import doc

from makeprint_engine.preflight.findings import Finding
from makeprint_engine.preflight.images import MIN_IMAGE_DPI, image_problems
from makeprint_engine.preflight.layout import Image, Layout


class RasterImage:  # named as WeasyPrint's, which is what the check asks of a replacement
    def __init__(self, width: int | None, height: int | None) -> None:
        self.width, self.height = width, height


class SVGImage(RasterImage):
    pass


def image(px: tuple[int | None, int | None], box_px: tuple[float, float], *, src: str | None =
          "../../assets/photo.jpg", scale: float = 1.0, page: int = 1, element: str = "img.photo",
          replacement: type = RasterImage, has_element: bool = True) -> Image:
    box = SimpleNamespace(replacement=replacement(*px), width=box_px[0], height=box_px[1],
                          element={"src": src} if has_element else None)
    return Image(page, box, element, "card front", None, scale)


def check(*images: Image) -> list[Finding]:
    d = doc([])
    d.layout = Layout([], list(images))
    return image_problems(d)


def test_an_image_below_300_dpi() -> None:
    """600 × 300 px in a box of 96 × 48 CSS px (1 × 0.5 in): 600 and 600 dpi; in 192 × 96:
    300 dpi; in 384 × 192 (4 × 2 in): 150 dpi."""
    assert check(image((600, 300), (96, 48))) == []
    assert check(image((600, 300), (192, 96))) == []
    (found,) = check(image((600, 300), (384, 192)))
    assert found == Finding(
        "photo.jpg is 600 × 300 px printed at 101.6 × 50.8 mm: 150 dpi, below 300 dpi",
        severity="warning", check="resources", location="east-harbor", lang="en",
        material="wallet-card", page=1, element="img.photo", region="card front",
        hint="use an image of at least 1200 × 600 px, or an SVG")


def test_the_lower_of_the_two_resolutions() -> None:
    (found,) = check(image((600, 100), (192, 96)))  # 300 dpi across, 100 dpi down
    assert ": 100 dpi, below 300 dpi" in found.message
    (found,) = check(image((100, 600), (96, 192)))
    assert ": 100 dpi, below 300 dpi" in found.message


def test_half_a_dpi_of_rounding() -> None:
    inches = 1 / (MIN_IMAGE_DPI - 0.5)  # 1 px at exactly 299.5 dpi
    assert check(image((100, 100), (100 * inches * 96, 100 * inches * 96))) == []
    inches = 1 / (MIN_IMAGE_DPI - 0.6)
    assert len(check(image((100, 100), (100 * inches * 96, 100 * inches * 96)))) == 1


def test_scale_counts() -> None:
    assert check(image((600, 300), (384, 192), scale=0.5)) == []
    (found,) = check(image((600, 300), (192, 96), scale=2))
    assert ": 150 dpi" in found.message


@pytest.mark.parametrize("px", [(None, 300), (600, None)])
def test_unknown_pixels_are_skipped(px: tuple[int | None, int | None]) -> None:
    assert check(image(px, (384, 192))) == []


def test_vector_images_and_empty_boxes_are_skipped() -> None:
    assert check(image((60, 30), (384, 192), replacement=SVGImage)) == []
    assert check(image((60, 30), (0, 192)), image((60, 30), (384, 0)),
                 image((60, 30), (-1, 192))) == []


def test_skipped_images_do_not_stop_the_check() -> None:
    found = check(image((60, 30), (384, 192), replacement=SVGImage),
                  image((None, 30), (384, 192)), image((60, 30), (0, 192)),
                  image((600, 300), (96, 48)), image((600, 300), (384, 192)))
    assert len(found) == 1


def test_the_same_image_in_the_same_place_once() -> None:
    found = check(image((600, 300), (384, 192)), image((600, 300), (384, 192)),
                  image((600, 300), (384, 192), page=2),
                  image((600, 300), (384, 192), element="img.other"),
                  image((600, 300), (384, 192), src="../../assets/other.jpg"))
    assert [(f.page, f.element, f.message.split(" ")[0]) for f in found] == [
        (1, "img.photo", "photo.jpg"), (2, "img.photo", "photo.jpg"),
        (1, "img.other", "photo.jpg"), (1, "img.photo", "other.jpg")]


def test_names_of_images_without_a_file() -> None:
    for fields in ({"src": "data:image/png;base64,AAAA"}, {"src": None}, {"src": ""},
                   {"has_element": False}):
        (found,) = check(image((600, 300), (384, 192), **fields))  # type: ignore[arg-type]
        assert found.message.startswith("image is 600 × 300 px"), fields


def test_needed_pixels_round_up() -> None:
    (found,) = check(image((100, 100), (100.5, 100.5)))  # 1.046875 in: 314.06 px needed
    assert found.hint == "use an image of at least 315 × 315 px, or an SVG"
    assert MIN_IMAGE_DPI == 300


def test_boxes_without_a_replacement_or_its_size_are_skipped() -> None:
    bare = Image(1, SimpleNamespace(width=384, height=192, element=None), "img", None, None, 1.0)

    class RasterImage:  # noqa: F811 - a raster without width or height attributes
        pass

    for replacement in (RasterImage(), type("RasterImage", (), {"width": 60})()):
        box = SimpleNamespace(replacement=replacement, width=384, height=192, element=None)
        assert check(Image(1, box, "img", None, None, 1.0)) == []
    assert check(bare) == []
