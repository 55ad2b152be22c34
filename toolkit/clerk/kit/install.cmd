@echo off
chcp 65001 >nul
setlocal EnableExtensions
rem nianbao: per-user install of the Excel add-in and the SendTo launcher. With the @WHEELS@ folder it
rem installs without network; without it the packages come from the package index (and it says so).
rem Usage: 安装.cmd [full path of python.exe]   (default: py -@PYVER@)

set "KIT=%~dp0"
set "APPDIR=@APPDIR@"
set "VENV=%APPDIR%\venv"
set "ADDINDIR=@PYTHONPATH@"
set "XLSTART=%APPDATA%\Microsoft\Excel\XLSTART"
set "SENDTO=%APPDATA%\Microsoft\Windows\SendTo"
set "PY=py -@PYVER@"
if not "%~1"=="" set PY="%~1"

set "OFFLINE=1"
if not exist "%KIT%@WHEELS@\*.whl" set "OFFLINE="
if defined OFFLINE echo 年报审核：开始安装（只安装给当前用户，不需要管理员权限，不需要联网）
if not defined OFFLINE echo 年报审核：开始安装（只安装给当前用户，不需要管理员权限）
echo.

tasklist /FI "IMAGENAME eq EXCEL.EXE" 2>nul | find /I "EXCEL.EXE" >nul
if not errorlevel 1 goto :excelopen

%PY% -c "import sys, struct; sys.exit(0 if sys.version_info[:2] == (@PYMAJOR@, @PYMINOR@) and struct.calcsize('P') == 8 else 1)" >nul 2>&1
if errorlevel 1 goto :nopython

echo [1/4] 创建 Python 环境：%VENV%
if exist "%VENV%" rmdir /s /q "%VENV%"
%PY% -m venv "%VENV%"
if errorlevel 1 goto :failed

if defined OFFLINE goto :offline
echo [2/4] 安装包里没有 @WHEELS@ 文件夹：从 Python 软件包索引联网下载并安装审核程序需要的软件包
echo       （需要能访问互联网或单位配置的软件包镜像；离线安装请让信息科加 --wheelhouse 重新生成安装包）
"%VENV%\Scripts\python.exe" -m pip install --disable-pip-version-check -r "%KIT%@REQUIREMENTS@"
if errorlevel 1 goto :noindex
goto :program

:offline
echo [2/4] 从安装包的 @WHEELS@ 文件夹安装审核程序需要的软件包（不联网）
"%VENV%\Scripts\python.exe" -m pip install --disable-pip-version-check --no-index --find-links "%KIT%@WHEELS@" -r "%KIT%@REQUIREMENTS@"
if errorlevel 1 goto :failed

:program
if exist "%APPDIR%\@APP@" rmdir /s /q "%APPDIR%\@APP@"
xcopy /E /I /Q /Y "%KIT%@APP@" "%APPDIR%\@APP@" >nul
if errorlevel 1 goto :failed
> "%VENV%\Lib\site-packages\@PTH@" echo %APPDIR%\@APP@
if errorlevel 1 goto :failed
"%VENV%\Scripts\python.exe" -c "import xlwings, win32com.client, toolkit.clerk.button, toolkit.clerk.dropin"
if errorlevel 1 goto :failed

echo [3/4] 安装 Excel 加载项到：%XLSTART%
if not exist "%ADDINDIR%" mkdir "%ADDINDIR%"
copy /Y "%KIT%@MODULE_FILE@" "%ADDINDIR%\@MODULE_FILE@" >nul
if errorlevel 1 goto :failed
if not exist "%XLSTART%" mkdir "%XLSTART%"
copy /Y "%KIT%@ADDIN_FILE@" "%XLSTART%\@ADDIN_FILE@" >nul
if errorlevel 1 goto :failed

echo [4/4] 添加右键“发送到 - @LAUNCHER@”（供 WPS 用户使用）
copy /Y "%KIT%@SENDTO_CMD@" "%SENDTO%\@LAUNCHER@.cmd" >nul
if errorlevel 1 goto :failed

echo.
echo 安装完成。请打开 Excel：功能区出现“@TAB@”选项卡，其中有“@BUTTON@”按钮。
echo 使用 WPS 时：在年报文件上点右键，选“发送到”→“@LAUNCHER@”。
goto :end

:noindex
echo.
echo 错误：无法从 Python 软件包索引下载软件包（本机可能不能联网）。
echo 请让信息科用 nianbao excel-addin -o 文件夹 --wheelhouse 生成含 @WHEELS@ 文件夹的离线安装包。
goto :fail

:excelopen
echo 错误：Excel 正在运行，加载项无法复制。请保存并关闭所有 Excel 窗口后，重新运行“@INSTALL_CMD@”。
goto :fail

:nopython
echo 错误：没有找到 Python @PYVER@（64 位）：%PY%
echo 请让信息科安装 Windows 版 Python @PYRELEASE@（64 位，python.org 的 Windows installer 64-bit），
echo 或把 python.exe 的完整路径写在“@INSTALL_CMD@”后面运行，例如：
echo     @INSTALL_CMD@ "C:\Python311\python.exe"
goto :fail

:failed
echo.
echo 错误：上面这一步没有完成，安装未成功。请把本窗口的内容截图发给信息科。
goto :fail

:fail
echo.
pause
exit /b 1

:end
echo.
pause
exit /b 0
