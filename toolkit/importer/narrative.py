"""W3: numbers the report's text states about its tables, compared with the tables."""

from __future__ import annotations

import re

from toolkit.core import spec
from toolkit.core.model import Value, sum_or_none
from toolkit.importer.document import Layout
from toolkit.importer.issues import Issue
from toolkit.importer.line import Line

_SENTENCE = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")
_CHECKS = [(check, re.compile(check.pattern), re.compile(check.exclude) if check.exclude else None)
           for check in spec.NARRATIVE_CHECKS]


def sentences(lines: list[Line], layout: Layout) -> list[tuple[int, str]]:
    """(line number, sentence) of every paragraph outside the tables."""
    out = []
    for index, line in enumerate(lines):
        if line.tabular or layout.inside(index):
            continue
        text = line.text.replace("*", "")
        out.extend((line.number, m.group(0).strip()) for m in _SENTENCE.finditer(text) if m.group(0).strip())
    return out


def check_narrative(lines: list[Line], layout: Layout, values: dict[str, Value]) -> list[Issue]:
    """A warning for each stated number that matches no reading of the tables (only when every reading was read)."""
    issues = []
    for number, sentence in sentences(lines, layout):
        for check, pattern, exclude in _CHECKS:
            for m in pattern.finditer(sentence):
                if exclude is not None and exclude.search(m.group(0)):
                    continue
                stated = int(m.group(1))
                readings = [sum_or_none([values.get(k) for k in keys]) for keys in check.readings]
                if any(r is None for r in readings):
                    continue  # the sentence may mean a reading whose cells were not read: nothing to compare
                known = sorted({int(r) for r in readings})
                if stated not in known:
                    issues.append(Issue(
                        "import.narrative_mismatch", check.readings[0][0].split(".")[0],
                        expected="或".join(str(k) for k in known), actual=stated, line=number,
                        fields={"quote": sentence[:120], "what": check.what},
                    ))
    return issues
