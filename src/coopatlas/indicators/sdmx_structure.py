"""The UN SDG Global Database data structure (DSD_SDG) for sdmx1, and SDMX-ML output built on it.

Dimensions and attributes follow the SDG DSD published by the IAEG-SDGs / UNSD (SDMX Global Registry,
``IAEG-SDGs:DSD_SDG``, dataflow ``DF_SDG_GLH``); only their identifiers and order matter here (code
lists are checked in ``series_io.CONTROLLED``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import polars as pl

from coopatlas.indicators.series_io import SDG_ATTRIBUTES, SDG_DIMENSIONS

AGENCY = "IAEG-SDGs"
DATAFLOW = "DF_SDG_GLH"


@lru_cache(maxsize=1)
def sdg_structure() -> Any:
    """The SDG data structure definition as an sdmx1 model object (dimensions in DSD order, TIME_PERIOD last)."""
    from sdmx.model import common, v21

    dsd = v21.DataStructureDefinition(id="DSD_SDG", maintainer=common.Agency(id=AGENCY), version="1.0")
    for order, dimension in enumerate(SDG_DIMENSIONS):
        dsd.dimensions.append(v21.Dimension(id=dimension, order=order))
    dsd.dimensions.append(v21.TimeDimension(id="TIME_PERIOD", order=len(SDG_DIMENSIONS)))
    dsd.measures.append(v21.PrimaryMeasure(id="OBS_VALUE"))
    for attribute in SDG_ATTRIBUTES:
        dsd.attributes.append(
            v21.DataAttribute(id=attribute, related_to=v21.PrimaryMeasureRelationship(), usage_status=v21.UsageStatus.conditional)
        )
    return dsd


def to_sdmx_ml(frame: pl.DataFrame) -> bytes:
    """Rows with SDMX-CSV columns (SERIES, REF_AREA, TIME_PERIOD, OBS_VALUE, dimensions, attributes) as SDMX-ML 2.1."""
    import sdmx
    from sdmx.message import DataMessage
    from sdmx.model import v21

    dsd = sdg_structure()
    dataset = v21.StructureSpecificDataSet(structured_by=dsd)
    measure = dsd.measures[0]
    attributes = {a.id: a for a in dsd.attributes}
    dimensions = [*SDG_DIMENSIONS, "TIME_PERIOD"]
    for row in frame.iter_rows(named=True):
        key = dsd.make_key(v21.Key, {d: str(row[d]) for d in dimensions if row.get(d) is not None})
        attached = {
            a: v21.AttributeValue(value=str(row[a]), value_for=attributes[a])
            for a in SDG_ATTRIBUTES
            if row.get(a) is not None
        }
        dataset.obs.append(
            v21.Observation(dimension=key, value=row["OBS_VALUE"], value_for=measure, attached_attribute=attached)
        )
    flow = v21.DataflowDefinition(id=DATAFLOW, structure=dsd, maintainer=dsd.maintainer)
    return bytes(sdmx.to_xml(DataMessage(data=[dataset], dataflow=flow), pretty_print=True))
