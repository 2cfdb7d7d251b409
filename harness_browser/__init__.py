"""Browser evidence producers (Playwright + Chromium). They measure; `harness` judges.

    browser          which Chromium, launch flags, named viewports (desktop, phone, wechat, ...)
    probe            `python -m harness_browser.probe`: can the browser launch? (for `harness
    doctor`)
    first_screen     is a notice seen on the first screen? (NoticeCheck; js/first_screen.js)
    cooling_off      the 犹豫期 days stated in a notice's text
    steps            JourneyRecorder: screens reached by the buyer's actions, fields per screen
    journey          journeys as TOML (journeys/*.toml) or code; run_journey
    demo_shop_pages  page objects for the demo shop (the code form of a journey)
    form_errors      error prompts of a rejected form, plus axe-core (FormErrorCheck)
    regulation       sales-page rules on every screen: 可回溯 prompt, pre-ticked boxes,
                     责任免除 emphasis, the 退保 entry after purchase (js/regulation.js),
                     and the disclosure rules (js/sales_rules.js, regulation_spec.py)
    spot             `python -m harness_browser.spot`: the measuring half of `harness check`
    produce          `python -m harness_browser.produce`: one worker of `harness run`'s browser
    phase
    pages            every recorded screen's HTML, gzip, with its SHA-256 (pages.json: 可回溯)
    journey_check    `python -m harness_browser.journey_check DIR`: what the journeys declare
    evidence         the above written into <run>/raw/browser/... (docs/contracts.md)
    pytest_fixtures  pytest-playwright fixtures pointed at the harness's Chromium

Nothing is imported here, so `import harness_browser.probe` stays cheap and `harness` never loads
Playwright.
"""
