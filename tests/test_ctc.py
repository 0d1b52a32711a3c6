"""The CTC reader's parts: strips and targets (``strips``), the collapse rule, decoding and the
network's shapes (``ctc``)."""

import keras
import numpy as np
import pytest
from PIL import Image

import digitrec
from digitrec import ctc, strips


def page_with_bars(width=300, height=120, bars=((40, 60), (120, 150))):
    """Dark bars ("ink") from row 30 to 90 on light paper, at the given column ranges."""
    page = np.full((height, width), 230, np.uint8)
    for left, right in bars:
        page[30:90, left:right] = 20
    return Image.fromarray(page)


def test_a_strip_is_the_ink_scaled_to_twenty_rows_with_margins():
    strip = strips.to_strip(page_with_bars())
    assert strip.pixels.shape[0] == strips.STRIP_HEIGHT and strip.pixels.dtype == np.float32
    assert (strip.left, strip.top, strip.height) == (40, 30, 60)
    assert strip.scale == pytest.approx(3.0, rel=0.02)
    rows = np.nonzero(strip.pixels.max(axis=1) > 0.5)[0]
    assert (rows.min(), rows.max()) == (4, 23)  # 20 rows of ink, 4 blank above and below
    assert strip.pixels.shape[1] == round(110 / 3) + 2 * strips.SIDE_MARGIN


def test_strip_columns_map_back_to_the_picture():
    strip = strips.to_strip(page_with_bars())
    assert strip.to_image_columns(strips.SIDE_MARGIN, strips.SIDE_MARGIN + 10) == (40, 70)
    assert strip.to_image_columns(0, 10_000) == (40, 150)  # clipped to the ink


def test_a_narrow_picture_gives_at_least_one_window():
    strip = strips.to_strip(page_with_bars(bars=((100, 104),)))
    assert strip.pixels.shape[1] >= strips.MIN_WIDTH


def test_a_blank_page_is_no_digit():
    with pytest.raises(digitrec.NoInkError, match="no digit found"):
        strips.to_strip(Image.fromarray(np.full((50, 80), 200, np.uint8)))


def test_pad_batch_pads_on_the_right_to_a_multiple_of_the_stride():
    batch = strips.pad_batch([np.ones((28, 33), np.float32), np.ones((28, 38), np.float32)])
    assert batch.shape == (2, 28, 40, 1)
    assert (
        batch[0, :, 33:].max() == 0 and batch[1, :, :38].min() == 1 and batch[1, :, 38:].max() == 0
    )


def test_targets_are_digits_plus_one_padded_with_the_blank():
    assert strips.encode_texts(["2026", "7"], length=5).tolist() == [
        [3, 1, 3, 7, 0],
        [8, 0, 0, 0, 0],
    ]


@pytest.mark.parametrize("text", ["", "12a", "123456789"])
def test_bad_targets_are_refused(text):
    with pytest.raises(ValueError, match="1 to 8 digits"):
        strips.encode_texts([text])


def test_collapse_merges_repeats_then_drops_blanks():
    assert ctc.collapse([0, 3, 3, 0, 3, 5, 5]) == [(2, 1, 2), (2, 4, 4), (4, 5, 6)]
    assert ctc.collapse([0, 0, 0]) == []
    assert ctc.collapse([]) == []


def test_greedy_and_beam_decoding_read_a_clear_path():
    path = [0, 3, 3, 0, 3, 5, 0]
    logits = np.full((1, len(path), 11), -5.0, np.float32)
    logits[0, np.arange(len(path)), path] = 5.0
    assert ctc.decode(logits) == ["224"]
    assert ctc.decode(logits, "beam_search") == ["224"]
    with pytest.raises(ValueError, match="strategy"):
        ctc.decode(logits, "best")


def test_training_strips_follow_the_spacing_weights(mnist_file):
    x, y = digitrec.load_mnist(mnist_file)[1]
    _, texts, spacings = strips.training_strips(
        x[:50], y[:50], 6, seed=0, lengths=[2], weights=(0, 0, 1, 0)
    )
    assert spacings == ["touching"] * 6 and [len(t) for t in texts] == [2] * 6


@pytest.mark.parametrize("weights", [(1, 1, 1), (1, -1, 1, 1), (0, 0, 0, 0)])
def test_bad_spacing_weights_are_refused(weights):
    with pytest.raises(ValueError, match="weights must be 4 non-negative numbers"):
        strips.training_strips(np.zeros((1, 28, 28), np.uint8), np.zeros(1), 1, 0, weights=weights)


@pytest.mark.parametrize("seed", [None, 0, 1, 2])
def test_strip_batches_start_with_two_widths_so_keras_leaves_the_width_open(seed):
    """Keras fixes a PyDataset's shapes from its first two batches: they must differ in width."""
    narrow, wide = np.ones((28, 40), np.float32), np.ones((28, 150), np.float32)
    batches = strips.StripBatches([narrow] * 40 + [wide] * 4, ["1"] * 44, batch_size=4, seed=seed)
    for _ in range(3):
        assert batches[0][0].shape[2] != batches[1][0].shape[2]
        batches.on_epoch_end()
    assert sorted(np.concatenate(batches.batches).tolist()) == list(range(44))


def test_strip_batches_train_a_reader_for_an_epoch():
    """``model.fit`` takes the batches of several widths (a regression test for fixed shapes)."""
    rng = np.random.default_rng(0)
    pixels = [rng.random((28, width), np.float32) for width in [40] * 12 + [100] * 2]
    model = ctc.crnn()
    model.compile(optimizer="adam", loss=keras.losses.CTC())
    history = model.fit(strips.StripBatches(pixels, ["12"] * 14, 4), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_the_network_gives_one_frame_per_stride_for_any_width():
    model = ctc.crnn()
    for width in (strips.MIN_WIDTH, 64, 100):
        logits = model(np.zeros((2, 28, width, 1), np.float32))
        assert tuple(logits.shape) == (2, ctc.frames(width), 11)


def test_the_saved_reader_is_an_inference_model():
    """``model(x)``, ``model(x, training=False)`` and ``model.predict(x)`` agree (no dropout)."""
    model = digitrec.load_model(digitrec.find_model("12_ctc"))
    x = strips.pad_batch([strips.to_strip(page_with_bars()).pixels] * 2)
    calls = [model(x), model(x, training=False), model.predict(x, verbose=0)]
    assert all(np.allclose(np.asarray(c), np.asarray(calls[2]), atol=1e-5) for c in calls)
    assert not any(layer.__class__.__name__.startswith("Random") for layer in model.layers)
