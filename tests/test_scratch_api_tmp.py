import pytest, json
from klient.core.services import token_create
from tests.factories import PersonFactory

@pytest.mark.django_db
def test_scratch(client, admin, agent_a, team_a):
    h = {"HTTP_AUTHORIZATION": "Bearer " + token_create(user=admin)}
    def show(r): print(r.status_code, r.content[:600])
    show(client.post("/api/v1/people", data={"first_name": "A", "emails": ["bad", "x@y.com"], "phones": ["123"]}, content_type="application/json", **h))
    show(client.post("/api/v1/people", data={"first_name": 5, "emails": [1], "zzz": 1}, content_type="application/json", **h))
    show(client.post("/api/v1/people", data="{bad", content_type="application/json", **h))
    show(client.post("/api/v1/people", data="[1,2]", content_type="application/json", **h))
    show(client.post("/api/v1/people", data="", content_type="application/json", **h))
    show(client.post("/api/v1/people", data=b"{" + b" " * (3*1024*1024) + b"}", content_type="application/json", **h))
    show(client.post("/api/v1/organizations", data={}, content_type="application/json", **h))
    show(client.get("/api/v1/people?foo=1&limit=0", **h))
    show(client.get("/api/v1/people?owner_id=abc", **h))
    show(client.get("/api/v1/people/abc", **h))
    show(client.get("/api/v1/people/99999999999999999999999", **h))
    show(client.get("/api/v1/people/99", **h))
    show(client.get("/api/v1/people?cursor=zzz", **h))
    r = client.post("/api/v1/people", data={"first_name": "Иван", "last_name": "Петров", "emails": ["Ivan@Example.COM"], "phones": ["8 916 123-45-67"], "tags": ["vip"]}, content_type="application/json", **h)
    show(r)
    pid = r.json()["id"]
    show(client.get(f"/api/v1/people/{pid}/360", **h))
    show(client.get(f"/api/v1/people", **h))
    show(client.patch(f"/api/v1/people/{pid}", data={"first_name": None}, content_type="application/json", **h))
    show(client.patch(f"/api/v1/people/{pid}", data={"title": "CEO"}, content_type="application/json", **h))
    show(client.delete(f"/api/v1/people/{pid}", **h))
    show(client.get("/api/v1/search?q=", **h))
    show(client.get("/api/v1/search", **h))
    show(client.put("/api/v1/people", **h))
    show(client.get("/api/v1/nope", **h))
    show(client.post("/api/v1/people", data={"first_name": "a\x00b"}, content_type="application/json", **h))
