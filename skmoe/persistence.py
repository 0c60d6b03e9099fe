"""Saving and loading fitted estimators safely with ``skops.io``.

Every skmoe estimator stores its torch networks as numpy arrays when it is
saved (pickle or ``skops.io``), so ``skops.io.dumps`` works on it and
``skops.io.loads`` rebuilds it without unpickling any torch object. skops
loads only types that you trust explicitly: :func:`trusted_types` lists the
ones skmoe itself is made of, and :func:`untrusted_types` lists what else a
file holds -- the types of *your* experts (a decision tree's ``Tree``,
LightGBM's ``Booster``, the function of a :class:`~skmoe.RuleExpert`,
a user torch module) -- for you to review.

Saving and loading (see "Saving and loading models", docs/persistence.rst)::

    import skops.io as sio
    from skmoe.persistence import trusted_types, untrusted_types

    data = sio.dumps(model)
    extra = untrusted_types(data)      # review these: your experts' types
    model = sio.loads(data, trusted=trusted_types(extra))

Plain ``pickle`` and ``joblib`` keep working too, but load only files you
trust: unpickling can run any code.
"""

# Type names (as skops.io writes them) of the objects skmoe's fitted
# estimators are made of. Everything here is constructed by skops without
# running code from the file: estimators and helpers get their attributes
# set, torch modules are rebuilt from numpy arrays (skmoe._persistence).
_SKMOE_TYPES = (
    # public estimators and the gate
    "skmoe._ensemble.EnsembleClassifier",
    "skmoe._ensemble.EnsembleRegressor",
    "skmoe._hme.HierarchicalMixtureClassifier",
    "skmoe._hme.HierarchicalMixtureRegressor",
    "skmoe._mmoe.MultiGateMixtureOfExperts",
    "skmoe._mmoe_hetero.HeterogeneousMultiGateMixtureOfExperts",
    "skmoe._moe.MixtureOfExpertsClassifier",
    "skmoe._moe.MixtureOfExpertsRegressor",
    "skmoe._rules.RuleExpert",
    "skmoe.experts.TorchMLPClassifier",
    "skmoe.experts.TorchMLPRegressor",
    "skmoe.gates.MLPGate",
    # internal pieces of fitted estimators
    "skmoe._blend.BaggedLogits",
    "skmoe._blend.ConstantLogits",
    "skmoe._blend.GateInputs",
    "skmoe._blend.MixedLogits",
    "skmoe._candidates.CandidateBlend",
    "skmoe._candidates.ExpertHead",
    "skmoe._candidates.LeaveOneOutRidge",
    "skmoe._candidates.LinearHead",
    "skmoe._candidates.PriorHead",
    "skmoe._crossfit.CrossFitAverage",
    "skmoe._data.AutoGateTransformer",
    "skmoe._mmoe_nets.ModuleNet",
    "skmoe._mmoe_nets.MultiTaskNet",
    "skmoe._mmoe_nets.PLENet",
    "skmoe._nn.BatchedLinear",
    "skmoe._nn.BatchedMLP",
    # torch state stored as numpy arrays
    "skmoe._persistence.TorchDevice",
    "skmoe._persistence.TorchDtype",
    "skmoe._persistence.TorchModule",
    "skmoe._persistence.TorchTensor",
    # what skmoe itself builds
    "sklearn.utils._bunch.Bunch",
    "torch.nn.modules.activation.GELU",
    "torch.nn.modules.activation.ReLU",
    "torch.nn.modules.activation.Sigmoid",
    "torch.nn.modules.activation.Tanh",
    "torch.nn.modules.container.ModuleList",
    "torch.nn.modules.container.Sequential",
    "torch.nn.modules.dropout.Dropout",
    "torch.nn.modules.linear.Identity",
    "torch.nn.modules.linear.Linear",
)


def trusted_types(extra=()):
    """Type names to pass as ``trusted`` to ``skops.io.load(s)``.

    Parameters
    ----------
    extra : str or iterable of str, default=()
        Further type names you have reviewed, e.g. from
        :func:`untrusted_types`: your experts' types. A single string is one
        type name.

    Returns
    -------
    list of str
        skmoe's estimators and internal classes, the torch modules skmoe
        builds (rebuilt from numpy arrays), ``sklearn.utils.Bunch``, and
        ``extra``; sorted, no duplicates. scikit-learn estimators and numpy
        arrays are trusted by skops already.
    """
    if isinstance(extra, str):
        extra = [extra]  # one name, not its characters
    if isinstance(extra, (bytes, bytearray)):
        # (Read as an iterable of its byte values: "got [115, 107, ...]".)
        raise TypeError(f"extra must be a type name (str) or an iterable of type names, got "
                        f"bytes {bytes(extra)!r}; decode it (extra.decode()).")
    try:
        extra = list(extra)
    except TypeError:   # None, a number: a bare "object is not iterable" before
        raise TypeError(f"extra must be a type name or an iterable of type names (str, as "
                        f"untrusted_types gives them); got {extra!r}.") from None
    wrong = [name for name in extra if not isinstance(name, str)]
    if wrong:
        raise TypeError(f"extra must hold type names (str, as untrusted_types gives "
                        f"them); got {wrong!r}.")
    return sorted({*_SKMOE_TYPES, *extra})


def untrusted_types(data=None, *, file=None):
    """Types in a saved model that neither skops nor :func:`trusted_types` trust.

    These come from your experts (e.g. ``sklearn.tree._tree.Tree``,
    ``lightgbm.basic.Booster``, the function of a
    :class:`~skmoe.RuleExpert`, a torch module of your own). Review
    them, then load with ``skops.io.loads(data, trusted=trusted_types(extra))``.

    Parameters
    ----------
    data : bytes, default=None
        The output of ``skops.io.dumps``.
    file : str, path-like or binary file object, default=None
        A file written by ``skops.io.dump`` (instead of ``data``); bytes go
        in ``data``.

    Returns
    -------
    list of str
    """
    import io
    import json
    import os
    from zipfile import BadZipFile

    try:
        from skops.io import get_untrusted_types
    except ImportError as exc:
        # (A bare "No module named 'skops'": skops is an optional dependency.)
        raise ImportError("untrusted_types needs skops, an optional dependency of skmoe: "
                          "pip install 'skmoe[persistence]' (or pip install skops).") from exc

    if data is not None and not isinstance(data, (bytes, bytearray, memoryview)):
        # (A fitted model itself failed with "a bytes-like object is required".)
        path = isinstance(data, (str, os.PathLike))   # a file name given as data
        raise TypeError(f"data must be the bytes that skops.io.dumps returns, got "
                        f"{type(data).__name__}; for a model, pass skops.io.dumps(model)"
                        + ("; for a file, pass file=path." if path else "."))
    if file is not None and not (isinstance(file, (str, os.PathLike))
                                 or hasattr(file, "read") and hasattr(file, "seek")):
        # skops reads file= as a path or an open file: bytes failed with
        # "AttributeError: 'bytes' object has no attribute 'seek'".
        raise TypeError(f"file must be a path (str or path-like) or an open binary file, got "
                        f"{type(file).__name__}"
                        + ("; for the bytes of skops.io.dumps, pass them as data=."
                           if isinstance(file, (bytes, bytearray, memoryview)) else "."))
    if isinstance(file, io.TextIOBase):
        # A skops file opened in text mode: zipfile's "File is not a zip file"
        # said below that the file was no skops model, which it was.
        raise TypeError(f"file is open in text mode ({getattr(file, 'mode', 'r')!r}); a skops "
                        "file is a zip archive: open it in binary mode, open(path, 'rb'), or "
                        "pass the path itself.")
    if data is not None and len(data) == 0:
        # (skops read empty bytes as no data: "Exactly one of data or file
        # should be passed", when data was.)
        raise ValueError("data is not a model saved by skops.io.dumps: it is empty.")
    try:
        found = get_untrusted_types(data=data, file=file)
    except (BadZipFile, KeyError, json.JSONDecodeError, TypeError, AttributeError) as exc:
        # (KeyError: a zip archive that is not a skops file, an .xlsx or a
        # .docx, has no schema.json; skops' bare "There is no item named ...".
        # The others: a schema.json that is not skops's, read as JSON, as a
        # dict, as a protocol: "'list' object has no attribute 'get'".)
        raise ValueError(f"{'file' if data is None else 'data'} is not a model saved by "
                         f"skops.io.dump(s) (a skops file is a zip archive with a "
                         f"schema.json): {exc}") from exc
    known = set(_SKMOE_TYPES)
    return sorted(name for name in found if name not in known)
