"""The clerk's install kit: the 年报 Excel add-in (.xlam), its Python module, install scripts and launchers.

The add-in is xlwings' own ribbon add-in template (``quickstart_addin_ribbon.xlam``) with only XML changed:
the ribbon (tab 年报, button 审核) and the config sheet (interpreter, PYTHONPATH, UDF server). The VBA
project (``xl/vbaProject.bin``) is copied byte for byte: it cannot be compiled without Excel. Its
``RibbonMyAddin.RunMain`` runs ``import <add-in file name>; <name>.main()``, so the add-in is called
``nianbao.xlam`` and its module ``nianbao.py``.

Config decision: the interpreter and PYTHONPATH live on the add-in's own config sheet, as paths through
``%LOCALAPPDATA%`` (the VBA expands environment variables). ``安装.cmd`` creates the venv exactly there, so
nothing is written into the add-in on the clerk's PC, and the user-wide ``%USERPROFILE%\\.myaddin\\myaddin.conf``
(shared by every add-in built from the same xlwings template) is neither needed nor touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib import resources
from pathlib import Path

from lxml import etree

from toolkit.core import cells, spec
from toolkit.core.atomic import write_atomically
from toolkit.core.errors import OutputError

ADDIN_NAME = "nianbao"  # the VBA imports the module named after the add-in file
ADDIN_FILE = f"{ADDIN_NAME}.xlam"
MODULE_FILE = f"{ADDIN_NAME}.py"
TAB_LABEL = "年报"
BUTTON_LABEL = "审核"
LAUNCHER_NAME = "年报审核"
DESKTOP_FILE = f"{LAUNCHER_NAME}.desktop"  # written by 安装.sh into the user's applications folder
INSTALL_CMD = "安装.cmd"
INSTALL_SH = "安装.sh"  # Linux desktops
REQUIREMENTS = "requirements.txt"
APP = "app"  # the program's own code, copied beside the venv and put on its path by a .pth file
PTH = "nianbao-app.pth"
PICTURES = "img"
GUIDE_PICTURES = ("result-sheet.png",)
UNINSTALL_CMD = "卸载.cmd"
SENDTO_CMD = f"发送到-{LAUNCHER_NAME}.cmd"
GUIDE = "安装说明.html"  # written from kit/guide.md by a Markdown library
WHEELS = "wheels"
TARGET_PYTHON = (3, 11)  # the wheels are cp311 win_amd64: IT supplies this Python
TARGET_PYTHON_RELEASE = "3.11.9"  # the last 3.11 release with a Windows installer on python.org
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Where 安装.cmd puts things on the clerk's PC (Windows environment variables, expanded by the VBA).
APP_DIR_WIN = r"%LOCALAPPDATA%\nianbao"
INTERPRETER_WIN = APP_DIR_WIN + r"\venv\Scripts\pythonw.exe"
PYTHONPATH_WIN = APP_DIR_WIN + r"\addin"

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_UI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
PASSWORD_KEY = "NIANBAO_SHEET_PASSWORD"  # the password of `template --password`, read by the 审核 button
_TEMPLATE_CONF_SHEET = "_myaddin.conf"  # the leading underscore switches the sheet off


def template_path() -> Path:
    """The ribbon add-in template shipped by the installed xlwings package."""
    import xlwings

    return Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"


def conf_sheet_name() -> str:
    """The config sheet the VBA reads: ``PROJECT_NAME & ".conf"``, the template's name without its underscore."""
    return _TEMPLATE_CONF_SHEET.lstrip("_")


def config(password: str | None = None) -> dict[str, str | bool]:
    """The add-in's config sheet, key → value (keys as xlwings spells them; the VBA upper-cases them).

    ``password`` (the one given to ``template --password``) is stored under the key the button reads,
    so 审核 can lift and restore the template's protection.
    """
    values: dict[str, str | bool] = {
        "Interpreter_Win": INTERPRETER_WIN,
        "PYTHONPATH": PYTHONPATH_WIN,
        "UDF Modules": ADDIN_NAME,
        "Use UDF Server": True,  # one Python process for the Excel session: the 2nd click skips the imports
        "Debug UDFs": False,
        "Show Console": False,
        "ADD_WORKBOOK_TO_PYTHONPATH": "false",  # a stray .py beside a clerk's workbook is never imported
    }
    if password:
        values[PASSWORD_KEY] = password
    return values


def build_kit(out_dir: Path, *, wheelhouse: bool = False, force: bool = False,
              python: str | None = None, password: str | None = None) -> list[Path]:
    """Write the kit into ``out_dir`` and return the paths written.

    ``python`` is no longer used (the Linux launcher is written by 安装.sh on the clerk's machine); kept for callers.
    Refuses (Chinese ``OutputError``) to write into a non-empty folder unless ``force``.
    ``password`` is the templates' sheet password, written into the add-in's config sheet.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(out_dir, "这是一个文件，不是文件夹", "请用 -o 指定一个新的文件夹")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise OutputError(out_dir, "文件夹已有内容，为避免覆盖未写入任何文件",
                          "请换一个新的文件夹，或加 --force 覆盖其中的安装包文件")
    written = [
        write_atomically(out_dir / ADDIN_FILE, lambda target: _write_addin(target, config(password))),
        _write_text(out_dir / MODULE_FILE, _kit_text("addin_module.py")),
        _write_text(out_dir / INSTALL_CMD, _windows(_fill(_kit_text("install.cmd")))),
        _write_text(out_dir / UNINSTALL_CMD, _windows(_fill(_kit_text("uninstall.cmd")))),
        _write_text(out_dir / SENDTO_CMD, _windows(_fill(_kit_text("sendto.cmd")))),
        _write_text(out_dir / INSTALL_SH, _fill(_kit_text("install.sh")), mode=0o755),
        _write_text(out_dir / REQUIREMENTS, "\n".join(requirements()) + "\n"),
        _write_text(out_dir / GUIDE, guide_html(_fill(_kit_text("guide.md")))),
        *_copy_pictures(out_dir / PICTURES),
        _copy_program(out_dir / APP),
    ]
    stale = out_dir / DESKTOP_FILE  # an older kit's launcher held the build machine's paths
    if force and stale.is_file():
        stale.unlink()
    if wheelhouse:
        written.append(download_wheels(out_dir / WHEELS, force=force))
    return written


def requirements(project: str = "nianbao") -> list[str]:
    """The project's runtime requirements as installed here (pinned, with their markers; no extras)."""
    from importlib.metadata import requires

    return [r for r in requires(project) or [] if "extra ==" not in r.replace('"', "").replace("'", "")]


_PROGRAM = ("toolkit", "validators", "workbook_templates")


def _copy_program(target: Path) -> Path:
    """The program's code (the packages and ``cli.py``, wherever they are installed), without caches."""
    import importlib

    staging = target.with_name(f".~{target.name}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        for name in _PROGRAM:
            source = Path(importlib.import_module(name).__file__).parent
            shutil.copytree(source, staging / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        shutil.copy2(Path(importlib.import_module("cli").__file__), staging / "cli.py")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _copy_pictures(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name in GUIDE_PICTURES:
        data = resources.files("toolkit.clerk").joinpath("kit", name).read_bytes()
        out.append(write_atomically(folder / name, lambda tmp, data=data: tmp.write_bytes(data)))
    return out


_GUIDE_CSS = """
body { font-family: "Microsoft YaHei", "微软雅黑", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
  max-width: 860px; margin: 24px auto; padding: 0 16px; line-height: 1.7; color: #222; }
h1 { font-size: 1.6em; border-bottom: 2px solid #2b5797; padding-bottom: 6px; }
h2 { font-size: 1.25em; margin-top: 1.6em; color: #2b5797; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #999; padding: 4px 8px; vertical-align: top; }
th { background: #eef2f8; }
code { background: #f3f3f3; padding: 0 3px; }
img { max-width: 100%; border: 1px solid #ccc; }
"""


def guide_html(markdown: str) -> str:
    """The install guide as one page a clerk opens by double-click: markdown-it (CommonMark and tables, raw HTML
    off, so the text is never markup), a title, inline CSS, pictures as relative links into the kit."""
    from html import escape

    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    title = next((line.lstrip("# ").strip() for line in markdown.splitlines() if line.startswith("# ")), LAUNCHER_NAME)
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(title)}</title>\n<style>{_GUIDE_CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n")


# --- the .xlam ----------------------------------------------------------------------------------------------

def _write_addin(target: Path, values: dict[str, str | bool]) -> None:
    with zipfile.ZipFile(template_path()) as src, zipfile.ZipFile(target, "w") as dst:
        conf_part = _conf_sheet_part(src)
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "customUI/customUI.xml":
                data = ribbon_xml(data)
            elif info.filename == "xl/workbook.xml":
                data = _rename_conf_sheet(data)
            elif info.filename == conf_part:
                data = config_sheet_xml(data, values, _shared_strings(src))
            out = zipfile.ZipInfo(info.filename, info.date_time)  # writestr updates the info it is given
            out.compress_type, out.external_attr = info.compress_type, info.external_attr
            dst.writestr(out, data)


def _conf_sheet_part(src: zipfile.ZipFile) -> str:
    """The worksheet part of the template's config sheet, found through workbook.xml and its rels."""
    book = etree.fromstring(src.read("xl/workbook.xml"))
    sheet = book.find(f"{{{_MAIN_NS}}}sheets/{{{_MAIN_NS}}}sheet[@name='{_TEMPLATE_CONF_SHEET}']")
    rid = sheet.get(f"{{{_REL_NS}}}id")
    rels = etree.fromstring(src.read("xl/_rels/workbook.xml.rels"))
    for rel in rels:
        if rel.get("Id") == rid:
            return "xl/" + rel.get("Target").lstrip("/").removeprefix("xl/")
    raise OutputError(template_path(), "xlwings 加载项模板中找不到配置工作表", "请重新安装 xlwings")


def ribbon_xml(template: bytes) -> bytes:
    """The template's ribbon with one tab 年报 and one large button 审核, keeping the button's ``onAction``."""
    root = etree.fromstring(template)
    action = root.find(f".//{{{_UI_NS}}}button").get("onAction")
    ui = etree.Element(f"{{{_UI_NS}}}customUI", nsmap={None: _UI_NS})
    tabs = etree.SubElement(etree.SubElement(ui, f"{{{_UI_NS}}}ribbon"), f"{{{_UI_NS}}}tabs")
    tab = etree.SubElement(tabs, f"{{{_UI_NS}}}tab", id="nianbaoTab", label=TAB_LABEL)
    group = etree.SubElement(tab, f"{{{_UI_NS}}}group", id="nianbaoGroup", label="政府信息公开年报")
    etree.SubElement(group, f"{{{_UI_NS}}}button", id="nianbaoValidate", label=BUTTON_LABEL, size="large",
                     onAction=action, imageMso="MacroPlay",
                     screentip="审核当前工作簿", supertip="按填报规则审核当前打开的年报工作簿，"
                     "结果写在“审核结果”工作表，问题单元格标上颜色。")
    return etree.tostring(ui, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rename_conf_sheet(data: bytes) -> bytes:
    root = etree.fromstring(data)
    for sheet in root.iter(f"{{{_MAIN_NS}}}sheet"):
        if sheet.get("name") == _TEMPLATE_CONF_SHEET:
            sheet.set("name", conf_sheet_name())
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def config_sheet_xml(data: bytes, values: dict[str, str | bool], shared: list[str]) -> bytes:
    """The config sheet with each key's value in the column right of the key; missing keys appended.

    The VBA reads keys from the first column down to its first blank cell, so new keys follow the last one.
    """
    root = etree.fromstring(data)
    ns = {"m": _MAIN_NS}
    sheet_data = root.find("m:sheetData", ns)
    rows = {int(r.get("r")): r for r in sheet_data.findall("m:row", ns)}
    keys: dict[str, int] = {}
    for number, row in rows.items():
        first = row.find("m:c", ns)
        if first is not None and first.get("r") == cells.a1(number, 1):
            text = _cell_text(first, shared)
            if text:
                keys[text.upper()] = number
    last = max(keys.values(), default=0)
    for key, value in values.items():
        number = keys.get(key.upper())
        if number is None:
            last += 1
            number = keys[key.upper()] = last
            row = rows.get(number)
            if row is None:
                row = rows[number] = etree.Element(f"{{{_MAIN_NS}}}row", r=str(number))
                _insert_row(sheet_data, row, number)
            _set_cell(row, cells.a1(number, 1), key)
        _set_cell(rows[number], cells.a1(number, 2), value)
    for row in rows.values():
        row.attrib.pop("spans", None)
    dim = root.find("m:dimension", ns)
    if dim is not None:
        dim.set("ref", f"{cells.a1(1, 1)}:{cells.a1(max(rows), 2)}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _shared_strings(src: zipfile.ZipFile) -> list[str]:
    sst = etree.fromstring(src.read("xl/sharedStrings.xml"))
    return ["".join(si.itertext()) for si in sst.findall(f"{{{_MAIN_NS}}}si")]


def _cell_text(cell: etree._Element, shared: list[str]) -> str:
    kind = cell.get("t")
    if kind == "s":
        return shared[int(cell.findtext(f"{{{_MAIN_NS}}}v"))]
    if kind == "inlineStr":
        return "".join(cell.find(f"{{{_MAIN_NS}}}is").itertext())
    return cell.findtext(f"{{{_MAIN_NS}}}v") or ""


def _insert_row(sheet_data: etree._Element, row: etree._Element, number: int) -> None:
    for i, other in enumerate(sheet_data):
        if int(other.get("r")) > number:
            sheet_data.insert(i, row)
            return
    sheet_data.append(row)


def _set_cell(row: etree._Element, ref: str, value: str | bool) -> None:
    """Put ``value`` at ``ref`` in ``row`` (a boolean or an inline string), keeping the cell's style."""
    cell = next((c for c in row if c.get("r") == ref), None)
    if cell is None:
        cell = etree.Element(f"{{{_MAIN_NS}}}c", r=ref)
        later = [c for c in row if _column(c.get("r")) > _column(ref)]
        if later:
            later[0].addprevious(cell)
        else:
            row.append(cell)
        style = row[0].get("s") if len(row) else None
        if style:
            cell.set("s", style)
    for child in list(cell):
        cell.remove(child)
    if isinstance(value, bool):
        cell.set("t", "b")
        etree.SubElement(cell, f"{{{_MAIN_NS}}}v").text = "1" if value else "0"
    else:
        cell.set("t", "inlineStr")
        etree.SubElement(etree.SubElement(cell, f"{{{_MAIN_NS}}}is"), f"{{{_MAIN_NS}}}t").text = value


def _column(ref: str) -> str:
    letters = ref.rstrip("0123456789")
    return letters.rjust(3)


# --- text files --------------------------------------------------------------------------------------------

def _kit_text(name: str) -> str:
    return resources.files("toolkit.clerk").joinpath("kit", name).read_text(encoding="utf-8")


def _fill(text: str) -> str:
    """Replace the ``@NAME@`` placeholders of a kit template."""
    values = {
        "ADDIN": ADDIN_NAME, "ADDIN_FILE": ADDIN_FILE, "MODULE_FILE": MODULE_FILE,
        "PYVER": ".".join(map(str, TARGET_PYTHON)), "PYMAJOR": str(TARGET_PYTHON[0]),
        "PYMINOR": str(TARGET_PYTHON[1]), "PYRELEASE": TARGET_PYTHON_RELEASE,
        "APPDIR": APP_DIR_WIN, "INTERPRETER": INTERPRETER_WIN, "PYTHONPATH": PYTHONPATH_WIN,
        "SENDTO_CMD": SENDTO_CMD, "LAUNCHER": LAUNCHER_NAME, "DESKTOP_FILE": DESKTOP_FILE,
        "INSTALL_CMD": INSTALL_CMD, "UNINSTALL_CMD": UNINSTALL_CMD, "TAB": TAB_LABEL, "BUTTON": BUTTON_LABEL,
        "INSTALL_SH": INSTALL_SH, "REQUIREMENTS": REQUIREMENTS, "APP": APP, "PTH": PTH, "PICTURES": PICTURES,
        "CONF_SHEET": conf_sheet_name(), "WHEELS": WHEELS, "INFO_SHEET": spec.INFO_SHEET,
        "NOTES_SHEET": spec.NOTES_SHEET, "INFO_CHECKS_LABEL": spec.INFO_CHECKS_LABEL,
        "INFO_BLANKS_LABEL": spec.INFO_BLANKS_LABEL, "T3_CHECK_LABEL": spec.T3_CHECK_LABEL,
    }
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text


def _windows(text: str) -> str:
    """CRLF line ends: cmd.exe mis-parses labels and blocks in LF-only batch files."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _write_text(path: Path, text: str, mode: int | None = None) -> Path:
    written = write_atomically(path, lambda tmp: tmp.write_bytes(text.encode("utf-8")))
    if mode is not None:
        written.chmod(mode)
    return written


def desktop_entry(python: str) -> str:
    """A freedesktop launcher: drop .xlsx files on it (or 打开方式) to validate them."""
    exec_line = " ".join([_desktop_quote(python), "-m", "toolkit.clerk.dropin", "%F"])
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.0",
        f"Name={LAUNCHER_NAME}",
        "Comment=审核政府信息公开工作年度报告：把填好的 .xlsx 拖到这里，旁边生成标注了问题的副本",
        f"Exec={exec_line}",
        "Icon=x-office-spreadsheet",
        "Terminal=false",
        f"MimeType={XLSX_MIME};",
        "Categories=Office;Spreadsheet;",
        "",
    ])


def _desktop_quote(arg: str) -> str:
    """Quote one Exec argument per the Desktop Entry spec, then escape it as a string value."""
    reserved = set(" \t\n\"'\\><~|&;$*?#()`")
    if not any(ch in reserved for ch in arg):
        quoted = arg
    else:
        inner = "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg)
        quoted = f'"{inner}"'
    return quoted.replace("\\", "\\\\")


# --- the wheel folder --------------------------------------------------------------------------------------

WINDOWS_MACHINE = "amd64".upper()  # what platform.machine() says on Windows x64
WINDOWS_MARKERS = {
    "os_name": "nt", "sys_platform": "win32", "platform_system": "Windows", "platform_machine": WINDOWS_MACHINE,
    "platform_release": "10", "platform_version": "10.0", "implementation_name": "cpython",
    "platform_python_implementation": "CPython", "implementation_version": f"{TARGET_PYTHON[0]}.{TARGET_PYTHON[1]}.0",
    "python_version": f"{TARGET_PYTHON[0]}.{TARGET_PYTHON[1]}",
    "python_full_version": f"{TARGET_PYTHON[0]}.{TARGET_PYTHON[1]}.0", "extra": "",
}


def windows_requirements(project: str = "nianbao") -> list[str]:
    """The requirements to download for Windows x64.

    The project's own requirements, plus every requirement in the installed dependency tree whose marker
    holds on Windows but not here (pip evaluates markers for the running platform even with ``--platform``).
    """
    from importlib.metadata import PackageNotFoundError, requires

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    wanted: dict[str, str] = {}
    seen: set[str] = set()
    todo = [project]
    while todo:
        name = todo.pop()
        try:
            found = requires(name) or []
        except PackageNotFoundError:
            continue
        for text in found:
            req = Requirement(text)
            if req.marker is not None and not req.marker.evaluate(WINDOWS_MARKERS):
                continue
            key = canonicalize_name(req.name)
            only_windows = req.marker is not None and not req.marker.evaluate()
            if name == project or only_windows:
                req.marker = None
                wanted.setdefault(key, str(req))
            if key not in seen:
                seen.add(key)
                todo.append(req.name)
    return sorted(wanted.values())


def project_root() -> Path:
    """The source folder of this project (needed to build its own wheel)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "setup.cfg").is_file() or not (root / "pyproject.toml").is_file():
        raise OutputError(root, "找不到 nianbao 的源代码（setup.cfg），无法打包 nianbao 本身",
                          "请在 nianbao 源代码目录的虚拟环境中运行 nianbao excel-addin --wheelhouse")
    return root


_NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis",
                                     "demo-output", "bench-output")


def download_wheels(wheels: Path, *, force: bool = False) -> Path:
    """Fill ``wheels`` with Windows x64 (cp311) wheels of every dependency and a wheel of the project."""
    if wheels.is_dir() and any(wheels.iterdir()) and not force:
        raise OutputError(wheels, "文件夹已有内容，为避免覆盖未下载", "请换一个新的文件夹，或加 --force 覆盖")
    root = project_root()
    wheels.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".~nianbao-wheels-", dir=wheels.parent))
    try:
        pyver = f"{TARGET_PYTHON[0]}.{TARGET_PYTHON[1]}"
        _pip(["download", "--only-binary=:all:", "--platform", "win_amd64", "--python-version", pyver,
              "--implementation", "cp", "--dest", str(staging), *windows_requirements()], wheels)
        with tempfile.TemporaryDirectory(prefix="nianbao-wheel-") as build:  # setuptools writes build/ in its source
            source = shutil.copytree(root, Path(build) / "src", ignore=_NOT_SOURCE)
            _pip(["wheel", "--no-deps", "--wheel-dir", str(staging), str(source)], wheels)
        if wheels.exists():
            shutil.rmtree(wheels)
        os.replace(staging, wheels)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return wheels


def _pip(args: list[str], where: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        raise OutputError(where, f"下载 Windows 安装包失败（pip：{tail[0][:200]}）",
                          "请确认本机能访问 Python 软件包索引（或已配置镜像），然后重试")
