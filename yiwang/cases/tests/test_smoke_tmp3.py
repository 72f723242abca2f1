from conftest import client_for
from yiwang.cases.tests.conftest import submit


def test_pages(personas, staff, version):
    case = submit(personas.citizen, version)
    for user, url in [
        (staff.clerk, "/cases/workbench/?queue=receive"),
        (staff.clerk, f"/cases/{case.pk}/"),
        (personas.citizen, "/cases/mine/"),
        (personas.citizen, f"/cases/{case.pk}/"),
        (personas.citizen, f"/cases/apply/{version.pk}/"),
    ]:
        r = client_for(user).get(url)
        assert r.status_code == 200, (url, r.content[:3000])
    r = client_for(staff.clerk).post(
        f"/cases/{case.pk}/act/receive/", {"row_version": case.row_version}
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    html = client_for(staff.clerk).get(f"/cases/{case.pk}/").content.decode()
    assert "受理" in html
