"""What `course grade` leaves for the instructor: scores.csv, summary, class report, feedback index."""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import shutil
from collections import defaultdict
from pathlib import Path

from traitlets import Bool, Float, Integer
from traitlets.config import Configurable

from course.grading import similarity
from course.grading.config import RELEASE, SOURCE
from course.grading.item_analysis import (
    LOW_DISCRIMINATION,
    checks_of,
    exercise_table,
    hint_records,
    hint_table,
    level_counts,
)
from course.grading.submissions import MAX_BYTES, restore_metadata

SIMILARITY_THRESHOLD = 0.6
MAX_ANSWER = 100_000  # characters kept per answer cell (results.json stays readable)


def _columns(outcomes) -> list[tuple[str, str]]:
    return sorted({(o.submission.assignment, o.submission.notebook) for o in outcomes})


def _by_student(outcomes) -> dict[str, dict[tuple[str, str], object]]:
    table: dict[str, dict] = defaultdict(dict)
    for o in outcomes:
        table[o.submission.student][(o.submission.assignment, o.submission.notebook)] = o
    return table


def _fmt(value: float) -> str:
    return f"{value:g}"


def write_csv(run, path: Path) -> None:
    """student x notebook scores with totals; an empty cell: the student did not submit that assignment."""
    columns = _columns(run.outcomes)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student"] + [f"{a}/{n}" for a, n in columns] + ["total", "max", "percent"])
        maxima = {}
        for o in run.outcomes:
            maxima[(o.submission.assignment, o.submission.notebook)] = o.max_score
        writer.writerow(["(max)"] + [_fmt(maxima[c]) for c in columns] + [_fmt(sum(maxima.values())), "", ""])
        for student, row in sorted(_by_student(run.outcomes).items()):
            total = sum(o.score for o in row.values())
            possible = sum(o.max_score for o in row.values())
            percent = f"{100 * total / possible:.1f}" if possible else ""
            writer.writerow(
                [student]
                + [_fmt(row[c].score) if c in row else "" for c in columns]
                + [_fmt(total), _fmt(possible), percent]
            )


def summary_lines(run) -> list[str]:
    """The table printed at the end: one row per student, then one line per problem."""
    columns = _columns(run.outcomes)
    labels = [n.split("_")[0] if n.split("_")[0].isdigit() else n[:8] for _, n in columns]
    width = max([len("student")] + [len(s) for s in _by_student(run.outcomes)])
    lines = ["  ".join(["student".ljust(width)] + [label.rjust(7) for label in labels] + ["  total"])]
    for student, row in sorted(_by_student(run.outcomes).items()):
        cells = [
            f"{_fmt(row[c].score)}/{_fmt(row[c].max_score)}".rjust(7) if c in row else "-".rjust(7)
            for c in columns
        ]
        total = sum(o.score for o in row.values())
        possible = sum(o.max_score for o in row.values())
        lines.append("  ".join([student.ljust(width)] + cells + [f"{_fmt(total)}/{_fmt(possible)}".rjust(7)]))
    legend = ", ".join(f"{label} = {a}/{n}" for label, (a, n) in zip(labels, columns))
    lines += ["", f"columns: {legend}"]
    problems = [(o, p) for o in run.outcomes for p in o.problems]
    if problems:
        lines += ["", "problems:"]
        lines += [
            f"  {o.submission.student} {o.submission.assignment}/{o.submission.notebook}: {p}"
            for o, p in problems
        ]
    lines += [f"note: {note}" for note in run.notes]
    graded = [o for o in run.outcomes if o.status == "graded" and not getattr(o, "cached", False)]
    cached = sum(o.status == "graded" and getattr(o, "cached", False) for o in run.outcomes)
    per_student = defaultdict(float)
    for o in graded:
        per_student[o.submission.student] += o.seconds
    if graded:
        seconds = sum(o.seconds for o in graded)
        executing = sum(o.execute_s for o in graded)
        lines.append("")
        lines.append(
            f"time: {len(graded)} notebooks graded in {run.seconds:.0f} s wall; per notebook "
            f"{seconds / len(graded):.1f} s grading vs {executing / len(graded):.1f} s executing "
            f"({seconds / executing if executing else float('nan'):.2f}x); per student "
            f"{sum(per_student.values()) / len(per_student):.1f} s"
        )
    errors = [o for o in run.outcomes if o.status == "error"]
    lines.append(
        f"grading {'FAILED for ' + str(len(errors)) + ' notebook(s)' if errors else 'finished'}: "
        f"{len({o.submission.student for o in run.outcomes})} students, "
        f"{len(run.outcomes)} notebooks ({len(graded)} run, "
        + (f"{cached} unchanged since an earlier run, " if cached else "")
        + f"{sum(o.status in ('missing', 'invalid') for o in run.outcomes)} missing or unreadable)"
    )
    return lines


def exercise_stats(run) -> list[dict]:
    """Per test cell: share of students with full points, discrimination, the most common failure messages."""
    rows = run if isinstance(run, list) else [o.as_dict() for o in run.outcomes]
    table = exercise_table(rows)
    for entry in table:
        del entry["messages"]
    return table


def _chart(rows: list[dict]) -> str:
    """Pass share and discrimination per exercise, side by side, as a base64 PNG."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    labels = [f"{r['notebook']} · {r['exercise']}" for r in rows]
    shares = [100 * r["share"] for r in rows]
    fig, (ax, bx) = plt.subplots(
        1, 2, figsize=(11, 0.35 * len(rows) + 1.4), sharey=True, gridspec_kw={"width_ratios": [3, 2]}
    )
    colours = ["#c0392b" if s < 50 else "#e67e22" if s < 80 else "#27ae60" for s in shares]
    ax.barh(range(len(rows)), shares, color=colours)
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("students with full points (%)")
    ax.set_title("Which exercises the class passed")
    values = [r.get("r") for r in rows]
    bx.barh(
        range(len(rows)),
        [v or 0.0 for v in values],
        color=["#c0392b" if v is not None and v < LOW_DISCRIMINATION else "#2c7fb8" for v in values],
    )
    for i, (v, r) in enumerate(zip(values, rows)):
        if v is None:
            bx.text(0.02, i, f"undefined ({r.get('r_note', '')})", va="center", fontsize=7, color="#666")
    bx.axvline(LOW_DISCRIMINATION, color="#999", lw=1, ls="--")
    bx.set_xlim(-1, 1)
    bx.set_xlabel("discrimination (point-biserial r)")
    bx.set_title("Does passing go with the rest of the score?")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


# --- the class report ---------------------------------------------------------------------------------


class ClassReport(Configurable):
    """Settings of the class report (`c.ClassReport.similarity_threshold = ...` in nbgrader_config.py)."""

    similarity_threshold = Float(
        SIMILARITY_THRESHOLD,
        help="Student pairs whose answer similarity (0-1, course.grading.similarity) is at least this "
        "are listed as unusually alike. Measured on the fixture class (tests/test_class_report.py): the "
        "planted copies 1.00 (exact, and renamed + reformatted), a copy with two statements rewritten "
        "0.92, honest pairs at most 0.26 (0.36 on one notebook): 0.6 leaves a wide margin both ways.",
    ).tag(config=True)
    common_share = Float(
        similarity.COMMON_SHARE,
        help="Code found in the answers of more than this share of the students is the course's idiom, "
        "not a copy: left out of the similarity.",
    ).tag(config=True)
    exclude_solution = Bool(
        True,
        help="Leave the instructor's solution code out of the similarity (two students who both wrote "
        "the expected answer have not copied each other).",
    ).tag(config=True)
    noise = Integer(
        similarity.NOISE, help="Shortest match counted, in characters of normalized code (copydetect's k)."
    ).tag(config=True)


def report_settings(**overrides) -> ClassReport:
    """The class report's settings from nbgrader_config.py, with `overrides` (None values ignored)."""
    from course.grading.config import load_config
    from course.notebooks import REPO

    settings = ClassReport(config=load_config(REPO))
    for name, value in overrides.items():
        if value is not None:
            setattr(settings, name, value)
    return settings


def _json_notebook(path: Path) -> dict | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _notebook_file(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4) if path.is_file() else None


def _release(course: Path, assignment: str, notebook: str):
    return _notebook_file(Path(course) / RELEASE / assignment / f"{notebook}.ipynb")


def solution_cells(notebook) -> dict[str, str]:
    """grade_id -> source of a notebook's nbgrader solution (answer) code cells, in order."""
    cells = {}
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution") and isinstance(meta.get("grade_id"), str):
            cells.setdefault(meta["grade_id"], cell.source)
    return cells


def answers_of(raw: dict, release) -> dict[str, str]:
    """The learner's answer cells (grade_id -> source), with the release's nbgrader metadata put back."""
    import nbformat

    try:
        notebook = nbformat.reads(json.dumps(raw), as_version=4)
        if release is not None:
            restore_metadata(notebook, release)
        return {g: source[:MAX_ANSWER] for g, source in solution_cells(notebook).items()}
    except Exception:  # noqa: BLE001 - an unreadable notebook has no answers to compare
        return {}


def class_rows(run, course: Path) -> list[dict]:
    """results.json's rows: each outcome, plus what the class report needs from the SUBMITTED file.

    "hints": the hint records as the learner saved them (the grader's own run of the notebook is not
    used: it starts a fresh kernel); "answers": the answer cells, for the similarity. Both are
    information only.
    """
    releases: dict[tuple[str, str], object] = {}
    rows = []
    for o in run.outcomes:
        row = o.as_dict()
        row["hints"], row["answers"] = [], {}
        path = getattr(o.submission, "path", None)
        raw = _json_notebook(Path(path)) if path and o.status not in ("missing", "invalid") else None
        if raw is not None:
            key = (o.submission.assignment, o.submission.notebook)
            if key not in releases:
                releases[key] = _release(course, *key)
            row["hints"] = hint_records(raw)
            row["answers"] = answers_of(raw, releases[key])
        rows.append(row)
    return rows


def build_class_report(rows: list[dict], course: Path, settings: ClassReport | None = None) -> dict:
    """Everything the class report shows, from results.json's rows and the release in `course`."""
    settings = settings or report_settings()
    keys = sorted({(r["assignment"], r["notebook"]) for r in rows})
    releases = {key: _release(course, *key) for key in keys}
    checks = {key: checks_of(nb) for key, nb in releases.items() if nb is not None}
    exercises = exercise_table(rows)
    hints = hint_table(rows, checks)
    for entry in exercises:
        entry["hints"] = [
            h
            for h in hints
            if (h["assignment"], h["notebook"], h["exercise"])
            == (entry["assignment"], entry["notebook"], entry["exercise"])
        ]
    report = {
        "students": sorted({r["student"] for r in rows}),
        "notebooks": len(rows),
        "exercises": exercises,
        "hints": hints,
        "threshold": settings.similarity_threshold,
        "similarity": None,
        "similarity_error": "",
    }
    try:
        documents: dict[str, dict[str, str]] = {}
        starters: dict[str, str] = {}
        solutions: dict[str, str] = {}
        for key in keys:
            name = "/".join(key)
            starter = solution_cells(releases[key]) if releases[key] is not None else {}
            order = list(starter)
            starters[name] = similarity.answer_document(starter, order)
            source = _notebook_file(Path(course) / SOURCE / key[0] / f"{key[1]}.ipynb")
            if source is not None and settings.exclude_solution:
                solutions[name] = similarity.answer_document(solution_cells(source), order)
            documents[name] = {
                r["student"]: similarity.answer_document(r.get("answers") or {}, order)
                for r in rows
                if (r["assignment"], r["notebook"]) == key and r.get("answers")
            }
        report["similarity"] = similarity.compare_class(
            documents, starters, solutions, k=settings.noise, common_share=settings.common_share
        )
    except Exception as error:  # noqa: BLE001 - the rest of the report stands without it
        report["similarity_error"] = f"{type(error).__name__}: {error}"
    return report


def class_summary_lines(report: dict) -> list[str]:
    """A few lines for the terminal: the hardest exercises, low discrimination, similar pairs."""
    lines = []
    for e in report["exercises"]:
        r = f"r={e['r']:+.2f}" if e["r"] is not None else f"r undefined ({e['r_note']})"
        if e["r"] is not None and e["r"] < LOW_DISCRIMINATION:
            r += " LOW"
        levels = ""
        for h in e.get("hints", []):
            counts = level_counts(h)
            levels += f"; hints {h['check']} 0/1/2: {'/'.join(map(str, counts))}"
        lines.append(
            f"  {e['notebook']} {e['exercise']}: passed {e['passed']}/{e['students']} "
            f"({100 * e['share']:.0f}%), {r} (n={e['n']}){levels}"
        )
    sim = report["similarity"]
    if sim is None:
        lines.append(f"  similarity not computed: {report['similarity_error']}")
    else:
        flagged = sim.above(report["threshold"])
        lines.append(
            f"  similar answers (>= {report['threshold']:g}): "
            + (", ".join(f"{p.a} & {p.b} {p.score:.2f}" for p in flagged) if flagged else "no pair")
            + (
                f"; highest other pair {sim.pairs[len(flagged)].score:.2f}"
                if len(sim.pairs) > len(flagged)
                else ""
            )
        )
    return lines


STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}"
    "table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;padding:.3em .6em;"
    "text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}.low{color:#c0392b;font-weight:bold}.note{color:#666;font-size:90%}"
)


def _r_cell(e: dict) -> str:
    if e["r"] is None:
        return f'<span class="note">undefined: {html.escape(e["r_note"])} (n={e["n"]})</span>'
    css = ' class="low"' if e["r"] < LOW_DISCRIMINATION else ""
    return f"<span{css}>{e['r']:+.2f}</span> <span class='note'>(n={e['n']})</span>"


def _hints_cell(entries: list[dict]) -> str:
    parts = []
    for h in entries:
        counts = level_counts(h)
        parts.append(
            f"{html.escape(h['check'])}: {counts[0]} / {counts[1]} / {counts[2]}"
            + (f" <span class='note'>({h['no_record']} no record)</span>" if h["no_record"] else "")
        )
    return "<br>".join(parts)


def render_class_report(report: dict, problems: list[tuple[str, str]] = ()) -> str:
    """The class report as one HTML page (images embedded)."""
    rows = report["exercises"]
    body = [
        "<h1>Class report</h1>",
        f"<p>{len(report['students'])} students, {report['notebooks']} notebooks. "
        "<b>Passed</b>: students with full points on the exercise's test cell (a missing or ungraded "
        "notebook counts as not passed). <b>Discrimination</b>: the point-biserial correlation between "
        "passing the exercise and the rest of the student's score (total minus this exercise), over n "
        f"students; below {LOW_DISCRIMINATION} (red) passing says little about the rest: look at the "
        "exercise and its tests. <b>Hints</b>: students who reached hint level 0 / 1 / 2 in the "
        "self-check, as saved in their submitted notebooks (information only, never a score). Failure "
        "messages come from the test cells' errors ([NOT YET] / AssertionError text).</p>",
    ]
    if rows:
        body.append(f'<img alt="pass share per exercise" src="data:image/png;base64,{_chart(rows)}">')
    body.append(
        "<table><tr><th>notebook</th><th>exercise</th><th>points</th><th>passed</th>"
        "<th>discrimination</th><th>hints 0 / 1 / 2</th><th>most common failures</th></tr>"
    )
    for r in rows:
        css = ' class="low"' if r["share"] < 0.5 else ""
        failures = "<br>".join(f"{count}&times; {html.escape(message)}" for message, count in r["common"])
        body.append(
            f"<tr><td>{html.escape(r['assignment'])}/{html.escape(r['notebook'])}</td>"
            f"<td>{html.escape(r['exercise'])}</td><td>{_fmt(r['points'])}</td>"
            f"<td{css}>{r['passed']}/{r['students']} ({100 * r['share']:.0f}%)</td>"
            f"<td>{_r_cell(r)}</td><td>{_hints_cell(r.get('hints', []))}</td>"
            f"<td>{failures}</td></tr>"
        )
    body.append("</table>")
    body.append(_hints_section(report["hints"]))
    body.append(_similarity_section(report))
    if problems:
        body.append("<h2>Problems</h2><ul>")
        body += [f"<li>{html.escape(key)}: {html.escape(p)}</li>" for key, p in problems]
        body.append("</ul>")
    return (
        f"<!doctype html><meta charset='utf-8'><title>Class report</title>"
        f"<style>{STYLE}</style>{''.join(body)}"
    )


def _hints_section(hints: list[dict]) -> str:
    if not hints:
        return "<h2>Hints</h2><p>No self-check in these notebooks.</p>"
    out = [
        "<h2>Hints</h2><p>Per self-check: how many students reached each hint level (0: the message "
        "only; 1: where to look; 2: which API to call), as recorded in the notebooks they submitted. "
        "A student can edit or clear that record; it is information for the instructor, never part "
        "of a score.</p><table><tr><th>notebook</th><th>check</th><th>exercise</th><th>levels written</th>"
        "<th>level 0</th><th>level 1</th><th>level 2</th><th>no record</th><th>passed the self-check</th>"
        "<th>mean failures</th></tr>"
    ]
    for h in hints:
        counts = level_counts(h)
        out.append(
            f"<tr><td>{html.escape(h['assignment'])}/{html.escape(h['notebook'])}</td>"
            f"<td>{html.escape(h['check'])}</td><td>{html.escape(h['exercise'])}</td>"
            f"<td>{'' if h['levels'] is None else h['levels']}</td>"
            + "".join(f"<td>{c}</td>" for c in counts)
            + f"<td>{h['no_record']}</td><td>{h['passed_self_check']}/{h['recorded']}</td>"
            f"<td>{h['mean_failures']:.1f}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _similarity_section(report: dict) -> str:
    sim, threshold = report["similarity"], report["threshold"]
    head = "<h2>Similar answers</h2>"
    if sim is None:
        return head + f"<p>Not computed: {html.escape(report['similarity_error'])}</p>"
    flagged = sim.above(threshold)
    out = [
        head,
        f"<p>Pairs of students whose answer cells are alike at or above the threshold {threshold:g} "
        "(<code>course report OUT --similarity-threshold X</code>, or "
        "<code>c.ClassReport.similarity_threshold</code> in nbgrader_config.py). Similarity: winnowing "
        "(copydetect) on normalized code (names, strings, comments and formatting do not count), with "
        "the starter code, the instructor's solution and code found in more than "
        f"{sim.common_share:.0%} of the class left out; 1.0 means all the remaining code is shared. "
        "A high score is a reason to look, not a verdict, and it never changes a score.</p>",
    ]
    if flagged:
        out.append(
            "<table><tr><th>rank</th><th>students</th><th>similarity</th><th>shared / compared "
            "(characters of normalized code)</th><th>per notebook</th></tr>"
        )
        for rank, p in enumerate(flagged, 1):
            notebooks = "<br>".join(f"{html.escape(n)}: {v:.2f}" for n, v in p.notebooks.items())
            out.append(
                f"<tr><td>{rank}</td><td>{html.escape(p.a)} &amp; {html.escape(p.b)}</td>"
                f"<td class='low'>{p.score:.2f}</td><td>{p.shared:.0f} / {p.tokens:.0f}</td>"
                f"<td>{notebooks}</td></tr>"
            )
        out.append("</table>")
    else:
        out.append("<p>No pair at or above the threshold.</p>")
    rest = sim.pairs[len(flagged) :]
    if rest:
        top = rest[0]
        out.append(
            f"<p class='note'>{len(sim.pairs)} pairs compared; the most similar pair below the threshold: "
            f"{html.escape(top.a)} &amp; {html.escape(top.b)} {top.score:.2f}.</p>"
        )
    if sim.nothing_left:
        out.append(
            "<p class='note'>Nothing left to compare (answers empty, or only starter, solution or common "
            f"code): {html.escape(', '.join(sim.nothing_left))}.</p>"
        )
    if len(sim.students) >= 2:
        out.append(
            f'<img alt="answer similarity heatmap" src="data:image/png;base64,'
            f'{similarity.heatmap_png(sim, threshold)}">'
        )
    return "".join(out)


def write_class_report(
    rows, path: Path, course: Path | None = None, settings: ClassReport | None = None
) -> dict:
    """Write the class report to `path`; `rows`: results.json's rows (or a grading run)."""
    if not isinstance(rows, list):
        rows = [o.as_dict() for o in rows.outcomes]
    report = build_class_report(rows, course or Path(path).parent / "nbgrader", settings)
    problems = [(f"{r['student']}/{r['assignment']}/{r['notebook']}", p) for r in rows for p in r["problems"]]
    from course.grading.sanitize import clean_html

    Path(path).write_text(clean_html(render_class_report(report, problems)))
    return report


def recompute(out: Path, **overrides) -> list[str]:
    """`course report OUT`: the class report again, from OUT/results.json and the course in OUT/nbgrader.

    Writes OUT/report.html only: scores.csv, the gradebook, feedback and results.json stay as the
    grading run left them. `overrides`: settings of ClassReport (similarity_threshold, common_share,
    noise, exclude_solution). Returns the lines to print.
    """
    out = Path(out)
    results = out / "results.json"
    if not results.is_file():
        raise FileNotFoundError(f"no {results}: run `course grade ... --out {out}` first")
    threshold = overrides.get("similarity_threshold")
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise ValueError(f"the similarity threshold is a share between 0 and 1, not {threshold}")
    rows = json.loads(results.read_text())
    report = write_class_report(rows, out / "report.html", out / "nbgrader", report_settings(**overrides))
    return ["class report:", *class_summary_lines(report), f"wrote {out / 'report.html'}"]


def write_feedback(run, course: Path, out: Path) -> None:
    """OUT/feedback/<student>/: nbgrader's feedback HTML per notebook and an index with scores.

    The per-notebook pages were sanitized by the worker that wrote them (course.grading.sanitize);
    the index is sanitized here.
    """
    from course.grading.sanitize import clean_html

    for student, row in sorted(_by_student(run.outcomes).items()):
        folder = out / "feedback" / student
        folder.mkdir(parents=True, exist_ok=True)
        items = []
        for (assignment, notebook), o in sorted(row.items()):
            source = course / "feedback" / student / assignment / f"{notebook}.html"
            link = html.escape(f"{notebook}")
            if source.is_file():
                (folder / assignment).mkdir(exist_ok=True)
                shutil.copy(source, folder / assignment / source.name)
                link = f'<a href="{html.escape(assignment)}/{html.escape(source.name)}">{link}</a>'
            notes = "".join(f"<br><small>{html.escape(p)}</small>" for p in o.problems)
            items.append(
                f"<tr><td>{html.escape(assignment)}</td><td>{link}{notes}</td>"
                f"<td>{_fmt(o.score)} / {_fmt(o.max_score)}</td></tr>"
            )
        total = sum(o.score for o in row.values())
        possible = sum(o.max_score for o in row.values())
        (folder / "index.html").write_text(
            clean_html(
                f"<!doctype html><meta charset='utf-8'><title>Feedback: {html.escape(student)}</title>"
                f"<style>{STYLE}</style><h1>Feedback for {html.escape(student)}</h1>"
                f"<p>Total: {_fmt(total)} / {_fmt(possible)}</p><table><tr><th>assignment</th>"
                f"<th>notebook</th><th>score</th></tr>{''.join(items)}</table>"
            )
        )


def write_all(run, course: Path, settings: ClassReport | None = None) -> None:
    out = run.out
    write_csv(run, out / "scores.csv")
    rows = class_rows(run, course)
    try:
        report = write_class_report(rows, out / "report.html", course, settings)
        flagged = report["similarity"].above(report["threshold"]) if report["similarity"] else []
        if flagged:
            run.notes.append(
                f"class report: {len(flagged)} student pair(s) with answers alike at or above "
                f"{report['threshold']:g} ({', '.join(f'{p.a} & {p.b} {p.score:.2f}' for p in flagged[:5])}"
                f"{', ...' if len(flagged) > 5 else ''}): see report.html (information, not a score)"
            )
    except Exception as error:  # noqa: BLE001 - the grades stand; the report says what went wrong
        (out / "report.html").write_text(
            f"<!doctype html><p>class report failed: {html.escape(repr(error))}</p>"
        )
        run.notes.append(f"class report failed: {type(error).__name__}: {error}")
    write_feedback(run, course, out)
    lines = summary_lines(run)
    (out / "summary.txt").write_text("\n".join(lines) + "\n")
    (out / "results.json").write_text(json.dumps(rows, indent=1))
