"""One upload, start to end: store the bytes by hash, validate them warm, record a new numbered version."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from django.conf import settings

from toolkit.desk import checking, storage
from toolkit.desk.models import Desk, Unit, Version
from toolkit.desk.uploads import HashedUpload

NAME_CHARS = 120
_UNSAFE = re.compile(r"[\\/:*?\"<>|\x00-\x1f\x7f]")


def shown_name(raw: str) -> str:
    """The clerk's file name made safe as a file name: no folders, no control characters, bounded."""
    name = Path(raw.replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" .")
    if len(name) > NAME_CHARS:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: NAME_CHARS - 10] + dot + suffix[:8]) if dot else name[:NAME_CHARS]
    return name or "上传的文件.xlsx"


def receive(unit: Unit, desk: Desk, upload: HashedUpload) -> Version:
    """Store, validate and record ``upload`` for ``unit``; the file is on disk before the version exists."""
    upload.file.close()
    return _keep(unit, desk, Path(upload.path), upload.sha256, upload.size, upload.name or "", checking.check)


def receive_path(unit: Unit, desk: Desk, path: Path) -> Version:
    """A workbook already on this computer (the demo's), recorded as an upload; validated in this process."""
    root = Path(settings.NIANBAO_DESK_DIR)
    tmp = root / "tmp" / f"import-{os.getpid()}-{os.urandom(4).hex()}.part"
    storage.write_new(tmp, Path(path).read_bytes())
    return _keep(unit, desk, tmp, storage.sha256_file(tmp), tmp.stat().st_size, Path(path).name,
                 checking.check_in_worker)


def _keep(unit: Unit, desk: Desk, tmp: Path, sha256: str, size: int, raw_name: str, check) -> Version:
    root = Path(settings.NIANBAO_DESK_DIR)
    name = shown_name(raw_name)
    stored = storage.store(root, tmp, sha256)
    result = check(stored if check is checking.check else str(stored), name, desk.year)
    for extra in (other_unit(result, unit, name), same_as_returned(unit, sha256, name)):
        if extra is not None:
            result["findings"] = [*result["findings"], extra]
            result["errors"] += 1
    from toolkit.desk import audit, season

    return season.add_version(
        unit, desk, audit.unit_actor(unit), sha256=sha256, size=size, original_name=name,
        errors=result["errors"], warnings=result["warnings"], unexplained=result["unexplained"],
        findings=result["findings"], figures=result["figures"], agency=(result["agency"] or "")[:600],
        file_year=result["year"] if isinstance(result["year"], int) else None)


def other_unit(result: dict, unit: Unit, file_name: str) -> dict | None:
    """A 强制 finding when the workbook names another unit than the link's: it would be counted for that unit."""
    from toolkit.core import cells
    from toolkit.district.roster import normalize_name
    from validators.findings import ERROR, Finding
    from validators.reporters import finding_json

    agency = result.get("agency") or ""
    if not agency or normalize_name(agency) == normalize_name(unit.name):
        return None
    sheet, ref = cells.layout().info["name"]
    message = (f"文件“{file_name}”工作表“{sheet}”单元格 {ref}：填写的单位名称为“{agency}”，而这是“{unit.name}”的填报链接。"
               "请确认上传的是本单位的工作簿；如单位名称填错，请改为本单位全称后重新上传")
    return finding_json(Finding(OTHER_UNIT, ERROR, message, file=file_name, sheet=sheet, cell=ref,
                                expected=unit.name, actual=agency))


OTHER_UNIT = "desk.other_unit"
SAME_AS_RETURNED = "desk.same_as_returned"


def same_as_returned(unit: Unit, sha256: str, file_name: str) -> dict | None:
    """A 强制 finding when the upload is byte for byte a version staff returned: nothing was corrected."""
    from validators.findings import ERROR, Finding
    from validators.reporters import finding_json

    returned = (Version.objects.filter(unit=unit, sha256=sha256, returned_at__isnull=False)
                .order_by("-number").only("number", "return_comment").first())
    if returned is None:
        return None
    why = f"（退回理由：{returned.return_comment}）" if returned.return_comment else ""
    message = (f"文件“{file_name}”与已退回的第{returned.number}版完全相同{why}，没有任何修改。"
               "请按退回理由改正工作簿后重新上传")
    return finding_json(Finding(SAME_AS_RETURNED, ERROR, message, file=file_name, expected="改正后的工作簿",
                                actual=f"第{returned.number}版"))


def stored_file(version: Version) -> Path:
    return storage.stored_path(Path(settings.NIANBAO_DESK_DIR), version.sha256)


def annotated_file(version: Version, year: int) -> Path | None:
    """The annotated copy (as ``validate --annotate`` writes it, plus the desk's own findings on this version, so
    it says what the page says), made once per file, year and desk findings, then kept."""
    import hashlib
    import json

    root = Path(settings.NIANBAO_DESK_DIR)
    extra = [f for f in Version.objects.get(pk=version.pk).findings if str(f.get("rule", "")).startswith("desk.")]
    key = f"-{hashlib.sha256(json.dumps(extra, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]}" if extra else ""
    target = root / "annotated" / f"{version.sha256}-{year}{key}-{version.original_name}"
    if target.exists():
        return target
    return checking.annotate(stored_file(version), version.original_name, year, target, extra)
