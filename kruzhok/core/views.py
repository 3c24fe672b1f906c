from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kruzhok.core.jobs import job_for_user
from kruzhok.core.models import Job


@login_required
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """Who: the user who started the job, or a superuser. The progress block, polled by htmx until the job ends."""
    try:
        job = job_for_user(request.user, job_id)
    except Job.DoesNotExist:
        raise Http404 from None
    return render(request, "core/_job.html", {"job": job})
