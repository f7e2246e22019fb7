"""What only a real `kit serve` shows: Jupyter's own routes refuse a participant's device without
the facilitator's token, and the participant link never carries it. The participant API itself is
tested in-process (tests/unit/test_api_http.py)."""

import pytest

from kit.launch import status_of

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path", ["/voila/render/notebooks/00_start.ipynb", "/api/contents", "/api/kernels", "/lab",
                                  "/api/sessions"])
def test_a_participant_device_gets_nothing_from_jupyter_without_the_token(kit_server, path):
    assert status_of(kit_server.base + path) in (302, 403)


def test_the_participant_link_does_not_carry_the_facilitator_token(kit_server):
    assert kit_server.token not in kit_server.participants

