"""The course's late-work policy, as an nbgrader late-submission plugin (INSTRUCTORS.md, "Late work").

A submission up to 15 minutes after the due date counts as on time (clocks and uploads are not
exact). After that, each started day late costs a tenth of the score the notebook earned, so a
notebook two days and one hour late keeps 70% of its score, and one ten or more days late scores 0.
"""

from __future__ import annotations

import math

from nbgrader.plugins import BasePlugin

GRACE_SECONDS = 15 * 60
DAY_SECONDS = 24 * 60 * 60
SHARE_PER_DAY = 0.1


def penalty(score: float, seconds_late: float) -> float:
    """The points a notebook loses for being ``seconds_late`` after the due date.

    Example:
        >>> penalty(6.0, 60), penalty(6.0, 36 * 3600), penalty(6.0, 30 * 86400)
        (0.0, 1.2, 6.0)
    """
    if seconds_late <= GRACE_SECONDS:
        return 0.0
    days = math.ceil(seconds_late / DAY_SECONDS)
    return round(score * min(1.0, SHARE_PER_DAY * days), 6)


class TenthPerDayLate(BasePlugin):
    """nbgrader's hook: ``c.AssignLatePenalties.plugin_class = TenthPerDayLate``."""

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        lost = penalty(score, total_seconds_late)
        self.log.warning("%s is %.0f s late: loses %s of %s points", student_id, total_seconds_late, lost, score)
        return lost
