"""Distances on the globe, shared by extraction and evaluation."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088

# How the gazetteer's note opens on a reading that another country's namesake nearly matched
# (no context settled it); fusion's place vote reads it (rule namesake_vote).
AMBIGUOUS_NOTE = "ambiguous name; also"


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points, in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
