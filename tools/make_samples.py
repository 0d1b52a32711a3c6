"""Write the sample pictures images/sample_<digit>_<kind>.png and number_<text>_<kind>.png.

The pictures are drawn by ``digitrec.synthetic.pen_samples`` (pen strokes along hand-made digit
skeletons, as photos, a scan, a canvas drawing and chalk), each from a generator seeded with its
digit or number, so this script makes the committed files again, bit for bit.

Usage: python tools/make_samples.py [--force]   (existing files are kept unless --force)
"""

import argparse
from pathlib import Path

import numpy as np

from digitrec.synthetic import pen_samples

ROOT = Path(__file__).resolve().parent.parent


def write(path: Path, make, seed: int, force: bool) -> None:
    """Save ``make(default_rng(seed))`` at ``path``; keep an existing file unless ``force``."""
    if path.exists() and not force:
        print(f"kept {path.relative_to(ROOT)} (use --force to overwrite)")
        return
    make(np.random.default_rng(seed)).save(path, optimize=True)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1e3:.0f} kB)")


def main():
    """Write every sample (keeping existing files unless --force)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="overwrite existing samples")
    args = parser.parse_args()
    for digit, kind, make in pen_samples.SAMPLES:
        write(ROOT / "images" / f"sample_{digit}_{kind}.png", make, digit, args.force)
    for text, kind, make in pen_samples.NUMBERS:
        write(ROOT / "images" / f"number_{text}_{kind}.png", make, int(text), args.force)


if __name__ == "__main__":
    main()
