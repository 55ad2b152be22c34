"""Rule catalogue, pandera schemas and the validation engine of nianbao.

``catalogue`` and ``rules_*`` (every rule: id, severity, Chinese text), ``findings`` (findings as data),
``checks`` / ``chain`` / ``schemas`` (the rules over one report and over the stacked frame), ``engine``
(validate files and reports), ``explain`` (which 审核说明 row explains which 提示), ``reporters`` (findings
as the clerk reads them: text, JSON), ``docs`` (docs/rules.md).

May import: ``toolkit.core``, ``toolkit.workbook`` and ``toolkit.importer`` (the readers); nothing else of
``toolkit``.

``from validators import validate_paths, validate_reports, load_previous, Options`` is lazy:
importing ``validators`` never imports pandas (the CLI starts fast).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from validators.engine import Options, load_previous, validate_paths, validate_reports

__all__ = ["Options", "load_previous", "validate_paths", "validate_reports"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from validators import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'validators' has no attribute {name!r}")
