"""The browser fixtures of tests/e2e (live server with its own database, Debian's chromium,
``page`` with its console/dialog/request watch), re-exported for test_xss_browser.py.

Defined again here, the session-scoped ``live_server`` is a second server with a database of its
own when tests/e2e runs in the same session: the XSS cadres made here never reach those tests.
"""

from tests.e2e.conftest import *  # noqa: F401,F403
