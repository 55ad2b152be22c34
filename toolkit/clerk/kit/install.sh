#!/bin/sh
# nianbao: per-user install on a Linux desktop (麒麟/统信/Debian/Ubuntu): a venv, the packages, the program,
# the “@LAUNCHER@” launcher in the user's applications folder, registered for .xlsx files (“打开方式”).
# Usage: sh @INSTALL_SH@ [python3 to use]      Nothing outside the user's home is touched.
set -eu

KIT=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
APPDIR="$DATA/@ADDIN@"
VENV="$APPDIR/venv"
APPS="$DATA/applications"
PY="${1:-python3}"

say() { printf '%s\n' "$*"; }
fail() { say ""; say "错误：$*"; say "安装未成功。请把本窗口的内容截图发给信息科。"; exit 1; }

say "年报审核：开始安装（只安装给当前用户，不需要管理员权限）"
command -v "$PY" >/dev/null 2>&1 || fail "没有找到 Python（$PY）。请让信息科安装 Python @PYVER@ 或更新版本（系统软件包 python3 和 python3-venv）。"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (@PYMAJOR@, @PYMINOR@) else 1)' \
  || fail "Python 版本过低（需要 @PYVER@ 或更新）：$("$PY" --version 2>&1)"
"$PY" -c 'import venv, ensurepip' >/dev/null 2>&1 || fail "Python 缺少 venv 模块。请让信息科安装系统软件包 python3-venv。"

say "[1/4] 创建 Python 环境：$VENV"
rm -rf "$VENV"
mkdir -p "$APPDIR"
"$PY" -m venv "$VENV" || fail "无法创建 Python 环境。"
PIP="$VENV/bin/python -m pip --disable-pip-version-check"

say "[2/4] 从 Python 软件包索引联网下载并安装审核程序需要的软件包（需要能访问互联网或单位配置的软件包镜像）"
if ls "$KIT/@WHEELS@"/*.whl >/dev/null 2>&1; then
  $PIP install --find-links "$KIT/@WHEELS@" -r "$KIT/@REQUIREMENTS@" || fail "软件包安装失败（本机可能不能联网）。"
else
  $PIP install -r "$KIT/@REQUIREMENTS@" || fail "软件包安装失败（本机可能不能联网）。"
fi

say "[3/4] 安装审核程序：$APPDIR/@APP@"
rm -rf "$APPDIR/@APP@"
cp -R "$KIT/@APP@" "$APPDIR/@APP@" || fail "无法复制审核程序。"
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
printf '%s\n' "$APPDIR/@APP@" > "$SITE/@PTH@"
"$VENV/bin/python" -c 'import toolkit.clerk.dropin, validators' || fail "审核程序无法启动。"

say "[4/4] 添加启动器“@LAUNCHER@”（拖入 .xlsx 即审核；文件右键“打开方式”中也有）"
mkdir -p "$APPS"
"$VENV/bin/python" -c 'import sys; from toolkit.clerk.addin import desktop_entry; sys.stdout.write(desktop_entry(sys.executable))' \
  > "$APPS/@DESKTOP_FILE@" || fail "无法写入启动器。"
chmod 644 "$APPS/@DESKTOP_FILE@"
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database "$APPS" >/dev/null 2>&1 || true
fi
DESKTOP_DIR=$(command -v xdg-user-dir >/dev/null 2>&1 && xdg-user-dir DESKTOP 2>/dev/null || printf '%s' "$HOME/Desktop")
if [ -d "$DESKTOP_DIR" ]; then
  cp "$APPS/@DESKTOP_FILE@" "$DESKTOP_DIR/@DESKTOP_FILE@" && chmod 755 "$DESKTOP_DIR/@DESKTOP_FILE@" || true
fi

say ""
say "安装完成。把填好的年报 .xlsx 拖到桌面的“@LAUNCHER@”图标上，或在文件上右键“打开方式”→“@LAUNCHER@”："
say "文件旁边生成“原文件名.审核.xlsx”并自动打开，原文件不改动。"
say "卸载：删除 $APPDIR 和 $APPS/@DESKTOP_FILE@。"
