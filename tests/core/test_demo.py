from klient.activities.models import Interaction
from klient.contacts.models import Organization, Person
from klient.core.demo_data import demo_load
from klient.core.models import Role, User


def _logged():
    """The interactions people logged (system entries of other apps have no author)."""
    return Interaction.objects.filter(author__isnull=False)


def test_demo_load_is_idempotent_and_covers_every_role_and_language(db):
    demo_load(organizations=12, people=60, interactions=150, admin_password="demo-Passw0rd-1")
    counts = (Organization.objects.count(), Person.objects.count(), _logged().count())

    demo_load(organizations=12, people=60, interactions=150, admin_password="demo-Passw0rd-1")

    assert counts == (12, 60, 150)
    assert (
        Organization.objects.count(),
        Person.objects.count(),
        _logged().count(),
    ) == counts
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert set(Person.objects.values_list("preferred_language", flat=True)) == {"ru", "bg", "en"}
    assert User.objects.get(username="admin").check_password("demo-Passw0rd-1")
    assert all(p.search_text for p in Person.objects.all())


def test_demo_data_comes_from_every_app(db):
    from klient.calendars.models import BusinessCalendar
    from klient.money.models import ExchangeRate

    workspace = demo_load(
        organizations=4, people=8, interactions=10, admin_password="demo-Passw0rd-1"
    )
    assert BusinessCalendar.objects.filter(workspace=workspace, is_default=True).count() == 1
    assert ExchangeRate.objects.filter(workspace=workspace).exists()
    assert _logged().filter(workspace=workspace).count() == 10
    # Services record their own entries: files attached, deals created and moved.
    assert Interaction.objects.filter(workspace=workspace, kind="attachments.added").exists()
    assert Interaction.objects.filter(workspace=workspace, kind__startswith="sales.").exists()
