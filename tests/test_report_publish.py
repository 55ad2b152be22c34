"""What a district office publishes as it comes out of ``nianbao report`` (issue 22): one numbering per
section, the coverage caveat, the 落款 and contact lines, the PDF's metadata, tables that never leave a
caption or header alone at a page foot, merged headers written once in Markdown, a draft's typed values."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH

import cli
import demo.__main__ as demo_main
from tests.pdfcheck import page_count, page_texts
from toolkit.core import spec
from toolkit.report.content import build_document, chinese_number, parse_narrative
from toolkit.report.model import PLACEHOLDER
from toolkit.report.render_docx import write_docx
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook

LEFT_OUT = ("示例区退役军人事务局", "示例区东山镇人民政府", "示例区审计局", "示例区教育局")
FRONT = {"发布机关": "示例区人民政府办公室", "发布日期": "2026年1月20日", "地址": "示例区人民路1号区政府办公楼",
         "电话": "0000-12345678", "网址": "https://www.example.gov.cn/xxgk/"}
_LEAD = re.compile(r"^\**（([一二三四五六七八九十]+)）([^。*]*)")



def report(*args: object, capsys=None) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        cli.main(["report", *map(str, args)])
    captured = capsys.readouterr() if capsys is not None else None
    return exc.value.code, captured.out if captured else "", captured.err if captured else ""


@pytest.fixture(scope="module")
def published(demo_summary, tmp_path_factory) -> dict[str, Path]:
    """The demo district's report, with the demo's text, in the three formats an office publishes."""
    out = tmp_path_factory.mktemp("published")
    written = {}
    for suffix in (".md", ".docx", ".pdf"):
        path = out / f"示例区2025年报{suffix}"
        with pytest.raises(SystemExit) as exc:
            cli.main(["report", str(demo_summary), "-o", str(path), "--text", str(demo_main.NARRATIVE)])
        assert exc.value.code == 0
        written[suffix] = path
    return written


def lines_of(path: Path) -> list[str]:
    """The report's text line by line as a reader of that format sees it."""
    if path.suffix == ".md":
        return [x.removeprefix("## ").strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    if path.suffix == ".docx":
        return [p.text.strip() for p in docx.Document(str(path)).paragraphs if p.text.strip()]
    return [x.strip() for page in page_texts(path) for x in page.splitlines() if x.strip()]


def leads_by_section(lines: list[str]) -> dict[str, list[tuple[str, str]]]:
    """The level-2 leads (number, words) under each of sections 一、五、六 (the others are tables)."""
    headings = [re.sub(r"\s", "", h) for h in spec.REPORT_HEADINGS]
    out: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in lines:
        flat = re.sub(r"\s", "", line)
        if flat in headings:
            current = flat if headings.index(flat) in (0, 4, 5) else None
            out.setdefault(flat, [])
            continue
        m = _LEAD.match(flat)
        if current and m:
            out[current].append(m.groups())
    return out


@pytest.mark.parametrize("suffix", [".md", ".docx", ".pdf"])
def test_each_section_has_one_numbering_whoever_wrote_its_parts(published, suffix):
    lines = lines_of(published[suffix])
    found = leads_by_section(lines)
    assert list(found) == [re.sub(r"\s", "", h) for h in spec.REPORT_HEADINGS], "every heading once, in order"
    for heading, leads in found.items():
        assert [n for n, _ in leads] == [chinese_number(i) for i in range(1, len(leads) + 1)], (heading, leads)
    one = found[re.sub(r"\s", "", spec.REPORT_HEADINGS[0])]
    # the text's （一）主动公开 （二）依申请公开 carry the figures; the review part follows as （三）
    assert [words for _, words in one] == ["主动公开", "依申请公开", "行政复议和行政诉讼情况"]
    flat = "".join(re.sub(r"\s", "", x) for x in lines)
    assert "全区共收到政府信息公开申请1097件" in flat


def test_leads_without_number_and_numbered_by_the_office_get_one_sequence():
    text = ("# 一、总体情况\n概述。\n## （二）组织保障\n有力。\n## 平台建设\n完善。\n"
            "# 五、存在的主要问题及改进情况\n## （三）问题\n甲。\n## 改进\n乙。\n# 六、其他需要报告的事项\n无。\n")
    doc = build_document(sample_report(1, "示例区教育局"), narrative=parse_narrative(text))
    one = [p.lead for p in doc.sections[0].paragraphs if p.lead]
    assert one == ["（一）组织保障", "（二）平台建设", "（三）主动公开情况。", "（四）依申请公开情况。",
                   f"（五）{spec.T4_REVIEW}和{spec.T4_SUIT}情况。"]
    assert [p.lead for p in doc.sections[4].paragraphs if p.lead] == ["（一）问题", "（二）改进"]


def test_the_caveat_names_the_units_left_out_and_the_command_says_so(demo_summary, tmp_path, capsys):
    out = tmp_path / "r.md"
    code, stdout, _ = report(demo_summary, "-o", out, "--text", demo_main.NARRATIVE, capsys=capsys)
    assert code == 0
    sentence = ("本报告的数字汇总自21个单位的年报，另有4个单位未计入：示例区退役军人事务局、示例区东山镇人民政府（未报送）；"
                "示例区审计局（年报有错误，未计入）；示例区教育局（报送了重复的年报，未计入）。")
    body = out.read_text(encoding="utf-8")
    section_one = body.split("## 一、总体情况")[1].split("## 二、")[0]
    assert section_one.count(sentence) == 1
    assert "全区共收到政府信息公开申请1097件" in section_one
    assert f"注意：{sentence}" in stdout and "已写明" in stdout
    assert all(name in stdout for name in LEFT_OUT)


def test_the_caveat_is_not_repeated_when_the_office_text_names_the_units(demo_summary, tmp_path, capsys):
    text = tmp_path / "文字.md"
    own = "本报告汇总了21个单位；" + "、".join(LEFT_OUT) + "未计入。"
    text.write_text(demo_main.NARRATIVE.read_text(encoding="utf-8").replace(
        "各项工作有序开展。", "各项工作有序开展。" + own), encoding="utf-8")
    out = tmp_path / "r.md"
    code, stdout, _ = report(demo_summary, "-o", out, "--text", text, capsys=capsys)
    assert code == 0
    body = out.read_text(encoding="utf-8")
    assert own in body and "本报告的数字汇总自" not in body
    assert "未另加说明" in stdout


def test_a_unit_report_has_no_caveat(tmp_path, capsys):
    source = write_workbook(tmp_path / "a.xlsx", sample_report(2, "示例区教育局"))
    out = tmp_path / "a.md"
    code, stdout, _ = report(source, "-o", out, capsys=capsys)
    assert code == 0 and "未计入" not in out.read_text(encoding="utf-8") and "注意" not in stdout


def test_signature_and_contact_come_from_the_front_matter(published):
    paragraphs = [p for p in docx.Document(str(published[".docx"])).paragraphs if p.text.strip()]
    *_, issuer, date = paragraphs
    assert (issuer.text, date.text) == (FRONT["发布机关"], FRONT["发布日期"])
    assert issuer.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    opening = paragraphs[2].text
    for key in ("地址", "电话", "网址"):
        assert f"{key}：{FRONT[key]}" in opening
    assert PLACEHOLDER not in "".join(p.text for p in paragraphs)
    pdf_lines = lines_of(published[".pdf"])
    assert [re.sub(r"\s", "", x) for x in pdf_lines[-3:-1]] == [FRONT["发布机关"], FRONT["发布日期"].replace(" ", "")]
    md = published[".md"].read_text(encoding="utf-8").split("---\n\n注：")[0].rstrip().splitlines()
    assert [x.strip() for x in md[-2:]] == [FRONT["发布机关"], FRONT["发布日期"]]


def test_pdf_title_and_author_are_the_report_title_and_the_issuing_body(published):
    info = subprocess.run(["pdfinfo", str(published[".pdf"])], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Title:\s+示例区2025年政府信息公开工作年度报告$", info, re.M), info
    assert re.search(rf"^Author:\s+{FRONT['发布机关']}$", info, re.M), info


def test_unknown_contact_and_signature_say_to_be_filled_in(demo_summary, tmp_path, capsys):
    out = tmp_path / "r.docx"
    code, _, err = report(demo_summary, "-o", out, capsys=capsys)
    assert code == 0
    paragraphs = [p.text for p in docx.Document(str(out)).paragraphs if p.text.strip()]
    assert paragraphs[-2:] == [f"{PLACEHOLDER}（发布机关）", f"{PLACEHOLDER}（发布日期）"]
    for key in ("地址", "电话", "网址"):
        assert f"{key}：{PLACEHOLDER}" in paragraphs[2]
    assert "发布日期（落款）" in err and "政府信息公开工作机构地址" in err


def test_contact_section_and_the_unit_phone_from_basic_information(tmp_path, capsys):
    unit = sample_report(2, "示例区教育局")
    unit.info["phone"] = "0000-7654321"
    source = write_workbook(tmp_path / "a.xlsx", unit)
    text = tmp_path / "文字.md"
    text.write_text("# 一、总体情况\n概述。\n# 五、存在的主要问题及改进情况\n问题。\n# 六、其他需要报告的事项\n无。\n"
                    "# 联系方式\n地址：教育路2号\n网址：https://jyj.example.gov.cn/\n发布日期：2026年1月25日\n",
                    encoding="utf-8")
    out = tmp_path / "a.md"
    code, _, err = report(source, "-o", out, "--text", text, capsys=capsys)
    assert code == 0 and PLACEHOLDER not in err
    body = out.read_text(encoding="utf-8")
    assert "地址：教育路2号；电话：0000-7654321；网址：https://jyj.example.gov.cn/" in body
    assert "示例区教育局  \n2026年1月25日  " in body  # a unit's report is signed by the unit


def test_a_front_matter_line_that_is_not_a_field_is_a_chinese_error(tmp_path, capsys):
    source = write_workbook(tmp_path / "a.xlsx", sample_report(2, "示例区教育局"))
    text = tmp_path / "文字.md"
    text.write_text("---\n邮箱：x@example.gov.cn\n---\n# 一、总体情况\n概述。\n", encoding="utf-8")
    code, _, err = report(source, "-o", tmp_path / "a.md", "--text", text, capsys=capsys)
    assert code == 1 and "第 2 行" in err and "发布机关" in err and "Traceback" not in err


def test_markdown_writes_a_merged_header_and_the_balance_note_once(published):
    body = published[".md"].read_text(encoding="utf-8")
    table_rows = [x for x in body.splitlines() if x.startswith("| ")]
    cells = [c.strip() for row in table_rows for c in row.strip("|").split("|")]
    for merged in (spec.T3_NOTE, spec.T3_APPLICANT, spec.T3_ORG, spec.T4_REVIEW, spec.T4_SUIT,
                   spec.T3_RESULTS, *(g.label for g in spec.T4_GROUPS[1:])):
        assert cells.count(merged.replace("|", "\\|")) == 1, merged
    assert body.count("勾稽关系") == 1


def test_a_draft_shows_a_filled_negative_value_as_typed(tmp_path, capsys):
    unit = sample_report(2, "示例区教育局")
    unit.values[spec.t3("new", "natural_person")] = -3
    source = write_workbook(tmp_path / "负.xlsx", unit)
    out = tmp_path / "负.md"
    code, _, _ = report(source, "-o", out, "--draft", capsys=capsys)
    assert code == 0
    body = out.read_text(encoding="utf-8")
    assert body.startswith("> **草稿**")
    row = next(x for x in body.splitlines() if x.startswith(f"| {spec.T3_ROWS[0].label}"))
    assert row.split("|")[4].strip() == "-3", row  # the label spans three columns; then 自然人
    new_total = sum(unit.values[spec.t3("new", c.key)] for c in spec.T3_COLUMNS[:-1])
    assert f"共收到政府信息公开申请{new_total}件" in body


def test_no_page_ends_with_a_table_caption_or_header(tmp_path):
    """Sixteen reports whose section 一 grows a line at a time put every table row at every page position;
    on no page may a caption, a header row or a table's heading be the last thing before the foot."""
    summary = sample_report(3, "示例区", level="区县")
    files = []
    for k in range(16):
        filler = "\n\n".join("本年度工作有序开展，各项制度落实到位，公开质量稳步提升。" for _ in range(k))
        text = f"# 一、总体情况\n{filler}\n# 五、存在的主要问题及改进情况\n问题。\n# 六、其他需要报告的事项\n无。\n"
        files.append(write_docx(build_document(summary, narrative=parse_narrative(text)), tmp_path / f"v{k:02d}.docx"))
    profile = Path("/tmp") / f"nianbao-lo-{uuid.uuid4().hex}"
    try:  # one LibreOffice run converts them all
        subprocess.run([shutil.which("soffice"), f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, files)],
                       check=True, capture_output=True, timeout=600, env={**os.environ, "HOME": str(profile)})
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    markers = [b.caption for b in spec.T2_BLOCKS] + ["信息内容", spec.T3_APPLICANT, spec.T4_REVIEW,
                                                       *spec.REPORT_HEADINGS[1:4]]
    markers = [re.sub(r"\s", "", m) for m in markers]
    checked = 0
    for docx_path in files:
        pdf = docx_path.with_suffix(".pdf")
        assert page_count(pdf) >= 4
        for number, page in enumerate(page_texts(pdf), start=1):
            lines = [re.sub(r"\s", "", x) for x in page.splitlines() if x.strip()][:-1]  # the page number
            heads = [i for i, x in enumerate(lines) if any(m in x for m in markers)]
            if heads:
                checked += 1
                after = lines[heads[-1] + 1:]
                assert any(re.search(r"\d", x) for x in after), f"{pdf.name} page {number} ends with {lines[heads[-1]:]}"
    assert checked >= 32


def test_a_report_still_to_be_filled_in_is_a_draft_when_asked_and_names_the_parts_left(demo_summary, tmp_path, capsys):
    from toolkit.report.publish import make_report

    text = tmp_path / "文字.md"
    text.write_text("# 一、总体情况\n\n本年度工作有序开展。\n", encoding="utf-8")
    made = make_report(demo_summary, tmp_path / "r.md", text=text, draft_when_unfinished=True)
    doc = made.document
    assert doc.draft and doc.placeholder_sections == (spec.REPORT_HEADINGS[4], spec.REPORT_HEADINGS[5])
    assert doc.placeholders[:2] == doc.placeholder_sections and "发布机关（落款）" in doc.placeholders
    assert make_report(demo_summary, tmp_path / "r2.md", text=text).document.draft is False  # not asked: as before
    full = make_report(demo_summary, tmp_path / "r3.md", text=demo_main.NARRATIVE, draft_when_unfinished=True).document
    assert not full.draft and full.placeholders == ()
    code, _, err = report(demo_summary, "-o", tmp_path / "r4.md", "--text", text, capsys=capsys)
    assert code == 0 and f"提示：“{spec.REPORT_HEADINGS[4]}”“{spec.REPORT_HEADINGS[5]}”尚为【待填写】" in err
    assert spec.REPORT_HEADINGS[0] not in err
