"""The store: the only shared truth of a workshop, and the only code that talks to the database.

Cut by stage, with the same names as the rest of the kit (`kit/store/voting.py` beside
`kit/voting.py` and `kit/server/api/voting.py`): `schema` holds every table and the migrations,
`base` the engine, transactions, change counter and event log, and each stage module one mixin of
`Store`'s methods. `Store` composes them, so callers keep `from kit.store import Store`.
"""

from __future__ import annotations

from kit.store.agenda import AgendaStore
from kit.store.base import STORE_FILE, BaseStore, hash_token, now
from kit.store.evaluation import EvaluationStore
from kit.store.map import MapStore, map_actor, map_link
from kit.store.networks import NetworksStore
from kit.store.privacy import BACKUP_FORMAT, PrivacyStore
from kit.store.roles import RolesStore
from kit.store.schema import SCHEMA_VERSION
from kit.store.tray import TrayStore
from kit.store.voting import VotingStore
from kit.store.workshops import THL_DIMENSIONS, WorkshopsStore

__all__ = ["configured", "BACKUP_FORMAT", "SCHEMA_VERSION", "STORE_FILE", "THL_DIMENSIONS", "Store", "hash_token", "map_actor",
           "map_link", "now"]


def configured(data_dir=None) -> "Store":
    """The store this process is configured for: the PostgreSQL server of `KIT_STORE` when set, else
    the SQLite file in the data folder (`KIT_DATA`, else ./kit-data). Kernels and the server
    extension find the store this way, from the environment `kit serve` gave them."""
    import os

    from kit.config import default_data_dir

    return Store.connect(os.environ.get("KIT_STORE") or None, data_dir or default_data_dir())


class Store(AgendaStore, NetworksStore, WorkshopsStore, VotingStore, MapStore, RolesStore, TrayStore, EvaluationStore,
            PrivacyStore,
            BaseStore):
    """All reads and writes of a workshop, stage by stage (see the mixins)."""
