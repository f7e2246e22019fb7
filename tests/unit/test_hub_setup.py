"""Issue 19, item 1: what `kit hub` prepares before JupyterHub starts (the end-to-end run is
tests/e2e/test_hub.py): a data folder the facilitators' own users cannot reach is refused before anything
starts; the kit's Jupyter settings for their servers; a self-signed certificate; the hub's configuration
reads what `kit hub` gives it."""

import json
import subprocess
from pathlib import Path

import pytest

from kit import hub


def test_a_data_folder_the_facilitators_cannot_reach_is_refused_before_anything_starts(tmp_path):
    hidden = tmp_path / "private"
    hidden.mkdir(mode=0o700)
    with pytest.raises(RuntimeError) as err:
        hub.Hub(hidden / "kit-hub").start()
    assert "cannot reach" in str(err.value)
    assert not (hidden / "kit-hub" / "postgres").exists() and not (hidden / "kit-hub" / "hub").exists()


def test_the_facilitators_servers_get_the_kits_settings_and_the_proxy_a_certificate(tmp_path):
    folder = hub.jupyter_settings(tmp_path / "jupyter-config")
    settings = json.loads((folder / "jupyter_server_config.d" / "kit.json").read_text())
    assert settings["ServerApp"]["jpserver_extensions"] == {"kit.server": True, "voila.server_extension": True}
    assert "mathjax_url" not in settings["ServerApp"]["tornado_settings"]  # each server has its own prefix
    cert, key = hub.self_signed(tmp_path / "tls", "127.0.0.1")
    text = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-text"], capture_output=True,
                          text=True, check=True).stdout
    assert "IP Address:127.0.0.1" in text and "DNS:localhost" in text
    assert oct(key.stat().st_mode)[-3:] == "600"
    assert hub.self_signed(tmp_path / "tls", "127.0.0.1") == (cert, key)  # made once


def test_the_hub_configuration_reads_what_kit_hub_gives_it(monkeypatch, tmp_path):
    from traitlets.config import Config

    env = {"KIT_HUB_STORE": "postgresql://owner@db/kit", "KIT_HUB_PUBLIC_URL": "https://kit.example.fi/",
           "KIT_HUB_STATE": str(tmp_path), "KIT_HUB_NOTEBOOKS": "/srv/kit", "KIT_HUB_JUPYTER_CONFIG": "/srv/cfg",
           "KIT_HUB_JUPYTER_PATH": "/srv/share", "KIT_HUB_TEST_PASSWORD": "secret-for-tests",
           "KIT_HUB_USERS": "alice,bob", "KIT_HUB_ADMINS": "boss", "KIT_HUB_TEST_ADMIN_PASSWORD": "x" * 40}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    c = Config()
    exec(compile(Path(hub.hub_config_file()).read_text(), "jupyterhub_config.py", "exec"), {"get_config": lambda: c})
    assert c.JupyterHub.spawner_class == "localprocess" and c.JupyterHub.authenticator_class == "shared-password"
    assert c.Authenticator.allowed_users == {"alice", "bob", "boss"} and c.Authenticator.admin_users == {"boss"}
    assert c.Spawner.environment["KIT_PARTICIPANT_URL"] == "https://kit.example.fi/services/kit"
    (service,) = c.JupyterHub.services
    assert service["name"] == "kit" and "--behind-proxy" in service["command"]
    assert "postgresql://owner@db/kit" not in json.dumps(c.Spawner.environment)  # the owner's access: not to servers
