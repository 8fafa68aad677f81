"""Indicator models: the SDG reference framework, user-defined frameworks, series and observations."""

from coopatlas.indicators.models.frameworks import (
    Direction,
    FormulaKind,
    FormulaTerm,
    FrameworkIndicator,
    FrameworkTarget,
    IndicatorFramework,
    ProgressMethod,
)
from coopatlas.indicators.models.observations import (
    Area,
    Dataset,
    Dimension,
    DimensionValue,
    Observation,
    ObservationStatus,
    ProgressConfiguration,
    Series,
)
from coopatlas.indicators.models.sdg import SdgGoal, SdgIndicator, SdgTarget

__all__ = [
    "Area",
    "Dataset",
    "Dimension",
    "DimensionValue",
    "Direction",
    "FormulaKind",
    "FormulaTerm",
    "FrameworkIndicator",
    "FrameworkTarget",
    "IndicatorFramework",
    "Observation",
    "ObservationStatus",
    "ProgressConfiguration",
    "ProgressMethod",
    "SdgGoal",
    "SdgIndicator",
    "SdgTarget",
    "Series",
]
