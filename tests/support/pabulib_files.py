"""The shared Pabulib instances the counting tests read (copied from ../shared/data/pabulib)."""

from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "pabulib"
#: Small enough to count live with pabutools in every test run.
SMALL_INSTANCES = (
    "Netherlands_Assen_2024",
    "Poland_Czestochowa_2020_Grabowka",
    "Poland_Krakow_2018_Bienczyce",
    "Switzerland_Zurich_D10",
)
