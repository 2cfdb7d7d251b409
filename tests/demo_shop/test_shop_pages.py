"""The purchase flow through the server-rendered pages, screen by screen."""

from __future__ import annotations

import re

import pytest
from shop_flows import ADULT_ID, ShopClient, flow_step

from harness_demo_shop.catalog import PRODUCTS

APPLICATION_FORM = {"applicant_name": "张三", "insured_name": "张三", "id_number": ADULT_ID,
                    "phone": "13800138000", "consent": "on"}
ALL_NO_FORM = {"q1": "no", "q2": "no", "q3": "no", "q4": "no"}


def follow(client: ShopClient, response_url: str) -> str:
    page = client.get(response_url)
    assert page.status_code == 200, page.text
    return page.text


def post_and_follow(client: ShopClient, url: str, data: dict[str, str] | None = None) -> str:
    moved = client.post(url, data=data or {})
    assert moved.status_code == 303, moved.text
    return str(moved.headers["location"])


@pytest.mark.parametrize("product", ["travel", "medical", "accident"])
def test_each_product_can_be_bought_through_the_pages(client: ShopClient, product: str) -> None:
    home = client.get("/")
    assert flow_step(home.text) == "products"
    assert f'data-product="{product}"' in home.text
    assert "visitor_id" in home.cookies
    page = client.get(f"/products/{product}").text
    assert flow_step(page) == "product" and 'id="start"' in page and "立即投保" in page
    url = post_and_follow(client, f"/products/{product}/start", {"plan": "standard"})
    assert url.endswith("/notice")
    notice = follow(client, url)
    assert flow_step(notice) == "notice" and 'id="ack"' in notice
    assert "您即将进入投保流程" in notice and "记录并加密存储" in notice
    url = post_and_follow(client, url)
    screens = ["product", "notice"]
    if product == "medical":
        assert url.endswith("/health")
        assert flow_step(follow(client, url)) == "health"
        url = post_and_follow(client, url, ALL_NO_FORM)
        screens.append("health")
    application = follow(client, url)
    assert flow_step(application) == "application"
    url = post_and_follow(client, url, APPLICATION_FORM)
    screens.append("application")
    confirm = follow(client, url)
    assert flow_step(confirm) == "confirm" and 'id="pay"' in confirm
    key = re.search(r'name="idempotency_key" value="([^"]+)"', confirm)
    amount = re.search(r'name="amount_fen" value="(\d+)"', confirm)
    assert key and amount
    url = post_and_follow(client, url.replace("/confirm", "/pay"),
                          {"idempotency_key": key.group(1), "amount_fen": amount.group(1)})
    screens.append("confirm")
    success = follow(client, url)
    assert flow_step(success) == "success"
    number = re.search(r'id="policy-number">([^<]+)<', success)
    assert number
    policy = follow(client, f"/policies/{number.group(1)}")
    assert flow_step(policy) == "policy" and 'id="surrender"' in policy
    assert len(screens) == (5 if product == "medical" else 4)


def test_product_page_emphasises_exclusions(client: ShopClient) -> None:
    page = client.get("/products/medical").text
    section = page[page.index('id="exclusions"'):]
    assert "责任免除" in section
    for exclusion in PRODUCTS["medical"].exclusions:
        assert f"<strong>{exclusion}</strong>" in section
    assert re.search(r"\.exclusions h2,\.exclusions li\{color:#8a1c1c;font-weight:700\}", page)


def _journey_at(client: ShopClient, product: str) -> str:
    url = post_and_follow(client, f"/products/{product}/start")
    return post_and_follow(client, url)  # acknowledged: now at health or application


def test_health_page_has_no_preselected_answer(client: ShopClient) -> None:
    page = follow(client, _journey_at(client, "medical"))
    assert page.count('type="radio"') == 8
    assert " checked" not in page


@pytest.mark.parametrize(("product", "days"), [("travel", 1), ("medical", 15), ("accident", 10)])
def test_application_page_shows_cooling_off_notice_at_the_top(
    client: ShopClient, product: str, days: int
) -> None:
    url = _journey_at(client, product)
    if product == "medical":
        url = post_and_follow(client, url, ALL_NO_FORM)
    page = follow(client, url)
    main = page[page.index("<main"):]
    notice = main.index('id="cooling-off-notice"')
    assert main.index("<h1") < notice < main.index("<form")
    assert f"{days}天犹豫期" in main[notice:notice + 300]
    consent = re.search(r'<input type="checkbox" id="consent"[^>]*>', page)
    assert consent and "checked" not in consent.group(0)


def test_health_errors_are_tied_to_fields_and_announced(client: ShopClient) -> None:
    url = _journey_at(client, "medical")
    answer = client.post(url, data={"q1": "no", "q3": "no"})
    assert answer.status_code == 422
    page = answer.text
    assert flow_step(page) == "health"
    summary = re.search(r'<div class="error-summary"[^>]*role="alert"[^>]*>(.*?)</div>', page,
                        re.S)
    assert summary and 'href="#q2-yes"' in summary.group(1) and 'href="#q4-yes"' in summary.group(1)
    for code in ("q2", "q4"):
        radios = re.findall(rf'<input type="radio" id="{code}-(?:yes|no)"[^>]*>', page)
        assert len(radios) == 2
        assert all('aria-invalid="true"' in r and f'aria-describedby="{code}-error"' in r
                   for r in radios)
        assert f'id="{code}-error"' in page
    assert re.search(r'id="q2-yes"[^>]*autofocus', page)
    assert 'value="no" checked' in page  # q1 keeps its answer
    assert not re.search(r'id="q1-no"[^>]*aria-invalid', page)


def test_application_errors_are_tied_to_fields(client: ShopClient) -> None:
    url = _journey_at(client, "travel")
    answer = client.post(url, data=APPLICATION_FORM | {"id_number": "123", "consent": ""})
    assert answer.status_code == 422
    page = answer.text
    field = re.search(r'<input type="text" id="id_number"[^>]*>', page)
    assert field and 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="id_number-error"' in field.group(0) and "autofocus" in field.group(0)
    assert 'id="consent-error"' in page and 'role="alert"' in page


def test_a_yes_answer_leads_to_the_declined_page(client: ShopClient) -> None:
    url = _journey_at(client, "medical")
    declined = post_and_follow(client, url, ALL_NO_FORM | {"q2": "yes"})
    assert declined.endswith("/declined")
    assert flow_step(follow(client, declined)) == "declined"


def test_surrender_from_the_policy_page(client: ShopClient) -> None:
    from shop_flows import buy_api

    number = buy_api(client, "accident").json()["policy_number"]
    done = client.post(f"/policies/{number}/surrender")
    assert done.status_code == 200 and flow_step(done.text) == "surrendered"
    page = client.get(f"/policies/{number}").text
    assert "已退保" in page and 'id="surrender"' not in page
    assert client.post(f"/policies/{number}/surrender").status_code == 409


def test_product_views_and_journeys_are_recorded_with_the_cookie_visitor(
    client: ShopClient,
) -> None:
    client.get("/products/travel")
    visitor = client._client.cookies["visitor_id"]
    _journey_at(client, "travel")
    csv_text = client.get("/api/export/events.csv").text
    rows = [line.split(",") for line in csv_text.strip().splitlines()[1:]]
    events = [(r[0], r[2]) for r in rows]
    assert (visitor, "product_view") in events and (visitor, "journey_start") in events
    assert (visitor, "notice_ack") in events
