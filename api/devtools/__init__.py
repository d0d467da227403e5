"""Developer and CI harness: a real Elasticsearch server and Debian's Chromium for the test suite.

Nothing here runs in production. `kb dev es-start` and `./run test` call these modules.
"""

from __future__ import annotations

from kb.errors import KBError


class DevHarnessError(KBError):
    """The test harness could not provide a service (Java, Maven, apt, Elasticsearch, Chromium)."""

    code, title = "dev_harness_error", "开发/测试环境错误"
