#!/usr/bin/env python3
"""Appends a lab benchmark's JSON report (read from stdin, with any extra "key=number" arguments
added to it) to mesh-node/target/bench/lab-<name>.json, and prints it on one line.

    ... | config/lab/record.py rollout
"""
import json
import os
import sys

name = sys.argv[1]
report = json.loads(sys.stdin.read())
for extra in sys.argv[2:]:
    key, value = extra.split("=", 1)
    report[key] = float(value)
os.makedirs("mesh-node/target/bench", exist_ok=True)
path = "mesh-node/target/bench/lab-%s.json" % name
runs = json.load(open(path)) if os.path.exists(path) else []
runs = runs if isinstance(runs, list) else [runs]
runs.append(report)
json.dump(runs, open(path, "w"), indent=2)
print(json.dumps(report))
