"""ETag, If-None-Match and If-Match on one session, one client and the caller's profile
(contract §10): one helper (api.http.Versioned) serves them all, so each rule is checked
on each resource through HTTP."""

from __future__ import annotations

import threading

import pytest
import requests

from .factories import PASSWORD, SESSIONS, stored, utc
from .live import live_server, login_cookie

CLIENTS = "/api/v1/clients"
ME = "/api/v1/auth/me"
STALE = {"success": False, "error": "The resource has changed since it was read"}


@pytest.fixture(params=["session", "client", "me"])
def resource(request, factory, trainer, john, existing):
    """(url, a change of it as a PATCH body) for each resource with an ETag."""
    return {
        "session": (f"{SESSIONS}/{existing.id}", {"notes": "changed"}),
        "client": (f"{CLIENTS}/{john.id}", {"notes": "changed"}),
        "me": (ME, {"full_name": "Changed Name"}),
    }[request.param]


def etag_of(web, url) -> str:
    r = web.get(url)
    assert r.status_code == 200
    tag = r.headers["ETag"]
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith('W/')  # strong
    return tag


def test_etag_get_if_none_match_is_304_without_body(logged_in, resource):
    url, _ = resource
    tag = etag_of(logged_in, url)
    r = logged_in.get(url, headers={"If-None-Match": tag})
    assert r.status_code == 304
    assert r.get_data() == b""
    assert r.headers["ETag"] == tag
    other = logged_in.get(url, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.get_json()["success"] is True


def test_etag_changes_on_every_change_even_within_one_second(logged_in, resource):
    url, change = resource
    tags = {etag_of(logged_in, url)}
    for n in range(3):  # three changes within a second or so
        r = logged_in.patch(url, json=change | {"notes" if "notes" in change else "full_name": f"v{n}"})
        assert r.status_code == 200
        assert r.headers["ETag"] not in tags  # the write answers with the new ETag
        assert r.headers["ETag"] == etag_of(logged_in, url)
        tags.add(r.headers["ETag"])
    assert len(tags) == 4


def test_etag_if_match_current_lets_the_write_through(logged_in, resource):
    url, change = resource
    tag = etag_of(logged_in, url)
    r = logged_in.patch(url, json=change, headers={"If-Match": tag})
    assert r.status_code == 200 and r.headers["ETag"] != tag


def test_etag_if_match_stale_is_412_with_current_etag_and_changes_nothing(logged_in, resource):
    url, change = resource
    stale = etag_of(logged_in, url)
    logged_in.patch(url, json=change)  # someone else's edit
    current = etag_of(logged_in, url)
    before = logged_in.get(url).get_json()
    r = logged_in.patch(url, json={k: "lost update" for k in change}, headers={"If-Match": stale})
    assert r.status_code == 412
    assert r.get_json() == STALE
    assert r.headers["ETag"] == current
    assert logged_in.get(url).get_json() == before
    assert etag_of(logged_in, url) == current


def test_etag_writes_without_if_match_behave_as_before(logged_in, resource):
    url, change = resource
    etag_of(logged_in, url)
    logged_in.patch(url, json=change)
    assert logged_in.patch(url, json=change).status_code == 200  # no If-Match: last write wins


def test_etag_if_match_star_matches_any_version(logged_in, resource):
    url, change = resource
    assert logged_in.patch(url, json=change, headers={"If-Match": "*"}).status_code == 200


@pytest.mark.parametrize("method", ["put", "patch"])
def test_etag_put_and_patch_session_both_checked(logged_in, existing, method):
    url = f"{SESSIONS}/{existing.id}"
    r = getattr(logged_in, method)(url, json={"title": "Lost"}, headers={"If-Match": '"stale"'})
    assert r.status_code == 412 and r.headers["ETag"] == etag_of(logged_in, url)


@pytest.mark.parametrize("query", [{}, {"permanent": "true"}])
def test_etag_delete_session_with_stale_if_match_cancels_nothing(app, logged_in, existing, query):
    url = f"{SESSIONS}/{existing.id}"
    current = etag_of(logged_in, url)
    r = logged_in.delete(url, query_string=query, headers={"If-Match": '"stale"'})
    assert r.status_code == 412 and r.headers["ETag"] == current
    assert stored(app, existing.id)["status"] == "scheduled"
    ok = logged_in.delete(url, query_string=query, headers={"If-Match": current})
    assert ok.status_code == 200


def test_etag_cancel_answers_new_etag(logged_in, existing):
    url = f"{SESSIONS}/{existing.id}"
    before = etag_of(logged_in, url)
    r = logged_in.delete(url)
    assert r.status_code == 200 and r.headers["ETag"] not in ("", before)
    assert r.headers["ETag"] == etag_of(logged_in, url)


def test_etag_delete_client_with_stale_if_match_is_412(app, logged_in, factory, trainer):
    lonely = factory.client(trainer)
    url = f"{CLIENTS}/{lonely.id}"
    current = etag_of(logged_in, url)
    r = logged_in.delete(url, headers={"If-Match": '"stale"'})
    assert r.status_code == 412 and r.headers["ETag"] == current
    assert logged_in.get(url).status_code == 200
    assert logged_in.delete(url, headers={"If-Match": current}).status_code == 200


def test_etag_stale_if_match_beats_a_scheduling_conflict(logged_in, factory, trainer, john, existing):
    later = factory.session(trainer, john, utc(2030, 12, 11, 12))
    r = logged_in.patch(f"{SESSIONS}/{later.id}", headers={"If-Match": '"stale"'},
                        json={"scheduled_start": "2030-12-11T10:00:00", "scheduled_end": "2030-12-11T11:00:00"})
    assert r.status_code == 412


def test_etag_another_trainers_resource_is_403_not_412(logged_in, other_session):
    r = logged_in.patch(f"{SESSIONS}/{other_session.id}", json={"notes": "x"}, headers={"If-Match": '"stale"'})
    assert r.status_code == 403 and "ETag" not in r.headers
    assert logged_in.get(f"{SESSIONS}/{other_session.id}", headers={"If-None-Match": "*"}).status_code == 403


def test_etag_missing_resource_is_404(logged_in):
    r = logged_in.patch(f"{SESSIONS}/999999", json={"notes": "x"}, headers={"If-Match": '"stale"'})
    assert r.status_code == 404 and "ETag" not in r.headers


def test_etag_same_for_every_representation_of_one_version(logged_in, existing):
    url = f"{SESSIONS}/{existing.id}"
    assert etag_of(logged_in, url) == etag_of(logged_in, url + "?include_client=true&include_trainer=true")


@pytest.mark.slow
def test_etag_racing_writes_with_one_if_match_exactly_one_wins(app, db_url, tmp_path, trainer, existing):
    """Many writers read the same ETag and send it at once, on a multi-process server: the
    check is made under the write's lock, so one wins and every other gets 412."""
    with live_server(db_url, tmp_path / "instance", workers=2, threads=4) as server:
        cookie = login_cookie(server.base, trainer.username, PASSWORD)
        url = f"{server.base}{SESSIONS}/{existing.id}"
        with requests.Session() as http:
            http.cookies.set("session", cookie)
            tag = http.get(url, timeout=30).headers["ETag"]
        racers = 12
        barrier = threading.Barrier(racers)
        statuses: list[int] = []

        def fire(n: int) -> None:
            with requests.Session() as http:
                http.cookies.set("session", cookie)
                barrier.wait()
                statuses.append(http.patch(url, json={"notes": f"writer {n}"}, headers={"If-Match": tag},
                                           timeout=60).status_code)

        threads = [threading.Thread(target=fire, args=(n,)) for n in range(racers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(statuses) == [200] + [412] * (racers - 1)


TIME_OFF = "/api/v1/time-off"


def test_etag_time_off_get_304_and_stale_delete_is_412(logged_in):
    made = logged_in.post(TIME_OFF, json={"start": "2030-07-01T00:00:00", "end": "2030-07-02T00:00:00"})
    assert made.status_code == 201
    url = f"{TIME_OFF}/{made.get_json()['data']['id']}"
    tag = etag_of(logged_in, url)
    assert logged_in.get(url, headers={"If-None-Match": tag}).status_code == 304
    stale = logged_in.delete(url, headers={"If-Match": '"not-this-one"'})
    assert stale.status_code == 412
    assert stale.get_json() == STALE
    assert stale.headers["ETag"] == tag
    assert logged_in.get(url).status_code == 200  # nothing deleted
    assert logged_in.delete(url, headers={"If-Match": tag}).status_code == 200
    assert logged_in.get(url).status_code == 404


@pytest.mark.parametrize("change", [
    {"scheduling": {"buffer_minutes": 15}},
    {"working_hours_overrides": {"2030-12-24": [{"start": "08:00", "end": "12:00"}]}},
])
def test_etag_of_me_moves_with_scheduling_settings(logged_in, change):
    tag = etag_of(logged_in, ME)
    r = logged_in.patch(ME, json=change)
    assert r.status_code == 200, r.get_json()
    assert r.headers["ETag"] != tag
    assert etag_of(logged_in, ME) == r.headers["ETag"]
