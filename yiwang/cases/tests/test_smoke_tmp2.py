import json
from conftest import client_for
from yiwang.cases.tests.conftest import PDF, materials_of


def test_api_path(personas, staff, version):
    c = client_for(personas.citizen)
    files = {
        f"material_{pk}": __import__("io").BytesIO(PDF) for pk in materials_of(version).values()
    }
    for k, f in files.items():
        f.name = k + ".pdf"
    r = c.post("/api/v1/cases/", {"version_id": version.pk, **files}, HTTP_IDEMPOTENCY_KEY="k1")
    print(r.status_code, r.content[:500])
    assert r.status_code == 201
    cid = r.json()["id"]
    r = client_for(staff.clerk).get(f"/api/v1/cases/{cid}")
    print(json.dumps(r.json(), ensure_ascii=False)[:1500])
    r = client_for(staff.clerk).post(
        f"/api/v1/cases/{cid}/transitions", {"action": "receive"}, content_type="application/json"
    )
    print(r.status_code, r.content[:300])
