"""Issue 18, item 3: the proxy's configuration as `kit deploy` writes it, checked by nginx itself."""

import re
import subprocess

from kit.deploy import nginx_binary, nginx_conf
from kit.server.events import KEEPALIVE


def test_the_proxy_does_not_buffer_the_stream_waits_longer_than_its_heartbeat_and_has_room_for_every_stream(tmp_path):
    for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (tmp_path / sub).mkdir(parents=True)
    conf = nginx_conf([18001, 18002], "127.0.0.1:18080", tmp_path)
    events = re.search(r"location ~ \^/kit/api/workshops/\[\^/\]\+/events\$ \{(.*?)\}", conf, re.S).group(1)
    assert "proxy_buffering off;" in events
    timeout = re.search(r"proxy_read_timeout (\d+)h;", events)
    assert timeout and int(timeout.group(1)) * 3600 > KEEPALIVE
    assert int(re.search(r"worker_connections (\d+);", conf).group(1)) >= 2 * 1000  # 1,000 phones, each twice
    for upstream in ("kit_participants", "kit_facilitator"):
        block = re.search(upstream + r" \{(.*?)\}", conf, re.S).group(1)
        assert "127.0.0.1:18001" in block and "127.0.0.1:18002" in block
    assert "hash $remote_addr consistent;" in conf  # one facilitator, one process (their kernel)
    (tmp_path / "nginx.conf").write_text(conf, encoding="utf-8")
    checked = subprocess.run([nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
