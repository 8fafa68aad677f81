"""Who is left behind: gaps between groups, parity indices, dissimilarity, inequality of distributions, ODA gaps.

All measures are polars expressions or group-bys over long frames, so they run on every country ×
year × indicator at once. Sources are cited per function and in docs/methods/lnob.md.
"""

from __future__ import annotations

import polars as pl

ODA_TARGET_PCT_GNI = 0.7


def group_gaps(frame: pl.DataFrame, by: list[str], group: str, reference: str) -> pl.DataFrame:
    """Difference and ratio of each group's value to the reference group's in the same cell (``by`` columns).

    ``difference = y_group − y_reference``, ``ratio = y_group / y_reference`` (null when the reference
    is 0 or missing: never NaN or infinity).
    """
    base = frame.filter(pl.col(group) == reference).select(*by, pl.col("value").alias("reference_value"))
    joined = frame.filter(pl.col(group) != reference).join(base, on=by, how="inner")
    return joined.with_columns(
        (pl.col("value") - pl.col("reference_value")).alias("difference"),
        pl.when(pl.col("reference_value") != 0).then(pl.col("value") / pl.col("reference_value")).alias("ratio"),
    ).sort(*by, group)


def parity_index(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """Parity index ``numerator / denominator`` (e.g. sex parity F/M); null when the denominator is 0."""
    return pl.when(denominator != 0).then(numerator / denominator)


def adjusted_parity_index(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """UIS adjusted parity index (SDG 4.5.1): F/M when F ≤ M, else 2 − M/F; symmetric around 1 and bounded by 2.

    Source: UNESCO Institute for Statistics, SDG 4.5.1 metadata and "Glossary: Adjusted parity index".
    """
    return (
        pl.when((numerator <= denominator) & (denominator != 0))
        .then(numerator / denominator)
        .when((numerator > denominator) & (numerator != 0))
        .then(2 - denominator / numerator)
    )


def sex_parity(frame: pl.DataFrame, by: list[str], sex: str = "sex", female: str = "female",
               male: str = "male") -> pl.DataFrame:  # fmt: skip
    """Per cell: female and male values, parity index F/M and adjusted parity index (UIS)."""
    wide = (
        frame.filter(pl.col(sex).is_in([female, male]))
        .select(*by, sex, "value")
        .pivot(on=sex, index=by, values="value", aggregate_function=None)
    )
    for column in (female, male):
        if column not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(column))
    f, m = pl.col(female), pl.col(male)
    return wide.with_columns(
        parity_index(f, m).alias("parity_index"), adjusted_parity_index(f, m).alias("adjusted_parity_index")
    ).sort(by)


def dissimilarity_index(frame: pl.DataFrame, by: list[str], weight: str = "weight") -> pl.DataFrame:
    """ESCAP's dissimilarity index D per cell: ``D = 1/(2ȳ) · Σ p_i |y_i − ȳ|``, ``p_i`` the groups' population shares.

    ``ȳ = Σ p_i y_i`` is the population-weighted mean. D is the share of the total (of the good or
    bad outcome) that would have to be redistributed for every group to have the same rate; 0 is
    equality. Source: ESCAP (2018), "Inequality in Asia and the Pacific in the era of the 2030 Agenda",
    and ESCAP's "Leaving no one behind" methodology (ESCAP Statistics Division working paper, 2019).
    Cells whose mean is 0 get null.
    """
    shares = frame.filter(pl.col("value").is_finite() & (pl.col(weight) > 0)).with_columns(
        (pl.col(weight) / pl.col(weight).sum().over(by)).alias("_p")
    )
    shares = shares.with_columns((pl.col("_p") * pl.col("value")).sum().over(by).alias("mean"))
    return (
        shares.group_by(by)
        .agg(
            pl.col("mean").first(),
            (pl.col("_p") * (pl.col("value") - pl.col("mean")).abs()).sum().alias("_spread"),
            pl.len().alias("groups"),
        )
        .with_columns(pl.when(pl.col("mean") != 0).then(pl.col("_spread") / (2 * pl.col("mean"))).alias("D"))
        .drop("_spread")
        .sort(by)
    )


def furthest_groups(frame: pl.DataFrame, by: list[str], group: str, higher_is_better: bool = True) -> pl.DataFrame:
    """Per cell: the furthest-behind and furthest-ahead groups, their values and the gap between them (ahead − behind)."""
    ordered = frame.filter(pl.col("value").is_finite()).sort("value", descending=not higher_is_better)
    return (
        ordered.group_by(by)
        .agg(
            pl.col(group).first().alias("furthest_behind"),
            pl.col("value").first().alias("behind_value"),
            pl.col(group).last().alias("furthest_ahead"),
            pl.col("value").last().alias("ahead_value"),
            pl.len().alias("groups"),
        )
        .with_columns((pl.col("ahead_value") - pl.col("behind_value")).abs().alias("gap"))
        .sort(by)
    )


def gap_change(gaps: pl.DataFrame, by: list[str], measure: str = "gap") -> pl.DataFrame:
    """How a gap moved: first and latest year per cell (``by`` without year), both values, change and annual change."""
    ordered = gaps.filter(pl.col(measure).is_not_null()).sort("year")
    return (
        ordered.group_by(by)
        .agg(
            pl.col("year").first().alias("first_year"),
            pl.col(measure).first().alias("first_gap"),
            pl.col("year").last().alias("latest_year"),
            pl.col(measure).last().alias("latest_gap"),
        )
        .filter(pl.col("latest_year") > pl.col("first_year"))
        .with_columns((pl.col("latest_gap") - pl.col("first_gap")).alias("change"))
        .with_columns((pl.col("change") / (pl.col("latest_year") - pl.col("first_year"))).alias("change_per_year"))
        .with_columns(
            pl.when(pl.col("change") < 0).then(pl.lit("narrowed"))
            .when(pl.col("change") > 0).then(pl.lit("widened")).otherwise(pl.lit("unchanged")).alias("trend")
        )  # fmt: skip
        .sort(by)
    )


def lorenz(frame: pl.DataFrame, by: list[str], weight: str | None = None) -> pl.DataFrame:
    """Lorenz curve points per cell: cumulative population share ``P`` and cumulative value share ``L`` (sorted by value)."""
    w = pl.col(weight) if weight else pl.lit(1.0)
    ordered = frame.filter(pl.col("value").is_finite() & (pl.col("value") >= 0)).with_columns(w.alias("_w")).sort(
        [*by, "value"]
    )
    return ordered.with_columns(
        (pl.col("_w").cum_sum().over(by) / pl.col("_w").sum().over(by)).alias("P"),
        ((pl.col("_w") * pl.col("value")).cum_sum().over(by) / (pl.col("_w") * pl.col("value")).sum().over(by)).alias(
            "L"
        ),
    )


def lorenz_at(points: pl.DataFrame, by: list[str], share: float) -> pl.DataFrame:
    """The Lorenz curve's value at population share ``share``, by linear interpolation between its points."""
    previous = points.with_columns(
        pl.col("P").shift(1, fill_value=0.0).over(by).alias("_P0"), pl.col("L").shift(1, fill_value=0.0).over(by).alias("_L0")
    )
    crossing = previous.filter((pl.col("P") >= share) & (pl.col("_P0") < share))
    return crossing.group_by(by).agg(
        (pl.col("_L0") + (share - pl.col("_P0")) / (pl.col("P") - pl.col("_P0")) * (pl.col("L") - pl.col("_L0")))
        .first()
        .alias(f"L{share:g}")
    )


def inequality(frame: pl.DataFrame, by: list[str], weight: str | None = None) -> pl.DataFrame:
    """Gini, Palma and Theil T per cell from unit values (incomes, consumption), optionally weighted.

    * Gini = 1 − Σ (P_i − P_{i−1})(L_i + L_{i−1}) over the Lorenz curve (trapezoids), the standard
      grouped-data formula (e.g. World Bank PovcalNet technical note).
    * Palma = share of the top 10 % / share of the bottom 40 % = (1 − L(0.9)) / L(0.4)
      (Palma 2011; Cobham & Sumner 2013), the Lorenz curve interpolated linearly.
    * Theil T = Σ s_i (x_i/μ) ln(x_i/μ), ``s_i`` population shares, μ the mean; zero incomes add 0
      (the limit of x ln x) (Theil 1967).
    """
    points = lorenz(frame, by, weight)
    points = points.with_columns(
        pl.col("P").shift(1, fill_value=0.0).over(by).alias("_P0"), pl.col("L").shift(1, fill_value=0.0).over(by).alias("_L0")
    )
    share = pl.col("_w") / pl.col("_w").sum()
    mean = (share * pl.col("value")).sum()
    relative = pl.col("value") / mean
    base = points.group_by(by).agg(
        (1 - ((pl.col("P") - pl.col("_P0")) * (pl.col("L") + pl.col("_L0"))).sum()).alias("gini"),
        (share * pl.when(relative > 0).then(relative * relative.log()).otherwise(0.0)).sum().alias("theil_t"),
        mean.alias("mean"),
        pl.len().alias("units"),
    )
    palma = lorenz_at(points, by, 0.4).join(lorenz_at(points, by, 0.9), on=by, how="inner")
    palma = palma.with_columns(
        pl.when(pl.col("L0.4") > 0).then((1 - pl.col("L0.9")) / pl.col("L0.4")).alias("palma")
    ).select(*by, "palma")
    return base.join(palma, on=by, how="left").sort(by)


def palma_from_decile_shares(shares: list[float]) -> float:
    """Palma ratio from ten decile shares, poorest first: D10 / (D1 + D2 + D3 + D4)."""
    if len(shares) != 10:
        raise ValueError("ten decile shares are needed, poorest first")
    return shares[9] / sum(shares[:4])


def oda_gap(frame: pl.DataFrame, target_pct: float = ODA_TARGET_PCT_GNI) -> pl.DataFrame:
    """Donors' ODA against the 0.7 % of GNI target: GNI derived from ODA and ODA/GNI, and the shortfall in money.

    Where both the ODA amount and its ratio to GNI are given, ``GNI = ODA / (ratio / 100)``; the
    shortfall is ``max(0, target% × GNI − ODA)`` in the ODA amount's unit. Target: UN General
    Assembly resolution 2626 (XXV), 1970, para. 43, reaffirmed as SDG target 17.2 (indicator 17.2.1).
    ``frame`` has ``oda_pct_gni`` and optionally ``oda_amount``; rows with a ratio of 0 have no GNI.
    """
    has_amount = "oda_amount" in frame.columns
    amount = pl.col("oda_amount") if has_amount else pl.lit(None, pl.Float64)
    gni = pl.when(pl.col("oda_pct_gni") > 0).then(amount / (pl.col("oda_pct_gni") / 100))
    return frame.with_columns(
        (pl.col("oda_pct_gni") >= target_pct).alias("meets_target"),
        (target_pct - pl.col("oda_pct_gni")).clip(lower_bound=0).alias("gap_pct_gni"),
        gni.alias("gni"),
    ).with_columns((pl.col("gni") * target_pct / 100 - amount).clip(lower_bound=0).alias("shortfall"))
