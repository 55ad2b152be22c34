"""The ``nianbao`` command line: parse, call one library function, render, return an exit code.

Exit codes: 0 no 强制 error; 1 errors found or input unusable; 2 usage error.
"""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import click

from toolkit.core.errors import NianbaoError
from toolkit.core.names import has_control

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class YearType(click.ParamType):
    name = "YYYY"

    def convert(self, value, param, ctx):
        from toolkit.core import spec

        try:
            year = int(value)
        except (TypeError, ValueError):
            self.fail(f"“{value}”不是年份，请写四位数字，如 2025", param, ctx)
        if not spec.FIRST_YEAR <= year <= spec.LAST_YEAR:
            self.fail(f"年份 {year} 不在 {spec.FIRST_YEAR}–{spec.LAST_YEAR} 之间", param, ctx)
        return year


YEAR = YearType()


class ChineseHelpFormatter(click.HelpFormatter):
    """click's help with Chinese headings (click itself prints them in English)."""

    HEADINGS: ClassVar[dict[str, str]] = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="用法：")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{self.HEADINGS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        """Paragraphs wrapped by display width at breaks a reader accepts (click's wrapper counts a Chinese
        character as one column and breaks inside words); a ``\\b`` paragraph is kept as written."""
        indent = " " * self.current_indent
        for n, paragraph in enumerate(_paragraphs(text)):
            if n:
                self.write("\n")
            self.write("".join(f"{indent}{line}\n" for line in _wrapped(paragraph, self.width - len(indent))))

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        extras = (("[default: ", "[默认："), ("[required]", "[必填]"), ("; required]", "；必填]"))
        rows = list(rows)
        first_col = min(max((len(term) for term, _ in rows), default=0), col_max) + col_spacing
        for term, text in rows:
            for english, chinese in extras:
                text = text.replace(english, chinese)
            self.write(f"{'':>{self.current_indent}}{term}")
            if len(term) <= first_col - col_spacing:
                self.write(" " * (first_col - len(term)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = _wrapped(text, max(self.width - first_col - self.current_indent, 20)) if text else [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (first_col + self.current_indent) + line + "\n")


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text.strip("\n")) if p.strip()]


def _wrapped(paragraph: str, width: int) -> list[str]:
    """One paragraph of help in lines of at most ``width`` display columns (``\\b`` first: as written)."""
    from validators.reporters import wrap

    if paragraph.startswith("\b"):
        return [line for line in paragraph.split("\n")[1:]]
    return wrap(" ".join(line.strip() for line in paragraph.splitlines()), max(width, 20))


class ChineseContext(click.Context):
    formatter_class = ChineseHelpFormatter


class ChineseCommand(click.Command):
    context_class = ChineseContext

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助并退出。"
        return option


class ChineseGroup(ChineseCommand, click.Group):
    command_class = ChineseCommand

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)


@click.group(cls=ChineseGroup, context_settings={"help_option_names": ["-h", "--help"], "show_default": False})
@click.option("--debug", is_flag=True, help="出错时显示完整的程序调用栈（开发人员用）。")
def cli(debug: bool) -> None:
    """政府信息公开工作年度报告工具（国办公开办函〔2021〕30号格式）。

    \b
    退出码：0 没有强制性错误；1 有错误或文件无法使用；2 命令用法错误。
    \b
    示例：
      nianbao template -o 年报模板.xlsx --year 2025 --agency 示例区教育局
    """


@cli.command()
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("年报模板.xlsx"), show_default=True, help="模板保存位置。")
@click.option("--year", type=YEAR, help="预填报告年度。")
@click.option("--agency", help="预填单位名称。")
@click.option("--password", help="工作表保护密码（默认不设密码）。")
@click.option("--force", is_flag=True, help="目标文件已存在时覆盖。")
def template(output: Path, year: int | None, agency: str | None, password: str | None, force: bool) -> int:
    """生成锁定的填报模板（只有填报单元格可编辑）。

    \b
    示例：
      nianbao template -o 教育局2025.xlsx --year 2025 --agency 示例区教育局
    """
    from toolkit.core.errors import OutputError
    from toolkit.workbook.template import build

    if output.suffix.lower() != ".xlsx":
        raise click.UsageError(f"-o 的文件名“{output.name}”无效：模板必须保存为 .xlsx 文件，请把文件名改为以 .xlsx 结尾")
    _check_name_option("--agency", agency, "请填写机关全称")
    _check_password(password)
    if output.exists() and not force:
        raise OutputError(output, "文件已存在，未覆盖", "如需覆盖请加 --force，或用 -o 指定另一个文件名")
    path = build(output, year=year, agency=agency, password=password)
    click.echo(f"已生成模板：{path}")
    return EXIT_OK


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True, help="输出格式。")
def export(file: Path, fmt: str) -> int:
    """把填好的模板中的数字导出为 JSON（空白为 null，万元为字符串）。

    \b
    示例：
      nianbao export 教育局2025.xlsx > 教育局2025.json
    """
    from toolkit.core import cells
    from toolkit.core.model import BAD_KINDS
    from toolkit.workbook import export as exporter
    from toolkit.workbook.read import read_workbook

    report = read_workbook(file)
    click.echo(exporter.dumps(exporter.to_json(report)))
    for bad in report.bad.values():
        click.echo(
            f"警告：文件“{file.name}”工作表“{bad.sheet}”单元格 {bad.cell} 是{BAD_KINDS[bad.kind]}"
            f"（“{bad.raw}”），已导出为 null；请改为数字后重新导出。",
            err=True,
        )
    layout = cells.layout()
    for key, shown in report.integrity.overwritten.items():
        sheet, ref = layout.address(key)
        click.echo(
            f"警告：文件“{file.name}”工作表“{sheet}”单元格 {ref} 是合计单元格，公式已被改写为“{shown}”，"
            "导出的是改写后的数字；请用模板重新填写，合计由公式自动计算。",
            err=True,
        )
    return EXIT_ERRORS if report.bad or report.integrity.overwritten else EXIT_OK


@cli.command("check-report")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式：text 为中文摘要，json 含发现的问题和读出的数字。")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="把读出的数字保存为 .json（export 格式）或 .xlsx（填好的模板），只能用于一个文件。")
@click.option("--previous", type=click.Path(dir_okay=False, path_type=Path),
              help="上年数据：填好的模板 .xlsx、export 的 .json，或上年发布的年报（含 PDF），"
                   "用于核对上年结转和现行有效件数。")
@click.option("--force", is_flag=True, help="-o 的文件已存在时覆盖。")
def check_report(files: tuple[Path, ...], fmt: str, output: Path | None, previous: Path | None, force: bool) -> int:
    """读取已发布的年报（文本/Markdown、网页 .html、Word .docx、PDF），还原表二、表三、表四并审核。

    表格缺行、错位、数值个数不对时报告问题，相应单元格保持空白，不做推测。
    扫描件（没有文字层的 PDF）不做文字识别，报错退出。

    \b
    退出码：0 表格完整读出且无强制性错误；1 其他情况；2 用法错误。

    \b
    示例：
      nianbao check-report 鲤城区2024年报.txt
      nianbao check-report 年报.html --format json -o 年报2024.json
      nianbao check-report 洪泽区2024年报.pdf --previous 洪泽区2023年报.pdf
    """
    from toolkit.check_report.check import OUTPUT_SUFFIXES, check_reports, refuse_overwriting_input, write_output
    from toolkit.check_report.render import to_json_text, to_text
    from toolkit.core.atomic import refuse_existing
    from validators.engine import load_previous

    if output is not None:  # checked before any import work
        if len(files) > 1:
            raise click.UsageError("-o 只能用于一个文件，请逐个文件保存")
        if output.suffix.lower() not in OUTPUT_SUFFIXES:
            raise click.UsageError(f"-o 的输出文件“{output.name}”只能是 .json 或 .xlsx，"
                                   "请用 -o 结果.json 或 -o 结果.xlsx")
        refuse_overwriting_input((*files, *([previous] if previous else [])), output)
        refuse_existing(output, force)
    last_year = load_previous(previous) if previous is not None else None
    reports = check_reports(files, last_year, workbook=output is not None and output.suffix.lower() == ".xlsx")
    click.echo(to_json_text(reports) if fmt == "json" else to_text(reports))
    if output is not None:
        saved = write_output(reports[0], output)
        click.echo(f"已保存读出的数字：{saved}", err=True)
    return EXIT_OK if all(r.valid for r in reports) else EXIT_ERRORS


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式：text 为中文表格，json 供程序读取。")
@click.option("--previous", type=click.Path(dir_okay=False, path_type=Path),
              help="本单位上一年度的年报：填好的 .xlsx 模板、nianbao export 导出的 .json，或上年发布的年报"
                   "（文本、网页、Word、PDF），用于核对上年结转和现行有效件数。")
@click.option("--year", type=YEAR, help="本次审核的报告年度；文件中的年度不符时报错。")
@click.option("--blank-policy", type=click.Choice(["error", "allow"]), default="error", show_default=True,
              help="空白单元格：error 视为错误；allow 视为“未填写”，不报错。")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False, path_type=Path), metavar="OUT_DIR",
              help="把标注了问题的副本（红色强制、黄色提示、批注、“审核结果”工作表）写入此文件夹；原文件不改动。")
@click.option("--force", is_flag=True, help="标注副本的目标文件已存在时覆盖。")
def validate(files: tuple[Path, ...], fmt: str, previous: Path | None, year: int | None, blank_policy: str,
             annotate_dir: Path | None, force: bool) -> int:
    """审核填好的年报模板：逐个单元格列出强制性错误和提示。

    提示项如确无问题，在“审核说明”工作表写明规则编号、单元格和原因（不少于6个字）即视为已说明。

    退出码：0 没有强制性错误（可以有提示）；1 有强制性错误或文件无法读取；2 用法错误。

    \b
    示例：
      nianbao validate 教育局2025.xlsx
      nianbao validate 报送/*.xlsx --year 2025 --annotate 审核结果
      nianbao validate 教育局2025.xlsx --previous 教育局2024.xlsx
    """
    from toolkit.core.names import LOCK_NOTE, LOCK_PREFIXES
    from validators import reporters
    from validators.engine import Options, load_previous, validate_paths

    locks = [f for f in files if f.name.startswith(LOCK_PREFIXES)]
    for lock in locks:  # what consolidate skips, validate skips too (a shell glob hands them over)
        click.echo(f"注意：已跳过“{lock}”：{LOCK_NOTE}", err=True)
    files = tuple(f for f in files if f not in locks)
    if not files:
        click.echo("没有要审核的文件（给出的都是锁文件）。", err=True)
        return EXIT_OK
    options = Options(year=year, blank_policy=blank_policy, previous=load_previous(previous) if previous else None)
    results = validate_paths(files, options)
    if fmt == "json":
        click.echo(reporters.dumps(results))
    else:
        reporters.render_text(results)
    if annotate_dir is not None:
        from toolkit.clerk.annotate import annotate_all

        for result, written in annotate_all(results, annotate_dir, force=force):
            note = f"已写出标注副本：{written}" if written else f"“{result.path.name}”无法读取，未生成标注副本"
            click.echo(note, err=True)
    return EXIT_OK if all(r.valid for r in results) else EXIT_ERRORS


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="汇总表（.xlsx）保存位置；催报名单写在它旁边。")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
              help="报送名单（.xlsx 或 .csv，表头含“单位名称”，可选“统一社会信用代码”“层级”）。")
@click.option("--year", type=YEAR, help="汇总年度（默认取输入文件的年度）。")
@click.option("--name", help="汇总单位名称，写入汇总表基本信息（默认取输出文件名）。")
@click.option("--level", type=click.Choice(["区县", "市"]), default="区县", show_default=True, help="汇总层级。")
@click.option("--allow-errors", is_flag=True, help="有错误的单位排除在外，仍用通过审核的单位生成汇总表。")
@click.option("--blank-policy", type=click.Choice(["error", "allow"]), default="error", show_default=True,
              help="空白单元格：error 视为错误；allow 按“未填写”处理（不计入、不当作 0，逐处记录）。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式。")
def consolidate(inputs: tuple[Path, ...], output: Path, roster: Path | None, year: int | None, name: str | None,
                level: str, allow_errors: bool, blank_policy: str, fmt: str) -> int:
    """把各单位填报的工作簿（文件、文件夹或 .zip）审核后汇总为一张汇总表。

    \b
    有错误的单位不计入；默认只要有错误就不生成汇总表（退出码 1），
    加 --allow-errors 则只汇总通过审核的单位。汇总表本身可再作为上一级的输入。
    \b
    示例：
      nianbao consolidate 收到的年报/ -o 示例区2025汇总.xlsx --roster 名单.xlsx --name 示例区
      nianbao consolidate 区县汇总/*.xlsx -o 示例市2025汇总.xlsx --level 市 --name 示例市
    """
    from toolkit.district.outcome import exit_code
    from toolkit.district.run import run as run_district
    from toolkit.district.text import render_text, to_data

    if output.suffix.lower() != ".xlsx":
        raise click.UsageError(f"-o 的文件名“{output.name}”无效：汇总表必须保存为 .xlsx 文件，请用以 .xlsx 结尾的文件名")
    _check_name_option("--name", name, "请填写汇总单位全称")
    with _ProgressBar("审核并汇总") as progress:
        outcome = run_district(inputs, output, name=name, level=level, year=year, roster=roster,
                              allow_errors=allow_errors, blank_policy=blank_policy, progress=progress)
    if fmt == "json":
        from toolkit.workbook.export import dumps

        click.echo(dumps(to_data(outcome)))
    else:
        click.echo(render_text(outcome))
    return exit_code(outcome)


@cli.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="发布稿保存位置，按扩展名决定格式：.docx（Word）、.pdf、.html（网页）、.md（Markdown）。")
@click.option("--text", "text", type=click.Path(dir_okay=False, path_type=Path),
              help="一、五、六部分的文字（Markdown，以各部分标题分段；开头可在两行“---”之间写发布机关、发布日期、"
                   "地址、电话、网址，每行“名称：内容”）；不给时这些部分标为【待填写】。")
@click.option("--previous", type=click.Path(dir_okay=False, path_type=Path),
              help="上年数据（填好的模板、汇总表、export 的 .json 或上年发布的年报），用于写“较上年增加/减少”。")
@click.option("--draft", is_flag=True, help="有强制性错误时仍生成，每页标明“草稿”。")
@click.option("--force", is_flag=True, help="-o 的文件已存在时覆盖。")
def report(source: Path, output: Path, text: Path | None, previous: Path | None, draft: bool, force: bool) -> int:
    """由填好的模板或区县、市汇总表生成发布用的年度报告（表二、表三、表四为国办公开办函〔2021〕30号格式）。

    \b
    有强制性错误的工作簿不生成发布稿（退出码 1），加 --draft 生成草稿。
    \b
    示例：
      nianbao report 示例区2025汇总.xlsx -o 示例区2025年报.docx --text 文字部分.md
      nianbao report 示例区2025汇总.xlsx -o 示例区2025年报.pdf --previous 示例区2024年报.pdf
    """
    from toolkit.report.publish import SUFFIXES, make_report
    from validators import reporters

    if output.suffix.lower() not in SUFFIXES:
        raise click.UsageError(f"-o 的文件名“{output.name}”无效：发布稿只能保存为 {'、'.join(SUFFIXES)}，"
                               "请改用其中一种扩展名")
    from toolkit.core.atomic import refuse_existing

    refuse_existing(output, force)
    result = make_report(source, output, text=text, previous=previous, draft=draft)
    if result.refused:
        reporters.render_text(result.results)
        click.echo(f"“{source.name}”有强制性错误，未生成发布稿。请先改正；如只需草稿，可加 --draft。", err=True)
        return EXIT_ERRORS
    click.echo(f"已生成{'草稿' if draft else '发布稿'}：{result.output}")
    from toolkit.report.content import coverage_sentence

    coverage = result.coverage
    doc = result.document
    if coverage is not None and coverage.left_out:
        sentence = coverage_sentence(coverage)
        said = any(p.text == sentence for p in doc.sections[0].paragraphs)
        click.echo(f"注意：{sentence}" + ("发布稿“一、总体情况”已写明这一句。" if said else
                                        "文字部分已列出这些单位，发布稿未另加说明。")
                   + "如需计入，请这些单位改正或报送后重新汇总，再生成发布稿。")
    if doc.placeholder_sections:
        click.echo(f"提示：“{'”“'.join(doc.placeholder_sections)}”尚为【待填写】，请用 --text 提供这些部分的文字后重新生成。",
                   err=True)
    if doc.missing:
        click.echo(f"提示：{'、'.join(doc.missing)}尚为【待填写】，请在 --text 文件开头写明"
                   "（如“地址：……”“发布日期：2026年1月20日”）后重新生成。", err=True)
    return EXIT_OK


@cli.command("excel-addin")
@click.option("-o", "--output", "output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="安装包写入的文件夹。")
@click.option("--wheelhouse", is_flag=True, help="同时下载 Windows x64 的全部安装包到 文件夹/wheels（需要联网）。")
@click.option("--force", is_flag=True, help="文件夹已有内容时覆盖。")
@click.option("--password", help="模板的工作表保护密码（与 template --password 相同），写入加载项供“审核”按钮解除和恢复保护。")
def excel_addin(output: Path, wheelhouse: bool, force: bool, password: str | None) -> int:
    """生成填报人员电脑用的安装包：Excel 加载项（“年报”选项卡“审核”按钮）、安装脚本、安装说明，
    以及 WPS 和麒麟/统信桌面用的“拖入文件即审核”启动器。

    \b
    示例：
      nianbao excel-addin -o 年报审核安装包
    """
    from toolkit.clerk.addin import build_kit

    _check_password(password)
    written = build_kit(output, wheelhouse=wheelhouse, force=force, password=password)
    for path in written:
        click.echo(f"已写出：{path}")
    return EXIT_OK


class DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        import datetime as dt

        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"“{value}”不是日期，请写成 2026-01-31 的形式", param, ctx)


_DB_OPTION = click.option("--db", "db_url", envvar="NIANBAO_DATABASE_URL", metavar="URL",
                          help="数据库地址：默认为收报文件夹中的 SQLite；多台服务器共用时用 "
                               "postgresql://用户:密码@主机:端口/库名（也可用环境变量 NIANBAO_DATABASE_URL）。")


@cli.group(cls=ChineseGroup)
def desk() -> None:
    """收报：建立收报文件夹、查看各单位报送情况、汇总最新版本。

    \b
    示例：
      nianbao desk init 收报 --name 示例区 --level 区县 --year 2025 --roster 名单.csv
      nianbao desk status 收报
    """


@desk.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", required=True, help="汇总单位名称（如 示例区）。")
@click.option("--level", type=click.Choice(["区县", "市"]), default="区县", show_default=True, help="汇总层级。")
@click.option("--year", type=YEAR, required=True, help="报告年度。")
@click.option("--roster", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="报送名单（.xlsx 或 .csv，与 consolidate --roster 相同；可含“联系人”“联系电话”）。")
@click.option("--deadline", type=DateType(), help="报送截止日期，如 2026-01-31。")
@click.option("--url", help="各单位打开的地址前缀，写入填报链接，如 http://10.1.2.3:8000（默认 http://127.0.0.1:8000）。")
@_DB_OPTION
def desk_init(folder: Path, name: str, level: str, year: int, roster: Path, deadline, url: str | None,
              db_url: str | None) -> int:
    """建立收报：数据库、名单中每个单位一个填报链接（写入“填报链接.csv”）和一个管理员账号。

    管理员密码只显示这一次；也可事先用环境变量 NIANBAO_ADMIN_PASSWORD 指定。

    \b
    示例：
      nianbao desk init 收报 --name 示例区 --level 区县 --year 2025 --roster 名单.csv --deadline 2026-01-31
    """
    from toolkit.desk.create import init

    _check_name_option("--name", name, "请填写汇总单位全称")
    from toolkit.desk.settings import valid_base

    if url is not None and not valid_base(url):
        raise click.UsageError(f"--url 的地址“{url}”无效，请写成 http://10.1.2.3:8000 的形式")
    made = init(folder, name=name, level=level, year=year, roster=roster, deadline=deadline, url=url, db_url=db_url)
    click.echo(f"已建立收报：{made.folder}（{made.units} 个单位）")
    click.echo(f"各单位的填报链接：{made.links}（请逐一发给各单位，链接即凭证，勿公开）")
    if made.password:
        click.echo(f"管理员账号：{made.user}  密码：{made.password}（只显示这一次，请妥善保存）")
    else:
        click.echo(f"管理员账号：{made.user}  密码：环境变量 NIANBAO_ADMIN_PASSWORD 中的密码")
    click.echo(f"启动收报服务：{serve_hint(made.folder, url)}")
    return EXIT_OK


@desk.command("status")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式：text 为中文表格，json 每个单位一条记录。")
@_DB_OPTION
def desk_status(folder: Path, fmt: str, db_url: str | None) -> int:
    """列出每个单位的状态（未报、有错误、待说明、已通过、已退回）、最新版本和问题数。

    \b
    示例：
      nianbao desk status 收报
      nianbao desk status 收报 --format json
    """
    import json

    from toolkit.desk.create import open_desk

    open_desk(folder, db_url)
    from toolkit.desk import board

    b = board.build()
    if fmt == "json":
        click.echo(json.dumps([r.record() for r in b.rows], ensure_ascii=False, indent=2))
    else:
        click.echo(board.status_text(b))
    return EXIT_OK


@desk.command("summary")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="汇总表（.xlsx）保存位置；催报名单写在它旁边。")
@click.option("--allow-errors", is_flag=True, help="有错误的单位排除在外，仍用通过审核的单位生成汇总表。")
@click.option("--report", "with_report", is_flag=True, help="同时在汇总表旁生成年报（.docx 和 .pdf，与 nianbao report 相同）。")
@_DB_OPTION
def desk_summary(folder: Path, output: Path, allow_errors: bool, with_report: bool, db_url: str | None) -> int:
    """用每个单位的最新版本生成汇总表，与 nianbao consolidate 的汇总完全相同（已退回的单位不计入）。

    \b
    示例：
      nianbao desk summary 收报 -o 示例区2025汇总.xlsx --allow-errors
      nianbao desk summary 收报 -o 示例区2025汇总.xlsx --allow-errors --report
    """
    from toolkit.district.outcome import exit_code
    from toolkit.district.text import render_text

    if output.suffix.lower() != ".xlsx":
        raise click.UsageError(f"-o 的文件名“{output.name}”无效：汇总表必须保存为 .xlsx 文件，请用以 .xlsx 结尾的文件名")
    from toolkit.desk.create import open_desk

    open_desk(folder, db_url)
    from toolkit.desk.summary import summarize

    with _ProgressBar("审核并汇总") as progress:
        outcome = summarize(output, allow_errors=allow_errors, progress=progress)
    from toolkit.desk.summary import board_line

    click.echo(board_line())
    click.echo(render_text(outcome))
    if with_report and outcome.summary is not None:
        from toolkit.report.publish import make_report

        for suffix in (".docx", ".pdf"):
            made = make_report(outcome.summary, outcome.summary.with_suffix(suffix))
            click.echo(f"已生成年报：{made.output}" if made.output else f"汇总表有强制性错误，未生成{suffix}年报")
    return exit_code(outcome)


@desk.command("push")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--to", "to", required=True, metavar="URL", help="上级（市）收报发给本区的填报链接。")
@click.option("--allow-errors", is_flag=True, help="有错误的单位排除在外，仍用通过审核的单位生成汇总表并上报。")
@_DB_OPTION
def desk_push(folder: Path, to: str, allow_errors: bool, db_url: str | None) -> int:
    """用本区收报中各单位的最新版本生成汇总表，并用上级发给本区的链接上报。

    \b
    示例：
      nianbao desk push 收报 --to http://10.1.0.1:8000/u/本区的令牌
    """
    from toolkit.desk.create import open_desk
    from toolkit.desk.push import check_link
    from toolkit.district.text import render_text

    check_link(to)
    open_desk(folder, db_url)
    from toolkit.desk.push import push

    outcome, answer = push(folder, to, allow_errors=allow_errors)
    click.echo(render_text(outcome))
    if answer is None:
        click.echo("未生成汇总表，没有上报。请先处理有错误的单位，或加 --allow-errors。", err=True)
        return EXIT_ERRORS
    click.echo(f"已上报：{answer['unit']} 第 {answer['version']} 版，上级审核状态：{answer['status']}")
    for f in answer.get("findings", []):
        click.echo(f"  {'强制' if f['severity'] == 'error' else '提示'} {f['rule']}：{f['message']}")
    return EXIT_ERRORS if answer["status"] == "有错误" else EXIT_OK


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址；让局域网内各单位访问时用 0.0.0.0。")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="端口。")
@_DB_OPTION
def serve(folder: Path, host: str, port: int, db_url: str | None) -> int:
    """启动收报服务：先更新数据库结构，再在浏览器中提供各单位的填报页面和区政务公开办的收报情况。

    按 Ctrl-C 停止。

    \b
    示例：
      nianbao serve 收报 --host 0.0.0.0 --port 8000
    """
    from toolkit.desk.server import serve as run_server

    _check_host(host)
    run_server(folder, host=host, port=port, db_url=db_url, announce=lambda text: click.echo(text, err=True))
    return EXIT_OK


def _check_host(host: str) -> None:
    """--host is an IP address of this computer (or localhost); anything else is a usage error in Chinese."""
    import ipaddress

    if host == "localhost":
        return
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise click.UsageError(f"--host 的地址“{host}”无效：只在本机访问用 127.0.0.1，"
                               "让局域网内各单位访问用 0.0.0.0（或本机的局域网地址，如 10.1.2.3）") from None


def serve_hint(folder: Path, url: str | None) -> str:
    """The ``nianbao serve`` command that makes the links written with ``--url`` open for the units."""
    from urllib.parse import urlsplit

    if not url:
        return f"nianbao serve {folder}"
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = "127.0.0.1" if parts.hostname in ("127.0.0.1", "localhost", "::1") else "0.0.0.0"
    return f"nianbao serve {folder} --host {host} --port {port}"


NAME_OPTION_CHARS = 200
_FORMULA_START = ("=", "+", "-", "@")  # also after spaces, tabs or CR, as a spreadsheet reads it


def _check_name_option(option: str, value: str | None, fix: str) -> None:
    """A unit name given on the command line: no formula start, no control or direction character, bounded."""
    if value is None:
        return
    if value.lstrip().startswith(_FORMULA_START) or has_control(value) or len(value) > NAME_OPTION_CHARS \
            or not value.strip():
        raise click.UsageError(f"{option} 的单位名称无效（不能以 = + - @ 开头，不能含控制字符，"
                               f"不超过 {NAME_OPTION_CHARS} 字），{fix}")


PASSWORD_CHARS = 255  # what Excel's 保护工作表 takes


def _check_password(value: str | None) -> None:
    """A sheet password any spreadsheet can type and store: no control character, at most 255 characters.

    ``template`` and ``excel-addin`` take the same password (the add-in unprotects what the template
    protected), so both refuse the same ones, before anything is written.
    """
    if value is not None and (has_control(value) or len(value) > PASSWORD_CHARS or not value):
        raise click.UsageError(f"--password 无效（不能为空、不能含控制字符，不超过 {PASSWORD_CHARS} 个字符），"
                               "请换一个在 Excel 或 WPS 的“保护工作表”中能输入的密码")


class _ProgressBar:
    """A rich progress bar on stderr when it is a terminal; otherwise no output at all."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar = None
        self.task = None

    def __enter__(self) -> object:
        if not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import Progress

        # no refresh thread: the consolidator forks worker processes while the bar is shown
        self.bar = Progress(console=Console(stderr=True), transient=True, auto_refresh=False)
        self.bar.start()
        self.task = self.bar.add_task(self.label, total=None)
        return self.update

    def update(self, done: int, total: int) -> None:
        self.bar.update(self.task, completed=done, total=total, refresh=True)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


_USAGE_PATTERNS = (
    (r"No such option:? '?([^'\s]+?)'?(?:\.|$)", "没有选项 {0}"),
    (r"Missing argument '(.+?)'", "缺少参数 {0}"),
    (r"Missing option '(.+?)'", "缺少选项 {0}"),
    (r"No such command '(.+?)'", "没有命令 {0}"),
    (r"Got unexpected extra arguments? \((.+)\)", "多余的参数：{0}"),
    (r"Option '(.+?)' requires an argument", "选项 {0} 需要一个值"),
    (r"Invalid value for (.+?): (.+)", "{0} 的值无效：{1}"),
    (r"Path '(.+?)' does not exist", "路径“{0}”不存在"),
)


def _usage_message(error: click.UsageError) -> str:
    text = error.format_message()
    for pattern, chinese in _USAGE_PATTERNS:
        m = re.search(pattern, text)
        if m:
            text = chinese.format(*(_usage_message_inner(g) for g in m.groups()))
            break
    suggestion = re.search(r"Did you mean '?([^'?]+)'?\?", error.format_message())
    if suggestion:
        text += f"（是否想用 {suggestion.group(1)}？）"
    command = error.ctx.command_path if error.ctx else "nianbao"
    return f"错误：{text}。运行“{command} --help”查看用法。"


_INNER_PATTERNS = (
    (r"'(.+?)' is not one of (.+)\.", "“{0}”不是可选值（可选：{1}）"),
    (r"(?:File|Path|Directory) '(.+?)' is a directory\.?", "“{0}”是文件夹，这里需要一个文件"),
    (r"(?:File|Path|Directory) '(.+?)' is a file\.?", "“{0}”是文件，这里需要一个文件夹"),
    (r"(?:File|Path|Directory) '(.+?)' does not exist\.?", "“{0}”不存在"),
    (r"(?:File|Path|Directory) '(.+?)' is not (?:readable|writable)\.?", "“{0}”没有读写权限"),
    (r"'(.+?)' is not a valid integer(?: range)?\.?", "“{0}”不是整数"),
)


def _usage_message_inner(text: str) -> str:
    for pattern, chinese in _INNER_PATTERNS:
        m = re.search(pattern, text)
        if m:
            return chinese.format(*m.groups())
    if re.fullmatch(r"'[^']+'(?: / '[^']+')*", text):
        return "/".join(re.findall(r"'([^']+)'", text))
    return text.rstrip(".")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``nianbao`` console script; never shows a traceback unless ``--debug``."""
    import codecs

    from toolkit.core.atomic import interruptible

    codecs.register_error("nianbao-json-escape", _json_escape)
    for stream in (sys.stdout, sys.stderr):  # a name the terminal's encoding lacks (GBK, ASCII) never loses the output
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="nianbao-json-escape")
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        with interruptible():  # one contract for every command: SIGINT/SIGTERM clean up, say so, exit 130/143
            code = cli.main(args=args, prog_name="nianbao", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.UsageError as exc:
        click.echo(_usage_message(exc), err=True)
        code = EXIT_USAGE
    except NianbaoError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"错误：{exc.message}", err=True)
        code = EXIT_ERRORS
    except OSError as exc:
        if debug:
            traceback.print_exc()
        from toolkit.core.atomic import reason

        if exc.filename:
            click.echo(f"错误：“{Path(str(exc.filename)).name}”无法访问（{reason(exc)}）。请检查路径和权限后重试。", err=True)
        else:  # the command's own output (a full disk behind a redirected stdout)
            _say_output_failed(exc)
        code = EXIT_ERRORS
    except click.Abort:
        click.echo("已取消。", err=True)
        code = EXIT_ERRORS
    except click.ClickException as exc:
        click.echo(f"错误：{exc.format_message()}", err=True)
        code = exc.exit_code
    except Exception as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"错误：程序内部错误（{type(exc).__name__}）。请加 --debug 重新运行，并把输出发给技术支持。", err=True)
        code = EXIT_ERRORS
    try:
        sys.stdout.flush()
    except OSError as exc:
        _say_output_failed(exc)
        code = EXIT_ERRORS
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def _json_escape(error: UnicodeEncodeError) -> tuple[str, int]:
    """A character the output encoding lacks, written as ``\\uXXXX`` (a surrogate pair past U+FFFF): what a
    JSON reader decodes back, and still legible in text."""
    out = []
    for ch in error.object[error.start:error.end]:
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out), error.end


def _say_output_failed(exc: OSError) -> None:
    """The output could not be written (a full disk, a closed pipe): say so once, and never again at exit."""
    import os

    from toolkit.core.atomic import reason

    try:
        sys.stderr.write(f"错误：输出无法写出（{reason(exc)}），结果不完整。请检查磁盘空间后重新运行。\n")
        sys.stderr.flush()
    except OSError:
        pass
    sys.stdout = open(os.devnull, "w")


if __name__ == "__main__":
    main()
