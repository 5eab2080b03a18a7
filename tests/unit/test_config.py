"""Configuration layers and the generated secret key."""
from concurrent.futures import ThreadPoolExecutor

from app import instance_secret_key, create_app


def test_secret_key_is_generated_once_and_kept(tmp_path):
    path = tmp_path / "secret_key"
    first = instance_secret_key(path)
    assert len(first) == 64 and instance_secret_key(path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_workers_starting_together_share_one_key(tmp_path):
    path = tmp_path / "secret_key"
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: instance_secret_key(path), range(32)))
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_test_config_overrides_defaults(tmp_path):
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://", "MAX_CONTENT_LENGTH": 123})
    assert app.config["MAX_CONTENT_LENGTH"] == 123 and app.config["INGEST_MAX_ROWS"] == 5000


def test_environment_variables_override_instance_config(monkeypatch):
    monkeypatch.setenv("FLASK_MAX_CONTENT_LENGTH", "4096")
    monkeypatch.setenv("FLASK_SQLALCHEMY_DATABASE_URI", "sqlite://")
    app = create_app()
    assert app.config["MAX_CONTENT_LENGTH"] == 4096
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
    assert app.config["SECRET_KEY"]  # generated into instance/ when not configured
