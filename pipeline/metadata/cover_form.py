"""A Chinese report's or thesis's cover form ('姓  名   王玉杰', '导 师 姓 名 、 职 称   林北辰 教授'): its
labels name the author, or nobody (the supervisor, the course, the number, the school and the major)."""

from __future__ import annotations

import re
from typing import NamedTuple

from .layout import Line


class FormField(NamedTuple):
    """One line of the form: its label, its value, and whether the value is the author."""

    label: str
    value: str
    names_author: bool


# a cover form's labels: the student's name is the author; the course, teacher, number, school and major name no one
_FORM_LABEL = (r"(?:研究生|学生|作者|申请人)?姓名|主持人|所在学院|课程名称|课程|任课教师|"
               r"(?:实践)?(?:导师|指导教师|指导老师)(?:姓名)?(?:[、，,]?职称)?|"
               r"学号|学院|院系|专业(?:类别|领域|名称)?|学科(?:专业|门类)?|研究方向|培养单位|学位类别|班级|年级")
_FORM_FIELD = re.compile(rf"^({_FORM_LABEL})(?:\s*[:：]\s*|\s+)(\S.*)$")
_AUTHOR_LABEL = re.compile(r"(?:研究生|学生|作者|申请人)?姓名|主持人")


def form_field(line: Line) -> FormField | None:
    """A cover form's (label, value): the label's characters may each be a cell of their own
    ('研 究 生 姓 名   杨 琛'), or the label and value one cell ('姓名：王玉杰')."""
    cells = [c.plain for c in line.cells]
    for k in range(1, len(cells)):
        label = re.sub(r"\s+", "", "".join(cells[:k])).rstrip(":：")
        if re.fullmatch(_FORM_LABEL, label):
            return _field(label, re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", " ".join(cells[k:])).strip())
    field = _FORM_FIELD.match(_unspaced_label(line.plain))
    return _field(field.group(1), field.group(2)) if field else None


def _field(label: str, value: str) -> FormField:
    return FormField(label, value, bool(_AUTHOR_LABEL.fullmatch(label)))


def _unspaced_label(text: str) -> str:
    """'学   院   统计学院' -> '学院   统计学院': a form's label is often spread over its cell."""
    return re.sub(r"^\s*((?:[\u4e00-\u9fff]\s+){1,3}[\u4e00-\u9fff])(?=\s|[:：])", lambda m: re.sub(r"\s+", "", m.group(1)), text)
