"""Experiments: runs of ``spyglass eval run`` / ``evaluate()`` stored on the server.

``spyglass.evals.remote.upload_run`` posts a run's ``run.json`` as ``summary`` and then its
``results.jsonl`` rows in batches. Uploading a run again replaces it. A comparison of two
stored runs pairs their items and runs the same tests as ``spyglass eval compare``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from spyglass.exceptions import NotFound
from spyglass.server.api.bodies import LimitedBodyRoute
from spyglass.server.api.traces import MAX_PAGE
from spyglass.server.auth import ProjectId
from spyglass.server.blocking import run_blocking
from spyglass.server.comparisons import check_rows, compare_runs, record_of
from spyglass.server.state import store_of
from spyglass.storage.eval_models import ExperimentRecord, ExperimentResult

router = APIRouter(prefix="/api", tags=["experiments"], route_class=LimitedBodyRoute)


class ExperimentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: dict[str, Any] = Field(description="The run's run.json.")


class ResultsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    results: list[ExperimentResult] = Field(description="Lines of the run's results.jsonl.")


class CheckAggregate(BaseModel):
    label: str | None
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None


class ExperimentInfo(BaseModel):
    id: str
    name: str
    dataset: str
    dataset_version: str
    created_ns: int
    checks: list[CheckAggregate]


class ExperimentList(BaseModel):
    items: list[ExperimentInfo]
    next_cursor: str | None = None


class ExperimentPage(BaseModel):
    experiment: dict[str, Any] = Field(description="The run's summary (run.json).")
    results: list[ExperimentResult]
    next_cursor: str | None = None


class Stored(BaseModel):
    stored: int


def info_of(record: ExperimentRecord) -> ExperimentInfo:
    return ExperimentInfo(
        id=record.id,
        name=record.name,
        dataset=record.dataset_name,
        dataset_version=record.dataset_version,
        created_ns=record.created_ns,
        checks=[CheckAggregate(**row) for row in check_rows(record)],
    )


@router.post(
    "/experiments",
    response_model=ExperimentInfo,
    status_code=201,
    summary="Store a run's summary (200 when it replaces an earlier upload of the run)",
)
async def create_experiment(
    request: Request, response: Response, project_id: ProjectId, body: ExperimentIn
) -> ExperimentInfo:
    record = record_of(body.summary)
    created = await run_blocking(store_of(request).put_experiment, project_id, record)
    if not created:
        response.status_code = 200
    return info_of(record)


@router.post(
    "/experiments/{experiment_id}/results",
    response_model=Stored,
    summary="Store a batch of a run's results (upserted by item and repeat)",
    responses={404: {"description": "no such experiment in the project"}},
)
async def add_results(
    request: Request, project_id: ProjectId, experiment_id: str, body: ResultsIn
) -> Stored:
    store = store_of(request)
    if await run_blocking(store.get_experiment, project_id, experiment_id) is None:
        raise NotFound(f"there is no experiment {experiment_id!r} in this project")
    stored = await run_blocking(
        store.put_experiment_results, project_id, experiment_id, body.results
    )
    return Stored(stored=stored)


@router.get("/experiments", response_model=ExperimentList, summary="Runs, newest first")
async def list_experiments(
    request: Request,
    project_id: ProjectId,
    name: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: str | None = None,
) -> ExperimentList:
    page = await run_blocking(store_of(request).list_experiments, project_id, name, limit, cursor)
    return ExperimentList(items=[info_of(r) for r in page.items], next_cursor=page.next_cursor)


@router.get(
    "/experiments/compare",
    summary="Compare two runs item by item: per check, the paired test's verdict",
    responses={404: {"description": "no such experiment in the project"}},
)
async def compare(
    request: Request, project_id: ProjectId, baseline: str, candidate: str
) -> dict[str, Any]:
    result = await compare_runs(
        store_of(request), project_id, baseline, candidate, with_items=False
    )
    return result.to_dict()


@router.get(
    "/experiments/{experiment_id}",
    response_model=ExperimentPage,
    summary="A run's summary and a page of its results (by item id, then repeat)",
    responses={404: {"description": "no such experiment in the project"}},
)
async def get_experiment(
    request: Request,
    project_id: ProjectId,
    experiment_id: str,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    cursor: str | None = None,
) -> ExperimentPage:
    store = store_of(request)
    record = await run_blocking(store.get_experiment, project_id, experiment_id)
    if record is None:
        raise NotFound(f"there is no experiment {experiment_id!r} in this project")
    page = await run_blocking(
        store.list_experiment_results, project_id, experiment_id, limit, cursor
    )
    return ExperimentPage(
        experiment=record.summary, results=page.items, next_cursor=page.next_cursor
    )
