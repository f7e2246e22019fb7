"""The participant API over HTTP against a real `kit serve`; facilitator steps go through the same
SQLite file the server uses, as a Voila kernel would."""

import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.e2e


def status_of(url: str) -> int:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code



@pytest.mark.parametrize("path", ["/voila/render/notebooks/00_start.ipynb", "/api/contents", "/api/kernels", "/lab",
                                  "/api/sessions"])
def test_a_participant_device_gets_nothing_from_jupyter_without_the_token(kit_server, path):
    assert status_of(kit_server.base + path) in (302, 403)



def test_the_participant_link_does_not_carry_the_facilitator_token(kit_server):
    assert kit_server.token not in kit_server.participants

