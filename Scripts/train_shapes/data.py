"""The shapes data set: seeded 64×64 scenes of one shape in a named colour on a named background colour,
rendered with PIL at 4× and box-downsampled (slight anti-aliasing), with captions such as
"a red circle on a blue background" or "a small green star on a white background"."""
import math

import numpy as np
from PIL import Image, ImageDraw

SIZE = 64
SUPERSAMPLE = 4

# Clearly separable sRGB values; the Swift test classifies pixels by the nearest of these.
COLOURS = {
    "red": (220, 30, 30),
    "green": (30, 160, 50),
    "blue": (30, 70, 220),
    "yellow": (245, 220, 40),
    "orange": (245, 140, 20),
    "purple": (140, 50, 180),
    "white": (245, 245, 245),
    "black": (15, 15, 15),
}
COLOUR_NAMES = list(COLOURS)
SHAPES = ["circle", "square", "triangle", "star", "diamond"]
# Name → radius (half the shape's extent) in pixels of the 64×64 image.
SIZES = {"small": (7, 10), "medium": (12, 16), "large": (18, 24)}
SIZE_NAMES = list(SIZES)


def shape_polygon(shape: str, cx: float, cy: float, r: float, angle: float):
    """Polygon vertices (for everything but the circle), in supersampled pixels."""
    if shape == "square":
        k = r / math.sqrt(2) * 1.15
        pts = [(-k, -k), (k, -k), (k, k), (-k, k)]
    elif shape == "diamond":
        pts = [(0, -r), (0.7 * r, 0), (0, r), (-0.7 * r, 0)]
    elif shape == "triangle":
        pts = [(r * math.cos(a), r * math.sin(a)) for a in (-math.pi / 2, math.pi / 6, 5 * math.pi / 6)]
        pts = [(x, y + 0.2 * r) for x, y in pts]
    elif shape == "star":
        pts = []
        for i in range(10):
            rad = r if i % 2 == 0 else 0.45 * r
            a = -math.pi / 2 + i * math.pi / 5
            pts.append((rad * math.cos(a), rad * math.sin(a)))
    else:
        raise ValueError(shape)
    ca, sa = math.cos(angle), math.sin(angle)
    return [(cx + x * ca - y * sa, cy + x * sa + y * ca) for x, y in pts]


def render(shape: str, fg: str, bg: str, radius: float, cx: float, cy: float, angle: float = 0.0) -> np.ndarray:
    """One scene as uint8 [64, 64, 3]."""
    s = SUPERSAMPLE
    img = Image.new("RGB", (SIZE * s, SIZE * s), COLOURS[bg])
    d = ImageDraw.Draw(img)
    X, Y, R = cx * s, cy * s, radius * s
    if shape == "circle":
        d.ellipse([X - R, Y - R, X + R, Y + R], fill=COLOURS[fg])
    else:
        d.polygon(shape_polygon(shape, X, Y, R, angle), fill=COLOURS[fg])
    return np.asarray(img.resize((SIZE, SIZE), Image.BOX), dtype=np.uint8)


def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def caption(shape: str, fg: str, bg: str, size_word: str | None, swap_articles: bool = False) -> str:
    """"a red circle on a blue background", "a small green star on an orange background"; with
    `swap_articles` the other article ("a orange") so that both spellings of a prompt work."""
    first = f"{size_word} {fg}" if size_word else fg
    a1, a2 = article(first), article(bg)
    if swap_articles:
        a1, a2 = ("a" if a1 == "an" else "an") if first[0] in "aeiou" else a1, \
                 ("a" if a2 == "an" else "an") if bg[0] in "aeiou" else a2
    return f"{a1} {first} {shape} on {a2} {bg} background"


class Sampler:
    """Seeded stream of random scenes: (images uint8 [n,64,64,3], attribute records)."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def scene(self):
        r = self.rng
        shape = SHAPES[r.integers(len(SHAPES))]
        fg = COLOUR_NAMES[r.integers(len(COLOUR_NAMES))]
        bg = fg
        while bg == fg:
            bg = COLOUR_NAMES[r.integers(len(COLOUR_NAMES))]
        size = SIZE_NAMES[r.integers(len(SIZE_NAMES))]
        lo, hi = SIZES[size]
        radius = float(r.uniform(lo, hi))
        margin = radius + 2
        cx, cy = (float(v) for v in r.uniform(margin, SIZE - margin, size=2))
        angle = float(r.uniform(-0.3, 0.3)) if shape in ("square", "triangle", "star") else 0.0
        return dict(shape=shape, fg=fg, bg=bg, size=size, radius=radius, cx=cx, cy=cy, angle=angle)

    def batch(self, n: int):
        recs = [self.scene() for _ in range(n)]
        imgs = np.stack([render(q["shape"], q["fg"], q["bg"], q["radius"], q["cx"], q["cy"], q["angle"])
                         for q in recs])
        return imgs, recs


def to_tensor_range(imgs: np.ndarray):
    """uint8 [n,64,64,3] → float32 [n,3,64,64] in [-1, 1] (numpy)."""
    return imgs.astype(np.float32).transpose(0, 3, 1, 2) / 127.5 - 1.0
