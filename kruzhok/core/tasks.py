"""django-tasks entry points of the core app: the one task that runs any :class:`~kruzhok.core.models.Job`."""

from django_tasks import task

from kruzhok.core import jobs


@task()
def run_job(job_id: int) -> None:
    jobs.job_run(job_id)
