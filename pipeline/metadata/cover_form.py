"""A Chinese report's or thesis's cover: its largest words name the kind of document ('本科毕业设计（论文）'),
its form's labels name the author or nobody ('姓  名   王玉杰', '导 师 姓 名 、 职 称   林北辰 教授'), and its
university is often printed only in a logo, named again with the document's kind in the running head of
the next page or in the PDF's Title ('<X>大学 2020 届本科毕业设计(论文)')."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from .layout import Line


class FormField(NamedTuple):
    """One line of the form: its label, its value, and whether the value is the author."""

    label: str
    value: str
    names_author: bool


# a cover form's labels: the student's name is the author; the course, teacher, number, school and major name no one
_FORM_LABEL = (r"(?:研究生|学生|作者|申请人)?姓名|主持人|所在学院|课程名称|课程|任课教师|院部|系别|答辩(?:时间|日期)|完成日期|"
               r"(?:工作|起止)时间|(?:论文)?题目|"
               r"(?:实践|校内|校外)?(?:导师|指导教师|指导老师)(?:姓名)?(?:[、，,]?职称)?|专业班级|届次|"
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


def titled(line: Line) -> str:
    """The title a form's row gives ('题    目     <title>'), or ''."""
    field = form_field(line)
    return field.value if field is not None and field.label.endswith("题目") else ""


def _field(label: str, value: str) -> FormField:
    return FormField(label, value, bool(_AUTHOR_LABEL.fullmatch(label)))


def _unspaced_label(text: str) -> str:
    """'学   院   统计学院' -> '学院   统计学院': a form's label is often spread over its cell."""
    return re.sub(r"^\s*((?:[\u4e00-\u9fff]\s+){1,3}[\u4e00-\u9fff])(?=\s|[:：])", lambda m: re.sub(r"\s+", "", m.group(1)), text)


_KINDS = r"(?:学位论文|硕士论文|博士论文|毕业论文|毕业设计|课程论文|课程报告|课程设计|实验报告|开题报告|学年论文|结题报告)"
# a cover's largest words name the kind of document, not the work: '专业学位硕士论文', '(2020)届本科生毕业论文', "Master's Thesis"
_DOCUMENT_KIND = re.compile(rf"^[\u4e00-\u9fff\d]{{0,12}}{_KINDS}(?:论文|说明书)?$"
                            r"|^(?:master|bachelor|doctoral|phd|diploma)s?(?:thesis|dissertation)$")
# '<X>师范学院 2020 届本科毕业设计(论文)', '<X>大学学位评定委员会': the university named with the document's kind
_SCHOOL_WITH_KIND = re.compile(rf"([\u4e00-\u9fff]{{2,12}}?(?:大学|学院))\s*(?:\d{{4}}\s*届)?\s*"
                               rf"(?:本科生?|硕士|博士|研究生)?[\u4e00-\u9fff]{{0,4}}(?:{_KINDS}|学位评定委员会)")


def names_document_kind(text: str) -> bool:
    """'专 业 学 位 硕 士 论 文', '本科毕业设计（论文）': the words name the kind of document, not the work."""
    return bool(_DOCUMENT_KIND.match(re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())))


def cover_school(page_lines: list[str], next_page: str, meta_title: str) -> str:
    """The line naming a thesis cover's university where the form names none: page 1 names the
    document's kind, and the university is set alone above it, or the next page's first lines or the
    PDF's Title name it with the kind (the cover printing it only in its logo). '' when page 1 is no
    such cover or nothing names it."""
    if not any(names_document_kind(line) for line in page_lines):
        return ""
    for line in (re.sub(r"\s+", "", text) for text in page_lines):  # '山东农业大学' set alone above '毕 业 论 文'
        if _UNIVERSITY_ALONE.fullmatch(line) and not re.match(_FORM_LABEL, line):  # not '院 部 信息工程学院', a form's row
            return line
    for line in [*next_page.splitlines()[:8], meta_title]:
        if _SCHOOL_WITH_KIND.search(line):
            return line.strip()
    return ""


def school_named(line: str) -> str:
    """The university in a line `cover_school` found."""
    if _UNIVERSITY_ALONE.fullmatch(line):
        return line
    match = _SCHOOL_WITH_KIND.search(line)
    return match.group(1) if match else ""


_UNIVERSITY_ALONE = re.compile(r"[\u4e00-\u9fff]{2,12}大学")
