import os
import sys


def pytest_terminal_summary(terminalreporter):
    """The schema-driven test's figures: how many requests it generated (per operation on request)."""
    module = sys.modules.get("wenyun.core.tests.test_api_schema")
    sent = getattr(module, "SENT", None)
    if not sent:
        return
    terminalreporter.write_line(f"schema-driven requests: {sum(sent.values())} over {len(sent)} operations")
    if os.environ.get("WENYUN_API_SCHEMA_TIMES"):
        for label, seconds in sorted(module.SECONDS.items(), key=lambda row: -row[1]):
            terminalreporter.write_line(f"  {seconds:6.2f} s {sent[label]:4d} requests  {label}")
