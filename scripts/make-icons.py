#!/usr/bin/env python3
"""Draws the Teams app icons into manifest/: color.png and outline.png.

Teams asks for (TDOCS apps-package, see shared docs botframework.md section 6.2):
- color.png: 192x192, full colour, a symbol of about 96x96 in the middle (48 px padding) on a solid
  background;
- outline.png: 32x32, white (255,255,255) on a fully transparent background, with no other colours,
  no partial transparency and no padding.

The symbol is a chat bubble holding a shell prompt ">_": commands typed in chat.
Needs Pillow (installed into .venv by scripts/setup-test-env.sh). Run from anywhere:
    .venv/bin/python scripts/make-icons.py
The output is deterministic for a given Pillow version, so re-running it leaves git clean.
"""

from pathlib import Path

from PIL import Image, ImageDraw

MANIFEST_DIR = Path(__file__).resolve().parent.parent / "manifest"

# The same dark blue is the manifest's accentColor, so the icon tile blends into the Teams chrome.
BACKGROUND = (35, 47, 62)  # #232F3E
BUBBLE = (255, 153, 0)  # #FF9900
PROMPT = BACKGROUND
WHITE = (255, 255, 255)


def draw_color_icon() -> Image.Image:
    """192x192 colour icon, drawn at 4x and scaled down so that edges are smooth."""
    scale = 4
    size = 192 * scale
    image = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(image)

    def box(x0, y0, x1, y1):
        return [x0 * scale, y0 * scale, x1 * scale, y1 * scale]

    # The symbol stays inside the central 96x96 square (48..144) that Teams asks for.
    draw.rounded_rectangle(box(48, 54, 144, 122), radius=16 * scale, fill=BUBBLE)
    draw.polygon(
        [(64 * scale, 120 * scale), (64 * scale, 142 * scale), (88 * scale, 120 * scale)],
        fill=BUBBLE,
    )
    stroke = 9 * scale
    draw.line(
        [(70 * scale, 72 * scale), (88 * scale, 88 * scale), (70 * scale, 104 * scale)],
        fill=PROMPT,
        width=stroke,
        joint="curve",
    )
    draw.rectangle(box(97, 100, 124, 108), fill=PROMPT)
    return image.resize((192, 192), Image.Resampling.LANCZOS)


def draw_outline_icon() -> Image.Image:
    """32x32 outline icon: drawn on a 1-bit canvas so no pixel can be partly transparent."""
    mask = Image.new("1", (32, 32), 0)
    draw = ImageDraw.Draw(mask)
    # Bubble outline, two pixels wide, reaching the edges (Teams: no padding).
    draw.rounded_rectangle([0, 2, 31, 24], radius=6, outline=1, width=2)
    # Tail under the bubble's lower left: a filled wedge joined to the outline.
    draw.polygon([(6, 23), (6, 30), (13, 23)], fill=1)
    # The prompt ">_".
    draw.line([(8, 8), (12, 13), (8, 18)], fill=1, width=2)
    draw.rectangle([16, 17, 23, 18], fill=1)

    # White everywhere; only alpha carries the shape, and it is 0 or 255.
    icon = Image.new("RGBA", (32, 32), WHITE + (0,))
    icon.putalpha(mask.convert("L").point(lambda value: 255 if value else 0))
    return icon


def main() -> None:
    MANIFEST_DIR.mkdir(parents=True, exist_ok=True)
    color_path = MANIFEST_DIR / "color.png"
    outline_path = MANIFEST_DIR / "outline.png"
    draw_color_icon().save(color_path, optimize=True)
    draw_outline_icon().save(outline_path, optimize=True)
    print(f"wrote {color_path} and {outline_path}")


if __name__ == "__main__":
    main()
