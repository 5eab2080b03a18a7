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
    response = sign_in(client, "admin@example.org")
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_an_id_too_large_for_the_database_is_a_404_not_a_500(client, sign_in_as):
    sign_in_as("admin")
    for path in (f"/returns/submissions/{2**63}", f"/returns/submissions/{10**400}", f"/dhr/cases/{2**64}"):
        assert client.get(path).status_code == 404, path
