"""digitrec.distortions: Simard et al.'s elastic distortions and the batches that train on them."""

import numpy as np
import pytest
from scipy import ndimage

from digitrec.distortions import ElasticBatches, displacement_fields, elastic_distort


def digits(count=8, seed=0):
    """Bars of ink in the middle of 28 x 28 images, (count, 28, 28, 1) float32 in [0, 1]."""
    x = np.zeros((count, 28, 28, 1), np.float32)
    x[:, 6:22, 12:16] = np.random.default_rng(seed).uniform(0.5, 1.0, (count, 1, 1, 1))
    return x


def test_the_same_seed_gives_the_same_distortions_and_another_seed_others():
    x = digits()
    first = elastic_distort(x, np.random.default_rng(1))
    assert np.array_equal(first, elastic_distort(x, np.random.default_rng(1)))
    assert not np.allclose(first, elastic_distort(x, np.random.default_rng(2)))


def test_shape_dtype_and_range_are_kept_with_or_without_a_channel_axis():
    x = digits()
    for images in (x, x[..., 0]):
        out = elastic_distort(images, np.random.default_rng(0))
        assert out.shape == images.shape and out.dtype == np.float32
        assert out.min() >= 0 and out.max() <= images.max() + 1e-6


def test_the_fields_are_scipys_gaussian_filter_of_uniform_noise():
    """Two matrix products equal SciPy's filter, sigma 0 too (the speed-up changes nothing)."""
    for sigma in (4.0, 1.5, 0.0):
        fields = displacement_fields(5, (28, 20), np.random.default_rng(3), alpha=2.0, sigma=sigma)
        noise = np.random.default_rng(3).uniform(-1, 1, size=(2, 5, 28, 20)).astype(np.float32)
        smooth = ndimage.gaussian_filter(noise, sigma=(0, 0, sigma, sigma), mode="constant")
        assert np.allclose(fields, 2.0 * smooth, atol=1e-6)


def test_each_image_is_read_at_its_own_displaced_positions():
    """Bilinear reads, zero outside: the same as SciPy's map_coordinates on the whole batch."""
    x = digits(count=4)[..., 0]
    out = elastic_distort(x, np.random.default_rng(5))
    fields = displacement_fields(4, (28, 28), np.random.default_rng(5))
    index, rows, columns = np.meshgrid(np.arange(4), np.arange(28), np.arange(28), indexing="ij")
    where = np.stack([index, rows + fields[0], columns + fields[1]])
    expected = ndimage.map_coordinates(x, where, order=1, mode="constant", cval=0.0)
    assert np.allclose(out, expected, atol=1e-6)


def test_alpha_zero_leaves_the_images_unchanged():
    x = digits()
    assert np.allclose(elastic_distort(x, np.random.default_rng(0), alpha=0), x, atol=1e-6)


def test_simards_settings_move_pixels_by_about_one_and_a_half_pixels_in_the_middle():
    fields = displacement_fields(2000, (28, 28), np.random.default_rng(0))
    middle = fields[:, :, 10:18, 10:18].std()
    assert 1.1 < middle < 1.6
    assert fields.std() < middle  # the field fades towards the borders (zero padding)


def test_a_distorted_digit_keeps_most_of_its_ink_and_moves():
    x = digits()
    out = elastic_distort(x, np.random.default_rng(0))
    assert abs(out.sum() / x.sum() - 1) < 0.15  # over the batch: stretched and squeezed alike
    assert np.abs(out - x).max() > 0.3


@pytest.mark.parametrize("shape", [(28, 28), (4, 28, 28, 3), (4,)])
def test_images_of_another_shape_are_refused_in_one_sentence(shape):
    with pytest.raises(ValueError, match=r"expected \(N, H, W\) or \(N, H, W, 1\) images"):
        elastic_distort(np.zeros(shape), np.random.default_rng(0))


def test_batches_cover_every_image_once_an_epoch_with_its_own_label():
    x = digits(10)
    labels = np.arange(10)
    batches = ElasticBatches(x, labels, batch_size=4, seed=0)
    assert len(batches) == 3
    seen = []
    for index in range(len(batches)):
        images, y = batches[index]
        assert images.shape == (len(y), 28, 28, 1) and images.dtype == np.float32
        # each image's ink is its own (the bars differ in brightness): labels follow the images
        assert np.allclose(images.max(axis=(1, 2, 3)), x[y].max(axis=(1, 2, 3)), atol=0.15)
        seen += list(y)
    assert sorted(seen) == list(range(10))


def test_each_epoch_draws_new_distortions_and_a_new_order():
    batches = ElasticBatches(digits(16), np.arange(16), batch_size=16, seed=0)
    first_images, first_labels = batches[0]
    batches.on_epoch_end()
    second_images, second_labels = batches[0]
    assert not np.array_equal(first_labels, second_labels)
    order = np.argsort(second_labels)
    assert not np.allclose(first_images[np.argsort(first_labels)], second_images[order])


def test_images_and_labels_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        ElasticBatches(digits(3), np.arange(2))
