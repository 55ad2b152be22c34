"""One exception family for unusable input; each carries a Chinese message and a rule id."""

from __future__ import annotations

from pathlib import Path

from toolkit.core.names import shown_name


class NianbaoError(Exception):
    """Base of every error a user may see; ``message`` is Chinese and says what to do."""

    rule = "file.unreadable"

    def __init__(self, path: str | Path | None, problem: str, fix: str = "", sheet: str = "", cell: str = "") -> None:
        self.path = Path(path) if path is not None else None
        self.problem = problem
        self.fix = fix
        self.sheet = sheet
        self.cell = cell
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = f"文件“{shown_name(self.path.name)}”" if self.path else ""
        if self.sheet:
            where += f"工作表“{self.sheet}”" + (f"单元格 {self.cell}" if self.cell else "")
        text = f"{where}：{self.problem}" if where else self.problem
        return f"{text}。{self.fix}" if self.fix else text


class InputFileError(NianbaoError):
    """The file cannot be opened as an .xlsx workbook."""


class FileMissingError(InputFileError):
    """The path does not exist or is not a file."""

    rule = "file.missing"


class CorruptFileError(InputFileError):
    """Not a zip, truncated, or not a workbook inside."""

    rule = "file.corrupt"


class ZipOfWorkbooksError(CorruptFileError):
    """A .zip archive holding workbooks (what consolidate reads), given where one workbook is expected."""

    rule = "file.zip"


class TooLargeError(InputFileError):
    """Past a limit of ``toolkit.core.limits``: a part or member too big, a zip bomb, too many members."""

    rule = "file.too_large"


class EncryptedFileError(InputFileError):
    """An OLE container holding an encrypted workbook."""

    rule = "file.encrypted"


class UnsupportedFormatError(InputFileError):
    """.xls, .et, .ods, .csv or another spreadsheet format."""

    rule = "file.format"


class TemplateError(NianbaoError):
    """A workbook that is not (or no longer) the nianbao template."""

    rule = "template.altered"


class SheetMissingError(TemplateError):
    """A template sheet is missing or renamed."""

    rule = "template.sheet_missing"


class LabelsChangedError(TemplateError):
    """Labels moved or changed: cell positions can no longer be trusted."""

    rule = "template.labels_changed"


class TemplateVersionError(TemplateError):
    """The workbook was made from another template version."""

    rule = "template.version"


class OutputError(NianbaoError):
    """An output cannot be written where asked."""

    rule = "output.refused"


class ImportFailedError(NianbaoError):
    """A published report cannot be read at all."""

    rule = "import.unreadable"
