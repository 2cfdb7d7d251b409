"""`harness steps`: every step phrase a feature can use, with the evidence each reads.

The phrases are read from the step modules' source (the harness's step library and the
project's own features/**/*.py), not by importing them, so listing never loads a browser.
"""

from __future__ import annotations

import argparse
import ast
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from harness.cli.project_args import add_project_argument, project_from
from harness.model import ExitCode

KINDS = ("given", "when", "then")


@dataclass(frozen=True)
class StepPhrase:
    kind: str
    phrase: str
    evidence: str
    where: str


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_project_argument(parser)
    parser.add_argument("--kind", choices=KINDS, help="only Given, When or Then steps")


def run(args: argparse.Namespace) -> int:
    library = resources.files("harness_steps")
    groups = [("the harness's step library (harness_steps)",
               [Path(str(library / item.name)) for item in library.iterdir()
                if item.name.endswith(".py")])]
    features = project_from(args).features_dir
    if features.is_dir():
        groups.append((f"your steps ({features})", sorted(features.rglob("*.py"))))
    for title, files in groups:
        phrases = [p for f in sorted(files) for p in read_phrases(f)
                   if args.kind is None or p.kind == args.kind]
        print(f"{title}: {len(phrases)} phrases")
        for p in phrases:
            print(f"  {p.kind.capitalize():5} {p.phrase}\n        reads: {p.evidence}  "
                  f"[{p.where}]")
    return int(ExitCode.GO)


def read_phrases(path: Path) -> list[StepPhrase]:
    """The @given/@when/@then phrases of one Python file, with its EVIDENCE constant."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    evidence = "(not stated: give the module an EVIDENCE string)"
    for node in tree.body:
        if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "EVIDENCE"
                                                 for t in node.targets)
                and isinstance(node.value, ast.Constant)):
            evidence = str(node.value.value)
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef):
            continue
        for decorator in function.decorator_list:
            if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Name)
                    and decorator.func.id in KINDS and decorator.args):
                continue
            phrase = _phrase(decorator.args[0])
            if phrase:
                found.append(StepPhrase(decorator.func.id, phrase, evidence,
                                        f"{path.name}:{function.lineno}"))
    return found


def _phrase(node: ast.expr) -> str | None:
    """A literal phrase, or the literal inside parsers.parse(...)/parsers.re(...)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and node.args:
        return _phrase(node.args[0])
    return None
