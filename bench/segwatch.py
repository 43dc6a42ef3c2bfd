#!/usr/bin/env python3
"""Segment availability for the ingest benchmark.

watch ROOT OUT: polls ROOT/*/index.m3u8 every 5 ms until SIGTERM and appends one JSON line per
segment the first time a playlist names it: {"dir", "uri", "extinf", "seenMs"} (Unix ms, the
poll that first read the playlist with it, i.e. when it was available to a player).

delay EVENTS STARTS [MAP]: for each stream, expected close of segment k = the publisher's
start (media time 0 sent, from liboo-publish --json) + sum of EXTINF of segments 1..k (the
last segment of each stream, closed by the stream's end rather than a keyframe, is left out); prints
the count, median, p95 and max of (seenMs - expected close) in ms, as JSON. MAP is an optional
file of "dir key" lines when playlist folders are not named after the stream key.
"""
import glob, json, os, signal, sys, time


def watch(root, out):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    mtimes, seen = {}, set()
    with open(out, "a") as f:
        while not stop:
            for pl in glob.glob(os.path.join(root, "*", "index.m3u8")):
                try:
                    st = os.stat(pl)
                except FileNotFoundError:
                    continue
                key = (st.st_mtime_ns, st.st_size)
                if mtimes.get(pl) == key:
                    continue
                mtimes[pl] = key
                now = time.time() * 1000
                try:
                    text = open(pl).read()
                except FileNotFoundError:
                    continue
                d = os.path.basename(os.path.dirname(pl))
                extinf = None
                for line in text.splitlines():
                    if line.startswith("#EXTINF:"):
                        extinf = float(line[8:].split(",")[0])
                    elif line and not line.startswith("#") and extinf is not None:
                        if (d, line) not in seen:
                            seen.add((d, line))
                            f.write(json.dumps({"dir": d, "uri": line, "extinf": extinf,
                                                "seenMs": now}) + "\n")
                        extinf = None
            f.flush()
            time.sleep(0.005)


def delay(events, starts, mapping=None):
    t0 = {}
    for line in open(starts):
        r = json.loads(line)
        if r.get("ok"):
            t0[r["key"]] = r["startedUnixMs"]
    names = {}
    if mapping:
        for line in open(mapping):
            d, k = line.split()
            names[d] = k
    per_stream = {}
    for line in open(events):
        e = json.loads(line)
        key = names.get(e["dir"], e["dir"])
        if key in t0:
            per_stream.setdefault(key, []).append(e)
    delays = []
    for key, segs in per_stream.items():
        cum = 0.0
        # The last segment is closed by the end of the stream (unpublish, reconnect grace),
        # not by a keyframe, so it measures something else and is left out.
        for e in segs[:-1]:
            cum += e["extinf"]
            delays.append(e["seenMs"] - (t0[key] + cum * 1000))
    delays.sort()
    if not delays:
        print(json.dumps({"segments": 0}))
        return
    pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]
    print(json.dumps({"segments": len(delays), "median": round(pick(0.5), 1),
                      "p95": round(pick(0.95), 1), "max": round(delays[-1], 1)}))


if __name__ == "__main__":
    if sys.argv[1] == "watch":
        watch(sys.argv[2], sys.argv[3])
    else:
        delay(*sys.argv[2:])
