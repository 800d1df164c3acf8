#!/usr/bin/python3
"""Loopback TLS servers for lua/tests/test-tls.lua, with a throw-away CA.

Makes a CA and two server certificates with the openssl CLI in a temporary
directory (nothing committed), serves "good" (names localhost and 127.0.0.1)
and "wrong" (names other.example only) on 127.0.0.1:0 with Python's ssl, and
prints "PORTS <good> <wrong> <ca.pem>". Each connection: one request, one
reply (GET /hello -> 200 "hello"; anything else -> 404), then close_notify.
Serves until stdin reaches EOF; every socket wait has a timeout.
"""
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading


def openssl(d, *args):
    subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True, timeout=60)


def make_pki(d):
    openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days",
            "2", "-subj", "/CN=httpref lua test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign")
    openssl(d, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj",
            "/CN=localhost")
    for name, san in (("good", "DNS:localhost,IP:127.0.0.1"), ("wrong", "DNS:other.example")):
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("subjectAltName=" + san + "\n")
        openssl(d, "x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext")


def serve(d, cert):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, cert), os.path.join(d, "srv.key"))
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)

    def one(raw):
        raw.settimeout(10)
        try:
            c = ctx.wrap_socket(raw, server_side=True)
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 65536:
                got = c.recv(65536)
                if not got:
                    break
                data += got
            if data.startswith(b"GET /hello "):
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello")
            else:
                c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            c.unwrap()
            c.close()
        except (OSError, ssl.SSLError):
            raw.close()

    def loop():
        while True:
            try:
                raw, _ = ls.accept()
            except OSError:
                return
            threading.Thread(target=one, args=(raw,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return ls.getsockname()[1]


def main():
    with tempfile.TemporaryDirectory() as d:
        make_pki(d)
        good, wrong = serve(d, "good.pem"), serve(d, "wrong.pem")
        print("PORTS %d %d %s" % (good, wrong, os.path.join(d, "ca.pem")), flush=True)
        sys.stdin.read()  # until the parent closes our stdin


if __name__ == "__main__":
    main()
