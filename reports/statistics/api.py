"""The estimates in the API: ``GET /api/v1/missions/{id}/estimates/turnout/`` and
``.../estimates/quick-count/`` (coordinators and analysts; 404 for anyone else)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from missions.access import STAFF_ROLES, mission_for
from reports.statistics.selectors import quick_count, turnout_estimate


def _round(value, digits=2):
    return None if value is None else round(value, digits)


def _interval(row: dict | None) -> dict | None:
    """An estimate's figures in percent: the estimate, its margins and bounds at 95% and 99%."""
    if not row or row.get("estimate_pct") is None:
        return None
    return {
        key: _round(row[key])
        for key in (
            "estimate_pct",
            "margin95",
            "low95",
            "high95",
            "margin99",
            "low99",
            "high99",
        )
    }


def _sample(result: dict) -> dict | None:
    """The sample in use: which, when drawn, its size, and how many of its stations reported."""
    sample = result["sample"]
    if sample is None:
        return None
    return {
        "id": sample.pk,
        "stations": result["sample_size"],
        "strata": result["strata"],
        "seed": sample.seed,
        "drawn_at": sample.created_at.isoformat(),
        "stations_reporting": result["sample_reporting"],
    }


class TurnoutEstimateView(APIView):
    @extend_schema(
        responses={200: dict},
        summary="Turnout per hour, national and per region, estimated from the sample in use",
    )
    def get(self, request, mission_id):
        mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
        estimate = turnout_estimate(mission=mission)
        return Response(
            {
                "sample": _sample(estimate),
                "rows": [
                    {
                        "level": r["level"],
                        "area_code": r["area_code"],
                        "area_name": r["area_name"],
                        "bucket_end": r["bucket_end"].isoformat(),
                        "stations_reporting": r["stations_reporting"],
                        "sample_stations": r["sample_stations"],
                        "partial": r["partial"],
                        "strata_reporting": r["strata_reporting"],
                        "single_strata": r["single_strata"],
                        "stratified": r["stratified"],
                        "voters": r["voters"],
                        "registered": r["registered"],
                        **_interval(r),
                        "official_pct": r["official_pct"],
                        "official_outside95": r["official_outside95"],
                    }
                    for r in estimate["rows"]
                ],
            }
        )


class QuickCountView(APIView):
    @extend_schema(
        responses={200: dict},
        summary="Each candidate's share of valid votes estimated from the sample in use",
    )
    def get(self, request, mission_id):
        mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
        result = quick_count(
            mission=mission, reconciled_only=request.query_params.get("reconciled_only") == "1"
        )
        checks = result["reconciliation"]
        return Response(
            {
                "sample": _sample(result),
                "stations_reporting": result["stations_reporting"],
                "single_strata": result["single_strata"],
                "incomplete": result["incomplete"],
                "not_reconciled_in_sample": result["not_reconciled_in_sample"],
                "reconciled_only": result["reconciled_only"],
                "candidates": [
                    {
                        "code": c["code"],
                        "name": c["name"],
                        "position": c["position"],
                        "votes": c.get("votes"),
                        **(_interval(c) or {"estimate_pct": None}),
                    }
                    for c in (result["estimates"] or result["candidates"])
                ],
                "invalid": _interval(result["invalid"]),
                "turnout": _interval(result["turnout"]),
                "reconciliation": {
                    "checked": checks["checked"],
                    "reconciles": checks["reconciles"],
                    "incomplete": checks["incomplete"],
                    "flagged": [
                        {
                            "visit": f["id"],
                            "station_code": f["station__code"],
                            "problem": f["problem"],
                            "valid": f["valid"],
                            "invalid": f["invalid"],
                            "ballots": f["ballots"],
                            "difference": f["difference"],
                        }
                        for f in checks["flagged"]
                    ],
                },
                "convergence": [
                    {
                        "received_at": p["received_at"].isoformat(),
                        "stations": p["stations"],
                        "code": p["code"],
                        "estimate_pct": _round(p["estimate_pct"]),
                        "low95": _round(p["low95"]),
                        "high95": _round(p["high95"]),
                    }
                    for p in result["convergence"]
                ],
            }
        )
