"""What `course grade` leaves for the instructor: scores.csv, summary, class report, feedback index."""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import shutil
from collections import Counter, defaultdict
from pathlib import Path


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
    graded = [o for o in run.outcomes if o.status == "graded"]
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
        f"{sum(o.status in ('missing', 'invalid') for o in run.outcomes)} missing or unreadable)"
    )
    return lines


def exercise_stats(run) -> list[dict]:
    """Per test cell: share of students with full points, and the most common failure messages."""
    stats: dict[tuple, dict] = {}
    for o in run.outcomes:
        for test in o.tests:
            key = (o.submission.assignment, o.submission.notebook, test["grade_id"])
            entry = stats.setdefault(
                key,
                {
                    "assignment": key[0],
                    "notebook": key[1],
                    "exercise": key[2],
                    "points": test["points"],
                    "passed": 0,
                    "students": 0,
                    "messages": Counter(),
                },
            )
            entry["students"] += 1
            if test["score"] >= test["points"]:
                entry["passed"] += 1
            else:
                entry["messages"][test.get("message") or "no points (no message)"] += 1
    by_notebook = defaultdict(list)
    for key, entry in stats.items():
        by_notebook[key[:2]].append(entry)
    for o in run.outcomes:  # students whose notebook was missing or unreadable count as not passed
        if o.status in ("missing", "invalid", "killed", "error"):
            for entry in by_notebook.get((o.submission.assignment, o.submission.notebook), []):
                entry["students"] += 1
                entry["messages"][f"not graded: {o.problems[0] if o.problems else o.status}"[:120]] += 1
    rows = []
    for key in sorted(stats):
        entry = stats[key]
        entry["share"] = entry["passed"] / entry["students"] if entry["students"] else 0.0
        entry["common"] = entry["messages"].most_common(3)
        del entry["messages"]
        rows.append(entry)
    return rows


def _chart(rows: list[dict]) -> str:
    """A horizontal bar chart of the pass share per exercise, as a base64 PNG."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    labels = [f"{r['notebook']} · {r['exercise']}" for r in rows]
    shares = [100 * r["share"] for r in rows]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(rows) + 1.2))
    colours = ["#c0392b" if s < 50 else "#e67e22" if s < 80 else "#27ae60" for s in shares]
    ax.barh(range(len(rows)), shares, color=colours)
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("students with full points (%)")
    ax.set_title("Which exercises the class passed")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
    "th{background:#f3f3f3}.low{color:#c0392b;font-weight:bold}"
)


def write_class_report(run, path: Path) -> list[dict]:
    rows = exercise_stats(run)
    body = [
        "<h1>Class report</h1>",
        f"<p>{len({o.submission.student for o in run.outcomes})} students, "
        f"{len(run.outcomes)} notebooks. Pass share: students with full points on the exercise's test "
        "cell. Failure messages come from the test cells' errors ([NOT YET] / AssertionError text).</p>",
    ]
    if rows:
        body.append(f'<img alt="pass share per exercise" src="data:image/png;base64,{_chart(rows)}">')
    body.append(
        "<table><tr><th>notebook</th><th>exercise</th><th>points</th><th>passed</th>"
        "<th>most common failures</th></tr>"
    )
    for r in rows:
        css = ' class="low"' if r["share"] < 0.5 else ""
        failures = "<br>".join(f"{count}&times; {html.escape(message)}" for message, count in r["common"])
        body.append(
            f"<tr><td>{html.escape(r['assignment'])}/{html.escape(r['notebook'])}</td>"
            f"<td>{html.escape(r['exercise'])}</td><td>{_fmt(r['points'])}</td>"
            f"<td{css}>{r['passed']}/{r['students']} ({100 * r['share']:.0f}%)</td>"
            f"<td>{failures}</td></tr>"
        )
    body.append("</table>")
    problems = [(o, p) for o in run.outcomes for p in o.problems]
    if problems:
        body.append("<h2>Problems</h2><ul>")
        body += [f"<li>{html.escape(o.submission.key)}: {html.escape(p)}</li>" for o, p in problems]
        body.append("</ul>")
    path.write_text(
        f"<!doctype html><meta charset='utf-8'><title>Class report</title>"
        f"<style>{STYLE}</style>{''.join(body)}"
    )
    return rows


def write_feedback(run, course: Path, out: Path) -> None:
    """OUT/feedback/<student>/: nbgrader's feedback HTML per notebook and an index with scores."""
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
            f"<!doctype html><meta charset='utf-8'><title>Feedback: {html.escape(student)}</title>"
            f"<style>{STYLE}</style><h1>Feedback for {html.escape(student)}</h1>"
            f"<p>Total: {_fmt(total)} / {_fmt(possible)}</p><table><tr><th>assignment</th><th>notebook</th>"
            f"<th>score</th></tr>{''.join(items)}</table>"
        )


def write_all(run, course: Path) -> None:
    out = run.out
    write_csv(run, out / "scores.csv")
    write_class_report(run, out / "report.html")
    write_feedback(run, course, out)
    lines = summary_lines(run)
    (out / "summary.txt").write_text("\n".join(lines) + "\n")
    (out / "results.json").write_text(json.dumps([o.as_dict() for o in run.outcomes], indent=1))
