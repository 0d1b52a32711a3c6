"""Specification of the from-scratch NumPy network, imported from notebook 05's tagged cells."""

import numpy as np
import pytest
from helpers import ROOT

from digitrec._nbcode import load_tagged_cells

NOTEBOOK = ROOT / "notebooks" / "05_numpy_from_scratch.ipynb"


@pytest.fixture(scope="module")
def net():
    return load_tagged_cells(NOTEBOOK, "numpy-net")


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def test_gradient_check_passes_on_random_data(net, rng):
    params = net.init_params((12, 7, 5, 4), rng, dtype=np.float64)
    x = rng.standard_normal((9, 12))
    y = rng.integers(0, 4, size=9)
    assert max(net.gradient_check(params, x, y)) < 1e-6


def test_gradient_check_catches_a_wrong_backward_pass(net, rng, monkeypatch):
    params = net.init_params((6, 5, 3), rng, dtype=np.float64)
    x, y = rng.standard_normal((4, 6)), rng.integers(0, 3, size=4)
    correct_backward = net.backward

    def backward_without_relu_mask(params, layer_inputs, probabilities, y):
        return correct_backward(params, [np.abs(a) + 1 for a in layer_inputs], probabilities, y)

    monkeypatch.setattr(net, "backward", backward_without_relu_mask)
    assert max(net.gradient_check(params, x, y)) > 1e-2


def test_loss_of_equal_logits_is_log_of_class_count(net, rng):
    params = net.init_params((784, 16, 10), rng)
    params[-2][:] = 0
    loss, _ = net.loss_and_gradients(params, rng.random((5, 784), dtype=np.float32), np.arange(5))
    assert loss == pytest.approx(np.log(10), abs=1e-6)


def test_loss_of_a_known_case(net):
    # one layer, identity weights: logits equal the inputs; -log softmax([0, ln 3])[0] = ln 4
    params = [np.eye(2), np.zeros(2)]
    loss, grads = net.loss_and_gradients(params, np.array([[0.0, np.log(3.0)]]), np.array([0]))
    assert loss == pytest.approx(np.log(4.0))
    assert grads[1] == pytest.approx([0.25 - 1, 0.75])  # dL/db = P - Y


def test_log_softmax_is_stable_for_huge_logits(net):
    log_p = net.log_softmax(np.array([[1000.0, 0.0], [-1000.0, -1000.0]], dtype=np.float32))
    assert np.all(np.isfinite(log_p))
    assert log_p[0] == pytest.approx([0.0, -1000.0])
    assert log_p[1] == pytest.approx([-np.log(2), -np.log(2)])


def test_shapes_of_outputs_and_gradients(net, rng):
    params = net.init_params((784, 32, 16, 10), rng)
    logits, layer_inputs = net.forward(params, rng.random((8, 784), dtype=np.float32))
    assert logits.shape == (8, 10) and logits.dtype == np.float32
    assert [a.shape for a in layer_inputs] == [(8, 784), (8, 32), (8, 16)]
    _, grads = net.loss_and_gradients(
        params, rng.random((8, 784), dtype=np.float32), rng.integers(0, 10, size=8)
    )
    assert [g.shape for g in grads] == [p.shape for p in params]
    assert all(g.dtype == np.float32 for g in grads)


def test_he_initialisation_scale(net, rng):
    weights = net.init_params((784, 512, 10), rng)[0]
    assert weights.std() == pytest.approx(np.sqrt(2 / 784), rel=0.02)


@pytest.mark.parametrize(
    ("x_shape", "y_shape", "message"),
    [
        ((5, 28, 28), (5,), r"x must have shape \(N, 784\); got \(5, 28, 28\)"),
        ((5, 100), (5,), r"x must have shape \(N, 784\); got \(5, 100\)"),
        ((5, 784), (4,), r"y must have shape \(5,\) to match x; got \(4,\)"),
    ],
)
def test_mismatched_shapes_give_a_clear_error(net, rng, x_shape, y_shape, message):
    params = net.init_params((784, 8, 10), rng)
    with pytest.raises(ValueError, match=message):
        net.loss_and_gradients(params, np.zeros(x_shape, np.float32), np.zeros(y_shape, int))


def test_labels_out_of_range_are_rejected(net, rng):
    params = net.init_params((784, 8, 10), rng)
    with pytest.raises(ValueError, match=r"labels must be integers in 0..9"):
        net.loss_and_gradients(params, np.zeros((2, 784), np.float32), np.array([3, 10]))


def test_adam_matches_the_keras_update_rule(net):
    # one step from m = v = 0: the bias-corrected step is lr * g / (|g| + eps) = lr * sign(g)
    params = [np.array([1.0, -2.0, 3.0])]
    net.Adam(params, learning_rate=0.1).step(params, [np.array([0.5, -4.0, 0.0])])
    assert params[0] == pytest.approx([0.9, -1.9, 3.0], abs=1e-6)


def test_training_reduces_the_loss(net, rng):
    x = rng.standard_normal((256, 20)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int)
    params = net.init_params((20, 16, 2), rng)
    before, _ = net.evaluate(params, x, y)
    optimizer = net.SGDMomentum(params, learning_rate=0.1)
    for _ in range(20):
        net.train_epoch(params, optimizer, x, y, 32, rng)
    after, accuracy = net.evaluate(params, x, y)
    assert after < before / 2 and accuracy > 0.9


def test_loading_cells_with_an_unknown_tag_fails_clearly():
    with pytest.raises(ValueError, match="no code cell tagged 'nope'"):
        load_tagged_cells(NOTEBOOK, "nope")
