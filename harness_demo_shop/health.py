"""The health declaration (健康告知) of the medical product and its validation.

Every question must be answered explicitly (nothing is pre-selected); a single "yes" sends the
buyer to manual underwriting. The gray-regression variant adds a question for its gray cohort,
which is how that release rejects more declarations than control.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

ANSWERS = ("yes", "no")
MISSING_ANSWER = "请回答此问题：选择“是”或“否”"
BAD_ANSWER = "答案无效：请选择“是”或“否”"


@dataclass(frozen=True)
class Question:
    code: str
    text: str


QUESTIONS: tuple[Question, ...] = (
    Question("q1", "过去两年内，被保险人是否曾住院治疗或被医生建议住院？"),
    Question("q2", "被保险人是否患有或曾患有恶性肿瘤、心脑血管疾病、糖尿病、肝肾疾病？"),
    Question("q3", "过去一年内，被保险人的体检或检查结果是否有异常且尚未复查？"),
    Question("q4", "被保险人目前是否正在服用处方药物或接受持续治疗？"),
)

GRAY_EXTRA_QUESTION = Question("q5", "过去五年内，被保险人是否曾进行过任何健康体检？")
# the catch-all-health-question variant: what 销售办法 art. 27 forbids
CATCH_ALL_QUESTION = Question("q6", "除上述疾病以外，被保险人是否患有其他未列明的疾病或症状？")


def questions_for(gray_regression: bool, catch_all: bool = False) -> tuple[Question, ...]:
    """The questions shown to this journey (one more for the gray cohort of gray-regression,
    one catch-all more in the catch-all-health-question variant)."""
    extra = ((GRAY_EXTRA_QUESTION,) if gray_regression else ()) + \
        ((CATCH_ALL_QUESTION,) if catch_all else ())
    return (*QUESTIONS, *extra)


def validate_answers(
    questions: tuple[Question, ...], answers: Mapping[str, object]
) -> dict[str, str]:
    """Field code -> error message for each question not answered "yes" or "no"."""
    errors: dict[str, str] = {}
    for question in questions:
        value = answers.get(question.code)
        if value is None or value == "":
            errors[question.code] = MISSING_ANSWER
        elif value not in ANSWERS:
            errors[question.code] = BAD_ANSWER
    return errors


def is_declined(questions: tuple[Question, ...], answers: Mapping[str, object]) -> bool:
    """A "yes" to any of the four underwriting questions ends online underwriting.

    The extra gray question is about check-ups, not illness, so its answer does not decline.
    """
    return any(answers.get(q.code) == "yes" for q in questions if q in QUESTIONS)
