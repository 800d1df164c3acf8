#!/usr/bin/python3
"""Re-render a run's pages from its results.json alone (scores.json, junit-*.xml,
index.html, summary.md): the reports are generated, never edited by hand.

    /usr/bin/python3 conformance/render.py reports/latest/results.json
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# the judge (reports -> findings -> judge) reads scenario bytes with the fixtures' helpers
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "server-fixtures"))
from runner.reports import write_all  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results")
    a = ap.parse_args()
    with open(a.results) as f:
        data = json.load(f)
    merged = {name: d["results"] for name, d in data["implementations"].items()}
    versions = {name: d.get("version") for name, d in data["implementations"].items()}
    for line in write_all(os.path.dirname(os.path.abspath(a.results)), data["run"], data["scenarios"], versions, merged):
        print(line)


if __name__ == "__main__":
    main()
