"""/settings/jobs/: an administrator sees the workspace's failed jobs with their error,
and retries or cancels them; nobody else does."""

from __future__ import annotations

import pytest

from klient.core.jobs import job
from klient.core.models import AuditEvent, OutboxJob
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

failures_left: list[int] = []
runs: list[str] = []


@job("tests.jobs_page.flaky", retries=1, retry_delay=0)
def flaky(*, text: str) -> None:
    runs.append(text)
    if failures_left:
        failures_left.pop()
        raise RuntimeError(f"<script>alert('{text}')</script> refused")


@pytest.fixture(autouse=True)
def _reset():
    failures_left.clear()
    runs.clear()


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def failed_job(workspace, django_capture_on_commit_callbacks):
    failures_left.extend([1, 1])
    with django_capture_on_commit_callbacks(execute=True):
        outbox_id = flaky.enqueue_in(workspace.pk, text="x")
    runs.clear()
    return OutboxJob.objects.get(pk=outbox_id)


def test_a_job_that_failed_all_its_attempts_is_listed_with_its_error_escaped(
    admin_client, failed_job
):
    assert (failed_job.status, failed_job.attempts) == ("failed", 2)

    response = admin_client.get("/settings/jobs/")

    assert response.status_code == 200
    assert [row.pk for row in response.context["page"].items] == [failed_job.pk]
    assert response.context["counts"] == [
        {"name": "tests.jobs_page.flaky", "pending": 0, "failed": 1}
    ]
    page = response.content.decode()
    assert "RuntimeError: &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; refused" in page
    assert "<script>alert" not in page
    assert "<details>" in page


def test_retry_from_the_page_runs_the_job_again_and_it_succeeds(
    admin_client, admin, failed_job, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/settings/jobs/{failed_job.pk}/retry/")

    assert response.status_code == 302
    failed_job.refresh_from_db()
    assert (failed_job.status, failed_job.attempts, failed_job.last_error) == ("done", 1, "")
    assert runs == ["x"]
    event = AuditEvent.objects.get(action="outbox_job.retry")
    assert (event.actor_id, event.object_id, event.changes) == (
        admin.pk,
        failed_job.pk,
        {"status": ["failed", "pending"]},
    )
    assert list(admin_client.get("/settings/jobs/").context["page"].items) == []


def test_cancel_from_the_page_leaves_the_job_cancelled_for_good(
    admin_client, failed_job, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/settings/jobs/{failed_job.pk}/cancel/")

    assert response.status_code == 302
    failed_job.refresh_from_db()
    assert failed_job.status == "cancelled"
    assert runs == []
    assert AuditEvent.objects.filter(action="outbox_job.cancel", object_id=failed_job.pk).exists()
    assert admin_client.post(f"/settings/jobs/{failed_job.pk}/retry/").status_code == 409


def test_a_job_that_is_not_failed_cannot_be_retried(admin_client, workspace):
    row = OutboxJob.objects.create(workspace=workspace, name="tests.jobs_page.flaky", status="done")
    assert admin_client.post(f"/settings/jobs/{row.pk}/retry/").status_code == 409
    assert OutboxJob.objects.get(pk=row.pk).status == "done"


def test_waiting_jobs_are_counted_per_job(admin_client, workspace):
    for _index in range(2):
        OutboxJob.objects.create(workspace=workspace, name="tests.jobs_page.flaky")
    OutboxJob.objects.create(workspace=workspace, name="tests.jobs_page.flaky", status="done")

    response = admin_client.get("/settings/jobs/")

    assert response.context["counts"] == [
        {"name": "tests.jobs_page.flaky", "pending": 2, "failed": 0}
    ]


def test_another_workspaces_jobs_are_neither_shown_nor_retried(admin_client, other_workspace_admin):
    theirs = OutboxJob.objects.create(
        workspace=other_workspace_admin.workspace,
        name="tests.jobs_page.flaky",
        status="failed",
        last_error="RuntimeError: their secret",
    )

    response = admin_client.get("/settings/jobs/")

    assert list(response.context["page"].items) == []
    assert response.context["counts"] == []
    assert "their secret" not in response.content.decode()
    assert admin_client.post(f"/settings/jobs/{theirs.pk}/retry/").status_code == 404
    assert admin_client.post(f"/settings/jobs/{theirs.pk}/cancel/").status_code == 404
    assert OutboxJob.objects.get(pk=theirs.pk).status == "failed"


@pytest.mark.parametrize("username", ["manager_a", "agent_a", "analyst"])
def test_the_jobs_page_is_for_admins_only(client, request, username, failed_job):
    user = request.getfixturevalue(username)
    client.login(username=user.username, password=TEST_PASSWORD)

    assert client.get("/settings/jobs/").status_code == 403
    assert client.post(f"/settings/jobs/{failed_job.pk}/retry/").status_code == 403
    assert client.post(f"/settings/jobs/{failed_job.pk}/cancel/").status_code == 403
    assert OutboxJob.objects.get(pk=failed_job.pk).status == "failed"
