"""Pictures before and after preparation, side by side, with what the network answered:
the figures of docs/10-using-the-network.md.

    nn-train predict --json --save-input SEEN/ PICTURES... > prepared.jsonl
    nn-train predict --json --raw --save-input RAW/ PICTURES... > raw.jsonl     # optional
    python3 docs/scripts/before_after.py OUT.png prepared.jsonl [raw.jsonl]

A picture named after its digit (photo-3.jpg) gets its answers marked right (green) or
wrong (red); any other picture's answers are grey.
"""

import json
import re
import sys

from PIL import Image, ImageDraw, ImageFont

CELL = 132          # width of a column
PIXELS = 4          # each of the 28 x 28 input pixels as a 4 x 4 block: 112 x 112
LABEL_WIDTH = 150
GREEN, RED, GREY, TEXT = (26, 127, 55), (196, 43, 28), (95, 107, 122), (29, 35, 48)


def load(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def truth(file):
    found = re.search(r"-(\d)\.[a-z]+$", file)
    return int(found.group(1)) if found else None


def main(out, prepared_jsonl, raw_jsonl=None):
    rows = [("the picture", None), ("prepared as MNIST", load(prepared_jsonl))]
    if raw_jsonl:
        rows.insert(1, ("only greyed and\nsquashed (raw)", load(raw_jsonl)))
    answers = rows[-1][1]
    font = ImageFont.load_default(size=15)
    small = ImageFont.load_default(size=13)
    heights = [CELL + 8] + [28 * PIXELS + 34] * (len(rows) - 1)
    figure = Image.new("RGB", (LABEL_WIDTH + CELL * len(answers) + 8, sum(heights) + 12), "white")
    draw = ImageDraw.Draw(figure)
    y = 8
    for (label, lines), height in zip(rows, heights):
        draw.multiline_text((10, y + height // 2 - 18), label, fill=TEXT, font=font, spacing=3)
        for i, answer in enumerate(answers):
            x = LABEL_WIDTH + i * CELL
            if lines is None:
                picture = Image.open(answer["file"]).convert("RGB")
                picture.thumbnail((CELL - 12, CELL - 12))
                left, top = x + (CELL - picture.width) // 2, y + (CELL - picture.height) // 2
                figure.paste(picture, (left, top))
                draw.rectangle([left - 1, top - 1, left + picture.width, top + picture.height], outline=(200, 205, 212))
                continue
            line = next(l for l in lines if l["file"] == answer["file"])
            seen = Image.open(line["input_png"]).convert("RGB")
            seen = seen.resize((28 * PIXELS, 28 * PIXELS), Image.NEAREST)
            figure.paste(seen, (x + (CELL - seen.width) // 2, y))
            expected = truth(line["file"])
            colour = GREY if expected is None else GREEN if line["digit"] == expected else RED
            p = line["probabilities"][line["digit"]]
            caption = f"{line['digit']}   p = {p:.2f}"
            if not line["ink"]:
                caption = "no ink: " + caption
            draw.text((x + CELL // 2, y + 28 * PIXELS + 16), caption, fill=colour, font=small, anchor="mm")
        y += height
    figure.save(out)
    print(out)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    main(*sys.argv[1:])
