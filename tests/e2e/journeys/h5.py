"""A Python journey as `playwright codegen --target python` records it, made a function over
`page` (tests/e2e/pages/spa/hash.html: a hash-routed store with no h1)."""

from playwright.sync_api import Page, expect

JOURNEY = {
    "description": "随心保 on the hash-routed test store",
    "notice": {"pattern": r"犹豫期为\d+天", "path": "#/insure$"},
}


def journey(page: Page, base_url: str) -> None:
    page.goto("/spa/hash.html")
    page.get_by_role("button", name="分享").click()
    page.get_by_role("button", name="基础版").click()
    page.locator("input[name=q1][value=no]").check()
    page.get_by_role("button", name="以上皆无").click()
    page.get_by_placeholder("投保人姓名").fill("张三")
    expect(page.get_by_text("犹豫期为15天")).to_be_visible()
    page.get_by_role("button", name="去支付").click()
    expect(page.locator("#policy")).to_contain_text("H5-0001")
