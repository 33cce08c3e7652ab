"""The course's late-work policy, as an nbgrader late-submission plugin (nbgrader_config.py):
a share of the points off for each day, or part of a day, after the due date, up to a most.

    c.AssignLatePenalties.plugin_class = PercentPerDay
    c.PercentPerDay.percent_per_day = 10   # the teacher's choice
    c.PercentPerDay.most_percent = 50

nbgrader applies it at autograde to each notebook of a submission whose timestamp is after the
assignment's due date (`nbgrader db assignment add notebooks --duedate="..."`); with no due date
nothing is late. The gradebook keeps the raw score and the penalty apart: the learner's
summary.html and the exports (export.py) show both.
"""
import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

DAY = 24 * 60 * 60


class PercentPerDay(LateSubmissionPlugin):
    """`percent_per_day` of a notebook's points off for each day or part of a day late, at most
    `most_percent`."""

    percent_per_day = Float(10.0, help="Points off per day late, in percent of the score.").tag(config=True)
    most_percent = Float(50.0, help="The most taken off, in percent of the score.").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        percent = min(self.most_percent, math.ceil(total_seconds_late / DAY) * self.percent_per_day)
        self.log.info("%s is %.1f days late: %g %% of %g points off", student_id,
                      total_seconds_late / DAY, percent, score)
        return score * percent / 100
