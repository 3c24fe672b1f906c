"""The background search for duplicate children of a territory (``dedup.search``, see ``core.jobs``)."""

from __future__ import annotations

import pyarrow as pa
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from kruzhok.core.errors import DomainError
from kruzhok.core.jobs import Progress, job_handler
from kruzhok.core.models import Job
from kruzhok.core.text import fold
from kruzhok.dedup import pipeline
from kruzhok.dedup.models import Candidate, CandidateStatus
from kruzhok.dedup.services import MergeConflictError, child_keys_rebuild, child_merge
from kruzhok.people.models import Child

READ_BATCH = 20_000


def territory_children(params: dict):
    """Unmerged children living in the job's municipality or region (everyone for an empty territory)."""
    qs = Child.objects.unmerged()
    if params.get("municipality"):
        qs = qs.filter(municipality_id=params["municipality"])
    elif params.get("region"):
        qs = qs.filter(municipality__region_id=params["region"])
    return qs


def children_table(qs, progress: Progress | None = None, total: int = 0) -> pa.Table:
    """The children as an Arrow table for the pipeline, read in batches by primary key (both databases)."""
    columns: dict[str, list] = {k: [] for k in ("unique_id", "surname", "name", "patronymic", "sex", "birth_date",
                                                "phone", "school", "municipality", "national_id")}
    last = 0
    fields = ("pk", "surname", "name", "patronymic", "sex", "birth_date", "phone", "school_id", "school_name",
              "municipality_id", "national_id")
    while True:
        rows = list(qs.filter(pk__gt=last).order_by("pk").values_list(*fields)[:READ_BATCH])
        if not rows:
            break
        for pk, surname, name, patronymic, sex, born, phone, school_id, school_name, muni, nid in rows:
            columns["unique_id"].append(pk)
            columns["surname"].append(surname)
            columns["name"].append(name)
            columns["patronymic"].append(patronymic)
            columns["sex"].append(sex)
            columns["birth_date"].append(born)
            columns["phone"].append(phone)
            columns["school"].append(str(school_id) if school_id else (f"n:{fold(school_name)}" if school_name
                                                                       else None))
            columns["municipality"].append(muni)
            columns["national_id"].append(nid)
        last = rows[-1][0]
        if progress is not None:
            progress(len(columns["unique_id"]) // 2, total=total, message=_("Чтение записей детей"))
    return pa.table({
        **{k: pa.array(v, type=pa.string()) for k, v in columns.items()
           if k not in ("unique_id", "birth_date", "municipality")},
        "unique_id": pa.array(columns["unique_id"], type=pa.int64()),
        "birth_date": pa.array(columns["birth_date"], type=pa.date32()),
        "municipality": pa.array(columns["municipality"], type=pa.int64()),
    })


def search(*, params: dict, job: Job | None = None, progress: Progress | None = None) -> dict:
    """Score the territory's children, put pairs at or above the review weight in the queue (pairs decided
    «not a duplicate» or merged are never proposed again) and merge automatically above the auto-merge weight
    when that is switched on (``settings.DEDUP_AUTO_MERGE_WEIGHT``, off by default)."""
    qs = territory_children(params)
    total = qs.count()
    steps = max(total, 1) * 2
    if progress is not None:
        progress(0, total=steps, message=_("Чтение записей детей"), force=True)
    child_keys_rebuild(queryset=qs)
    if total < 2:
        return {"children": total, "pairs": 0, "new": 0, "merged": 0, "url": reverse("dedup:queue")}
    table = children_table(qs, progress, steps)
    if progress is not None:
        progress(total, total=steps, message=_("Сравнение пар"), force=True)
    review = float(params.get("review_weight", pipeline.REVIEW_WEIGHT))
    pairs = pipeline.predict(table, threshold_weight=review, keep_bayes_factors=True,
                             population=max(total, pipeline.MIN_POPULATION))
    clusters = pipeline.cluster(pairs, threshold_weight=review)
    rows = pairs.to_pylist()
    if progress is not None:
        progress(total + total // 2, total=steps, message=_("Запись пар в очередь"), force=True)
    new, updated = _save(rows, clusters, job)
    merged = _auto_merge(params, job)
    return {"children": total, "pairs": len(rows), "new": new, "updated": updated, "merged": merged,
            "url": reverse("dedup:queue")}


def _save(rows: list[dict], clusters: dict[int, int], job: Job | None) -> tuple[int, int]:
    ids = {r["unique_id_l"] for r in rows} | {r["unique_id_r"] for r in rows}
    municipality = dict(Child.objects.filter(pk__in=ids).values_list("pk", "municipality_id")) if ids else {}
    new = updated = 0
    for start in range(0, len(rows), 2000):
        chunk = rows[start:start + 2000]
        keys = {(min(r["unique_id_l"], r["unique_id_r"]), max(r["unique_id_l"], r["unique_id_r"])) for r in chunk}
        q = Q(pk__in=[])
        for a, b in keys:
            q |= Q(child_a_id=a, child_b_id=b)
        existing = {(c.child_a_id, c.child_b_id): c for c in Candidate.objects.filter(q)}
        create, update = [], []
        for row in chunk:
            a, b = sorted((row["unique_id_l"], row["unique_id_r"]))
            weight, probability = float(row["match_weight"]), float(row["match_probability"])
            contributions = pipeline.explain(row)
            found = existing.get((a, b))
            if found is None:
                create.append(Candidate(child_a_id=a, child_b_id=b, municipality_id=municipality[a],
                                        match_weight=weight, match_probability=probability,
                                        contributions=contributions, cluster=clusters.get(a), job=job))
            elif found.status not in (CandidateStatus.NOT_DUPLICATE, CandidateStatus.MERGED):
                found.match_weight, found.match_probability = weight, probability
                found.contributions, found.cluster, found.job = contributions, clusters.get(a), job
                update.append(found)
        with transaction.atomic():
            Candidate.objects.bulk_create(create)
            Candidate.objects.bulk_update(update, ["match_weight", "match_probability", "contributions", "cluster",
                                                   "job", "updated_at"])
        new += len(create)
        updated += len(update)
    return new, updated


def _auto_merge(params: dict, job: Job | None) -> int:
    threshold = params.get("auto_merge_weight", getattr(settings, "DEDUP_AUTO_MERGE_WEIGHT", None))
    if threshold is None:
        return 0
    merged = 0
    actor = job.created_by if job is not None else None
    candidates = (Candidate.objects.filter(status=CandidateStatus.OPEN, match_weight__gte=float(threshold),
                                           child_a__merged_into__isnull=True, child_b__merged_into__isnull=True)
                  .select_related("child_a", "child_b").order_by("-match_weight"))
    if params.get("municipality"):
        candidates = candidates.filter(municipality_id=params["municipality"])
    elif params.get("region"):
        candidates = candidates.filter(municipality__region_id=params["region"])
    for candidate in candidates:
        candidate.child_a.refresh_from_db()
        candidate.child_b.refresh_from_db()
        if candidate.child_a.merged_into_id or candidate.child_b.merged_into_id:
            continue
        try:
            child_merge(survivor=candidate.child_a, absorbed=candidate.child_b, actor=actor, candidate=candidate,
                        automatic=True)
        except (MergeConflictError, DomainError):
            continue  # left in the queue for a person
        merged += 1
    return merged


@job_handler("dedup.search")
def _search_job(job: Job, progress: Progress) -> dict:
    return search(params=job.params, job=job, progress=progress)
