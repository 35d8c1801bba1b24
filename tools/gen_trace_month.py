#!/usr/bin/env python3
"""Writes a generated month of query history, for trying and timing large traces.

    python3 tools/gen_trace_month.py OUT_DIR [ROWS]

OUT_DIR gets `month.csv` (ROWS rows, default 1,000,000: arrivals uniform over 730 h,
durations exponential with mean 30 s plus 1 s, demands 8, 8, 16 and 32 RPU, classes a,
b and c, seeded) and `month.toml` (730 h, base 8 RPU, max 64 RPU, replaying it). The
month of the "Speed" issue, and of `cargo bench --bench trace` (which writes its own).
Existing files are not overwritten.
"""

import os
import random
import sys

SCENARIO = """name = "trace month"
region = "us-east-1"
period = "730h"

[serverless]
base_rpu = 8
max_rpu = 64

[[workload]]
name = "history"
trace = "month.csv"
"""


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) == 3 else 1_000_000
    os.makedirs(out, exist_ok=True)
    rng = random.Random(11)
    period = 730 * 3600.0
    arrivals = sorted(rng.random() * period for _ in range(rows))
    demands = [8, 8, 16, 32]
    classes = ["a", "b", "c"]
    lines = ["arrival_s,duration_s,rpu,class\n"]
    for a in arrivals:
        d = rng.expovariate(1 / 30) + 1
        lines.append(f"{a:.3f},{d:.3f},{rng.choice(demands)},{rng.choice(classes)}\n")
    for name, text in (("month.csv", "".join(lines)), ("month.toml", SCENARIO)):
        path = os.path.join(out, name)
        # Written beside, then linked into place: a file appears whole or not at all,
        # and an existing one is never replaced.
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "x", encoding="utf-8") as f:
            f.write(text)
        try:
            os.link(tmp, path)
        except FileExistsError:
            print(f"{path} exists; not overwritten", file=sys.stderr)
            return 1
        finally:
            os.unlink(tmp)
    print(f"wrote {rows} rows to {os.path.join(out, 'month.csv')} and {os.path.join(out, 'month.toml')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
