"""JUnit XML for CI test-report views (Jenkins, GitLab ``artifacts:reports:junit``, Azure, CircleCI).

One ``<testsuite>`` per file, one ``<testcase>`` per finding (name ``WSG401 proxy-uwsgi-chunked-upload
at LINE:COL``, classname the file's path), as ruff's junit format groups them (astral-sh/ruff@389bebbe
crates/ruff_linter/src/message/junit.rs). A finding at or above ``--fail-on`` is a ``<failure>``;
one below it is ``<skipped>`` (shown, not failing). No finding: one passing testcase, as ruff does.

The shape is the Jenkins xunit plugin's junit-10.xsd (jenkinsci/xunit-plugin@031e285e
src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd, a copy in
tests/report/junit-10.xsd): ``testsuite`` requires name, tests, failures and errors, and a
``testcase`` has no line or column attributes (ruff's are not in that schema), so the position
is in the name and the failure text. tests/report/test_report_junit.py validates with xmllint.

Text from configurations and file names is made visible first (wsgilint.report.escape), then
anything XML 1.0 cannot carry (U+FFFE, U+FFFF) is escaped too, then ``& < > "`` are entities.
"""

from __future__ import annotations

import re

from wsgilint.findings import Severity
from wsgilint.report.escape import visible

# What XML 1.0 cannot carry (its Char production) once visible() has escaped controls and surrogates.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: object) -> str:
    text = _NOT_XML.sub(lambda m: f"\\u{ord(m.group(0)):04x}", visible(value))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _attr(value: object) -> str:
    return _text(value).replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def render(result, stream, *, fail_on: str = "warning", **_: object) -> None:
    threshold = None if fail_on == "never" else Severity.parse(fail_on)
    by_path: dict[str, list] = {}
    for f in sorted(result.findings, key=lambda f: (f.path or "", f.line or 0, f.column or 0, f.rule.id)):
        by_path.setdefault(f.path or "", []).append(f)
    total = len(result.findings)
    failures = sum(1 for f in result.findings if threshold is not None and f.severity >= threshold)
    w = stream.write
    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w(f'<testsuites name="wsgilint" tests="{max(total, 1)}" failures="{failures}" errors="0">\n')
    if not total:
        w('  <testsuite name="wsgilint" tests="1" failures="0" errors="0" skipped="0">\n')
        w('    <testcase name="No problems found" classname="wsgilint"/>\n')
        w("  </testsuite>\n")
    for path, findings in by_path.items():
        failing = sum(1 for f in findings if threshold is not None and f.severity >= threshold)
        p = _attr(path)
        w(f'  <testsuite name="{p}" tests="{len(findings)}" failures="{failing}" errors="0" '
          f'skipped="{len(findings) - failing}">\n')
        for f in findings:
            where = f"{f.line}:{f.column}" if f.line else ""
            name = f"{f.rule.id} {f.rule.name}" + (f" at {where}" if where else "")
            w(f'    <testcase name="{_attr(name)}" classname="{p}">\n')
            message = f"{f.severity.label}: {f.message}"
            body_text = _text(f"{path}{':' + where if where else ''}: {f.severity.label} {f.rule.id} {f.rule.name}: "
                              f"{f.message}")
            if f.fix:
                body_text += "\n" + _text(f"fix: {f.fix}")  # the one line break: ours
            if threshold is not None and f.severity >= threshold:
                w(f'      <failure type="{_attr(f.rule.id)}" message="{_attr(message)}">{body_text}</failure>\n')
            else:
                w(f'      <skipped message="{_attr(f"{f.severity.label}, below --fail-on {fail_on}: {f.message}")}"/>\n')
            w("    </testcase>\n")
        w("  </testsuite>\n")
    w("</testsuites>\n")
