"""Typed records of the JSON tokenprobe writes, read back with pydantic: the one codec's rules.

A record reads values as JSON wrote them: numbers stay numbers (no "12" → 12, no true → 1, no
NaN or infinity), arrays are lists, unknown fields are ignored (a newer tokenprobe may add
some). A stored run may be old or damaged; the parts a reader can do without are annotated to
read as missing rather than make the whole record unreadable:

* `MissingIfDamaged`: a part that does not decode is None;
* `ReadableItems`: a list keeps the items that decode (a list that is not one reads as empty).

Never a guess: a damaged value is left out, not converted. What a run has just written is read
`EXACT`ly instead: a damaged part there (an SLO verdict, the stop) is a defect to report, never
a part to do without: left out, a breached SLO would pass and a stopped run look complete.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

R = TypeVar("R", bound="Record")
EXACT = {"exact": True}  # validation context: every part must decode


class Record(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, allow_inf_nan=False)


def decoded(record: type[R], data: Any) -> R | None:
    """``data`` as a ``record``; None when it does not decode (an unreadable part is missing)."""
    try:
        return record.model_validate(data)
    except ValidationError:
        return None


def first_problem(error: ValidationError) -> str:
    """The first reason a record did not decode, in one line, where and why (never the value)."""
    problems = error.errors(include_input=False, include_url=False)
    if not problems:
        return "not readable"
    where = ".".join(str(part) for part in problems[0]["loc"]) or "the document"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{where}: {problems[0]['msg']}{more}"


def _exact(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("exact"))


def _missing_if_damaged(
    value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
) -> Any:
    if _exact(info):
        return handler(value)
    try:
        return handler(value)
    except ValidationError:
        return None


def _readable_items(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    if _exact(info):
        return handler(value)
    if not isinstance(value, list):  # not a JSON array: nothing readable
        return []
    readable = []
    for item in value:
        try:  # the field's own list type, one item at a time
            readable += handler([item])
        except ValidationError:
            continue
    return readable


MissingIfDamaged = WrapValidator(_missing_if_damaged)
ReadableItems = WrapValidator(_readable_items)
