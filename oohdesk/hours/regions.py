"""Public holidays by region, from the ``holidays`` package.

A region is an ISO 3166-1 alpha-2 country code and, where the country's
holidays differ within it, a subdivision code as the ``holidays`` package
names them: for the United Kingdom ENG (England), WLS (Wales), SCT (Scotland)
and NIR (Northern Ireland). Substitute days ("observed" in the package's
names) are included.
"""

from datetime import date
from functools import lru_cache

import holidays
from holidays.registry import COUNTRIES

# Countries whose holidays without a subdivision are a misleading subset. For
# the United Kingdom they are only the days common to all four nations, so
# Easter Monday, for example, would be missing for England.
SUBDIVISION_REQUIRED = {"GB"}


class RegionError(ValueError):
    """An unknown region; ``field`` is "country" or "subdivision", whichever is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _entity(country: str):
    try:
        return holidays.country_holidays(country, years=[])
    except NotImplementedError:
        return None


def check_region(country: str, subdivision: str) -> None:
    """Raise RegionError, naming what to write instead, unless the region is known to ``holidays``.

    An empty ``country`` means no public holidays, and then ``subdivision``
    must be empty too.
    """
    if not country:
        if subdivision:
            raise RegionError("country", "a subdivision needs a country; give the country code too, such as GB")
        return
    entity = _entity(country)
    if entity is None:
        raise RegionError("country", f"\"{country}\" is not a country code that public holidays are known for; use a code such as GB")
    known = sorted(entity.subdivisions)
    if subdivision and subdivision not in known:
        raise RegionError("subdivision", f"\"{subdivision}\" is not a subdivision of {country}; use one of {', '.join(known)}")
    if not subdivision and country in SUBDIVISION_REQUIRED:
        raise RegionError(
            "subdivision",
            f"{country} needs a subdivision because its holidays differ within it; use one of {', '.join(known)}"
        )


@lru_cache(maxsize=256)
def public_holidays(country: str, subdivision: str, year: int) -> dict[date, str]:
    """Return the region's public holidays in ``year``, substitute days included, as {date: name}.

    Several holidays on one date are joined into one name with "; ", as the
    package does.
    """
    if not country:
        return {}
    calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return dict(calendar.items())


def country_name(country: str) -> str:
    """Return the English name of a country code, such as "United Kingdom" for GB, or the code itself."""
    for module_name, (_class_name, code, *_rest) in COUNTRIES.items():
        if code == country:
            return module_name.replace("_", " ").title()
    return country


def subdivision_name(country: str, subdivision: str) -> str:
    """Return the name of a subdivision, such as "Scotland" for GB SCT, or the code itself."""
    entity = _entity(country)
    aliases = getattr(entity, "subdivisions_aliases", {}) or {}
    for name, code in aliases.items():
        if code == subdivision:
            return name
    return subdivision


def region_label(country: str, subdivision: str) -> str:
    """Describe a region for people, such as "Scotland (GB-SCT)"; "none" when there is no region."""
    if not country:
        return "none"
    if not subdivision:
        return f"{country_name(country)} ({country})"
    return f"{subdivision_name(country, subdivision)} ({country}-{subdivision})"
