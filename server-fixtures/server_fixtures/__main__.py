"""python3 -m server_fixtures serve FILE | validate FILE...

serve: print one line per server ("origin http://127.0.0.1:PORT"), serve the
scripts until they end (or Ctrl-C), then print what the client sent.
validate: check scenario files against SCHEMA.md; exit 1 on any error.
"""
import argparse
import json
import sys
import time

from . import ScenarioError, find_scenarios, load_scenario, serve


def main(argv=None):
    ap = argparse.ArgumentParser(prog="server_fixtures", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="serve one scenario's servers")
    s.add_argument("file")
    s.add_argument("--variant", choices=["bytewise", "split", "reset"])
    s.add_argument("--json-transcript", metavar="OUT", help="write the transcript as JSON")
    s.add_argument("--timeout", type=float, default=300, help="stop after this many seconds (default 300)")
    v = sub.add_parser("validate", help="validate scenario files or folders")
    v.add_argument("paths", nargs="+")
    a = ap.parse_args(argv)
    if a.cmd == "validate":
        bad = n = 0
        for p in a.paths:
            for f in (find_scenarios(p) if not p.endswith(".toml") else [p]):
                n += 1
                try:
                    load_scenario(f)
                except ScenarioError as e:
                    bad += 1
                    print(e, file=sys.stderr)
        print(f"{n} scenario files, {bad} invalid")
        return 1 if bad else 0
    try:
        sc = load_scenario(a.file)
    except ScenarioError as e:
        print(e, file=sys.stderr)
        return 1
    run = serve(sc, a.variant)
    try:
        for name in sc.servers:
            print(f"{name} {run.base(name)}", flush=True)
        scripted = sum(len(spec.get("connections", [])) for spec in sc.servers.values())
        end = time.monotonic() + a.timeout
        while time.monotonic() < end:
            done = [c for c in run.conns if any(e[1] == "closed" for e in c.events)]
            if scripted and len(done) >= scripted:
                break
            time.sleep(0.05)
    except KeyboardInterrupt:
        pass
    finally:
        run.stop()
    t = run.transcript()
    for c in run.conns:
        print(f"--- {c.server} connection {c.index}: client sent {len(c.sent)} bytes")
        sys.stdout.write(bytes(c.sent).decode("latin-1"))
    for v_ in t.violations:
        print(f"violation: {v_}")
    for h in t.harness_errors:
        print(f"harness error: {h}")
    if a.json_transcript:
        with open(a.json_transcript, "w") as f:
            json.dump(t.to_json(), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
