"""Draws handwritten-looking digits the way people photograph or scan them, for trying
`nn-train predict` and for the pictures of docs/10-using-the-network.md.

Each digit is a few pen strokes (smooth curves through hand-placed points) drawn with a
random slant, rotation, wobble and pen width, then put on paper: a clean white drawing
(PNG), a photo of blue or black ink on shaded, grainy paper (JPEG), pencil on grey paper,
chalk on a dark board. Seeded, so the same command draws the same pictures. Each file is named after its digit
(photo-3.jpg). With --not-digits it draws pictures that are no digit at all, or halfway between two,
for seeing what the network does with inputs unlike anything it was trained on.

    python3 docs/scripts/draw_digits.py OUT_DIR [--not-digits]   # pip install -r docs/scripts/requirements.txt
"""

import math
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

# Strokes in a unit box (x right, y down), each a list of points a smooth curve runs through.
STROKES = {
    0: [[(0.5, 0.04), (0.2, 0.2), (0.14, 0.55), (0.3, 0.92), (0.62, 0.95), (0.84, 0.62),
         (0.8, 0.22), (0.55, 0.04), (0.45, 0.08)]],
    1: [[(0.38, 0.2), (0.58, 0.04)], [(0.58, 0.04), (0.55, 0.5), (0.52, 0.96)]],
    2: [[(0.18, 0.28), (0.4, 0.06), (0.72, 0.1), (0.78, 0.35), (0.5, 0.66), (0.16, 0.94),
         (0.5, 0.9), (0.88, 0.92)]],
    3: [[(0.2, 0.14), (0.55, 0.04), (0.78, 0.2), (0.6, 0.42), (0.42, 0.47)],
        [(0.42, 0.47), (0.75, 0.58), (0.78, 0.82), (0.5, 0.96), (0.18, 0.86)]],
    4: [[(0.62, 0.04), (0.38, 0.36), (0.14, 0.66), (0.5, 0.65), (0.9, 0.63)],
        [(0.66, 0.3), (0.64, 0.64), (0.63, 0.97)]],
    5: [[(0.82, 0.05), (0.3, 0.06)], [(0.3, 0.06), (0.25, 0.46)],
        [(0.25, 0.46), (0.6, 0.4), (0.82, 0.64), (0.62, 0.93), (0.2, 0.88)]],
    6: [[(0.7, 0.04), (0.4, 0.28), (0.2, 0.62), (0.32, 0.93), (0.64, 0.92), (0.74, 0.66),
         (0.48, 0.52), (0.22, 0.66)]],
    7: [[(0.14, 0.08), (0.5, 0.06), (0.86, 0.07)], [(0.86, 0.07), (0.6, 0.5), (0.4, 0.96)]],
    8: [[(0.52, 0.48), (0.8, 0.25), (0.58, 0.04), (0.26, 0.18), (0.5, 0.46), (0.8, 0.7),
         (0.55, 0.96), (0.2, 0.78), (0.52, 0.48)]],
    9: [[(0.74, 0.22), (0.5, 0.04), (0.24, 0.2), (0.3, 0.44), (0.6, 0.42), (0.74, 0.22)],
        [(0.74, 0.22), (0.68, 0.6), (0.6, 0.97)]],
    # Not digits: a letter, a face, a scribble, and a shape halfway between a 4 and a 9.
    "letter-A": [[(0.1, 0.95), (0.5, 0.04), (0.9, 0.95)], [(0.28, 0.6), (0.72, 0.6)]],
    "smiley": [[(0.5, 0.05), (0.12, 0.25), (0.08, 0.6), (0.35, 0.95), (0.72, 0.9), (0.93, 0.55),
                (0.85, 0.2), (0.5, 0.05)],
               [(0.33, 0.35), (0.35, 0.4)], [(0.65, 0.35), (0.67, 0.4)],
               [(0.28, 0.62), (0.5, 0.78), (0.72, 0.62)]],
    "scribble": [[(0.1, 0.3), (0.8, 0.2), (0.2, 0.5), (0.9, 0.55), (0.15, 0.8), (0.85, 0.9)]],
    "four-or-nine": [[(0.475, 0.06), (0.265, 0.252), (0.235, 0.45), (0.72, 0.435)],
                        [(0.7, 0.06), (0.68, 0.6), (0.66, 0.97)]],
}


def smooth(points, per_segment=24):
    """A Catmull-Rom curve through the points: a pen moves smoothly, not corner to corner."""
    p = [points[0]] + list(points) + [points[-1]]
    out = []
    for i in range(1, len(p) - 2):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = p[i - 1], p[i], p[i + 1], p[i + 2]
        for t in np.linspace(0, 1, per_segment, endpoint=False):
            t2, t3 = t * t, t * t * t
            out.append((
                0.5 * (2 * x1 + (-x0 + x2) * t + (2 * x0 - 5 * x1 + 4 * x2 - x3) * t2
                       + (-x0 + 3 * x1 - 3 * x2 + x3) * t3),
                0.5 * (2 * y1 + (-y0 + y2) * t + (2 * y0 - 5 * y1 + 4 * y2 - y3) * t2
                       + (-y0 + 3 * y1 - 3 * y2 + y3) * t3),
            ))
    out.append(points[-1])
    return out


def ink_mask(digit, size, rng, slant, rotation, pen, wobble):
    """The digit's ink as a float mask in [0, 1], drawn 4x larger and shrunk (anti-aliasing)."""
    w, h = size
    big = Image.new("L", (4 * w, 4 * h), 0)
    draw = ImageDraw.Draw(big)
    c, s = math.cos(rotation), math.sin(rotation)
    for stroke in STROKES[digit]:
        jittered = [(x + rng.normal(0, wobble), y + rng.normal(0, wobble)) for x, y in stroke]
        pts = []
        for x, y in smooth(jittered):
            x, y = x - 0.5 + slant * (0.5 - y), y - 0.5  # slant: the top leans right
            x, y = c * x - s * y, s * x + c * y
            pts.append((4 * w * (0.5 + 0.75 * x * h / w), 4 * h * (0.5 + 0.75 * y)))
        r = max(1.0, 2 * pen * h)  # a round pen tip, stamped every quarter radius
        for (xa, ya), (xb, yb) in zip(pts, pts[1:]):
            steps = max(1, int(math.hypot(xb - xa, yb - ya) / (r / 4)))
            for t in np.linspace(0, 1, steps, endpoint=False):
                x, y = xa + t * (xb - xa), ya + t * (yb - ya)
                draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
        x, y = pts[-1]
        draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
    return np.asarray(big.resize((w, h), Image.LANCZOS), dtype=np.float64) / 255.0


def paper(size, rng, colour, shade):
    """Paper of a colour, lit unevenly (a gradient and a vignette), with grain."""
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    angle = rng.uniform(0, 2 * math.pi)
    light = 1 - shade * (0.5 + 0.5 * ((x / w - 0.5) * math.cos(angle) + (y / h - 0.5) * math.sin(angle)))
    light -= 0.6 * shade * (((x / w - 0.5) ** 2 + (y / h - 0.5) ** 2))
    grain = rng.normal(0, 0.02, (h, w))
    return np.clip(np.asarray(colour)[None, None, :] * (light + grain)[:, :, None], 0, 1)


def place(mask, canvas_size, rng, fill):
    """The mask pasted somewhere (not centred) on a larger canvas."""
    cw, ch = canvas_size
    out = np.zeros((ch, cw))
    mh, mw = mask.shape
    x0 = int(rng.uniform(0.05, 0.95) * (cw - mw)) if fill < 1 else 0
    y0 = int(rng.uniform(0.05, 0.95) * (ch - mh)) if fill < 1 else 0
    out[y0:y0 + mh, x0:x0 + mw] = mask
    return out


def compose(background, ink_colour, mask, strength=1.0):
    ink = np.asarray(ink_colour)[None, None, :]
    a = (strength * mask)[:, :, None]
    return np.clip(background * (1 - a) + ink * a, 0, 1)


def to_image(rgb):
    return Image.fromarray((rgb * 255).round().astype(np.uint8))


def not_digits(out_dir):
    """Drawings that are no digit, a blank page and a photo of nothing but paper."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    for name in ["letter-A", "smiley", "scribble", "four-or-nine"]:
        mask = ink_mask(name, (220, 300), rng, 0.05, 0.0, 0.07, 0.01)
        to_image(compose(np.ones((300, 220, 3)), (0, 0, 0), mask)).save(out / f"{name}.png")
        print(out / f"{name}.png")
    to_image(np.ones((300, 220, 3))).save(out / "blank.png")
    to_image(paper((1024, 768), rng, (0.93, 0.9, 0.82), 0.3)).save(out / "empty-paper.jpg", quality=80)
    print(out / "blank.png")
    print(out / "empty-paper.jpg")


def main(out_dir):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2026)
    made = []

    # Drawn on screen: black on white, as a drawing program or a tablet saves it.
    for digit, slant, pen in [(7, 0.25, 0.07), (2, 0.0, 0.09), (4, -0.1, 0.05)]:
        mask = ink_mask(digit, (220, 300), rng, slant, rng.normal(0, 0.05), pen, 0.015)
        rgb = compose(np.ones((300, 220, 3)), (0, 0, 0), mask)
        path = out / f"drawn-{digit}.png"
        to_image(rgb).save(path)
        made.append(path)

    # Photographed: pen on paper, digit off-centre, uneven light, JPEG.
    for digit, ink, pen, shade in [
        (3, (0.1, 0.15, 0.45), 0.045, 0.25),   # blue ballpoint
        (5, (0.05, 0.05, 0.08), 0.06, 0.35),   # black felt-tip, a dark corner
        (6, (0.12, 0.12, 0.35), 0.035, 0.2),   # thin blue pen
        (9, (0.08, 0.08, 0.08), 0.08, 0.15),   # marker
        (1, (0.1, 0.1, 0.3), 0.05, 0.3),
    ]:
        h = int(rng.uniform(260, 520))
        mask = ink_mask(digit, (int(0.75 * h), h), rng, rng.uniform(-0.15, 0.35),
                        rng.normal(0, 0.08), pen, 0.02)
        mask = place(mask, (1024, 768), rng, fill=0.5)
        rgb = compose(paper((1024, 768), rng, (0.93, 0.9, 0.82), shade), ink, mask, 0.92)
        img = to_image(rgb).filter(ImageFilter.GaussianBlur(1.2))
        path = out / f"photo-{digit}.jpg"
        img.save(path, quality=int(rng.uniform(70, 90)))
        made.append(path)

    # Pencil on grey recycled paper: low contrast, saved as a greyscale PGM (a scanner's).
    mask = ink_mask(8, (180, 240), rng, 0.15, 0.05, 0.04, 0.02)
    mask = place(mask, (400, 400), rng, fill=0.5)
    grey = compose(paper((400, 400), rng, (0.72, 0.72, 0.72), 0.1), (0.35, 0.35, 0.35), mask)
    path = out / "pencil-8.pgm"
    to_image(grey).convert("L").save(path)
    made.append(path)

    # Chalk on a blackboard: light strokes on a dark background, BMP.
    mask = ink_mask(0, (240, 300), rng, 0.1, -0.1, 0.07, 0.02)
    mask = place(mask, (500, 420), rng, fill=0.5) * rng.uniform(0.7, 1.0, (420, 500))
    rgb = compose(paper((500, 420), rng, (0.12, 0.2, 0.15), 0.2), (0.9, 0.92, 0.9), mask)
    path = out / "chalk-0.bmp"
    to_image(rgb).save(path)
    made.append(path)

    for path in made:
        print(path)


if __name__ == "__main__":
    if len(sys.argv) == 2:
        main(sys.argv[1])
    elif len(sys.argv) == 3 and sys.argv[2] == "--not-digits":
        not_digits(sys.argv[1])
    else:
        sys.exit(__doc__)
