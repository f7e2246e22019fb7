"""Co-design workshop kit: live workshops for social-inclusion networks.

The package holds all the logic; notebooks only build an app object from kit.ui and show it.
"""

__version__ = "0.1.0"


def _jupyter_server_extension_points():
    # Lets `jupyter server --ServerApp.jpserver_extensions="{'kit': True}"` find the extension too.
    return [{"module": "kit.server"}]
