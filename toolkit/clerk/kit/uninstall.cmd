@echo off
chcp 65001 >nul
setlocal EnableExtensions
rem nianbao: remove what install.cmd put on this PC for the current user.

set "APPDIR=@APPDIR@"
set "XLSTART=%APPDATA%\Microsoft\Excel\XLSTART"
set "SENDTO=%APPDATA%\Microsoft\Windows\SendTo"

tasklist /FI "IMAGENAME eq EXCEL.EXE" 2>nul | find /I "EXCEL.EXE" >nul
if not errorlevel 1 goto :excelopen

if exist "%XLSTART%\@ADDIN_FILE@" del /F /Q "%XLSTART%\@ADDIN_FILE@"
if exist "%SENDTO%\@LAUNCHER@.cmd" del /F /Q "%SENDTO%\@LAUNCHER@.cmd"
if exist "%APPDIR%" rmdir /S /Q "%APPDIR%"
echo 已卸载：Excel 加载项、“发送到 - @LAUNCHER@”和审核程序都已删除。填好的年报文件不受影响。
echo.
pause
exit /b 0

:excelopen
echo 错误：Excel 正在运行，加载项无法删除。请保存并关闭所有 Excel 窗口后，重新运行“@UNINSTALL_CMD@”。
echo.
pause
exit /b 1
