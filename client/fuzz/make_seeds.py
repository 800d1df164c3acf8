#!/usr/bin/python3
"""Seed corpora for the fuzz targets, generated from the scenario files.

Every connection script's server bytes (send, send_head, send_in_pieces)
become one seed of fuzz_response (with a leading flags byte 0, strict); the
bytes after the head of chunked replies become seeds of fuzz_chunked; every
request URL and Location becomes a seed of fuzz_url; the WWW-Authenticate
values of each script (one per line) a seed of fuzz_auth, beside the
committed client/fuzz/corpus/<target>/ files. Usage:
    make_seeds.py OUTDIR    (writes OUTDIR/<target>/<scenario-id>-<n>)
"""
import hashlib
import os
import re
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLACE = re.compile(r"\{(origin|other|proxy|v6)(_authority|_port)?\}|\{port\}|\{closed_port\}")


def decode(text):
    """SCHEMA.md bytes: {{x:HH}} escapes, placeholders replaced by fixed values."""
    text = PLACE.sub(lambda m: "http://127.0.0.1:8080" if not m.group(2) and m.group(1) else "8080", text)
    parts = re.split(r"\{\{x:([0-9A-Fa-f]{2})\}\}", text)
    out = bytearray()
    for i, p in enumerate(parts):
        out += bytes([int(p, 16)]) if i % 2 else p.encode("utf-8")
    return bytes(out)


def server_bytes(script):
    out = b""
    for step in script:
        if "send" in step:
            out += decode(step["send"])
        elif "send_in_pieces" in step:
            out += decode(step["send_in_pieces"])
        elif "send_head" in step:
            out += decode(step["send_head"]).replace(b"\n", b"\r\n") + b"\r\n" + decode(step.get("body", ""))
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build-fuzz", "seeds")
    counts = {}
    for dirpath, _, files in os.walk(os.path.join(ROOT, "conformance", "scenarios")):
        for f in sorted(files):
            if not f.endswith(".toml"):
                continue
            try:
                sc = tomllib.load(open(os.path.join(dirpath, f), "rb"))
            except (tomllib.TOMLDecodeError, OSError):
                continue
            seeds = {"fuzz_response": [], "fuzz_chunked": [], "fuzz_url": [], "fuzz_auth": []}
            for server in (sc.get("servers") or {}).values():
                for script in server.get("connections", []):
                    raw = server_bytes(script)
                    if raw:
                        seeds["fuzz_response"].append(b"\x00" + raw)
                    head, sep, rest = raw.partition(b"\r\n\r\n")
                    if sep and b"chunked" in head.lower():
                        seeds["fuzz_chunked"].append(b"\x00" + rest)
                    for m in re.finditer(rb"(?im)^location:[ \t]*([^\r\n]*)", raw):
                        seeds["fuzz_url"].append(m.group(1))
                    auth = re.findall(rb"(?im)^www-authenticate:[ \t]*([^\r\n]*)", raw)
                    if auth:
                        seeds["fuzz_auth"].append(b"\n".join(auth))
            req = sc.get("request") or {}
            if "url" in req:
                seeds["fuzz_url"].append(decode(req["url"]))
            for target, items in seeds.items():
                d = os.path.join(outdir, target)
                os.makedirs(d, exist_ok=True)
                for data in items:
                    name = hashlib.sha1(data).hexdigest()[:16]
                    with open(os.path.join(d, f"{sc.get('id', f[:-5])}-{name}"), "wb") as fh:
                        fh.write(data)
                    counts[target] = counts.get(target, 0) + 1
    committed = os.path.join(ROOT, "client", "fuzz", "corpus")
    for target in sorted(os.listdir(committed)) if os.path.isdir(committed) else []:
        d = os.path.join(outdir, target)
        os.makedirs(d, exist_ok=True)
        for f in sorted(os.listdir(os.path.join(committed, target))):
            with open(os.path.join(committed, target, f), "rb") as src, open(os.path.join(d, f"corpus-{f}"), "wb") as dst:
                dst.write(src.read())
            counts[target] = counts.get(target, 0) + 1
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "no scenarios found")


if __name__ == "__main__":
    main()
