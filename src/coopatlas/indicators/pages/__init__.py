"""Page data services for the indicator pages (see ``common.py`` for the one-data-dict, many-renderers design)."""

from coopatlas.indicators.pages.common import Page, Table
from coopatlas.indicators.pages.indicator import index_page, indicator_page, map_page
from coopatlas.indicators.pages.profiles import commission_page, country_page, region_page

__all__ = [
    "Page",
    "Table",
    "commission_page",
    "country_page",
    "index_page",
    "indicator_page",
    "map_page",
    "region_page",
]
