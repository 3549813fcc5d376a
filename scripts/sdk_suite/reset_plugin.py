"""A pytest plugin for `make sdk-suite`: every test starts on a fresh emulator org.

Loaded with `-p reset_plugin` (scripts/sdk_suite on PYTHONPATH). Before each test it calls the
emulator's control API (`POST {url}/_emulator/reset`), so no test sees what an earlier one left
behind, as each of Okta's recordings was made on an org the test had to itself. It also bounds
each test's time, since an SDK that retries forever would otherwise stall the whole run.

Environment: SDK_SUITE_RESET_URL (the reset endpoint), SDK_SUITE_ADMIN_TOKEN (the control API's
token), SDK_SUITE_TEST_SECONDS (the bound, 120 by default).
"""

import os
import signal
import urllib.request

import pytest


def _reset_emulator():
    request = urllib.request.Request(
        os.environ["SDK_SUITE_RESET_URL"],
        method="POST",
        data=b"",
        headers={"Authorization": "Bearer " + os.environ["SDK_SUITE_ADMIN_TOKEN"]},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        if answer.status != 200:
            raise RuntimeError(f"emulator reset answered {answer.status}")


class TestTookTooLong(Exception):
    """A test ran past SDK_SUITE_TEST_SECONDS."""


def _too_long(signum, frame):
    raise TestTookTooLong(
        f"the test ran longer than {os.environ.get('SDK_SUITE_TEST_SECONDS', '120')} s"
    )


@pytest.fixture(autouse=True)
def fresh_emulator_org():
    _reset_emulator()
    seconds = int(os.environ.get("SDK_SUITE_TEST_SECONDS", "120"))
    previous = signal.signal(signal.SIGALRM, _too_long)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
