"""The conformance runner: scenarios x implementations -> verdicts -> reports."""
