"""Write a benchmark result as JSON, a markdown table and an rst table."""

import json
import os

VARIANT_COLUMNS = ["ensemble", "stacking", "moe", "moe_em", "moe_gradient", "moe_top1",
                   "moe_top2"]
LABELS = {"ensemble": "Ensemble", "stacking": "Stacking", "moe": "MoE (default)",
          "moe_em": "MoE EM", "moe_gradient": "MoE gradient", "moe_top1": "MoE top-1",
          "moe_top2": "MoE top-2", "best_expert": "best expert"}


def _fmt(value, digits=4):
    return "n/a" if value is None else f"{value:.{digits}f}"


def _score_rows(summaries, task, key, unavailable, lower_is_better=True):
    experts = sorted({m.split(":", 1)[1] for s in summaries if s["task"] == task
                      for m in s["scores"] if m.startswith("expert:")},
                     key=["ridge", "logreg", "tree", "lgbm", "knn"].index)
    header = ["dataset", "rows", *experts, *[LABELS[m] for m in VARIANT_COLUMNS],
              "MoE rank", "gap to best expert"]
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
        gap = s.get("moe_gap_to_best_expert")
        row += [str(s.get("moe_rank", "-")), "-" if gap is None else f"{100 * gap:+.1f}%"]
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


def _targets_lines(result):
    t, lines = result["targets"], []
    if "rank_first" in t:
        r = t["rank_first"]
        lines.append(f"Default mixture ranks first against best expert / Ensemble / Stacking "
                     f"on {100 * r['value']:.0f}% of the datasets (target >= 70%: "
                     f"{'met' if r['met'] else 'missed'}).")
        g = t["worst_gap_to_best_expert"]
        over = ", ".join(g["datasets_over"]) or "none"
        lines.append(f"Worst gap to the best single expert: {100 * g['value']:+.1f}% on "
                     f"{g['dataset']} (target <= +1%: {'met' if g['met'] else 'missed'}; "
                     f"datasets over 1%: {over}).")
    for key, label in (("fit_ratio_moe", "default mixture"), ("fit_ratio_moe_em", "EM")):
        if key in t:
            f = t[key]
            lines.append(f"Fit time of the {label} / Stacking: median {f['median']:.2f}x, "
                         f"worst {f['max']:.2f}x on {f['max_dataset']} (target <= "
                         f"{f['target']}x: {'met' if f['met'] else 'missed'}).")
    return lines


def _variant_rows(result):
    header = ["mixture variant", "ranks first", "within 1% of best expert", "worst gap",
              "fit / Stacking (median)", "fit / Stacking (worst)"]
    rows = [[LABELS[v], f"{100 * t['rank_first']:.0f}%",
             f"{100 * t['within_1pct_of_best_expert']:.0f}%",
             f"{100 * t['worst_gap']:+.1f}% ({t['worst_gap_dataset']})",
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
            f"{s['default_training']!r}; skmoe {s['skmoe_version']}, {s['machine']}, "
            f"{s['date']}, total {s['total_s'] / 60:.1f} min. Not available: {na}.{extra}")


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
            if key == "accuracy":  # rank and gap refer to log-loss
                header, rows = header[:-2], [r[:-2] for r in rows]
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
