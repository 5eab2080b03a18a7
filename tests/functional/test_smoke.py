from tests.conftest import sign_in


def test_sign_in_page_renders(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert b"Sign in to Safer Returns" in response.data


def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_sign_in_success(client, people):
    response = sign_in(client, "manager@example.org")
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_an_id_too_large_for_the_database_is_a_404_not_a_500(client, sign_in_as):
    sign_in_as("admin")
    for path in (f"/returns/submissions/{2**63}", f"/returns/submissions/{10**400}", f"/dhr/cases/{2**64}"):
        assert client.get(path).status_code == 404, path


def test_a_form_holding_a_nul_is_refused_with_a_message_naming_the_field(client, sign_in_as):
    sign_in_as("admin")
    response = client.post("/admin/areas/new", data={"name": "Blaby\x00", "code": "BL", "kind": "district"})
    assert response.status_code == 400
    assert b"The field &#39;name&#39; contains a control character" in response.data
    # Tabs and line breaks are ordinary text: the form is read as usual (here: another error, not this one).
    response = client.post("/admin/areas/new", data={"name": "Blaby\tDistrict\r\n", "code": "", "kind": "district"})
    assert b"control character" not in response.data
