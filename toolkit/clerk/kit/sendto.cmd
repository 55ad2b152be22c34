@echo off
chcp 65001 >nul
rem nianbao: SendTo target. Validates each file sent to it and opens the annotated copy beside it.
set "PY=@APPDIR@\venv\Scripts\python.exe"
if not exist "%PY%" goto :missing
"%PY%" -m toolkit.clerk.dropin %*
echo.
pause
exit /b

:missing
echo 错误：找不到年报审核程序。请重新运行安装包中的“@INSTALL_CMD@”。
echo.
pause
exit /b 1
