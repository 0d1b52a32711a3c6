"""The package's shared course code: data splits, networks, figures, model lookup, code display."""

import keras
import matplotlib
import numpy as np
import pytest
from helpers import ROOT

import digitrec
from digitrec import models, plots
from digitrec.paths import display_path
from digitrec.splits import load_splits

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def splits(mnist_file):
    return load_splits(mnist_file, layout="channels", verbose=False)


def test_splits_are_scaled_stratified_and_disjoint(splits):
    (x_fit, y_fit), (x_val, y_val), (x_test, y_test) = splits
    assert (len(x_fit), len(x_val), len(x_test)) == (55_000, 5_000, 10_000)
    assert x_fit.shape[1:] == (28, 28, 1) and x_fit.dtype == np.float32
    assert 0.0 == x_fit.min() and x_fit.max() == 1.0
    np.testing.assert_allclose(np.bincount(y_val) / 5000, np.bincount(y_fit) / 55000, atol=0.002)
    assert not set(map(bytes, x_val[:500])) & set(map(bytes, x_fit[:20000]))


def test_every_layout_holds_the_same_pixels(mnist_file, splits):
    vectors = load_splits(mnist_file, layout="vector", verbose=False)
    assert vectors[0][0].shape == (55_000, 784)
    np.testing.assert_array_equal(vectors[0][0][:10], splits[0][0][:10].reshape(10, 784))


def test_an_unknown_layout_is_refused(mnist_file):
    with pytest.raises(ValueError, match="layout must be one of image, channels, vector"):
        load_splits(mnist_file, layout="nchw")


def test_cnn_is_the_saved_cnn():
    saved = keras.models.load_model(ROOT / "model" / "07_cnn.keras", compile=False)
    built = models.cnn()
    assert [type(layer).__name__ for layer in built.layers] == [
        type(layer).__name__ for layer in saved.layers
    ]
    assert built.count_params() == saved.count_params(), "the recipe differs from the saved CNN"
    assert saved.count_params() == 317_066, "README.md quotes 317,066 parameters"


def test_augmentation_changes_images_only_in_training():
    x = np.random.default_rng(0).random((4, 28, 28, 1)).astype(np.float32)
    augment = models.augmentation()
    assert not np.allclose(keras.ops.convert_to_numpy(augment(x, training=True)), x)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(augment(x, training=False)), x)


def test_train_cnn_returns_a_network_without_random_layers(splits):
    (x_fit, y_fit), _, _ = splits
    network, history, _ = models.train_cnn(x_fit[:256], y_fit[:256], epochs=1)
    assert len(history["loss"]) == 1
    assert not any("Random" in type(layer).__name__ for layer in network._flatten_layers())
    x = x_fit[:64]
    direct = keras.ops.convert_to_numpy(network(x))
    np.testing.assert_allclose(direct, network.predict(x, verbose=0), atol=1e-5)


def test_with_augmentation_puts_the_network_last():
    network = models.cnn(filters=(4, 8), dense_units=16)
    trainer = models.with_augmentation(network)
    assert trainer.layers[-1] is network
    assert trainer.layers[0].name == "augmentation"


def test_learning_curves_draw_loss_and_accuracy():
    history = {
        "loss": [0.5, 0.3],
        "val_loss": [0.6, 0.4],
        "accuracy": [0.8, 0.9],
        "val_accuracy": [0.7, 0.85],
    }
    fig = plots.learning_curves(history, "a title")
    loss, accuracy = fig.axes
    assert fig.get_suptitle() == "a title"
    assert loss.get_ylabel() == "cross-entropy (nats)" and accuracy.get_ylabel() == "accuracy (%)"
    np.testing.assert_allclose(accuracy.lines[1].get_ydata(), [70, 85])


def test_learning_curves_title_touches_no_panel_title_and_epochs_are_whole():
    history = {key: list(np.linspace(0.1, 0.9, 12)) for key in ("loss", "val_loss")}
    history |= {key: list(np.linspace(0.5, 0.99, 12)) for key in ("accuracy", "val_accuracy")}
    fig = plots.learning_curves(history, "A long title, as the notebooks give their figures")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    suptitle = fig._suptitle.get_window_extent(renderer)
    for ax in fig.axes:
        assert not suptitle.overlaps(ax.title.get_window_extent(renderer))
        ticks = [t for t in ax.get_xticks() if 1 <= t <= 12]
        assert ticks and all(float(t).is_integer() for t in ticks)


def test_mistakes_grid_shows_the_most_confident_mistakes_first():
    images = np.zeros((4, 28, 28), np.float32)
    labels = np.array([1, 2, 3, 4])
    probabilities = np.full((4, 10), 0.01)
    probabilities[[0, 1, 2, 3], [1, 5, 6, 4]] = [0.9, 0.6, 0.8, 0.9]  # 1 and 2 wrong
    fig = plots.mistakes_grid(images, labels, probabilities, 5, "mistakes", columns=3)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["true 3, pred 6\n80.0%", "true 2, pred 5\n60.0%"]


def test_probability_bars_colour_the_top_bar_and_the_true_digits_tick():
    probabilities = np.full(10, 0.02)
    probabilities[[3, 8]] = [0.6, 0.24]
    fig = plots.probability_bars(np.zeros((28, 28, 1)), probabilities, 8, "x_test[7]")
    image_ax, bar_ax = fig.axes
    assert image_ax.get_title() == "x_test[7], true label 8"
    heights = [round(p.get_height(), 6) for p in bar_ax.patches]
    assert heights == [round(100 * p, 6) for p in probabilities]
    orange = [
        i
        for i, p in enumerate(bar_ax.patches)
        if p.get_facecolor() != bar_ax.patches[0].get_facecolor()
    ]
    assert orange == [3] and "3 is the most probable" in bar_ax.get_title()
    assert bar_ax.get_xticklabels()[8].get_color() == "tab:green"


def test_find_model_prefers_the_committed_models_to_the_output_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(digitrec.OUTPUT_DIR_ENV, str(tmp_path))
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "07_cnn.keras").write_bytes(b"fresh")
    assert digitrec.find_model("07_cnn") == (ROOT / "model" / "07_cnn.keras").resolve()
    (tmp_path / "model" / "42_new.keras").write_bytes(b"only here")
    assert digitrec.find_model("42_new") == (tmp_path / "model" / "42_new.keras").resolve()
    shown = display_path(digitrec.find_model("42_new"))
    assert shown == f"${digitrec.OUTPUT_DIR_ENV}/model/42_new.keras"


def test_find_model_says_which_notebook_to_run():
    with pytest.raises(
        digitrec.ModelError, match=r"model/42_none\.keras not found: run notebook 42"
    ):
        digitrec.find_model("42_none")


def test_find_model_finds_the_exports_of_notebook_11(tmp_path, monkeypatch):
    # An empty output folder: the suite's own may already hold notebook 11's fresh exports.
    monkeypatch.setenv(digitrec.OUTPUT_DIR_ENV, str(tmp_path))
    assert digitrec.find_model("07_cnn", ".onnx") == (ROOT / "model" / "07_cnn.onnx").resolve()
    with pytest.raises(digitrec.ModelError, match=r"model/07_cnn\.pt not found"):
        digitrec.find_model("07_cnn", ".pt")


def test_show_source_shows_the_code_itself():
    assert digitrec.show_source(models.cnn).data.startswith("def cnn(filters=(32, 64)")


def test_redraw_is_seeded_and_draws_dark_ink_on_light_paper(mnist_file):
    from digitrec.synthetic import digit_photos

    digit = np.load(mnist_file)["x_test"][0]
    first = digit_photos.redraw(digit, np.random.default_rng(7))
    again = digit_photos.redraw(digit, np.random.default_rng(7))
    assert first.size == (256, 256) and first.mode == "L"
    assert np.array_equal(np.asarray(first), np.asarray(again))
    pixels = np.asarray(first)
    assert np.median(pixels) > 190 and pixels.min() < 120
    assert 40 <= first.info["digit_size"] <= 200


def test_ink_to_photo_keeps_the_aspect_ratio_and_refuses_ink_larger_than_the_page():
    from digitrec.synthetic import digit_photos

    ink = np.zeros((28, 112), np.uint8)
    ink[8:20, 10:100] = 255
    photo = digit_photos.ink_to_photo(ink, np.random.default_rng(0), 50, (80, 300))
    assert photo.size == (300, 80)
    assert (np.asarray(photo) < 150).any(axis=0).sum() > 120  # ink spans ~4 × 50 px wide
    with pytest.raises(ValueError, match="does not fit"):
        digit_photos.ink_to_photo(ink, np.random.default_rng(0), 90, (80, 300))
