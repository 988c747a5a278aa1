#!/usr/bin/env python3
"""Draws resources/icons/distillery.png (256x256): a funnel pouring a large grid of images into a
small one, the idea of distillation. Pure numpy + zlib, so no imaging library is needed.
Run: python3 resources/icons/make_icon.py"""
import os
import struct
import zlib

import numpy as np

S = 256
yy, xx = np.mgrid[0:S, 0:S].astype(np.float64) + 0.5
img = np.zeros((S, S, 4))


def paint(mask, rgb, alpha=1.0):
    a = np.clip(mask, 0, 1)[..., None] * alpha
    img[..., :3] = img[..., :3] * (1 - a) + np.array(rgb) / 255.0 * a
    img[..., 3:] = np.maximum(img[..., 3:], a)


def rounded_rect(x0, y0, x1, y1, r):
    # Signed distance to a rounded rectangle, turned into a 1-pixel anti-aliased mask.
    cx, cy = np.clip(xx, x0 + r, x1 - r), np.clip(yy, y0 + r, y1 - r)
    d = np.hypot(xx - cx, yy - cy) - r
    return np.clip(0.5 - d, 0, 1)


# Background tile: deep blue, vertical gradient.
t = (yy / S)[..., None]
bg = (1 - t) * np.array([32, 58, 110]) / 255 + t * np.array([18, 32, 66]) / 255
m = rounded_rect(8, 8, 248, 248, 44)[..., None]
img[..., :3] = bg * m
img[..., 3:] = m

# The large data set: a 3x6 grid of soft-coloured tiles at the top.
colours = [(120, 180, 230), (160, 200, 240), (90, 150, 210), (140, 190, 235)]
for r in range(3):
    for c in range(6):
        x0, y0 = 34 + c * 32, 30 + r * 22
        paint(rounded_rect(x0, y0, x0 + 26, y0 + 17, 4), colours[(r + c) % 4], 0.85)

# The funnel.
top, bottom, neck = 104, 168, 150
half = np.where(yy < neck, 96 - (yy - top) * (96 - 14) / (neck - top), 14)
funnel = ((yy >= top) & (yy <= bottom) & (np.abs(xx - 128) <= half)).astype(float)
paint(funnel, (236, 240, 246), 0.95)

# The distilled set: two bright tiles below the funnel.
paint(rounded_rect(92, 184, 124, 216, 6), (255, 183, 77))
paint(rounded_rect(132, 184, 164, 216, 6), (255, 112, 67))

pixels = (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)
raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(S))


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", S, S, 8, 6, 0, 0, 0)) + \
    chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "distillery.png"), "wb") as f:
    f.write(png)
