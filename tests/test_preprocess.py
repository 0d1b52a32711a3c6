"""Specification of digitrec.preprocess: any picture of a digit becomes an MNIST-like 28 x 28."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter
from scipy import ndimage

from digitrec import normalise, preprocess
from digitrec.preprocess import (
    MNIST_CENTRE,
    STEPS,
    ImageError,
    NoInkError,
    stroke_width,
    to_mnist,
    to_mnist_steps,
)


def similarity(a, b):
    """Cosine similarity of two images (1 = identical up to brightness)."""
    a, b = a.ravel(), b.ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture(scope="module")
def mnist_digits(mnist_file):
    from digitrec import load_mnist

    _, (x_test, y_test) = load_mnist(mnist_file, verbose=False)
    return x_test[:20], y_test[:20]


@pytest.fixture
def drawn_seven():
    """A black '7' drawn with a 12 px pen on a white 300 x 300 page, as a PIL 'L' image."""
    image = Image.new("L", (300, 300), 255)
    ImageDraw.Draw(image).line([(80, 70), (220, 70), (140, 240)], fill=0, width=12)
    return image


def test_output_is_28x28_float32_in_unit_range(drawn_seven):
    x = to_mnist(drawn_seven)
    assert x.shape == (28, 28) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0 and x.max() > 0.9


def test_digit_fits_a_20x20_box_and_keeps_its_aspect_ratio():
    image = Image.new("L", (400, 400), 255)
    ImageDraw.Draw(image).rectangle([180, 50, 219, 349], fill=0)  # 40 x 300 bar
    steps = to_mnist_steps(image)
    height, width = steps["box"].shape
    assert height == 20 and abs(width - 20 * 40 / 300) <= 1
    rows, cols = np.nonzero(steps["mnist"] > 0.05)
    assert rows.max() - rows.min() + 1 <= 20 and cols.max() - cols.min() + 1 <= 4


def test_the_steps_are_the_stages_called_one_after_the_other(drawn_seven):
    steps = to_mnist_steps(drawn_seven)
    assert tuple(steps) == STEPS, "to_mnist_steps returns the steps in the order of STEPS"
    assert STEPS == ("grey", "ink", "bilevel", "cropped", "box", "mnist")
    grey = preprocess.load_grey(drawn_seven)
    ink = preprocess.ink_on_black(grey)
    bilevel = preprocess.binarise(ink)
    cropped = normalise.crop_to_ink(bilevel)
    box = normalise.scale_into_box(cropped)
    stages = [grey, ink, bilevel, cropped, box, normalise.centre_by_mass(box)]
    for step, image in zip(STEPS, stages, strict=True):
        assert np.array_equal(steps[step], image), step
        assert steps[step].dtype == np.float32 and 0 <= steps[step].min() <= steps[step].max() <= 1
    assert bilevel.dtype == np.float32 and cropped.dtype == np.float32
    share_solid_or_paper = np.isin(bilevel, (0.0, 1.0)).mean()
    assert share_solid_or_paper > 0.97, "a sharp drawing stays black and white (a few grey edges)"
    assert 80 <= max(bilevel.shape) <= 320


def test_a_box_larger_than_20_px_is_refused():
    with pytest.raises(ValueError, match="must fit in 20 x 20 px, not 5 x 21"):
        normalise.centre_by_mass(np.ones((21, 5), dtype=np.float32))


def test_centre_of_mass_lands_where_mnist_has_it(drawn_seven):
    row, col = ndimage.center_of_mass(to_mnist(drawn_seven))
    assert abs(row - MNIST_CENTRE) <= 0.5 and abs(col - MNIST_CENTRE) <= 0.5


def test_mnist_digits_come_back_nearly_unchanged(mnist_digits):
    x, _ = mnist_digits
    scores = [similarity(to_mnist(digit), digit / 255.0) for digit in x]
    # the grey edges are kept (and anti-aliased once more), so strokes come back a little softer
    assert min(scores) > 0.65 and np.mean(scores) > 0.82


def test_dark_ink_on_light_paper_is_inverted(drawn_seven):
    light_on_dark = Image.fromarray(255 - np.asarray(drawn_seven))
    assert similarity(to_mnist(drawn_seven), to_mnist(light_on_dark)) > 0.99


def test_every_mode_and_bit_depth_gives_the_same_digit(drawn_seven):
    reference = to_mnist(drawn_seven)
    grey = np.asarray(drawn_seven)
    rgba = np.zeros((300, 300, 4), dtype=np.uint8)
    rgba[..., 3] = 255 - grey  # black ink on a transparent background
    variants = {
        "RGB": drawn_seven.convert("RGB"),
        "RGBA transparent": Image.fromarray(rgba, "RGBA"),
        "P": drawn_seven.convert("P"),
        "1": drawn_seven.convert("1"),
        "I;16": Image.fromarray(grey.astype(np.uint16) * 257),
        "uint8 array": grey,
        "uint16 array": grey.astype(np.uint16) * 257,
        "float array": grey / 255.0,
        "bool array": grey > 127,
        "RGB array": np.stack([grey] * 3, axis=2),
        "RGBA array": rgba,
    }
    for name, image in variants.items():
        assert similarity(to_mnist(image), reference) > 0.98, name


def test_files_are_read_by_path_or_contents(drawn_seven, tmp_path):
    for suffix in (".png", ".jpg", ".bmp", ".webp"):
        path = tmp_path / f"seven{suffix}"
        drawn_seven.save(path)
        assert similarity(to_mnist(path), to_mnist(drawn_seven)) > 0.97, suffix
        assert similarity(to_mnist(str(path)), to_mnist(drawn_seven)) > 0.97, suffix
        assert similarity(to_mnist(path.read_bytes()), to_mnist(drawn_seven)) > 0.97, suffix


def test_uneven_light_specks_and_jpeg_noise_are_ignored(drawn_seven):
    rows = np.linspace(0, 1, 300)[:, None]
    page = np.asarray(drawn_seven, dtype=np.float64) * (1.0 - 0.35 * rows)  # shadow at the bottom
    page[20:23, 270:273] = 0  # a speck of dust far from the digit
    image = Image.fromarray(page.astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.5))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=40)
    assert similarity(to_mnist(Image.open(buffer)), to_mnist(drawn_seven)) > 0.97


def small_seven(speck_column=None):
    """A black '7' 35 px tall (5 px pen) on a white 200 x 200 page, as a uint8 array.

    With ``speck_column``, a 2 x 2 speck on rows 107-108, whose left column it gives: left of the
    diagonal stroke, which starts at column 96 on row 108, inside the digit's bounding box
    (columns 85-117) or its 5 % margin. 4 pixels: about 1 % of the digit's ink, under the 2 %
    below which ``to_mnist`` drops specks.
    """
    image = Image.new("L", (200, 200), 255)
    ImageDraw.Draw(image).line([(85, 80), (115, 80), (95, 115)], fill=0, width=5)
    page = np.asarray(image).copy()
    if speck_column is not None:
        page[107:109, speck_column : speck_column + 2] = 0
    return page


@pytest.mark.parametrize("column", [84, 93], ids=["10 px from the stroke", "1 px from it"])
def test_a_speck_beside_a_small_digit_is_dropped(column):
    digit_ink = int((small_seven() < 128).sum())
    speck_ink = int((small_seven(column) < 128).sum()) - digit_ink
    assert speck_ink == 4 and speck_ink < 0.02 * digit_ink
    steps = to_mnist_steps(small_seven(column))
    assert max(steps["bilevel"].shape) == 80  # the small crop was enlarged to WORK_MIN
    assert ndimage.label(steps["bilevel"] > 0.5)[1] == 1
    assert np.array_equal(steps["mnist"], to_mnist(small_seven()))


def test_thin_strokes_are_thickened_to_mnist_width():
    image = Image.new("L", (1000, 1000), 255)
    ImageDraw.Draw(image).line([(300, 200), (700, 200), (450, 800)], fill=0, width=3)
    x = to_mnist(image)
    assert stroke_width(x > 0.5) >= 1.5


def test_stroke_width_of_a_bar():
    bar = np.zeros((100, 100), dtype=bool)
    bar[10:90, 40:46] = True
    assert stroke_width(bar) == pytest.approx(6, rel=0.15)
    assert stroke_width(np.zeros((5, 5), dtype=bool)) == 0.0


@pytest.mark.parametrize("level", [0, 128, 255])
def test_uniform_page_has_no_ink(level):
    with pytest.raises(NoInkError, match="no digit found"):
        to_mnist(Image.new("L", (200, 200), level))


def test_faint_noise_on_a_blank_page_is_not_a_digit():
    rng = np.random.default_rng(0)
    page = np.clip(235 + rng.normal(0, 4, (300, 300)), 0, 255).astype(np.uint8)
    with pytest.raises(NoInkError, match="blank"):
        to_mnist(page)


def test_all_black_page_says_so():
    with pytest.raises(NoInkError, match="uniformly dark"):
        to_mnist(np.zeros((50, 50), dtype=np.uint8))


def test_unusable_files_raise_one_sentence(bad_images, tmp_path):
    for name, words in bad_images.items():
        with pytest.raises(ImageError, match=words) as caught:
            to_mnist(tmp_path / name)
        message = str(caught.value)
        assert "\n" not in message and name not in message, name


def test_pixel_limit_can_be_lowered(drawn_seven):
    with pytest.raises(ImageError, match="too large"):
        to_mnist(drawn_seven, max_pixels=300 * 299)


def test_faint_ink_keeps_a_grey_level_and_solid_ink_is_full():
    ink = np.array([[0.1, 0.2, 0.35, 0.5, 0.8]], dtype=np.float32)
    assert np.allclose(preprocess.strokes(ink), [[0.0, 0.0, 0.5, 1.0, 1.0]])


def test_a_faint_stroke_joined_to_the_digit_is_kept_grey():
    page = np.full((200, 200), 255, dtype=np.uint8)
    page[40:160, 60:70] = 0  # a solid bar
    page[40:50, 70:140] = 165  # a faint stroke joined to it (ink 0.35 of the strongest)
    steps = to_mnist_steps(page)
    grey = (steps["bilevel"] > 0.3) & (steps["bilevel"] < 0.7)
    columns = np.nonzero(grey.any(axis=0))[0]
    assert columns.max() - columns.min() > 0.6 * steps["bilevel"].shape[1], "the stroke is kept"
    assert steps["box"].shape == (20, 14), "the crop spans bar and faint stroke: 130 x 90 px"


def test_faint_ink_apart_from_the_digit_is_dropped():
    page = np.full((200, 200), 255, dtype=np.uint8)
    page[40:160, 60:70] = 0
    page[20:30, 150:190] = 165  # a faint smudge, not touching the digit
    assert np.array_equal(to_mnist(page), to_mnist(np.where(page == 165, 255, page)))


# ----- the settings: PreprocessParams passed in -----------------------------------------------


def faint_stroke_page():
    page = np.full((200, 200), 255, dtype=np.uint8)
    page[40:160, 60:70] = 0  # a solid bar
    page[40:50, 70:140] = 165  # a faint stroke joined to it
    return page


def test_equal_faint_and_solid_levels_are_a_hard_threshold():
    ink = np.array([[0.1, 0.35, 0.5, 0.8]], dtype=np.float32)
    hard = preprocess.PreprocessParams(faint_ink=0.5)
    assert np.array_equal(preprocess.strokes(ink, hard), [[0.0, 0.0, 0.0, 1.0]])


def test_settings_passed_in_change_the_result_and_nothing_else():
    page, hard = faint_stroke_page(), preprocess.PreprocessParams(faint_ink=0.5)
    default = to_mnist(page)
    assert not np.array_equal(to_mnist(page, params=hard), default)
    assert np.array_equal(to_mnist(page), default)
    assert preprocess.FAINT_INK == preprocess.PreprocessParams().faint_ink == 0.2


def test_the_hard_threshold_has_one_level_and_drops_faint_strokes():
    page, hard = faint_stroke_page(), preprocess.HARD_THRESHOLD
    assert hard.faint_ink == hard.solid_ink == preprocess.SOLID_INK
    assert not np.array_equal(to_mnist(page, params=hard), to_mnist(page))
    assert np.array_equal(to_mnist(page, params=hard), to_mnist(np.where(page == 165, 255, page)))
