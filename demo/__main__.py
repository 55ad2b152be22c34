"""``python -m demo``: generate the sample district and consolidate it with ``nianbao consolidate``."""

from __future__ import annotations

import sys
from pathlib import Path

from demo.district import DISTRICT, ROSTER, YEAR, generate

NARRATIVE = Path(__file__).resolve().parent / "data" / f"{DISTRICT}文字部分.md"

OUTPUT = Path(__file__).resolve().parents[1] / "demo-output"


def main() -> int:
    import cli

    inbox = OUTPUT / f"{DISTRICT}收到的年报"
    files = generate(inbox)
    summary = OUTPUT / f"{DISTRICT}{YEAR}年政府信息公开年报汇总.xlsx"
    command = ["consolidate", str(inbox), "-o", str(summary), "--roster", str(ROSTER), "--name", DISTRICT,
               "--year", str(YEAR), "--allow-errors"]
    print(f"示例区共 {len(files)} 份年报已生成在 {inbox}")
    print(f"$ nianbao {' '.join(command)}\n")
    try:
        cli.main(command)
    except SystemExit as done:
        code = done.code
    print(f"\n用 Excel 或 WPS 打开 {summary}：")
    print("  “基本信息”至“四、复议诉讼”为汇总数；“报送情况”列出每个单位的状态；")
    print("  “汇总明细”逐单元格逐单位列出数字（合计列为公式，核对列与汇总表比较）；“审核问题”列出全部问题。")
    print("不加 --allow-errors 时，只要有单位出错就不生成汇总表（退出码 1），并列出需要改正的单位。")
    if code:
        return int(code)
    published = OUTPUT / f"{DISTRICT}{YEAR}年政府信息公开工作年度报告.docx"
    # the demo regenerates its own outputs: the previous run's report is replaced on purpose
    command = ["report", str(summary), "-o", str(published), "--text", str(NARRATIVE), "--force"]
    print(f"\n$ nianbao {' '.join(command)}")
    try:
        cli.main(command)
    except SystemExit as done:
        code = done.code
    if code:
        return int(code)
    from demo.desk import make

    desk = OUTPUT / f"{DISTRICT}收报"
    password = make(desk, inbox)
    print(f"\n演示收报已写入 {desk}（各单位的填报链接见其中的“填报链接.csv”）。启动：nianbao serve {desk}")
    print(f"管理员账号 admin，密码：{password or '环境变量 NIANBAO_ADMIN_PASSWORD 中的密码'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
