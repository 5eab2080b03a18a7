"""The demo partnership, built from the seed board papers (data files live beside this module)."""
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
