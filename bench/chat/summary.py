#!/usr/bin/env python3
"""Summarises a bench/chat/results/<stamp>/ directory written by run.sh (markdown on stdout)."""
import json
import pathlib
import sys

out = pathlib.Path(sys.argv[1])


def lines(p):
    if not p.exists():
        return []
    return [json.loads(l) for l in p.read_text().splitlines() if l.startswith("{")]


best = {}
allsteps = {}
print("\n| server | room | highest ok deliveries/s | p99 ms there | server CPU-s per M deliveries | server cores | generator cores | steps (target: delivered/s, p99 ms, lost) |")
print("|---|---|---|---|---|---|---|---|")
for clients in (1000, 5000, 10000):
    for kind in ("liboo", "node"):
        rows = lines(out / f"rate-{kind}-{clients}.jsonl")
        steps = [r for r in rows if r.get("mode") == "step"]
        if not rows:
            continue
        setup = next((r for r in rows if r.get("mode") == "setup"), {})
        ok = [s for s in steps if s["ok"]]
        top = max(ok, key=lambda s: s["delivered_per_s"]) if ok else None
        # CPU per million deliveries at the highest ok step (fixed costs amortised the most)
        cpm = top["server_cpu_s_per_m"] if top else None
        best[(kind, clients)] = (top, cpm)
        allsteps[(kind, clients)] = {s["target_dps"]: s for s in steps}
        trail = "; ".join(
            f"{int(s['target_dps']/1000)}k: {s['delivered_per_s']/1000:.0f}k, {s['p99_ms']:.0f}, {s['lost']}" + ("" if s["ok"] else " FAIL")
            for s in steps
        )
        if not setup.get("room_ready", True):
            trail = f"room never ready (setup {setup.get('setup_s')} s)"
        print(
            f"| {kind} | {clients} | {top['delivered_per_s']:.0f} | {top['p99_ms']:.0f} | {cpm:.2f} | {top['server_cores']:.2f} | {top['gen_cores']:.2f} | {trail} |"
            if top
            else f"| {kind} | {clients} | none | | | | | {trail} |"
        )

print()
idle_runs = {k: lines(out / f"idle-{k}.jsonl") for k in ("liboo", "node", "bare")}
idle = {k: (runs or [None])[0] for k, runs in idle_runs.items()}
for k, runs in idle_runs.items():
    for r in runs:
        print(f"- idle {k}: {r['connected']}/{r['clients']} connected in {r['connect_s']} s; VmRSS {r['rss_before_kib']} -> {r['rss_after_kib']} KiB = **{r['kib_per_conn']:.2f} KiB per connection**")

print()
for clients in (1000, 5000, 10000):
    l, n = best.get(("liboo", clients)), best.get(("node", clients))
    if l and n and l[1] and n[1]:
        print(f"- room {clients}: deliveries per server CPU-second liboo {1e6/l[1]:.0f} vs node {1e6/n[1]:.0f} = **{n[1]/l[1]:.2f}x**; highest ok rate liboo/node = {l[0]['delivered_per_s']/n[0]['delivered_per_s']:.2f}x")
def median_kib(k):
    v = sorted(r["kib_per_conn"] for r in idle_runs[k])
    return v[len(v) // 2] if v else None


for a, b in (("liboo", "node"), ("bare", "node"), ("liboo", "bare")):
    if median_kib(a) and median_kib(b):
        print(f"- idle memory per connection {a}/{b} = **{median_kib(a)/median_kib(b):.2f}** (medians of {len(idle_runs[a])} and {len(idle_runs[b])} runs: {median_kib(a):.2f} / {median_kib(b):.2f} KiB)")

print()
for clients in (1000, 5000, 10000):
    l, n = allsteps.get(("liboo", clients), {}), allsteps.get(("node", clients), {})
    same = [t for t in sorted(l) if t in n]
    if same:
        print(f"- room {clients}, same offered rate, server CPU-s per M deliveries liboo vs node (node/liboo): " + "; ".join(
            f"{int(t/1000)}k: {l[t]['server_cpu_s_per_m']:.2f} vs {n[t]['server_cpu_s_per_m']:.2f} ({n[t]['server_cpu_s_per_m']/l[t]['server_cpu_s_per_m']:.1f}x)"
            for t in same))
