"""pages.json (raw/browser/<folder>/<viewport>/): the page versions the buyer saw (可回溯).

For every screen a journey recorded, the page's HTML (document.documentElement.outerHTML once
the screen settled) is kept gzip-compressed under pages/ beside journey.json, and indexed here:

    {"encoding": "gzip", "max_bytes": 4194304,
     "pages": [{"step": 0, "screen_id": "/ [product]", "url": "http://127.0.0.1:8000/",
                "file": "pages/00-product.html.gz", "sha256": "<64 hex: the HTML, UTF-8>",
                "bytes": 51234, "stored_bytes": 7311, "truncated": false}]}

`sha256` and `bytes` are those of the whole HTML as UTF-8; a page over `max_bytes` is kept cut
to its first `max_bytes` bytes (`truncated`: true), its hash still the whole page's. The run's
manifest covers both the index and the files, so `harness verify` names an edited page;
`check_pages` recomputes each kept page's hash against the index.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from harness_contract._record import dumps
from harness_contract.fields import Obj, loads

PAGES_JSON = "pages.json"
PAGES_DIR = "pages"
MAX_PAGE_BYTES = 4 * 1024 * 1024
_SHA = re.compile(r"[0-9a-f]{64}")
_FILE = re.compile(r"pages/\d{2,4}-[A-Za-z0-9_-]{1,40}\.html\.gz")


@dataclass(frozen=True)
class PageRecord:
    step: int
    screen_id: str
    url: str
    file: str
    sha256: str
    bytes: int
    stored_bytes: int
    truncated: bool

    def to_dict(self) -> dict[str, object]:
        return {"step": self.step, "screen_id": self.screen_id, "url": self.url,
                "file": self.file, "sha256": self.sha256, "bytes": self.bytes,
                "stored_bytes": self.stored_bytes, "truncated": self.truncated}


@dataclass(frozen=True)
class PageIndex:
    pages: tuple[PageRecord, ...]
    max_bytes: int = MAX_PAGE_BYTES

    def to_json(self) -> str:
        text = dumps({"encoding": "gzip", "max_bytes": self.max_bytes,
                      "pages": [p.to_dict() for p in self.pages]})
        PageIndex.from_json(text, f"{PAGES_JSON} (to_json)")  # a producer bug fails here
        return text

    @classmethod
    def from_json(cls, text: str, file: str) -> PageIndex:
        o = Obj(loads(text, file), file)
        o.choice("encoding", ("gzip",))
        max_bytes = o.integer("max_bytes", lo=1, hi=1 << 30)
        pages = []
        for p in o.objs("pages"):
            size, stored = p.integer("bytes", hi=1 << 34), p.integer("stored_bytes", hi=1 << 34)
            truncated = p.boolean("truncated")
            if truncated != (size > max_bytes):
                raise p.fail("truncated", f"is {truncated} for a page of {size} bytes "
                                          f"(pages over {max_bytes} bytes are cut)")
            sha = p.text("sha256")
            if not _SHA.fullmatch(sha):
                raise p.fail("sha256", f"is {sha[:20]!r}, not 64 lowercase hex digits")
            name = p.text("file")
            if not _FILE.fullmatch(name):
                raise p.fail("file", f"is {name!r}, not pages/NN-screen.html.gz")
            pages.append(PageRecord(step=p.integer("step", hi=10_000),
                                    screen_id=p.text("screen_id"), url=p.text("url"),
                                    file=name, sha256=sha, bytes=size, stored_bytes=stored,
                                    truncated=truncated))
        steps = [p.step for p in pages]
        if steps != sorted(set(steps)):
            raise o.fail("pages", f"steps {steps} are repeated or out of order")
        return cls(pages=tuple(pages), max_bytes=max_bytes)


def page_record(folder: Path, step: int, screen_id: str, url: str, html: str,
                max_bytes: int = MAX_PAGE_BYTES) -> PageRecord:
    """Write one page version under `folder`/pages/ (gzip, reproducible: no time stamp) and
    return its index entry."""
    data = html.encode("utf-8")
    kept = data[:max_bytes]
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", screen_id).strip("-")[:40] or "screen"
    name = f"{PAGES_DIR}/{step:02d}-{slug}.html.gz"
    packed = gzip.compress(kept, compresslevel=6, mtime=0)
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(packed)
    return PageRecord(step=step, screen_id=screen_id, url=url, file=name,
                      sha256=hashlib.sha256(data).hexdigest(), bytes=len(data),
                      stored_bytes=len(packed), truncated=len(data) > max_bytes)


def check_pages(folder: Path, index: PageIndex) -> list[str]:
    """Problems of the kept pages against their index: missing, unreadable, or a page whose
    HTML no longer has the recorded hash (a cut page is checked for its length only)."""
    problems = []
    for page in index.pages:
        path = folder / page.file
        try:
            data = gzip.decompress(path.read_bytes())
        except (OSError, EOFError, zlib.error) as exc:
            problems.append(f"{path}: unreadable ({exc})")
            continue
        if page.truncated:
            if len(data) != index.max_bytes:
                problems.append(f"{path}: {len(data)} bytes, recorded cut at {index.max_bytes}")
        elif hashlib.sha256(data).hexdigest() != page.sha256:
            problems.append(f"{path}: the HTML's sha256 is not the recorded "
                            f"{page.sha256[:12]}…: the page was changed")
    return problems
