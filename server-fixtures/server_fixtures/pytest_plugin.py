"""pytest fixture `fixture_server`: serve a scenario for the duration of a test.

    pytest_plugins = ["server_fixtures.pytest_plugin"]

    def test_my_client(fixture_server):
        run = fixture_server("conformance/scenarios/framing/FR-05.toml")   # or a Scenario
        my_client.get(run.url("origin", "/"))
        run.wait()
        assert not run.transcript().violations

Every run started in a test is stopped at its end, and a fixture fault
(harness error) fails the test loudly instead of passing silently.
"""
import pytest

from . import Scenario, load_scenario, serve


@pytest.fixture
def fixture_server():
    runs = []

    def start(scenario, variant=None):
        sc = scenario if isinstance(scenario, Scenario) else load_scenario(str(scenario))
        run = serve(sc, variant)
        runs.append(run)
        return run
    yield start
    for run in runs:
        run.stop()
    for run in runs:
        run.check()
