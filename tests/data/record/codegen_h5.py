# ruff: noqa - kept exactly as `playwright codegen --target python` writes it
import re
from playwright.sync_api import Playwright, sync_playwright, expect


def run(playwright: Playwright) -> None:
    browser = playwright.chromium.launch(headless=False)
    context = browser.new_context()
    page = context.new_page()
    page.goto("http://127.0.0.1:8000/spa/hash.html#/selectpage")
    page.get_by_role("button", name="基础版").click()
    page.locator("input[name=\"q1\"]").nth(1).check()
    page.get_by_role("button", name="以上皆无").click()
    page.get_by_placeholder("投保人姓名").click()
    page.get_by_placeholder("投保人姓名").fill("张三")
    expect(page.get_by_text("犹豫期为15天")).to_be_visible()
    page.get_by_role("button", name="去支付").click()

    # ---------------------
    context.close()
    browser.close()


with sync_playwright() as playwright:
    run(playwright)
