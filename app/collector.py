"""Python's cycle collector, paused while many objects that stay alive are made at once.

The collector walks every object it tracks, again and again as they pile up: while a
return's 100,000 cells become objects (a third of the time of the per-cell checks, measured)
and while the app is built (about 200,000 objects: models, URL rules, the API's schemas…).
Reference counting still frees what is let go while it is paused. ``wsgi.py`` goes further
for a process's one app: it freezes it (see there).
"""
import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """The collector off for the block and back on after it (even if the block raises),
    unless it was already off: then it is left to whoever turned it off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_freezes_at_exit = False


def freeze_at_exit() -> None:
    """For a process's entry point (``wsgi.py``): freeze what is left when the process
    exits, before the shutdown's collection (atexit functions run first), so that it has
    nothing to walk; from then on ``paused_until_exit`` may freeze too."""
    global _freezes_at_exit
    atexit.register(gc.freeze)
    _freezes_at_exit = True


@contextmanager
def paused_until_exit() -> Iterator[None]:
    """For the last work a process does (``flask returns import`` storing one return): the
    collector paused, as ``cycle_collection_paused``; then, in a process whose entry point
    freezes at exit, everything alive is frozen before the collector comes back on. Turned
    on again after a pause, the collector's next collection walks every object the block
    made — the indicator engine's pandas and numpy, about 200,000 of them: 0.02-0.03 s — to
    free what the process hands back moments later anyway. Elsewhere (tests run commands in
    their own process, many times) it is ``cycle_collection_paused``."""
    with cycle_collection_paused():
        yield
        if _freezes_at_exit:
            gc.freeze()
