"""Keyed pseudonyms for person keys (DOMAIN.md §5).

A SID has at most 10^9 values, so an unkeyed hash of it is brute-forced in minutes. Person
keys that leave the identity layer are HMAC-SHA256 of the internal person id under a secret
key read from the environment (``CTS_PSEUDONYM_KEY``). The key never appears in SQL, dbt
artifacts or logs: dbt-duckdb loads :class:`Plugin`, which registers the SQL function
``cts_pseudonym(text)`` on every connection.

Without ``CTS_PSEUDONYM_KEY`` the documented demo key is used; exports made with it are marked
as demo data and a release export refuses them.
"""

from __future__ import annotations

import hashlib
import hmac
import os

KEY_ENV = "CTS_PSEUDONYM_KEY"
DEMO_KEY = "cts-demo-key-not-for-release"
PSEUDONYM_HEX_CHARS = 16  # 64 bits: collision-free in practice for millions of persons


def current_key() -> str:
    return os.environ.get(KEY_ENV) or DEMO_KEY


def is_demo_key() -> bool:
    return current_key() == DEMO_KEY


def pseudonym(value: str | None, key: str | None = None) -> str | None:
    """HMAC-SHA256 of ``value`` under ``key``, first 16 hex characters."""
    if value is None:
        return None
    secret = (key if key is not None else current_key()).encode()
    digest = hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX_CHARS]


try:  # the plugin base class exists only where dbt-duckdb is installed
    from dbt.adapters.duckdb.plugins import BasePlugin
except ImportError:  # pragma: no cover
    BasePlugin = object  # type: ignore[misc,assignment]


class Plugin(BasePlugin):  # type: ignore[misc,valid-type]
    """dbt-duckdb plugin: registers ``cts_pseudonym`` on each DuckDB connection."""

    def configure_connection(self, conn) -> None:
        key = current_key()

        def _udf(value: str | None) -> str | None:
            return pseudonym(value, key)

        conn.create_function(
            "cts_pseudonym",
            _udf,
            ["VARCHAR"],
            "VARCHAR",
            null_handling="special",
            side_effects=False,
        )
