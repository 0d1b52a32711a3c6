"""Figures that several notebooks draw: learning curves, one digit's probabilities, mistakes.

Notebook 03 introduces learning curves and notebook 04 the probabilities of one digit and the
most confident mistakes; the later notebooks and the solutions draw the same figures with these
functions. Both lay their panels out with
``layout="constrained"``, so that titles never overlap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def learning_curves(history: Mapping[str, Sequence[float]], title: str):
    """Plot loss and accuracy per epoch, training against validation, side by side.

    Args:
        history: ``History.history`` of a Keras ``fit`` with validation data, or a dict like it:
            ``"loss"`` and ``"val_loss"`` (mean cross-entropy in nats) and ``"accuracy"`` and
            ``"val_accuracy"`` (fractions in [0, 1]), one value per epoch.
        title: The figure's title.

    Returns:
        The ``matplotlib.figure.Figure`` (made with pyplot, so that ``plt.show()`` shows it), laid
        out with ``layout="constrained"`` so that the title never touches the panels' titles; the
        epoch axes have whole-number ticks.

    Raises:
        KeyError: A key above is missing from ``history``.

    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    marker = "o-" if len(epochs) <= 15 else "-"
    for prefix, label in (("", "training"), ("val_", "validation")):
        ax_loss.plot(epochs, history[prefix + "loss"], marker, label=label)
        ax_acc.plot(epochs, 100 * np.asarray(history[prefix + "accuracy"]), marker, label=label)
    ax_loss.set(title="Loss", xlabel="epoch", ylabel="cross-entropy (nats)")
    ax_acc.set(title="Accuracy", xlabel="epoch", ylabel="accuracy (%)")
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs only
        ax.legend()
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    return fig


def most_confident_mistakes(labels: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Return the indices of the wrong predictions, the most confident first.

    Args:
        labels: (N,) true digits.
        probabilities: (N, 10) predicted probabilities; the prediction is the most probable digit.

    """
    predicted, confidence = probabilities.argmax(axis=1), probabilities.max(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    return wrong[np.argsort(confidence[wrong])[::-1]]


def mistakes_grid(
    images: np.ndarray,
    labels: np.ndarray,
    probabilities: np.ndarray,
    count: int,
    title: str,
    columns: int = 6,
):
    """Show the ``count`` most confident mistakes: the wrong answers given with most probability.

    Args:
        images: (N, 28, 28) or (N, 28, 28, 1) images, values in [0, 1].
        labels: (N,) true digits.
        probabilities: (N, 10) predicted probabilities (each row sums to 1).
        count: How many mistakes to show (fewer if there are fewer).
        title: The figure's title.
        columns: Images per row.

    Returns:
        The ``matplotlib.figure.Figure``; each image is titled with the true digit, the predicted
        one and the model's confidence in it, in red.

    """
    import matplotlib.pyplot as plt

    predicted, confidence = probabilities.argmax(axis=1), probabilities.max(axis=1)
    shown = most_confident_mistakes(labels, probabilities)[:count]
    rows = max(1, -(-len(shown) // columns))
    size = (1.7 * columns, 2.0 * rows + 0.4)
    fig, axes = plt.subplots(rows, columns, figsize=size, layout="constrained", squeeze=False)
    for ax, i in zip(axes.flat, shown, strict=False):
        ax.imshow(images[i].squeeze(), cmap="gray", vmin=0, vmax=1)
        ax.set_title(
            f"true {labels[i]}, pred {predicted[i]}\n{confidence[i]:.1%}", fontsize=9, color="red"
        )
    for ax in axes.flat:
        ax.axis("off")
    fig.suptitle(title)
    return fig


def probability_bars(image: np.ndarray, probabilities: np.ndarray, label: int, name: str):
    """Show one digit beside the bars of its ten predicted probabilities, in percent.

    Args:
        image: (28, 28) or (28, 28, 1) image, values in [0, 1].
        probabilities: (10,) predicted probabilities (a softmax output, summing to 1).
        label: The true digit, 0-9; its tick is green.
        name: What the image is called in its title, e.g. ``"x_test[42]"``.

    Returns:
        The ``matplotlib.figure.Figure``; the most probable digit's bar is orange, each bar is
        labelled with its percentage.

    """
    import matplotlib.pyplot as plt

    top = int(np.argmax(probabilities))
    fig, (ax_img, ax_bar) = plt.subplots(
        1, 2, figsize=(9, 3.4), width_ratios=[1, 2.4], layout="constrained"
    )
    ax_img.imshow(np.squeeze(image), cmap="gray", vmin=0, vmax=1)
    ax_img.set_title(f"{name}, true label {label}")
    ax_img.axis("off")
    colours = ["tab:orange" if d == top else "tab:blue" for d in range(10)]
    bars = ax_bar.bar(range(10), 100 * np.asarray(probabilities), color=colours)
    ax_bar.bar_label(bars, fmt="%.1f", fontsize=8)
    ax_bar.set(
        title=f"Predicted probabilities: {top} is the most probable (orange)",
        xlabel=f"digit (the true digit, {label}, in green)",
        ylabel="probability (%)",
        xticks=range(10),
        ylim=(0, 108),
    )
    ax_bar.get_xticklabels()[label].set(color="tab:green", fontweight="bold")
    return fig
