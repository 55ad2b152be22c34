"""The clerk's install kit from ``nianbao excel-addin`` (issue 10): the .xlam, the launchers, the guard."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlwings
from lxml import etree
from oletools.olevba import VBA_Parser

from toolkit.clerk import addin
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook

NIANBAO = Path(sys.executable).with_name("nianbao")
UI = "{http://schemas.microsoft.com/office/2006/01/customui}"


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kit") / "年报审核安装包"
    done = subprocess.run([str(NIANBAO), "excel-addin", "-o", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out


def test_kit_holds_the_addin_its_module_scripts_guide_and_launchers(kit):
    names = {p.name for p in kit.iterdir()}
    assert {addin.ADDIN_FILE, addin.MODULE_FILE, addin.INSTALL_CMD, addin.UNINSTALL_CMD, addin.SENDTO_CMD,
            addin.INSTALL_SH, addin.REQUIREMENTS, addin.APP, addin.GUIDE, addin.PICTURES} <= names
    assert addin.DESKTOP_FILE not in names  # written by 安装.sh on the clerk's machine, with its own paths
    guide = (kit / addin.GUIDE).read_text(encoding="utf-8")
    assert addin.TARGET_PYTHON_RELEASE in guide and "卸载" in guide and "信任" in guide
    assert (kit / addin.APP / "cli.py").is_file() and (kit / addin.APP / "toolkit" / "clerk" / "dropin.py").is_file()
    assert not list((kit / addin.APP).rglob("__pycache__"))
    assert "xlwings==" in (kit / addin.REQUIREMENTS).read_text(encoding="utf-8")


def test_ribbon_button_calls_a_vba_sub_with_the_ribbon_callback_signature(kit):
    with zipfile.ZipFile(kit / addin.ADDIN_FILE) as zf:
        ui = etree.fromstring(zf.read("customUI/customUI.xml"))
        vba = zf.read("xl/vbaProject.bin")
    (tab,) = [t for t in ui.iter(f"{UI}tab") if t.get("label") == addin.TAB_LABEL]
    (button,) = [b for b in tab.iter(f"{UI}button") if b.get("label") == addin.BUTTON_LABEL]
    module, sub = button.get("onAction").rsplit(".", 1)
    parser = VBA_Parser("vbaProject.bin", data=vba)
    code = {Path(name).stem: text for _, _, name, text in parser.extract_macros()}
    assert module in code, sorted(code)
    assert re.search(rf"Sub\s+{sub}\s*\(\s*control\s+As\s+IRibbonControl\s*\)", code[module], re.I)


def test_vba_is_xlwings_own_byte_for_byte_and_its_version_matches_the_package(kit):
    with zipfile.ZipFile(kit / addin.ADDIN_FILE) as ours, zipfile.ZipFile(addin.template_path()) as theirs:
        vba = ours.read("xl/vbaProject.bin")
        assert vba == theirs.read("xl/vbaProject.bin")
    text = "\n".join(t for *_, t in VBA_Parser("vbaProject.bin", data=vba).extract_macros())
    (version,) = set(re.findall(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"', text))
    assert version == xlwings.__version__


def test_config_sheet_names_interpreter_module_and_udf_server(kit):
    with zipfile.ZipFile(kit / addin.ADDIN_FILE) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
        shared = zf.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in zf.namelist() else ""
        sheets = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
    assert f'name="{addin.conf_sheet_name()}"' in workbook
    text = shared + sheets
    for key, value in addin.config().items():
        assert key in text, key
        if isinstance(value, str):
            assert value in text, value
    assert "Use UDF Server" in text


def test_libreoffice_opens_the_addin(kit, tmp_path):
    done = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                           "--infilter=Calc MS Excel 2007 VBA XML",  # .xlam is not guessed from its name
                           "--convert-to", "csv", "--outdir", str(tmp_path), str(kit / addin.ADDIN_FILE)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    first_sheet = (tmp_path / "nianbao.csv").read_text(encoding="utf-8")  # the config sheet comes first
    assert addin.INTERPRETER_WIN in first_sheet and addin.PYTHONPATH_WIN in first_sheet


def test_install_cmd_without_wheels_installs_from_the_package_index_and_says_so(kit):
    """The README's kit has no wheels folder: 安装.cmd goes on (no stop at its first check) and installs the
    requirements from the index, saying so; with wheels it installs them offline."""
    script = (kit / addin.INSTALL_CMD).read_bytes().decode("utf-8")
    assert "\r\n" in script and "@" not in script.replace("@echo off", "")
    lines = script.splitlines()
    online = next(i for i, x in enumerate(lines) if "-r " in x and "--no-index" not in x)
    offline = next(i for i, x in enumerate(lines) if "--no-index" in x)
    assert "软件包索引" in lines[online - 2] and "联网" in lines[online - 2]
    assert f'-r "%KIT%{addin.REQUIREMENTS}"' in lines[online] and f'-r "%KIT%{addin.REQUIREMENTS}"' in lines[offline]
    checks = [x for x in lines if x.startswith("if ") and "goto :" in x]
    assert not any("wheels" in x.lower() and "goto" in x for x in checks)  # a missing wheels folder is no stop
    assert f'echo %APPDIR%\\{addin.APP}' in script and addin.PTH in script


def _base_python() -> str:
    """The interpreter a clerk's desktop has (this venv's base Python, not the venv)."""
    return str(Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}")


@pytest.fixture(scope="module")
def installed(kit, tmp_path_factory):
    """安装.sh run for real in a temporary HOME (packages from the index; pip's own cache is used when present)."""
    if not os.environ.get("CI") and not _index_reachable():
        pytest.skip("offline: no package index")
    home = tmp_path_factory.mktemp("home")
    (home / "Desktop").mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}
    cache = Path(os.environ.get("PIP_CACHE_DIR", Path.home() / ".cache" / "pip"))
    if cache.is_dir():
        env["PIP_CACHE_DIR"] = str(cache)
    done = subprocess.run(["sh", str(kit / addin.INSTALL_SH), _base_python()], capture_output=True, text=True,
                          timeout=900, env=env, cwd=home)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return home, done.stdout


def test_linux_install_script_installs_a_launcher_pointing_at_what_it_installed(installed, kit, tmp_path):
    home, said = installed
    assert "安装完成" in said and "软件包索引" in said
    desktop = home / ".local" / "share" / "applications" / addin.DESKTOP_FILE
    assert desktop.is_file() and (home / "Desktop" / addin.DESKTOP_FILE).is_file()
    text = desktop.read_text(encoding="utf-8")
    assert f"MimeType={addin.XLSX_MIME};" in text
    (line,) = [x for x in text.splitlines() if x.startswith("Exec=")]
    argv = shlex.split(line.removeprefix("Exec="))
    assert argv[0] == str(home / ".local" / "share" / "nianbao" / "venv" / "bin" / "python")  # not the build venv
    assert str(Path(sys.executable).parent) not in text
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True, timeout=60)
        assert check.returncode == 0 and not check.stdout.strip(), check.stdout + check.stderr
    if shutil.which("update-desktop-database"):
        assert addin.XLSX_MIME in (desktop.parent / "mimeinfo.cache").read_text(encoding="utf-8")
    workbook = write_workbook(tmp_path / "示例区统计局.xlsx", sample_report(3, "示例区统计局"))
    before = workbook.read_bytes()
    argv = [str(workbook) if a == "%F" else a for a in argv]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=tmp_path,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(home), "NIANBAO_NO_OPEN": "1"})
    assert "Traceback" not in run.stderr, run.stderr
    assert (tmp_path / "示例区统计局.审核.xlsx").exists(), (run.stdout, run.stderr)
    assert workbook.read_bytes() == before


def test_install_guide_is_an_html_page_with_its_pictures_in_chromium(kit, tmp_path):
    """安装说明 opens as a page (not Markdown source): Chromium prints it with its headings, tables and pictures."""
    page = kit / addin.GUIDE
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in html and "<table>" in html
    assert "## " not in html and "|---|" not in html
    for name in addin.GUIDE_PICTURES:
        assert f'src="{addin.PICTURES}/{name}"' in html and (kit / addin.PICTURES / name).is_file()
    pdf = tmp_path / "guide.pdf"
    done = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}",
                           f"--print-to-pdf={pdf}", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert pdf.is_file(), done.stderr[-2000:]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "安装步骤（Windows）" in text and "检查是否装好" in text and "## " not in text
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = _png_size(kit / addin.PICTURES / addin.GUIDE_PICTURES[0])
    assert any(row.split()[3:5] == [str(width), str(height)] for row in images.splitlines()[2:]), images


def _png_size(path: Path) -> tuple[int, int]:
    import struct

    return struct.unpack(">II", path.read_bytes()[16:24])


def test_the_guide_picture_is_the_documented_result_sheet(kit):
    docs = Path(__file__).resolve().parents[1] / "docs" / "img" / "result-sheet.png"
    assert (kit / addin.PICTURES / "result-sheet.png").read_bytes() == docs.read_bytes()


def test_a_folder_with_files_is_refused_without_force(tmp_path):
    out = tmp_path / "kit"
    out.mkdir()
    (out / "别人的文件.txt").write_text("keep", encoding="utf-8")
    done = subprocess.run([str(NIANBAO), "excel-addin", "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "文件夹已有内容" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["别人的文件.txt"]
    forced = subprocess.run([str(NIANBAO), "excel-addin", "-o", str(out), "--force"],
                            capture_output=True, text=True, timeout=120)
    assert forced.returncode == 0, forced.stderr
    assert (out / "别人的文件.txt").read_text(encoding="utf-8") == "keep"


def _index_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not os.environ.get("CI") and not _index_reachable(), reason="offline: no package index")
def test_wheelhouse_holds_a_windows_x64_or_universal_wheel_for_every_dependency(tmp_path):
    from packaging.utils import canonicalize_name, parse_wheel_filename

    out = tmp_path / "kit"
    source = addin.project_root()
    before = sorted(p.name for p in source.iterdir())
    done = subprocess.run([str(NIANBAO), "excel-addin", "-o", str(out), "--wheelhouse"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in source.iterdir()) == before  # the wheel is built from a copy: no build/ here
    wheels = {}
    for whl in (out / addin.WHEELS).glob("*.whl"):
        name, _version, _build, tags = parse_wheel_filename(whl.name)
        wheels[canonicalize_name(name)] = {t.platform for t in tags}
    assert "nianbao" in wheels and "pywin32" in wheels
    for requirement in addin.windows_requirements():
        name = canonicalize_name(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0])
        assert name in wheels, name
        assert wheels[name] & {"win_amd64", "any"}, (name, wheels[name])
    for name in _installed_tree("nianbao"):  # and everything those pull in, as installed here
        assert name in wheels, name


def _installed_tree(project: str) -> set[str]:
    """The project's runtime dependencies installed here, transitively (no extras, markers true here)."""
    from importlib.metadata import requires

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen, todo = set(), [project]
    while todo:
        for text in requires(todo.pop()) or []:
            req = Requirement(text)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            name = canonicalize_name(req.name)
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def _as_xlsm(xlam: Path, target: Path) -> Path:
    """A copy openpyxl opens: the add-in's workbook content type read as a macro workbook's (test only)."""
    with zipfile.ZipFile(xlam) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"ms-excel.addin.macroEnabled.main", b"ms-excel.sheet.macroEnabled.main")
            dst.writestr(info, data)
    return target


class _Range:
    def __init__(self, rows: list[list[object]]) -> None:
        self.value = rows

    def expand(self, _mode: str) -> _Range:
        return self


def test_password_given_to_the_kit_is_what_the_button_reads_from_the_addin(tmp_path):
    from types import SimpleNamespace

    import openpyxl

    from toolkit.clerk.button import addin_password

    password = "=年报2024+1"  # a formula-looking password stays text
    out = tmp_path / "kit"
    done = subprocess.run([str(NIANBAO), "excel-addin", "-o", str(out), "--password", password],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(_as_xlsm(out / addin.ADDIN_FILE, tmp_path / "addin.xlsm"))[addin.conf_sheet_name()]
    rows = [[c.value for c in row] for row in sheet.iter_rows(max_col=2)]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    conf = {addin.conf_sheet_name(): {"A1": _Range(rows)}}
    book = SimpleNamespace(app=SimpleNamespace(books={addin.ADDIN_FILE: SimpleNamespace(sheets=conf)}))
    assert addin_password(book) == password
    plain = tmp_path / "plain"
    subprocess.run([str(NIANBAO), "excel-addin", "-o", str(plain)], check=True, capture_output=True, timeout=120)
    sheet = openpyxl.load_workbook(_as_xlsm(plain / addin.ADDIN_FILE, tmp_path / "plain.xlsm"))[addin.conf_sheet_name()]
    conf[addin.conf_sheet_name()]["A1"] = _Range([[c.value for c in row] for row in sheet.iter_rows(max_col=2)])
    assert addin_password(book) is None
