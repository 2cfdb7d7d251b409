"""`harness init [DIR]`: scaffold a gate project for your store (or the demo shop's example).

The project holds what a QA team edits: harness.toml (every setting, commented), features/
(the default acceptance criteria in English or Chinese, rendered for your products), journeys/
(one per product), loadtests/locustfile.py (a Locust user for your API) and CI examples.
`--example demo` writes the project that gates the bundled demo shop, the same path a user
takes. Existing files are kept unless --force.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.model import ExitCode

EXAMPLES = ("demo",)
LANGS = ("en", "zh-CN")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", nargs="?", default=".", metavar="DIR",
                        help="the project folder to make or fill (default: the current one)")
    parser.add_argument("--example", choices=EXAMPLES,
                        help="write an example project instead: `demo` gates the bundled demo "
                             "shop (what `make demo` runs)")
    parser.add_argument("--lang", choices=LANGS, default="en",
                        help="language of the feature files (default: en)")
    parser.add_argument("--products", default="medical:15:health",
                        help="your products as CODE[:COOLING_OFF_DAYS][:health], comma-"
                             "separated; `health` when the purchase has a health declaration "
                             "(default: medical:15:health)")
    parser.add_argument("--target", default="http://127.0.0.1:8000",
                        help="your staging store's base URL (default: http://127.0.0.1:8000)")
    parser.add_argument("--viewports", default="desktop,desktop-hd,phone,phone-small,wechat",
                        help="the screens your buyers use, comma-separated, the main one first "
                             "(the step count and the sales-page rules are judged there; e.g. "
                             "phone,wechat for a WeChat H5 store); default: all five")
    parser.add_argument("--force", action="store_true", help="overwrite files that exist")


def parse_products(text: str) -> tuple[Any, ...]:
    from harness.scaffold import Product

    products = []
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        code, *rest = item.split(":")
        days = 15
        health = False
        for part in rest:
            if part == "health":
                health = True
            elif part.isdigit() and int(part) > 0:
                days = int(part)
            else:
                raise ConfigError(f"--products {item!r}: expected CODE[:DAYS][:health], e.g. "
                                  "medical:15:health or travel:1")
        if not code.isidentifier():
            raise ConfigError(f"--products {item!r}: a product code is a word such as medical "
                              "(it names the journey file journeys/<code>.toml)")
        products.append(Product(code, days, health))
    if not products:
        raise ConfigError("--products: name at least one product")
    return tuple(products)


def run(args: argparse.Namespace) -> int:
    from harness.scaffold import demo_files, project_files

    root = Path(args.directory).expanduser()
    if args.example == "demo":
        files = demo_files(args.lang)
    else:
        viewports = tuple(v.strip() for v in args.viewports.split(",") if v.strip())
        if not viewports:
            raise ConfigError("--viewports: name at least one viewport, e.g. phone")
        files = project_files(parse_products(args.products), args.lang, args.target, viewports)
    root.mkdir(parents=True, exist_ok=True)
    written, kept = [], []
    for relative, text in files.items():
        path = root / relative
        if path.exists() and not args.force:
            kept.append(relative)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(relative)
    for relative in written:
        print(f"  wrote {root / relative}")
    if kept:
        print(f"  kept {len(kept)} existing file(s) (--force overwrites): {', '.join(kept)}")
    print(_next_steps(root, args.example))
    return int(ExitCode.GO)


def _next_steps(root: Path, example: str | None) -> str:
    where = "" if root.resolve() == Path.cwd().resolve() else f" --project {root}"
    if example == "demo":
        return f"\nNext: harness run{where}   (gates the bundled demo shop; exit 0 = GO)"
    return (f"\nNext, in {root}:\n"
            "  1. set [target] url in harness.toml to your staging store\n"
            "  2. edit journeys/<product>.toml: your store's selectors (or record one: "
            "harness record URL)\n"
            "  3. harness check steps journeys/<product>.toml --base-url URL   (one journey, "
            "in seconds)\n"
            f"  4. harness run{where}\n"
            "Then add the load, integrity and gray areas as harness.toml explains.")
