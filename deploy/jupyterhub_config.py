# JupyterHub for an organisation that hosts the kit for several facilitators (issue 19, item 1).
# `kit hub` starts JupyterHub with this file and sets the KIT_HUB_* variables below; an organisation may
# also run `jupyterhub -f deploy/jupyterhub_config.py` itself with them set (deploy/README.md).
#
# - Facilitators log in to the hub (its authenticator: the organisation's login; the test authenticator
#   only when KIT_HUB_TEST_PASSWORD is set) and get a Jupyter server of their own with the kit in it,
#   started by the local-process spawner as their own system user.
# - Each facilitator's server reaches PostgreSQL with a database role of its own; row-level security
#   shows that role only its own networks (kit/store/rls.py), so a facilitator's kernel cannot read
#   another's. The hub's admins get the tables' owner's URL instead: they see every network.
# - Participants reach the kit's participant pages without any login: a hub-managed service, `kit`,
#   behind the same proxy at /services/kit/ (kit/join/<code>, public pages, the participant API).
# - HTTPS is the proxy's job (configurable-http-proxy with the certificate given).
import os
import sys

c = get_config()  # noqa: F821 (JupyterHub's config loader provides it)

env = os.environ
store = env["KIT_HUB_STORE"]  # the tables' owner: the participant service and the hub's admins
public = env["KIT_HUB_PUBLIC_URL"].rstrip("/")  # as participants and facilitators reach the proxy
python = env.get("KIT_HUB_PYTHON", sys.executable)  # the facilitators' servers' (their system users')
state = env["KIT_HUB_STATE"]  # the hub's own files (its database, cookie secret)

c.JupyterHub.bind_url = env.get("KIT_HUB_BIND_URL", "https://127.0.0.1:8443")
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env.get("KIT_HUB_API_PORT", "8081"))
c.JupyterHub.db_url = f"sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{state}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = f"{state}/jupyterhub.pid"
if env.get("KIT_HUB_SSL_CERT"):
    c.JupyterHub.ssl_cert = env["KIT_HUB_SSL_CERT"]
    c.JupyterHub.ssl_key = env["KIT_HUB_SSL_KEY"]
c.ConfigurableHTTPProxy.command = [env.get("KIT_HUB_CHP", "configurable-http-proxy")]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env.get('KIT_HUB_PROXY_API_PORT', '8001')}"

# -- who may log in -----------------------------------------------------------------------------------
admins = {u for u in env.get("KIT_HUB_ADMINS", "").split(",") if u}
c.Authenticator.admin_users = admins
if env.get("KIT_HUB_TEST_PASSWORD"):  # tests and a first try only: one shared password, listed users
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = env["KIT_HUB_TEST_PASSWORD"]
    if admins:  # the admins' own (at least 32 characters), so a facilitator's password is never an admin's
        c.SharedPasswordAuthenticator.admin_password = env["KIT_HUB_TEST_ADMIN_PASSWORD"]
    c.Authenticator.allowed_users = {u for u in env.get("KIT_HUB_USERS", "").split(",") if u} | admins
# else: the organisation's own login, e.g. (pip install oauthenticator)
#   c.JupyterHub.authenticator_class = "generic-oauth"  # Azure AD / Entra ID, Keycloak, Google, ...
#   c.GenericOAuthenticator.client_id = ...; c.GenericOAuthenticator.allowed_groups = {"facilitators"}

# -- each facilitator's own server ----------------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"  # as the facilitator's own system user
c.Spawner.cmd = [python, "-m", "jupyterhub.singleuser"]
c.Spawner.notebook_dir = env["KIT_HUB_NOTEBOOKS"]
c.Spawner.default_url = "/voila/render/notebooks/00_start.ipynb"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "JUPYTER_CONFIG_PATH": env["KIT_HUB_JUPYTER_CONFIG"],  # the kit's server settings and extensions
    "JUPYTER_PATH": env["KIT_HUB_JUPYTER_PATH"],  # the kit's Voila template
    "KIT_PARTICIPANT_URL": public + "/services/kit",  # the join links and QR codes
}
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "KIT_LANG"]


def kit_store_for(spawner):
    """The store URL this facilitator's server gets: their own role under row-level security; the
    tables' owner for the hub's admins. A fresh password each time the server starts."""
    from kit.store import rls

    user = spawner.user
    url = store if user.admin else rls.facilitator_url(store, user.name)
    spawner.environment["KIT_STORE"] = url
    home = os.path.expanduser(f"~{user.name}")
    spawner.environment["KIT_DATA"] = os.path.join(home, "kit-data")


c.Spawner.pre_spawn_hook = kit_store_for

# -- the participant pages, without a login -------------------------------------------------------------
service_port = env.get("KIT_HUB_SERVICE_PORT", "8765")
c.JupyterHub.services = [{
    "name": "kit",
    "url": f"http://127.0.0.1:{service_port}",
    "command": [sys.executable, "-m", "kit", "serve", "--store", store, "--data", f"{state}/service",
                "--host", "127.0.0.1", "--port", service_port, "--behind-proxy",
                "--public-url", public],
    "environment": {"PATH": env.get("PATH", ""), "KIT_TOKEN": env.get("KIT_HUB_SERVICE_TOKEN", "")},
    "display": False,
}]
c.JupyterHub.load_roles = [{"name": "user", "scopes": ["self"]}]
