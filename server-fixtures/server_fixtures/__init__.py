"""server_fixtures: scripted raw-socket HTTP servers that replay scenario
files (SCHEMA.md) byte for byte and record everything the client sent."""
from .scenario import Scenario, ScenarioError, find_scenarios, head_bytes, load_scenario, to_bytes  # noqa: F401
from .server import Connection, HarnessError, Run, Transcript, serve  # noqa: F401
from .wire import Request, WireError, parse_request  # noqa: F401
