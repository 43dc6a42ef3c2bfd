#!/usr/bin/env python3
"""The publisher's clock, read back from its own encoded output (no server in between).

    ffmpeg -f flv -i pipe:0 -vf crop=640:32:0:0 -f rawvideo -pix_fmt gray pipe:1 | clock.py OUT

Reads 640x32 grey frames (the clock strip at the top of each frame, see run.sh), decodes the
32-bit wall-clock value (ms mod 2^32) and writes one line per frame to OUT:
`wall_ms delay_ms step_ms` (step: clock difference to the previous frame), or `wall_ms bad`
when the bit row and its complement row disagree. delay is the local floor of the method:
capture -> x264 -> FLV -> H.264 decode -> this read, on the same clock the browser uses.
Usage for a still file: `clock.py --file OUT < frames.gray` reads without wall-clock delays.
"""
import sys
import time

W, H, BLOCK, X0, BITS = 640, 32, 16, 64, 32
FRAME = W * H


def decode(f):
    """(value, ok): each block is sampled on its 8x8 centre; row 0 = bits, row 1 = complement."""
    v, ok = 0, True
    for b in range(BITS):
        x = X0 + BLOCK * b + 4
        top = sum(sum(f[y * W + x:y * W + x + 8]) for y in range(4, 12)) / 64
        bot = sum(sum(f[y * W + x:y * W + x + 8]) for y in range(20, 28)) / 64
        bit, inv = top > 128, bot > 128
        if bit == inv or 40 < top < 215 or 40 < bot < 215:
            ok = False
        v = (v << 1) | int(bit)
    return v, ok


def main():
    still = sys.argv[1] == '--file'
    out = open(sys.argv[-1], 'w', buffering=1)
    src = sys.stdin.buffer
    prev = None
    while True:
        f = src.read(FRAME)
        if len(f) < FRAME:
            break
        now = time.time() * 1000
        v, ok = decode(f)
        if not ok:
            out.write(f'{now:.1f} bad\n')
            continue
        step = '' if prev is None else (v - prev) % 2**32
        prev = v
        if still:
            out.write(f'{v} {step}\n')
        else:
            delay = (now % 2**32 - v) % 2**32
            if delay > 2**31:
                delay -= 2**32
            out.write(f'{now:.1f} {delay:.1f} {step}\n')


if __name__ == '__main__':
    main()
