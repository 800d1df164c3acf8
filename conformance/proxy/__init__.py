"""A real forward proxy (mitmproxy's mitmdump) for the harness and tools/record."""
from .mitm import Mitmdump, MitmError, free_port, toml_bytes  # noqa: F401
