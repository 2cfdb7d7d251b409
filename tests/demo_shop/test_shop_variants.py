"""Every release variant does the one wrong thing it claims (and good does not)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from shop_flows import ALL_NO, ShopClient, application_body, buy_api, start_api, to_confirm_api
from test_shop_pages import ALL_NO_FORM, _journey_at, flow_step, follow, post_and_follow

MakeClient = Callable[..., ShopClient]


def test_long_flow_adds_two_screens_before_confirm(make_client: MakeClient) -> None:
    client = make_client("long-flow")
    jid = start_api(client, "travel")
    client.post(f"/api/journeys/{jid}/notice", json={})
    quote = client.post(f"/api/journeys/{jid}/application", json=application_body()).json()
    assert quote["next"] == "extra-1"
    assert client.post(f"/api/journeys/{jid}/extra-1", json={}).json()["next"] == "extra-2"
    assert client.post(f"/api/journeys/{jid}/extra-2", json={}).json()["next"] == "confirm"
    assert buy_api(client, "medical").status_code == 200
    url = _journey_at(client, "accident")
    url = post_and_follow(client, url, {"applicant_name": "王五", "insured_name": "王五",
                                        "id_number": application_body()["id_number"],
                                        "phone": "13900139000", "consent": "on"})
    assert url.endswith("/extra-1") and flow_step(follow(client, url)) == "extra-1"
    url = post_and_follow(client, url)
    assert url.endswith("/extra-2") and flow_step(follow(client, url)) == "extra-2"
    assert post_and_follow(client, url).endswith("/confirm")


def test_good_has_no_extra_screens(client: ShopClient) -> None:
    jid, _ = to_confirm_api(client, "travel")
    assert client.get(f"/j/{jid}/extra-1").status_code == 404
    assert client.post(f"/api/journeys/{jid}/extra-1", json={}).status_code == 404


def test_unclear_errors_shows_only_a_generic_message(make_client: MakeClient) -> None:
    client = make_client("unclear-errors")
    url = _journey_at(client, "medical")
    answer = client.post(url, data={"q1": "no"})
    assert answer.status_code == 422
    page = answer.text[answer.text.index("<main"):]
    assert "提交失败，请检查后重试" in page
    assert "aria-invalid" not in page and 'role="alert"' not in page
    assert "q2-error" not in page and "autofocus" not in page
    assert post_and_follow(client, url, ALL_NO_FORM).endswith("/application")


def test_preticked_consent_ticks_the_consent_box_and_good_does_not(
        make_client: MakeClient, client: ShopClient) -> None:
    consent = re.compile(r'<input type="checkbox" id="consent"[^>]*>')
    ticked = make_client("preticked-consent")
    page = follow(ticked, _journey_at(ticked, "travel"))
    assert "checked" in consent.findall(page)[0]
    page = follow(client, _journey_at(client, "travel"))
    assert "checked" not in consent.findall(page)[0]


def test_slow_latency_grows_with_requests_in_flight(make_client: MakeClient) -> None:
    from harness_demo_shop.app import InFlightLatency

    slow = make_client("slow", db_name="slow.db", slow_ms_per_request=10.0)
    good = make_client("good", db_name="good.db")
    calls = [("GET", "/api/products", {})] * 40
    started = time.perf_counter()
    assert slow.get("/api/products").status_code == 200
    alone_s = time.perf_counter() - started
    started = time.perf_counter()
    assert {r.status_code for r in slow.gather(calls)} == {200}
    crowded_s = time.perf_counter() - started
    started = time.perf_counter()
    assert {r.status_code for r in good.gather(calls)} == {200}
    good_s = time.perf_counter() - started
    assert crowded_s >= 0.39  # the 40th request waited 40 x 10 ms
    assert alone_s < crowded_s / 2 and good_s < crowded_s
    assert not any(m.cls is InFlightLatency for m in good.app.user_middleware)
    assert any(m.cls is InFlightLatency for m in slow.app.user_middleware)


def _summary(client: ShopClient) -> dict[str, int]:
    summary: dict[str, int] = client.get("/api/reconciliation?summary=only").json()["summary"]
    return summary


def test_lost_policies_loses_and_duplicates_some_policies(make_client: MakeClient) -> None:
    client = make_client("lost-policies")
    summary = _summary(client)
    for n in range(1500):
        assert buy_api(client, "travel", f"v{n}").status_code == 200
        if n % 50 == 49:
            summary = _summary(client)
            if summary["paid_without_policy"] and summary["paid_with_multiple_policies"]:
                break
    assert summary["paid_without_policy"] > 0
    assert summary["paid_with_multiple_policies"] > 0
    assert summary["paid_with_multiple_payments"] == summary["paid_with_multiple_policies"]
    assert summary["paid_without_policy"] < summary["paid"] * 0.1


def test_good_reconciles_with_no_defect(client: ShopClient) -> None:
    for n in range(150):
        assert buy_api(client, ("travel", "medical", "accident")[n % 3], f"v{n}").status_code == 200
    summary = _summary(client)
    assert summary["paid"] == summary["payments"] == summary["policies"] == 150
    defects = {k: v for k, v in summary.items() if k not in ("paid", "payments", "policies")}
    assert set(defects.values()) == {0}, defects


def test_gray_regression_asks_gray_visitors_one_more_question(make_client: MakeClient) -> None:
    client = make_client("gray-regression", gray_percent=100)
    jid = start_api(client, "medical")
    client.post(f"/api/journeys/{jid}/notice", json={})
    answer = client.post(f"/api/journeys/{jid}/health", json={"answers": ALL_NO})
    assert answer.status_code == 422 and set(answer.json()["errors"]) == {"q5"}
    page = follow(client, _journey_at(client, "medical"))
    assert page.count('type="radio"') == 10
    control = make_client("gray-regression", gray_percent=0, db_name="control.db")
    jid = start_api(control, "medical")
    control.post(f"/api/journeys/{jid}/notice", json={})
    answer = control.post(f"/api/journeys/{jid}/health", json={"answers": ALL_NO})
    assert answer.json()["next"] == "application"


def test_gray_regression_fails_about_a_third_of_gray_payments(make_client: MakeClient) -> None:
    gray = make_client("gray-regression", gray_percent=100)
    control = make_client("gray-regression", gray_percent=0, db_name="control.db")
    gray_codes = [buy_api(gray, "travel", f"g{n}").status_code for n in range(80)]
    control_codes = [buy_api(control, "travel", f"c{n}").status_code for n in range(40)]
    assert set(control_codes) == {200}
    failed = gray_codes.count(502)
    assert set(gray_codes) <= {200, 502}
    assert 8 <= failed <= 45, failed
    events = gray.get("/api/export/events.csv").text
    assert len(re.findall(r",gray,server_error,", events)) == failed
