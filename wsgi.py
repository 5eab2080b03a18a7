"""Entry point for gunicorn (``gunicorn 'wsgi:app'``) and for ``flask`` (``FLASK_APP=wsgi.py``).

The app is built with Python's cycle collector paused; then everything alive is frozen
(``gc.freeze``: left out of every later collection) and the collector turned back on, as the
CPython documentation recommends for servers that fork workers. Building the app makes about
200,000 objects that live as long as the process: the collector would walk them again and
again as they pile up (about 0.3 s of CPU), and every full collection after — in each worker
while it serves, and at the exit of each ``flask`` command — would walk them all again (about
0.2 s each). Only a process's entry point may freeze: ``create_app`` only pauses, because
tests build many apps and drop them, and frozen objects are never collected.

At exit, everything made since is frozen too: the last full collection, which Python makes
as it shuts down, then has nothing to walk (a ``flask`` command that ran the indicator
engine made pandas' and numpy's objects and the command's own: 0.03-0.045 s of CPU, for
memory the process hands back anyway). Only cycles of objects with finalizers would notice,
and Python never promised to finalize those at exit. For the same reason a command's last
work (``flask returns import``) is frozen rather than collected (``app.collector``).

The methods of the app's dataclasses are compiled once and kept beside the app's bytecode
(``app.dataclass_code``): saved once the app is built, and at exit for those a command's
work brought in.
"""
import atexit
import gc

gc.disable()  # before Flask and SQLAlchemy are imported: their objects live as long too
try:
    from app.collector import freeze_at_exit
    from app.dataclass_code import DataclassCode, default_path

    dataclass_code = DataclassCode(default_path())
    dataclass_code.install()
    from app import create_app

    app = create_app()
    dataclass_code.save()
finally:
    gc.freeze()
    gc.enable()
freeze_at_exit()
atexit.register(dataclass_code.save)
