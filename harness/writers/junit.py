"""junit.xml: one test case per criterion, so any CI shows each criterion as a test.

failed -> <failure>, inconclusive -> <error> (could not be verified), waived/skipped -> <skipped>.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from harness.model import Status, Verdict
from harness.writers.sentence import describe


def render_junit(verdict: Verdict) -> str:
    suites = ET.Element("testsuites", name="launch-harness",
                        tests=str(len(verdict.criteria)))
    by_feature: dict[str, ET.Element] = {}
    for c in verdict.criteria:
        suite = by_feature.get(c.feature)
        if suite is None:
            suite = ET.SubElement(suites, "testsuite", name=c.feature)
            by_feature[c.feature] = suite
        case = ET.SubElement(suite, "testcase", classname=c.feature, name=c.scenario)
        props = ET.SubElement(case, "properties")
        for name, value in (("criterion_id", c.id), ("severity", c.severity.value),
                            ("status", c.status.value), ("tags", " ".join(c.tags))):
            ET.SubElement(props, "property", name=name, value=value)
        message = describe(c)
        if c.status is Status.FAILED:
            ET.SubElement(case, "failure", message=message, type="criterion-failed").text = message
        elif c.status is Status.INCONCLUSIVE:
            ET.SubElement(case, "error", message=message, type="inconclusive").text = message
        elif c.status in (Status.WAIVED, Status.SKIPPED, Status.NOT_APPLICABLE):
            ET.SubElement(case, "skipped", message=message)
        else:
            ET.SubElement(case, "system-out").text = message
    for suite in by_feature.values():
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(1 for k in cases if k.find("failure") is not None)))
        suite.set("errors", str(sum(1 for k in cases if k.find("error") is not None)))
        suite.set("skipped", str(sum(1 for k in cases if k.find("skipped") is not None)))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(verdict: Verdict, path: Path) -> None:
    path.write_text(render_junit(verdict), encoding="utf-8")
