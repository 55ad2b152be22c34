"""The Chinese wording of every import rule, once, against a golden file (issue 6).

To accept a deliberate wording change: NIANBAO_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_import_messages.py
and review the diff of tests/data/seeds/check-report.golden before committing.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

from tests.test_import_formats import FORMAT_2019
from tests.test_import_seeds import SEEDS, SEEDS_DIR
from toolkit.check_report.check import check_reports
from toolkit.check_report.render import to_text
from toolkit.importer import import_report
from validators import rules_import

GOLDEN = SEEDS_DIR / "check-report.golden"
BASE = SEEDS[4].read_text(encoding="utf-8")  # 晋江 2025, clean
STREAM = (SEEDS_DIR.parent / "import" / "stream" / "pipe_lines_qinghe_2023.txt").read_text(encoding="utf-8")


def _edit(*pairs: tuple[str, str]) -> str:
    text = BASE
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _without_table_four() -> str:
    start = BASE.index("#### 四、政府信息公开行政复议")
    end = BASE.index("#### 五、存在的主要问题")
    return BASE[:start] + BASE[end:]


CASES: dict[str, str] = {
    "format-2019.txt": FORMAT_2019,
    "no-table-four.txt": _without_table_four(),
    "row-cells.txt": _edit(("\t\t2. 重复申请\t0\t0\t0\t0\t0\t0\t0", "\t\t2. 重复申请\t0\t0\t0\t0\t0\t0")),
    "garbled.txt": _edit(("\t\t3. 要求提供公开出版物\t0\t0", "\t\t3. 要求提供公开出版物\t0\t见附件\t0")),
    "duplicate.txt": _edit(("\t\t4. 无正当理由大量反复申请\t0\t0\t0\t0\t0\t0\t0",
                            "\t\t4. 无正当理由大量反复申请\t0\t0\t0\t0\t0\t0\t0\n"
                            "\t\t4. 无正当理由大量反复申请\t1\t0\t0\t0\t0\t0\t1")),
    "two-data-rows.txt": _edit(("0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0",
                                "0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n"
                                "1\t0\t0\t0\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0")),
    "unknown-row.txt": _edit(("\t\t5. 要求行政机关确认或重新出具已获取信息\t", "\t\t6. 要求出具证明\t")),
    "fraction.txt": _edit(("行政许可\t106", "行政许可\t106.5")),
    "money.txt": _edit(("行政事业性收费\t1190.0462", "行政事业性收费\t1e5")),
    "columns-order.txt": _edit(("商业企业\t科研机构", "科研机构\t商业企业")),
    "no-header.txt": _edit(("信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n", "")),
    "header-order.txt": _edit(("信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
                               "信息内容\t本年废止件数\t本年制发件数\t现行有效件数")),
    "joined-digits.txt": _edit(("\t\t2. 没有现成信息需要另行制作\t2\t0\t0\t0\t0\t0\t2",
                                "\t\t2. 没有现成信息需要另行制作\t2000002")),
    "no-title.txt": _edit(("## 晋江市人民政府办公室 2025 年政府信息公开工作年度报告\n", "")),
    "narrative.txt": _edit(("共受理申请22件", "共受理申请23件")),
    "truncated.txt": BASE[: BASE.index("行政规范性文件\t14\t19\t64") + len("行政规范性文件\t14\t19\t6")],
    "other-collapsed.txt": re.sub(r"\t\(六\) 其他处理\t1\. 申请人[^\n]*\n[^\n]*\n\t\t3\. 其他\t0\t0\t0\t0\t0\t0\t0",
                                  "\t(六) 其他处理\t\t1\t0\t0\t0\t0\t0\t1", BASE),
    "misprint.txt": _edit(("\t\t2. 其他法律行政法规禁止公开\t", "\t\t2. 其他法律行政止公开\t")),
    "value-note.txt": _edit(("行政规范性文件\t14\t", "行政规范性文件\t14（其中修订6件）\t")),
    "numbering.txt": _edit(("其他处理\t1. 申请人无正当理由", "其他处理\t1、申请人无正当理由"), ("\t\t3. 其他\t", "\t\t3、其他\t")),
    # a table printed as a stream of cells (issue 24) with a note that is neither label nor header
    "unknown-text.txt": STREAM.replace("\n行政许可\n|\n1432\n|\n", "\n行政许可\n|\n1432\n|\n注：含下放事项\n|\n", 1),
}


def render(tmp_path: Path) -> str:
    paths = []
    for name, text in CASES.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    reports = check_reports([*paths, *(SEEDS[i] for i in (1, 2, 3)), tmp_path / "missing.txt"])
    # saved as a workbook (单位层级 not certain from the title) and checked against a previous year
    previous = import_report(SEEDS[1]).report
    previous.values["t2.normative.in_force"] = 2
    reports += check_reports([SEEDS[1]], replace(previous, info={**previous.info, "year": 2020}), workbook=True)
    return to_text(reports) + "\n"


def test_every_import_rule_is_worded_in_the_golden(tmp_path):
    text = render(tmp_path)
    if os.environ.get("NIANBAO_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    want = GOLDEN.read_text(encoding="utf-8")
    assert text == want, (
        "check-report wording changed; if intended, run NIANBAO_UPDATE_GOLDEN=1 "
        ".venv/bin/pytest tests/test_import_messages.py and review the diff"
    )


def test_the_golden_covers_every_import_rule(tmp_path):
    text = render(tmp_path)
    missing = [r.id for r in rules_import.RULES if f"] {r.id} " not in text and f"] {r.id}：" not in text]
    assert not missing


def test_each_damaged_case_is_reported_on_its_own_rule(tmp_path):
    for name, rule in [("row-cells.txt", "import.row_cells"), ("garbled.txt", "import.row_garbled"),
                       ("duplicate.txt", "import.row_duplicate"), ("two-data-rows.txt", "import.row_extra"),
                       ("unknown-row.txt", "import.row_unknown"), ("no-table-four.txt", "import.table_missing")]:
        path = tmp_path / name
        path.write_text(CASES[name], encoding="utf-8")
        (report,) = check_reports([path])
        assert rule in [f.rule for f in report.errors], name
