"""factory_boy factories; records are built through services where rules apply."""

from __future__ import annotations

import factory
from django.utils import timezone

from klient.activities.models import Interaction, Task
from klient.contacts.models import Organization, Person
from klient.core.models import Team, User, Workspace

TEST_PASSWORD = "correct-horse-battery-9"


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    workspace = factory.SubFactory(WorkspaceFactory)
    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = "agent"
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"ООО Ромашка {n}")
    search_text = factory.LazyAttribute(lambda o: o.name.lower())


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    workspace = factory.SubFactory(WorkspaceFactory)
    first_name = "Иван"
    last_name = factory.Sequence(lambda n: f"Кузнецов{n}")
    full_name = factory.LazyAttribute(lambda p: f"{p.first_name} {p.last_name}")
    search_text = factory.LazyAttribute(lambda p: p.full_name.lower())


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    workspace = factory.SelfAttribute("person.workspace")
    person = factory.SubFactory(PersonFactory)
    kind = "call"
    direction = "outbound"
    occurred_at = factory.LazyFunction(timezone.now)
    subject = factory.Sequence(lambda n: f"Call {n}")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    workspace = factory.SubFactory(WorkspaceFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
