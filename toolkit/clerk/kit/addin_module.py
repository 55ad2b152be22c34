"""The module the 年报 add-in's 审核 button imports (xlwings RunPython ``import nianbao; nianbao.main()``).

Written by ``nianbao excel-addin``; it only hands the calling workbook to ``toolkit.clerk.button.main``.
"""


def main() -> None:
    """Validate the workbook the 审核 button was pressed in; every failure becomes a Chinese alert."""
    import xlwings as xw

    book = xw.Book.caller()
    try:
        from toolkit.clerk.button import main as run
        from toolkit.core.errors import NianbaoError
    except ImportError:
        book.app.alert("找不到年报审核程序（nianbao）。请重新运行安装包中的“安装.cmd”，或联系信息科。", title="年报审核")
        return
    try:
        run(book)
    except NianbaoError as exc:
        book.app.alert(exc.message, title="年报审核")
    except Exception as exc:  # a clerk never sees a traceback
        book.app.alert(f"审核未能完成（{type(exc).__name__}）。请保存工作簿后关闭 Excel 再试；"
                       "仍不行时把工作簿发给信息科，并告知此提示。", title="年报审核")
