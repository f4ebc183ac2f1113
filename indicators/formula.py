"""A small, safe evaluator for the indicator formulas stored as data (docs/indicators.md, docs/domain.md §9.1).

Decision 766's formulas change between years, so each one is a text expression kept in `IndicatorDefinition.formula`
and edited by an administrator without code. The expression is parsed with Python's `ast` and only a whitelist of
nodes is accepted: numbers, the definition's variable names, `+ - * /`, unary minus, parentheses, `min(…)`,
`max(…)`, comparisons and the conditional `a if condition else b` (how "6 if none" is written:
`6 if den == 0 else 6 * num / den`). Anything else — attribute access, subscripts, other calls, `__import__`,
lambdas, strings — is refused when the definition is saved (`validate`) and again before evaluation.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 1000
MAX_NODES = 200

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_FUNCTIONS = {"min": min, "max": max}
_SYMBOLS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "÷"}
_COMPARE_SYMBOLS = {ast.Eq: "=", ast.NotEq: "≠", ast.Lt: "<", ast.LtE: "≤", ast.Gt: ">", ast.GtE: "≥"}


class FormulaError(ValueError):
    """The expression is not an allowed formula (the message says why, in Vietnamese)."""


class NoDenominator(ArithmeticError):
    """A division by zero the formula does not handle itself: the indicator cannot be computed for the period."""


def parse(expression: str) -> ast.Expression:
    """The checked syntax tree of `expression`; raises FormulaError for anything outside the whitelist."""
    if not expression or not expression.strip():
        raise FormulaError(_("Công thức không được để trống."))
    if len(expression) > MAX_LENGTH:
        raise FormulaError(_("Công thức quá dài."))
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        raise FormulaError(_("Công thức sai cú pháp.")) from error
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise FormulaError(_("Công thức quá phức tạp."))
    for node in nodes:
        _check(node)
    return tree


def _check(node: ast.AST) -> None:
    if isinstance(node, ast.Expression | ast.Load):
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(_("Công thức chỉ được chứa số, không chứa chuỗi hay giá trị khác."))
        return
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise FormulaError(_("Tên biến không được bắt đầu bằng dấu gạch dưới."))
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise FormulaError(_("Chỉ được dùng các phép tính + − × ÷."))
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise FormulaError(_("Phép toán một ngôi không được phép."))
        return
    if isinstance(node, ast.operator | ast.unaryop | ast.cmpop):
        return  # checked with their parent node
    if isinstance(node, ast.Compare):
        if any(type(op) not in _COMPARE for op in node.ops):
            raise FormulaError(_("Phép so sánh không được phép."))
        return
    if isinstance(node, ast.IfExp):
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            raise FormulaError(_("Chỉ được gọi các hàm min và max."))
        if node.keywords or len(node.args) < 2 or any(isinstance(a, ast.Starred) for a in node.args):
            raise FormulaError(_("Hàm min, max cần ít nhất hai đối số, không dùng tham số đặt tên."))
        return
    raise FormulaError(_("Công thức chứa thành phần không được phép."))


def names(expression: str) -> set[str]:
    """The variable names an expression uses (min and max excluded)."""
    tree = parse(expression)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called}


def validate(expression: str, *, variables: Iterable[str]) -> None:
    """Refuse an expression outside the whitelist or using a name the definition does not declare."""
    unknown = names(expression) - set(variables)
    if unknown:
        raise FormulaError(_("Công thức dùng biến chưa khai báo: {names}.").format(names=", ".join(sorted(unknown))))


def evaluate(expression: str, values: Mapping[str, float]) -> float:
    """The value of the expression for these variable values. A division by zero the formula leaves unhandled
    raises NoDenominator (the indicator is then not computed for the period); a missing value raises KeyError."""
    return float(_eval(parse(expression).body, values))


def _eval(node: ast.AST, values: Mapping[str, float]):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if isinstance(node.op, ast.Div) and right == 0:
            raise NoDenominator
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, values)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.IfExp):
        # Only the branch taken is evaluated: "6 if den == 0 else 6 * num / den" never divides by zero.
        return _eval(node.body, values) if _eval(node.test, values) else _eval(node.orelse, values)
    if isinstance(node, ast.Call):
        return _FUNCTIONS[node.func.id](*(_eval(arg, values) for arg in node.args))
    raise FormulaError(_("Công thức chứa thành phần không được phép."))  # unreachable after parse()


def render(expression: str) -> str:
    """The formula as people read it: × and ÷, ≤ and ≠, "nếu … thì … , ngược lại …" for a conditional."""
    return _render(parse(expression).body, top=True)


def _render(node: ast.AST, *, top: bool = False) -> str:
    if isinstance(node, ast.Constant):
        value = node.value
        text = f"{value:g}" if isinstance(value, float) else str(value)
        return text.replace(".", ",")
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.UnaryOp):
        sign = "−" if isinstance(node.op, ast.USub) else "+"
        return f"{sign}{_render(node.operand)}"
    if isinstance(node, ast.BinOp):
        text = f"{_render(node.left)} {_SYMBOLS[type(node.op)]} {_render(node.right)}"
        return text if top else f"({text})"
    if isinstance(node, ast.Compare):
        parts = [_render(node.left, top=True)]
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            parts += [_COMPARE_SYMBOLS[type(op)], _render(comparator, top=True)]
        return " ".join(parts)
    if isinstance(node, ast.IfExp):
        text = gettext("{body} nếu {test}, ngược lại {other}").format(
            body=_render(node.body, top=True), test=_render(node.test, top=True), other=_render(node.orelse, top=True)
        )
        return text if top else f"[{text}]"
    if isinstance(node, ast.Call):
        return "{name}({args})".format(name=node.func.id, args="; ".join(_render(a, top=True) for a in node.args))
    return "?"
