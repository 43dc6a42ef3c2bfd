#!/usr/bin/env python3
"""Markdown tables from an ingest.sh results TSV: raw numbers, then liboo/nginx and
liboo/ffmpeg ratios (below 1 means liboo used less / was faster)."""
import csv, sys

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = {(r["server"], r["n"]): r for r in rows}
cols = [("cpu_ms_per_stream_media_s", "CPU ms / stream / media-s"),
        ("peak_rss_mb_per_stream", "peak RSS MB / stream"),
        ("rss_growth_mb_per_stream", "RSS growth MB / stream"),
        ("delay_median_ms", "delay median ms"), ("delay_p95_ms", "delay p95 ms"),
        ("delay_max_ms", "delay max ms")]
print("| server | N | CPU s | " + " | ".join(h for _, h in cols) + " | segments | failures |")
print("|---" * (len(cols) + 5) + "|")
for r in rows:
    print(f"| {r['server']} | {r['n']} | {r['cpu_s']} | " + " | ".join(r[c] for c, _ in cols)
          + f" | {r['segments']} | {r['publish_failures']} |")
print()
print("| N | ratio | " + " | ".join(h for _, h in cols) + " |")
print("|---" * (len(cols) + 2) + "|")
for n in sorted({r["n"] for r in rows}, key=int):
    for peer in ("nginx", "ffmpeg"):
        a, b = by.get(("liboo", n)), by.get((peer, n))
        if not a or not b:
            continue
        def ratio(c):
            try:
                return f"{float(a[c]) / float(b[c]):.2f}"
            except (ValueError, ZeroDivisionError):
                return "-"
        print(f"| {n} | liboo/{peer} | " + " | ".join(ratio(c) for c, _ in cols) + " |")
