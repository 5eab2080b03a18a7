"""Settings every SQLite connection gets (PostgreSQL has its own server settings)."""
import pytest
from sqlalchemy import text

from app.extensions import SQLITE_CACHE_KIB, db


def test_sqlite_connections_enforce_foreign_keys_wait_when_busy_and_cache_a_large_return(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite connection settings")
    with db.engine.connect() as connection:
        settings = {name: connection.execute(text(f"PRAGMA {name}")).scalar()
                    for name in ("foreign_keys", "busy_timeout", "cache_size")}
    # A negative cache_size is in KiB; large enough for 105,000 figures and their indexes.
    assert settings == {"foreign_keys": 1, "busy_timeout": 10000, "cache_size": -SQLITE_CACHE_KIB}
    assert SQLITE_CACHE_KIB >= 16 * 1024
