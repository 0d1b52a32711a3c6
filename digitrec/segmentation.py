"""Cut the ink of a handwritten number into pieces, one per digit: the steps of segmentation.

``digitrec.reading.read_number(..., method="segment")`` reads a number in these steps (Casey and
Lecolinet, "A survey of methods and strategies in character segmentation", IEEE PAMI 18(7),
1996): ``find_pieces`` (connected components without specks), ``merge_pieces`` (the strokes of
one digit), ``join_fragments`` (a stroke cut off by a gap in the ink), all three in
``segment``; then, for a piece wider than a digit, the candidate cuts of ``cut_columns`` and
``cut``, which ``digitrec.reading.split_piece`` scores with the model.

Every setting is a field of ``ReadingParams``, passed in (``params=``); ``DEFAULT`` holds the
values that notebook 10 measured.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import ndimage

from digitrec.errors import NoInkError


@dataclasses.dataclass(frozen=True)
class ReadingParams:
    """The settings of reading by segmentation; widths and heights in units of the line height.

    The line height is the median height of the pieces (``line_height``). Change one with
    ``dataclasses.replace(DEFAULT, merge_overlap=0.3)``; notebook 10's exercises measure them.

    Attributes:
        ink_threshold: Ink is where ``ink_on_black`` (strongest ink 1, paper 0) is over this
            level. Lower than ``to_mnist``'s 0.5, so that a faint or thin stroke does not break a
            digit into pieces.
        speck_fraction: Pieces with fewer pixels than this share of the largest are specks,
            and dropped.
        merge_overlap: Two pieces are one digit when this share of the narrower one's columns
            lies within the other.
        one_digit: A piece up to this wide is one digit.
        maybe_one: From ``one_digit`` to this wide, a piece is one digit unless a cut reads more
            confidently; wider, it holds several digits and the leftmost is cut off. A digit cut
            off is at most this wide.
        min_part: A cut leaves at least this on each side (a 1 is about 0.2 wide).
        max_cuts: At most this many cuts (the lowest minima of the vertical ink profile) are
            tried.
        reject_in_split: Whether a cut's score counts a half that the rejection rule marks
            "not a digit" as 0 (True) or scores it by its probability (False); notebook 10
            measures both.
        fragment_height: A piece lower than this is part of a digit (a stroke cut off by a gap
            in the ink) and is joined to the nearest piece; so is one lower than
            ``sliver_height`` and narrower than ``sliver_width`` (the loose end of a 4). A 1 is
            narrow too, but as tall as the line.
        sliver_height: See ``fragment_height``.
        sliver_width: See ``fragment_height``.

    """

    ink_threshold: float = 0.35
    speck_fraction: float = 0.02
    merge_overlap: float = 0.5
    one_digit: float = 0.9
    maybe_one: float = 1.5
    min_part: float = 0.15
    max_cuts: int = 5
    reject_in_split: bool = True
    fragment_height: float = 0.5
    sliver_height: float = 0.75
    sliver_width: float = 0.35


#: The settings that ``read_number(..., method="segment")`` uses unless given others.
DEFAULT = ReadingParams()

#: A piece is (top, left, mask): its box's top row and left column in the image, and a bool
#: (h, w) mask of its ink pixels within the box.
Piece = tuple[int, int, np.ndarray]


def find_pieces(ink: np.ndarray, params: ReadingParams = DEFAULT) -> list[Piece]:
    """Cut ink into connected pieces, without specks, sorted left to right.

    Args:
        ink: (H, W) float array in [0, 1], ink bright on black (``ink_on_black``).
        params: The settings (``ink_threshold``, ``speck_fraction``).

    Returns:
        The pieces (see ``Piece``) of 8-connected ink over ``params.ink_threshold`` holding at
        least ``params.speck_fraction`` of the largest one's pixels, by their left column.

    Raises:
        NoInkError: No pixel is over ``params.ink_threshold``.

    """
    labels, count = ndimage.label(ink > params.ink_threshold, structure=np.ones((3, 3), dtype=bool))
    if count == 0:
        raise NoInkError("no digit found: the image is blank (no ink differs from the paper)")
    sizes = np.bincount(labels.ravel())[1:]
    pieces = []
    for number, box in enumerate(ndimage.find_objects(labels), start=1):
        if sizes[number - 1] >= params.speck_fraction * sizes.max():
            pieces.append((box[0].start, box[1].start, labels[box] == number))
    return sorted(pieces, key=lambda piece: piece[1])


def join(pieces: list[Piece]) -> Piece:
    """Join pieces into one: the union of their masks in the box that holds them all."""
    top = min(p[0] for p in pieces)
    left = min(p[1] for p in pieces)
    bottom = max(p[0] + p[2].shape[0] for p in pieces)
    right = max(p[1] + p[2].shape[1] for p in pieces)
    mask = np.zeros((bottom - top, right - left), dtype=bool)
    for row, col, piece_mask in pieces:
        mask[
            row - top : row - top + piece_mask.shape[0],
            col - left : col - left + piece_mask.shape[1],
        ] |= piece_mask
    return top, left, mask


def merge_pieces(pieces: list[Piece], params: ReadingParams = DEFAULT) -> list[Piece]:
    """Join the pieces of one digit: those sharing ``merge_overlap`` of the narrower's columns.

    Args:
        pieces: Pieces sorted by left column (``find_pieces``).
        params: The settings (``merge_overlap``).

    Returns:
        The merged pieces, sorted by left column. A piece is compared with the digit being built
        (all the pieces joined so far), so a digit of three strokes becomes one piece.

    """
    merged: list[Piece] = []
    for piece in sorted(pieces, key=lambda p: p[1]):
        if merged:
            top, left, mask = merged[-1]
            start, stop = piece[1], piece[1] + piece[2].shape[1]
            shared = min(stop, left + mask.shape[1]) - max(start, left)
            if shared >= params.merge_overlap * min(stop - start, mask.shape[1]):
                merged[-1] = join([merged[-1], piece])
                continue
        merged.append(piece)
    return merged


def cut_columns(mask: np.ndarray, line: float, params: ReadingParams = DEFAULT) -> list[int]:
    """Candidate columns to cut the leftmost digit off a piece, the most likely first.

    Args:
        mask: (h, w) bool ink of one piece.
        line: The line height in pixels (``line_height``).
        params: The settings (``max_cuts``, ``min_part``, ``maybe_one``).

    Returns:
        Up to ``params.max_cuts`` columns c (cut between c - 1 and c) that leave at least
        ``min_part`` × line columns on each side and at most ``maybe_one`` × line on the left:
        the local minima of the vertical ink profile (ink pixels per column, smoothed over 3
        columns), lowest first; an empty list for a piece too narrow to cut.

    """
    width = mask.shape[1]
    margin = max(1, round(params.min_part * line))
    profile = ndimage.uniform_filter1d(mask.sum(axis=0).astype(float), 3, mode="nearest")
    inner = np.arange(margin, min(width - margin, round(params.maybe_one * line)) + 1)
    if inner.size == 0:
        return []
    padded = np.pad(profile, 1, mode="edge")  # padded[c + 1] is profile[c]
    before, here, after = padded[inner], padded[inner + 1], padded[inner + 2]
    minima = inner[(before >= here) & (after >= here)]
    minima = minima if minima.size else inner
    return [int(c) for c in minima[np.argsort(profile[minima], kind="stable")][: params.max_cuts]]


def cut(
    piece: Piece, column: int, line: float, params: ReadingParams = DEFAULT
) -> tuple[Piece, Piece] | None:
    """Cut a piece at ``column`` into left and right pieces trimmed to their ink.

    Returns None when a half is lower than ``params.fragment_height`` × ``line`` (or empty): a digit
    is as tall as the writing, and a corner of a stroke, enlarged by ``to_mnist``, would
    otherwise be read as a confident 0 or 1.
    """
    top, left, mask = piece
    halves = []
    for part, offset in ((mask[:, :column], 0), (mask[:, column:], column)):
        rows, cols = np.nonzero(part)
        if rows.size == 0 or rows.max() + 1 - rows.min() < params.fragment_height * line:
            return None
        box = part[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
        halves.append((top + rows.min(), left + offset + cols.min(), box))
    return halves[0], halves[1]


def piece_image(ink: np.ndarray, piece: Piece) -> np.ndarray:
    """Return the grey ink of one piece alone, with a black border, ready for ``to_mnist``.

    The piece's mask is widened by 2 px (within its box) so that the soft edges of its strokes
    are kept; ink of other pieces outside the widened mask is left out.

    Returns:
        (h + 8, w + 8) float32 array in [0, 1], ink bright on black.

    """
    top, left, mask = piece
    window = ink[top : top + mask.shape[0], left : left + mask.shape[1]]
    keep = ndimage.binary_dilation(mask, iterations=2)
    return np.pad(np.where(keep, window, 0.0).astype(np.float32), 4)


def line_height(pieces: list[Piece]) -> float:
    """Return the height of the writing, in pixels: the median height of the pieces."""
    return float(np.median([mask.shape[0] for _, _, mask in pieces]))


def _is_fragment(shape: tuple[int, int], line: float, params: ReadingParams) -> bool:
    """Whether a piece of (height, width) ``shape`` is too small to be a digit on its own."""
    height, width = shape
    return height < params.fragment_height * line or (
        height < params.sliver_height * line and width < params.sliver_width * line
    )


def join_fragments(
    pieces: list[Piece], line: float, params: ReadingParams = DEFAULT
) -> list[Piece]:
    """Join each fragment (see ``ReadingParams.fragment_height``) to its nearest neighbour.

    Args:
        pieces: Pieces sorted by left column (``merge_pieces``).
        line: The line height in pixels (``line_height``).
        params: The settings (``fragment_height``, ``sliver_height``, ``sliver_width``).

    Returns:
        The pieces, sorted by left column, with no fragment left alone (unless it is the only
        piece).

    """
    pieces = list(pieces)
    while len(pieces) > 1:
        low = [i for i, p in enumerate(pieces) if _is_fragment(p[2].shape, line, params)]
        if not low:
            break
        i = low[0]
        centre = pieces[i][1] + pieces[i][2].shape[1] / 2
        others = [j for j in range(len(pieces)) if j != i]
        j = min(others, key=lambda j: abs(pieces[j][1] + pieces[j][2].shape[1] / 2 - centre))
        joined = join([pieces[i], pieces[j]])
        pieces = sorted(
            [p for k, p in enumerate(pieces) if k not in (i, j)] + [joined], key=lambda p: p[1]
        )
    return pieces


def segment(ink: np.ndarray, params: ReadingParams = DEFAULT) -> tuple[list[Piece], float]:
    """Cut ink into the pieces that ``read_number(..., method="segment")`` splits and reads.

    Args:
        ink: (H, W) float ink in [0, 1], strongest ink 1 (``ink_on_black``).
        params: The settings of the steps.

    Returns:
        (pieces, line): the connected components with the strokes of one digit merged
        (``merge_pieces``) and fragments joined (``join_fragments``), left to right; and the
        line height in pixels (``line_height``).

    Raises:
        NoInkError: No pixel is over ``params.ink_threshold`` (``find_pieces``).

    """
    pieces = merge_pieces(find_pieces(ink, params), params)
    line = line_height(pieces)
    return join_fragments(pieces, line, params), line
