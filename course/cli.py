"""The `course` command: doctor, prepare-offline, and the instructor's tools."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

Handler = Callable[[argparse.Namespace], int]
AddArguments = Callable[[argparse.ArgumentParser], None]
COMMANDS: dict[str, tuple[str, Handler, AddArguments]] = {}


def command(name: str, help_text: str, arguments: Callable[[argparse.ArgumentParser], None] = lambda p: None):
    """Register a sub-command: its help line, its handler and a function adding its arguments."""

    def register(handler: Callable[[argparse.Namespace], int]):
        COMMANDS[name] = (help_text, handler, arguments)
        return handler

    return register


@command("doctor", "report where the course runs; exit 1 when something essential is missing")
def doctor(_: argparse.Namespace) -> int:
    from course import standins
    from course.data import GLUE_TASKS, data_dir
    from course.startup import setup

    info = setup(verbose=True)
    problems = []
    try:
        standins.minilm_dir()
    except standins.StandInUnavailable as error:
        problems.append(str(error))
    root = data_dir()
    for task, (_, _, splits) in GLUE_TASKS.items():
        missing = [s for s in splits if not (root / "glue" / task / f"{s}.parquet").is_file()]
        if missing and info.offline:
            problems.append(
                f"offline GLUE {task} files missing under {root}/glue/{task}: {missing} (set COURSE_DATA_DIR)"
            )
    print(f"data: {root}")
    from course.grading import sandbox

    reason = sandbox.unavailable()
    if reason:  # not a PROBLEM for learners: only `course grade` needs it (and refuses to run without)
        print(f"grading sandbox: unavailable: {reason}; `course grade` will refuse untrusted notebooks")
    else:
        print(f"grading sandbox: {sandbox.version() or 'bubblewrap'} works (student kernels are confined)")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("doctor: " + ("all essentials present" if not problems else f"{len(problems)} problem(s)"))
    return 1 if problems else 0


def _prepare_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help="rebuild even if the stand-in exists")


@command(
    "prepare-offline",
    "build the offline Hugging Face home: the SST-2 sentiment stand-in, checkpoints, GLUE, metrics",
    _prepare_arguments,
)
def prepare_offline(args: argparse.Namespace) -> int:
    from course.offline import causal_lm, home, paths
    from course.prepare import MIN_SST2_ACCURACY, prepare_sentiment, summarize

    meta = prepare_sentiment(force=args.force)
    print(summarize(meta))
    print(causal_lm.summarize(causal_lm.prepare(force=args.force)))  # notebook 10's model
    paths.point_libraries_here()
    states = home.prepare(build_missing=False)
    print(f"offline home: {paths.home()}")
    for line in home.status(states):
        print("  " + line)
    complete = "missing" not in states.values()
    return 0 if complete and meta["sst2_validation_accuracy"] >= MIN_SST2_ACCURACY else 1


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("notebooks", nargs="*", help="notebook paths (default: every solution notebook)")
    parser.add_argument("--full", action="store_true", help="full data instead of the fast CI subsets")
    parser.add_argument("--save", action="store_true", help="store the outputs back into the notebooks")


@command(
    "run-notebooks", "execute the chapter notebooks top to bottom and print the time of each", _run_arguments
)
def run_notebooks(args: argparse.Namespace) -> int:
    from pathlib import Path

    from course.notebooks import execute, notebook_paths

    paths = [Path(p) for p in args.notebooks] or notebook_paths()
    if not paths:
        print("no notebooks found")
        return 1
    failures, total = 0, 0.0
    for path in paths:
        try:
            seconds = execute(path, save=args.save, fast=not args.full)
        except Exception as error:  # noqa: BLE001 - report and go on with the next notebook
            failures += 1
            print(f"FAILED  {path}: {type(error).__name__}: {str(error).splitlines()[-1][:200]}")
            continue
        total += seconds
        print(f"ok {seconds:6.1f} s  {path}")
    print(f"{len(paths) - failures} of {len(paths)} notebooks ran in {total:.0f} s")
    return 1 if failures else 0


# --- grading (course.grading): release the student notebooks, grade a class -------------------------


def _release_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and list what is out of sync (notebooks/, README's Colab links)",
    )
    parser.add_argument(
        "--project",
        metavar="DIR",
        default=None,
        help="the course checkout (default: $COURSE_PROJECT_DIR, else the current directory or one above it)",
    )
    parser.add_argument(
        "--install-cells",
        action="store_true",
        help="first make every solution's first code cell the install cell of [tool.course] pip-source",
    )


def _install_cell_problems(report) -> bool:  # noqa: ANN001 - a release SyncReport
    from course.grading.release import INSTALL_CELLS_COMMAND

    return any(INSTALL_CELLS_COMMAND in problem for problem in report.problems)


@command(
    "release",
    "regenerate notebooks/ from solutions/ (solutions stubbed, hidden tests removed, outputs cleared, "
    "Open-in-Colab badges) and README's Colab links; check every solution's first cell",
    _release_arguments,
)
def release(args: argparse.Namespace) -> int:
    from course.grading.release import INSTALL_CELLS_COMMAND
    from course.grading.release import release as build
    from course.notebooks import ProjectNotFoundError

    try:
        report = build(check=args.check, project=args.project, install_cells=args.install_cells)
    except (ProjectNotFoundError, ValueError) as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    for line in report.lines():
        print(line)
    fixable = len(report.lines()) - len(report.problems)
    if args.check:
        print(
            "notebooks/ and README's Colab links are in sync with solutions/"
            if report.in_sync
            else f"out of sync ({len(report.lines())} line(s) above): "
            + ("run `course release`" if fixable else "fix the problems in solutions/ or README.md")
            + (f" (install cells: `{INSTALL_CELLS_COMMAND}`)" if _install_cell_problems(report) else "")
        )
        return 0 if report.in_sync else 1
    print(
        "notebooks/ and README's Colab links were already in sync"
        if not fixable
        else f"notebooks/ and README's Colab links regenerated ({fixable} file(s) changed)"
    )
    if report.problems:
        print(f"{len(report.problems)} problem(s) `course release` cannot fix: see the lines above")
    return 1 if report.problems else 0


@command(
    "constraints", "print the path of the known-good stack (a pip constraints file: pip install -c PATH)"
)
def constraints(_: argparse.Namespace) -> int:
    from importlib.resources import files

    print(files("course") / "constraints.txt")
    return 0


def _grade_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", help="SUBMISSIONS_DIR/<student>/<assignment>/<notebook>.ipynb")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="notebooks graded in parallel processes")
    parser.add_argument(
        "--timeout",
        type=int,
        default=None,
        help="seconds per cell (default: nbgrader_config.py's Execute.timeout)",
    )
    parser.add_argument("--out", default="artifacts/grading", help="output folder (default: %(default)s)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--cluster",
        metavar="ADDRESS",
        default=None,
        help="grade on Dask workers: a scheduler address (tcp://host:8786; start one with `dask scheduler` "
        "and `dask worker ADDRESS`) or local:N (N worker processes here); --jobs is then not used",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="regrade everything (by default only notebooks new or changed since the last run into --out)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run into --out (only what it did not finish); fails if there is none",
    )
    parser.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="run the kernels without bubblewrap, with the grader's rights: only for notebooks you trust",
    )
    limits = parser.add_argument_group("sandbox limits (defaults: c.Sandbox in nbgrader_config.py)")
    for flag, name, what in (
        ("--memory-mb", "memory_mb", "address space per kernel process, MiB"),
        ("--total-memory-mb", "total_memory_mb", "memory of a whole sandbox, MiB (when cgroups allow)"),
        ("--processes", "processes", "processes and threads per sandbox"),
        ("--file-mb", "file_mb", "largest file a kernel may write, MiB"),
        ("--cpu-s", "cpu_s", "CPU seconds per kernel process"),
        ("--scratch-mb", "scratch_mb", "size of the kernel's private /tmp, MiB"),
    ):
        limits.add_argument(flag, dest=name, type=int, default=None, help=what)


@command(
    "grade",
    "autograde a folder of submissions: gradebook, scores.csv, feedback, class report",
    _grade_arguments,
)
def grade(args: argparse.Namespace) -> int:
    from pathlib import Path

    from course.grading.grade import grade as run_grading
    from course.grading.report import summary_lines
    from course.grading.sandbox import LIMIT_NAMES

    if args.cluster and args.jobs != 1:
        print(
            "note: --jobs is not used with --cluster (the cluster's workers grade in parallel)",
            file=sys.stderr,
        )
    try:
        run = run_grading(
            Path(args.submissions),
            Path(args.out),
            jobs=args.jobs,
            timeout=args.timeout,
            progress=not args.no_progress,
            sandbox=not args.unsafe_no_sandbox,
            limits={name: getattr(args, name) for name in LIMIT_NAMES},
            cluster=args.cluster,
            force=args.force,
            resume=args.resume,
        )
    except Exception as error:  # noqa: BLE001 - setting up the grading failed: say so, exit 1
        print(f"grading failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print("\n".join(summary_lines(run)))
    out = Path(args.out)
    print(
        f"wrote {out / 'scores.csv'}, {out / 'report.html'}, {out / 'feedback'}/<student>/index.html, "
        f"gradebook {out / 'nbgrader' / 'gradebook.db'}"
    )
    return run.exit_code


def _hub_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080; 0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address (0.0.0.0: the whole classroom)")
    parser.add_argument("--root", help="folder to serve (default: <course cache>/hub-serve)")
    parser.add_argument("--log", action="store_true", help="print every request")


@command(
    "hub-serve",
    "serve the course's checkpoints and GLUE as a local Hugging Face Hub (learners set HF_ENDPOINT)",
    _hub_serve_arguments,
)
def hub_serve(args: argparse.Namespace) -> int:
    from course.hubserve.cli import run

    return run(args.root, args.host, args.port, log=args.log)


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", help="the output folder of a finished `course grade` run (its --out)")
    parser.add_argument(
        "--similarity-threshold",
        type=float,
        default=None,
        help="list student pairs whose answer similarity (0-1) is at least this "
        "(default: c.ClassReport.similarity_threshold in nbgrader_config.py, else 0.6)",
    )
    parser.add_argument(
        "--common-share",
        type=float,
        default=None,
        help="code found in more than this share of the class is left out of the similarity (default 0.5)",
    )


@command(
    "report",
    "recompute the class report (OUT/report.html: difficulty, discrimination, hints, similar answers) "
    "from a finished grading run; scores are not touched",
    _report_arguments,
)
def class_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from course.grading.report import recompute

    try:
        lines = recompute(
            Path(args.out), similarity_threshold=args.similarity_threshold, common_share=args.common_share
        )
    except (FileNotFoundError, ValueError) as error:
        print(f"report failed: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `course` command."""
    parser = argparse.ArgumentParser(prog="course", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, _, arguments) in COMMANDS.items():
        arguments(sub.add_parser(name, help=help_text, description=help_text))
    args = parser.parse_args(argv)
    return COMMANDS[args.command][1](args)


if __name__ == "__main__":
    sys.exit(main())
