"""What a reported number may be, by value type (`count`, `int`, `amount` of the spec): written once here and
used by the reader (`value-out-of-range` at the cell), the template's data validation, the reader of a
consolidated workbook's 明细 and the README.

- count (件): a whole number, 0 ≤ n < 10¹⁰ (一百亿);
- int (2019 “本年增/减”): a whole number, −10¹⁰ < n < 10¹⁰;
- amount (万元): 0 ≤ x < 10⁷ 万元 (一千亿元), at most 4 decimals (more are rounded, with a warning).

Why these bounds: they are far above any real figure — China has 1.4 × 10⁹ people, and all administrative fees
of a year come to a few times 10⁷ 万元 — yet small enough that any merge adds up exactly: 10,000 units at the
bound total 10¹⁴ 件, or 10¹⁵ ten-thousandths of a 万元, below 2⁵³ (about 9 × 10¹⁵), up to which a double holds
every whole number, and within the 15 significant digits Excel keeps. A value beyond them is a typing slip
(digits typed twice, 元 for 万元), a cell filled by a program, or a hostile file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tianbao.spec.model import ValueType


@dataclass(frozen=True)
class Domain:
    """The values of one type: whole numbers or `decimals` places; `minimum` ≤ v and |v| < `bound`."""

    minimum: int
    bound: int
    decimals: int
    what: str  # how a message names such a value: 件数, 金额 …
    bound_text: str  # the bound as people read it

    def within(self, value: float) -> bool:
        """Whether a finite or infinite number is inside the bound (the sign is checked apart)."""
        return math.isfinite(value) and abs(value) < self.bound

    @property
    def largest(self) -> int | float:
        """The largest value inside the domain (for the template's data validation)."""
        if self.decimals == 0:
            return self.bound - 1
        return self.bound - 10**-self.decimals

    def describe(self) -> str:
        """The domain in a message: “件数应小于 10,000,000,000（100 亿）”."""
        if self.minimum < 0:
            return f"{self.what}的绝对值应小于 {self.bound_text}"
        return f"{self.what}应小于 {self.bound_text}"


DOMAINS: dict[ValueType, Domain] = {
    "count": Domain(0, 10**10, 0, "件数", "10,000,000,000（100 亿）"),
    "int": Domain(-(10**10) + 1, 10**10, 0, "增减数", "10,000,000,000（100 亿）"),
    "amount": Domain(0, 10**7, 4, "金额", "10,000,000 万元（1000 亿元）"),
}
