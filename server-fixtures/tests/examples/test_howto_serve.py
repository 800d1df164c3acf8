"""How to drive the fixture servers from a test (this file is documentation that runs)."""
import os
import urllib.request

pytest_plugins = ["server_fixtures.pytest_plugin"]
DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "basic.toml")


def test_howto_point_a_client_at_a_scenario(fixture_server):
    run = fixture_server(DATA)                       # binds origin on 127.0.0.1 and other on 127.0.0.2, port 0
    with urllib.request.urlopen(run.url("origin", "/x"), timeout=5) as r:
        assert r.read() == b"ok"                     # the script's bytes, exactly
    run.wait()
    req = run.transcript().requests("origin")[0]     # what the client sent, parsed strictly
    assert req.method == "GET" and req.target == "/x"
    assert not run.transcript().violations          # client faults would be listed here


def test_howto_replay_byte_by_byte(fixture_server):
    run = fixture_server(DATA, variant="bytewise")    # every send becomes 1-byte pieces
    with urllib.request.urlopen(run.url("origin", "/x"), timeout=5) as r:
        assert r.read() == b"ok"
