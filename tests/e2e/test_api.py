"""What only a real `kit serve` shows: Jupyter's own routes refuse a participant's device without
the facilitator's token, and the participant link never carries it. The participant API itself is
tested in-process (tests/unit/test_api_http.py)."""

import pytest

from kit.launch import status_of

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path", ["/voila/render/notebooks/00_start.ipynb", "/api/contents", "/api/kernels", "/lab",
                                  "/api/sessions", "/api", "/api/"])
def test_a_participant_device_gets_nothing_from_jupyter_without_the_token(kit_server, path):
    assert status_of(kit_server.base + path) in (302, 403)


def test_the_participant_link_does_not_carry_the_facilitator_token(kit_server):
    assert kit_server.token not in kit_server.participants



def test_jupyters_version_is_told_only_to_the_token(kit_server):
    """Issue 15, item 14: GET /api told anyone the Jupyter server's version."""
    import json
    import urllib.request

    import jupyter_server

    with urllib.request.urlopen(f"{kit_server.base}/api?token={kit_server.token}", timeout=10) as r:
        assert r.status == 200 and json.loads(r.read()) == {"version": jupyter_server.__version__}


def test_kit_serve_language_gives_the_new_workshop_its_language_and_title(tmp_path):
    """Issue 15, item 21: `kit serve --language sv` for a Swedish-speaking network (seed 002, Vaasa)."""
    import urllib.request

    from kit import workshop as wsmod
    from kit.launch import start_server

    server = start_server(tmp_path, "--template", "satelliitti", "--language", "sv")
    try:
        status, ws = server.api("GET", f"/workshops/{server.code}")
        assert status == 200 and ws["language"] == "sv" and ws["title"] == wsmod.template_name("satelliitti", "sv")
        with urllib.request.urlopen(server.participants, timeout=10) as r:
            page = r.read().decode()
        assert "<html lang=\"sv\"" in page and wsmod.template_name("satelliitti", "sv") in page
        assert server.api("GET", f"/workshops/{server.code}", lang="en")[1]["title"] == \
            wsmod.template_name("satelliitti", "en")
    finally:
        server.stop()


def test_the_three_lines_come_last_and_jupyters_start_up_log_stays_out(kit_server):
    """Issue 15, item 22: the Facilitator, Participants and Join code lines were buried among about 25
    log lines and warnings."""
    lines = [line.rstrip() for line in kit_server.log if line.strip()]
    first = next(i for i, line in enumerate(lines) if line.startswith("Facilitator:"))
    assert [line.split(":")[0] for line in lines[first:first + 3]] == ["Facilitator", "Participants", "Join code"]
    before = lines[:first]
    assert not [line for line in before if "ServerApp]" in line or "[I " in line or "Warning" in line]
