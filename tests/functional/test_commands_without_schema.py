"""A command run against a database with no tables yet (``flask db upgrade`` not run) says so
in a sentence and exits 1, as any refusal; never a traceback."""
import pytest

from app import create_app
from tests.conftest import make_config
from tests.unit.ingest.returns import filled


@pytest.fixture
def bare_runner(tmp_path):
    """The command line of an app whose SQLite database exists but has never been migrated."""
    app = create_app(make_config("sqlite:///" + str(tmp_path / "never_migrated.db"), tmp_path))
    with app.app_context():  # as `flask` pushes one for every command
        yield app.test_cli_runner()


@pytest.mark.parametrize("args", [
    ["dashboard", "export", "-o", "{tmp}/d.xlsx"],
    ["dashboard", "export", "-o", "{tmp}/d.xlsx", "--area", "B"],
    ["indicators", "check"],
    ["indicators", "recompute", "--all"],
    ["returns", "import", "{tmp}/return.xlsx", "--agency", "living-without-abuse"],
    ["reminders", "send", "--dry-run"],
    ["users", "reset-two-factor", "someone@example.org", "--yes"],
    ["templates", "list"],
])
def test_a_command_says_the_database_needs_upgrading(bare_runner, tmp_path, args):
    (tmp_path / "return.xlsx").write_bytes(filled({}))
    result = bare_runner.invoke(args=[a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 1, result.output
    assert "The database is not set up for this version of Safer Returns" in result.output
    assert "run `flask db upgrade` first" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)  # said, not raised
