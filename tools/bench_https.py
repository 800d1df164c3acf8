"""The https download row of tools/bench (kept apart: tools/bench is at its size bound).

A throw-away CA and server certificate from the openssl CLI in a temporary directory
(nothing committed), tools/bench-src/tls_bench_server.c serving the body from memory,
and httpref and curl fetching the same URL with the same CA, alternately, in the same
run: the ratio is httpref's median time over curl's, with the peer named.
"""
import os
import shutil
import subprocess
import tempfile


def build(cc, src, out):
    """The TLS bench server, or None when OpenSSL's headers are missing."""
    exe = os.path.join(out, "tls_bench_server")
    p = subprocess.run([cc, "-O2", "-o", exe, src, "-lssl", "-lcrypto"], capture_output=True)
    return exe if p.returncode == 0 else None


def _pki(d):
    def ossl(*a):
        subprocess.run(["openssl", *a], cwd=d, check=True, capture_output=True, timeout=60)
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
         "-subj", "/CN=httpref bench CA", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign")
    ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1")
    with open(os.path.join(d, "ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    ossl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
         "srv.pem", "-days", "1", "-extfile", "ext")


def bench_https(server_cls, median_alternating, exe, httpref, size, runs, curl_version):
    """One row: httpref vs curl downloading size bytes over TLS (Content-Length)."""
    if not exe:
        return [{"case": "https download", "skipped": "tls_bench_server not built (libssl-dev missing)"}]
    if "TLS" not in subprocess.run([httpref, "--version"], capture_output=True, text=True).stdout:
        return [{"case": "https download", "skipped": "httpref built without TLS"}]
    d = tempfile.mkdtemp(prefix="bench-https-")
    try:
        _pki(d)
        srv = server_cls(exe, "server", [os.path.join(d, "srv.pem"), os.path.join(d, "srv.key")])
        try:
            url = f"https://127.0.0.1:{srv.port}/cl/{size}"
            ca = os.path.join(d, "ca.pem")
            res = median_alternating({"httpref": [httpref, "-s", "--cacert", ca, "-o", "/dev/null", url],
                                      "curl": ["curl", "-s", "--cacert", ca, "-o", "/dev/null", url]}, runs)
        finally:
            srv.stop()
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return [{"case": f"https download {size >> 20} MiB, Content-Length", "results": res, "peer": curl_version,
             "mb_per_s": {n: size / r["wall_s"] / 1e6 for n, r in res.items()},
             "ratio_vs_curl": res["httpref"]["wall_s"] / res["curl"]["wall_s"]}]


def _peer(v):
    """'curl 7.88.1 (OpenSSL/3.0.22)' out of curl --version's first line."""
    words = v.split()
    ssl = next((w for w in words if w.startswith("OpenSSL/")), None)
    return " ".join(words[:2]) + (f" ({ssl})" if ssl else "")


def print_rows(rows):
    for x in rows:
        if "skipped" in x:
            print(f"  {x['case']}: skipped ({x['skipped']})")
            continue
        m = x["mb_per_s"]
        print(f"  {x['case']:<44} httpref {m['httpref']:7.0f} MB/s  curl {m['curl']:7.0f} MB/s  "
              f"ratio vs curl {x['ratio_vs_curl']:.2f}  RSS {x['results']['httpref']['peak_rss_kib'] / 1024:.1f} MiB"
              f"  (peer: {_peer(x['peer'])})")
