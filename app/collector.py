"""Python's cycle collector, paused while many objects that stay alive are made at once.

The collector walks every object it tracks, again and again as they pile up: while a
return's 100,000 cells become objects (a third of the time of the per-cell checks, measured)
and while the app is built (about 200,000 objects: models, URL rules, the API's schemas…).
Reference counting still frees what is let go while it is paused. ``wsgi.py`` goes further
for a process's one app: it freezes it (see there).
"""
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
