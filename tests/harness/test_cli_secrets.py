"""A database password never reaches stdout, stderr or gray.json."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.secret import mask_text, mask_url

PASSWORD = "s3cr3t-Pw"


@pytest.mark.parametrize(("url", "masked"), [
    (f"postgresql://app:{PASSWORD}@db.internal:5432/shop",
     "postgresql://app:***@db.internal:5432/shop"),
    (f"postgresql+psycopg://app:{PASSWORD}@db/shop?sslmode=require",
     "postgresql+psycopg://app:***@db/shop?sslmode=require"),
    ("mysql://app:p%40ss@db/shop", "mysql://app:***@db/shop"),
    ("sqlite:///reports/shop.db", "sqlite:///reports/shop.db"),
    ("events.csv", "events.csv"),
    (f"https://user:{PASSWORD}@example.test/export", "https://user:***@example.test/export"),
    # SQLAlchemy sorts the query parameters
    (f"clickhouse://ch/db?user=app&password={PASSWORD}", "clickhouse://ch/db?password=***&user=app"),
])
def test_mask_url_hides_the_password_and_nothing_else(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_mask_text_hides_passwords_inside_messages_even_with_an_at_sign() -> None:
    text = f"cannot connect to postgresql://app:p@{PASSWORD}@db/shop (table x): refused"
    assert mask_text(text) == "cannot connect to postgresql://app:***@db/shop (table x): refused"


@pytest.mark.parametrize("scheme", ["postgresql", "mysql"])
def test_harness_gray_never_shows_the_database_password(
        scheme: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"{scheme}://app:{PASSWORD}@127.0.0.1:1/shop"  # nothing listens on port 1
    code = main(["gray", url, "--table", "events", "--out", str(tmp_path)])
    out = capsys.readouterr()
    assert code in (2, 3), out.err  # no driver: usage error; refused: INCONCLUSIVE
    assert PASSWORD not in out.out + out.err
    assert f"{scheme}://app:***@127.0.0.1:1/shop" in out.err
    report = tmp_path / "gray.json"
    if code == 3:
        text = report.read_text(encoding="utf-8")
        assert PASSWORD not in text and '"events": "' + f"{scheme}://app:***@" in text
