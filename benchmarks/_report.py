"""Write a benchmark result as JSON, a markdown table and an rst table."""

import json
import os

VARIANT_COLUMNS = ["ensemble", "stacking", "caruana", "fwls", "moe", "moe_em",
                   "moe_gradient", "moe_top1", "moe_top2"]
LABELS = {"ensemble": "Ensemble", "stacking": "Stacking", "caruana": "Caruana",
          "fwls": "FWLS", "moe": "MoE (default)",
          "moe_em": "MoE EM", "moe_gradient": "MoE gradient", "moe_top1": "MoE top-1",
          "moe_top2": "MoE top-2", "best_expert": "best expert"}


def _fmt(value, digits=4):
    return "n/a" if value is None else f"{value:.{digits}f}"


def _score_rows(summaries, task, key, unavailable, lower_is_better=True):
    experts = sorted({m.split(":", 1)[1] for s in summaries if s["task"] == task
                      for m in s["scores"] if m.startswith("expert:")},
                     key=["ridge", "logreg", "tree", "lgbm", "knn"].index)
    header = ["dataset", "rows", *experts, *[LABELS[m] for m in VARIANT_COLUMNS],
              "MoE rank", "gap to best expert", "gap to best blend"]
    rows = []
    for s in summaries:
        if s["task"] != task:
            continue
        scores = s["scores"]
        cells = {f"expert:{e}": scores.get(f"expert:{e}", {}).get(key) for e in experts}
        cells.update({m: scores.get(m, {}).get(key) for m in VARIANT_COLUMNS})
        present = [v for v in cells.values() if v is not None]
        best = (min if lower_is_better else max)(present) if present else None
        row = [s["name"], f"{s['n_rows_used']}" + ("" if s["n_rows_used"] == s["n_rows"]
                                                   else f" of {s['n_rows']}")]
        for method, value in cells.items():
            text = ("n/a" if method in unavailable else "-") if value is None else _fmt(value)
            row.append(f"**{text}**" if value is not None and value == best else text)
        row.append(str(s.get("moe_rank", "-")))
        for gap_key in ("moe_gap_to_best_expert", "moe_gap_to_best_blend"):
            gap = s.get(gap_key)
            row.append("-" if gap is None else f"{100 * gap:+.1f}%")
        rows.append(row)
    return header, rows


def _cost_rows(summaries, unavailable, key):
    header = ["dataset", "task", *[LABELS[m] for m in VARIANT_COLUMNS]]
    rows = []
    for s in summaries:
        row = [s["name"], s["task"]]
        for m in VARIANT_COLUMNS:
            value = s[key].get(m)
            row.append(("n/a" if m in unavailable else "-") if value is None
                       else _fmt(value, 2))
        rows.append(row)
    return header, rows


def _markdown(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def _rst(header, rows):
    def cell(text):
        return text if text else "\\"
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header, *rows]:
        lines.append("   * - " + cell(row[0]))
        lines += [f"     - {cell(c)}" for c in row[1:]]
    return "\n".join(lines)


def _met(flag):
    return "met" if flag else "missed"


def _over(entry, gaps):
    """'boston +2.5% (SE 2.6%), ...': the datasets over a target with their gap
    and its paired standard error over splits (where recorded)."""
    errors = entry.get("standard_errors") or {}
    parts = []
    for name in entry["datasets_over"]:
        text = f"{name} {100 * gaps[name]:+.1f}%" if name in gaps else name
        if errors.get(name) is not None:
            text += f" (SE {100 * errors[name]:.1f}%)"
        parts.append(text)
    return ", ".join(parts) or "none"


def _behind(rank_first):
    """'; where not first, behind the winner by: boston +3.0% to stacking (SE
    1.6%), ...; by more than one standard error on: boston' (where recorded)."""
    behind = rank_first.get("behind") or {}
    if not behind:
        return ""
    parts, beyond = [], []
    for name, b in behind.items():
        text = f"{name} {100 * b['gap']:+.2f}% to {LABELS.get(b['winner'], b['winner'])}"
        if b.get("se") is not None:
            text += f" (SE {100 * b['se']:.2f}%)"
            if b["gap"] > b["se"]:
                beyond.append(name)
        parts.append(text)
    return (f"; where not first, behind the winner by: {', '.join(parts)}; by more than "
            f"one paired standard error on: {', '.join(beyond) or 'none'}")


def _targets_lines(result):
    t, lines = result["targets"], []
    if "worst_gap_to_best_blend" in t:
        b = t["worst_gap_to_best_blend"]
        over = _over(b, {s["name"]: s.get("moe_gap_to_best_blend")
                         for s in result.get("summary", [])})
        lines.append(f"(i) Worst gap of the default mixture to the best constant blend "
                     f"(the better of Stacking and Caruana, where run): "
                     f"{100 * b['value']:+.1f}% on {b['dataset']} "
                     f"(target <= +{100 * b['target']:.1f}%: {_met(b['met'])}; datasets "
                     f"over, with the paired standard error of the gap over splits: {over}).")
    if "rank_first" in t:
        r = t["rank_first"]
        against = " / ".join(LABELS.get(m, m) for m in r.get("against", []))
        lines.append(f"(ii) Default mixture ranks first against {against} on "
                     f"{100 * r['value']:.0f}% of the datasets (target >= "
                     f"{100 * r['target']:.0f}%: {_met(r['met'])}){_behind(r)}.")
        g = t["worst_gap_to_best_expert"]
        over = _over(g, {s["name"]: s.get("moe_gap_to_best_expert")
                         for s in result.get("summary", [])})
        lines.append(f"(iii) Worst gap to the best single expert: {100 * g['value']:+.1f}% on "
                     f"{g['dataset']} (target <= +{100 * g['target']:.0f}%: "
                     f"{_met(g['met'])}; datasets over, with the paired standard error "
                     f"of the gap over splits: {over}).")
    if "fit_ratio_moe" in t:
        f = t["fit_ratio_moe"]
        lines.append(f"(iv) Fit time of the default mixture / Stacking: median "
                     f"{f['median']:.2f}x, worst {f['max']:.2f}x on {f['max_dataset']} "
                     f"(target median <= {f['target_median']}x, every dataset <= "
                     f"{f['target_max']}x: {_met(f['met'])}).")
    if "em" in t:
        e = t["em"]
        better = ", ".join(f"{n} {'yes' if b else 'no'}" for n, b in e["better_on"].items())
        text = (f"(v) EM / default mixture - 1 on the median dataset: "
                f"{100 * e['median_gap']:+.1f}% (target <= +{100 * e['target_median_gap']:.0f}"
                f"%); EM better on: {better or 'n/a'}")
        if "no_warning_share" in e:
            text += (f"; no ConvergenceWarning on {100 * e['no_warning_share']:.0f}% of the "
                     f"datasets (target >= {100 * e['target_no_warning_share']:.0f}%; with: "
                     f"{', '.join(e['datasets_with_warning']) or 'none'})")
        lines.append(text + f" ({_met(e['met'])}).")
    if "fit_ratio_moe_em" in t:
        f = t["fit_ratio_moe_em"]
        lines.append(f"Fit time of EM / Stacking (no target): median {f['median']:.2f}x, "
                     f"worst {f['max']:.2f}x on {f['max_dataset']}.")
    return lines


def _variant_rows(result):
    header = ["mixture variant", "ranks first", "within 1% of best expert", "worst gap",
              "worst gap to best blend", "fit / Stacking (median)", "fit / Stacking (worst)"]
    rows = [[LABELS[v], f"{100 * t['rank_first']:.0f}%",
             f"{100 * t['within_1pct_of_best_expert']:.0f}%",
             f"{100 * t['worst_gap']:+.1f}% ({t['worst_gap_dataset']})",
             (f"{100 * t['worst_blend_gap']:+.1f}% ({t['worst_blend_gap_dataset']})"
              if "worst_blend_gap" in t else "-"),
             f"{t['fit_ratio_median']:.2f}", f"{t['fit_ratio_max']:.2f}"]
            for v, t in result.get("variants", {}).items()]
    return header, rows


def _settings_line(result):
    s = result["settings"]
    na = ", ".join(f"{k} ({v.split(':')[0]})" for k, v in s["unavailable"].items()) or "none"
    extra = (f" Extra mixture parameters: {s['moe_params']}." if s.get("moe_params") else "")
    return (f"{s['splits']} random splits (seed {s.get('seed', 0)}, test "
            f"{s['test_size']:.0%}), at most "
            f"{s['max_rows']} rows per dataset, LightGBM {s['lgbm_trees']} trees, "
            f"{s['n_jobs']} thread(s) per method; default training = "
            f"{s['default_training']!r}; skmoe {s['skmoe_version']}"
            + "".join(f", {name} {v}" for name, v in s.get("packages", {}).items() if v)
            + f", {s['machine']}, "
            f"{s['date']}, total {s['total_s'] / 60:.1f} min. Not available: {na}.{extra}"
            + "".join(_update_line(u) for u in s.get("updates", [])))


def _update_line(update):
    """One re-run merged in (``run_benchmarks.py --update``): what and when."""
    packages = "".join(f", {name} {v}" for name, v in update.get("packages", {}).items() if v)
    return (f" Re-run and merged: {', '.join(update['methods'])} on "
            f"{len(update['datasets'])} dataset(s), {update['date']}{packages}.")


def render(result, fmt):
    """The whole report in 'md' or 'rst'."""
    table = _markdown if fmt == "md" else _rst
    unavailable = set(result["settings"]["unavailable"])
    summaries = result["summary"]
    blocks = [_settings_line(result), "\n".join(f"- {line}" for line in
                                                 _targets_lines(result))]
    header, rows = _variant_rows(result)
    if rows:
        blocks += [_heading("Every mixture variant against the targets (as if it were the "
                            "default)", fmt), table(header, rows)]
    sections = [("Regression: test RMSE (mean over splits; lower is better)",
                 "regression", "rmse", True),
                ("Classification: test log-loss (mean over splits; lower is better)",
                 "classification", "log_loss", True),
                ("Classification: test accuracy (mean over splits)",
                 "classification", "accuracy", False)]
    for title, task, key, lower in sections:
        if any(s["task"] == task for s in summaries):
            header, rows = _score_rows(summaries, task, key, unavailable, lower)
            if key == "accuracy":  # rank and gaps refer to log-loss
                header, rows = header[:-3], [r[:-3] for r in rows]
            blocks += [_heading(title, fmt), table(header, rows)]
    for key, what in (("fit_ratio", "Fit"), ("predict_ratio", "Predict")):
        header, rows = _cost_rows(summaries, unavailable, key)
        blocks += [_heading(f"{what} time / Stacking's (median over splits; lower is "
                            "faster)", fmt), table(header, rows)]
    return "\n\n".join(blocks) + "\n"


def _heading(title, fmt):
    return f"### {title}" if fmt == "md" else f"{title}\n{'~' * len(title)}"


def write_outputs(result, out_dir):
    """Write results.json, results.md and results.rst under out_dir; return the paths."""
    os.makedirs(out_dir, exist_ok=True)
    paths = [os.path.join(out_dir, f"results.{ext}") for ext in ("json", "md", "rst")]
    with open(paths[0], "w") as f:
        json.dump(result, f, indent=1)
    for path, fmt in zip(paths[1:], ("md", "rst")):
        with open(path, "w") as f:
            f.write(render(result, fmt))
    return paths
