def test_login_and_me(logged_in):
    r = logged_in.get("/api/v1/auth/me")
    assert r.status_code == 200
    assert r.get_json()["data"]["username"] == "mike"
