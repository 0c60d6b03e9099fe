"""How well the regressor's predictive density fits held-out data.

For each regression set of the suite (or of ``bench_more_datasets.py``'s
real sets outside it): the default mixture with the suite's
pool (``run_benchmarks.make_experts``), on the suite's splits; on the test
rows, the share of targets within 1 and 1.96 predictive standard deviations
of ``predict`` (0.683 and 0.95 for a calibrated Gaussian),
``RMSE / sqrt(mean(std^2))`` (1 when the spread matches the errors) and the
mean held-out log-likelihood per row in units of y's standard deviation
(``log_likelihood_samples + log sd(y)``; higher is better). ``--fit em``
fits the mixture by EM instead (the density is what it maximises), ``--fit
nll`` the default trainer with ``loss="nll"``; ``--versus em`` (or ``nll``)
fits that variant too, on the same splits, and adds the paired difference
of the held-out log-likelihoods (variant - ``--fit``'s) and the ratio of
their test RMSEs::

    OMP_NUM_THREADS=1 python benchmarks/bench_predictive_density.py --splits 5 \\
        regimes mcycle boston diabetes cps1985 wage friedman1 ames wages_panel diamonds
    OMP_NUM_THREADS=1 python benchmarks/bench_predictive_density.py --splits 5 \\
        bioChemists College TenMileRace satgpa Carseats CASchools cpus Hitters Salaries Housing
    OMP_NUM_THREADS=1 python benchmarks/bench_predictive_density.py --splits 10 --versus em \\
        mcycle regimes boston diabetes cps1985 wage friedman1 wages_panel ames diamonds
"""

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _splits, load, make_experts  # noqa: E402


# The regressor's parameters per variant (the suite's pool and seeds for all).
VARIANTS = {"default": {}, "em": {"training": "em"}, "nll": {"loss": "nll"}}


def density_scores(name, n_splits, max_rows, variant="default"):
    from skmoe import MixtureOfExpertsRegressor
    import bench_more_datasets as more
    if name in more.SETS:      # the real sets outside the suite
        _, X, y = more.load(name, max_rows)
    else:
        _, X, y, _ = load(name, max_rows)
    rows = []
    for split, (train, test) in enumerate(_splits("regression", X, y, n_splits, 0.25)):
        moe = MixtureOfExpertsRegressor(make_experts("regression", seed=split),
                                        **VARIANTS[variant],
                                        random_state=split).fit(X[train], y[train])
        mean, std = moe.predict(X[test], return_std=True)
        z = np.abs(y[test] - mean) / std
        log_likelihood = moe.log_likelihood_samples(X[test], y[test]).mean()
        rows.append([np.mean(z < 1), np.mean(z < 1.96),
                     np.sqrt(np.mean((y[test] - mean) ** 2) / np.mean(std ** 2)),
                     log_likelihood + np.log(np.std(y[train])),
                     np.sqrt(np.mean((y[test] - mean) ** 2))])
    return np.array(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--max-rows", type=int, default=5000)
    parser.add_argument("--fit", default="default", choices=list(VARIANTS))
    parser.add_argument("--versus", default=None, choices=list(VARIANTS),
                        help="also fit this variant on the same splits and give the paired "
                             "difference of the held-out log-likelihoods (versus - fit)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    header = "| dataset | within 1 sd | within 1.96 sd | RMSE / rms sd | held-out log-lik. |"
    rule = "|---|---|---|---|---|"
    if args.versus:
        header += (f" {args.versus}: held-out log-lik. | difference (SE) |"
                   f" splits {args.versus} higher | RMSE {args.versus} / {args.fit} |")
        rule += "---|---|---|---|"
    print(header)
    print(rule)
    for name in args.datasets:
        scores = density_scores(name, args.splits, args.max_rows, args.fit)
        mean = scores.mean(axis=0)
        line = (f"| {name} | " + " | ".join(f"{value:.3f}" for value in mean[:3])
                + f" | {mean[3]:.4f} |")
        if args.versus:
            other = density_scores(name, args.splits, args.max_rows, args.versus)
            gain = other[:, 3] - scores[:, 3]
            se = gain.std(ddof=1) / np.sqrt(len(gain))
            line += (f" {other[:, 3].mean():.4f} | {gain.mean():+.4f} ({se:.4f}) |"
                     f" {int(np.sum(gain > 0))} of {len(gain)} |"
                     f" {other[:, 4].mean() / scores[:, 4].mean():.4f} |")
        print(line, flush=True)


if __name__ == "__main__":
    main()
