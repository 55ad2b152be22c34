"""docs/rules.md is generated from the rule catalogue (issue 4) and must not go stale."""

from __future__ import annotations

from validators import docs
from validators.catalogue import SEVERITY_LABELS, rules


def test_rules_doc_is_up_to_date():
    current = docs.DOC.read_text(encoding="utf-8")
    assert current == docs.render(), "docs/rules.md is stale: run `.venv/bin/python -m validators.docs`"


def test_every_rule_is_in_the_doc_with_its_severity():
    text = docs.render()
    for rule in rules().values():
        assert f"| `{rule.id}` | {SEVERITY_LABELS[rule.severity]} |" in text


def test_every_rule_has_a_chinese_title_and_a_template():
    for rule in rules().values():
        assert rule.title and rule.template, rule.id
        assert any("\u4e00" <= ch <= "\u9fff" for ch in rule.title + rule.template), rule.id


def test_the_check_mode_reports_staleness(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "rules.md"
    stale.write_text("old", encoding="utf-8")
    monkeypatch.setattr(docs, "DOC", stale)
    assert docs.main(["--check"]) == 1
    assert "stale" in capsys.readouterr().err
    assert docs.main([]) == 0 and docs.main(["--check"]) == 0
