"""`course prepare-offline`: build the stand-ins that are not shipped as files."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from course import standins

MIN_SST2_ACCURACY = 0.87


def prepare_sentiment(force: bool = False, progress: bool = True) -> dict:
    """Build the SST-2 sentiment stand-in once per machine (idempotent); returns its metadata."""
    from course.sentiment_standin import build

    target = standins.sentiment_dir()
    meta = standins.sentiment_meta()
    if meta is not None and not force:
        return meta
    target.parent.mkdir(parents=True, exist_ok=True)
    with one_builder(target):
        meta = standins.sentiment_meta()  # another process may have built it while this one waited
        if meta is not None and not force:
            return meta
        scratch = Path(tempfile.mkdtemp(prefix="building-", dir=target.parent))
        try:
            meta = build(scratch, progress=progress)
            if target.exists():
                shutil.rmtree(target)
            scratch.rename(target)  # atomic: a half-built stand-in is never picked up
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return meta


@contextmanager
def one_builder(target: Path) -> Iterator[None]:
    """Hold the build lock of `target` (an flock on its folder): two processes never build the same stand-in
    at once; the second waits, then finds it built. Where flock does not exist (Windows) nothing is locked."""
    import os

    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        try:
            fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"[course] waiting for another process that is building {target.name} ...", flush=True)
            fcntl.flock(folder, fcntl.LOCK_EX)
        yield
    finally:
        os.close(folder)  # closing the descriptor releases the lock


def summarize(meta: dict) -> str:
    """A few lines on the stand-in: accuracy against the bar, the course sentences, build time."""
    accuracy = meta["sst2_validation_accuracy"]
    verdict = "meets" if accuracy >= MIN_SST2_ACCURACY else "BELOW"
    lines = [
        f"sentiment stand-in: {standins.sentiment_dir()}",
        f"  SST-2 validation accuracy {accuracy:.1%} ({verdict} the {MIN_SST2_ACCURACY:.0%} bar; "
        "the original distilbert checkpoint reports 91.3%)",
    ]
    lines += [f"  {s['label']:>8} {s['score']:.4f}  {s['text']}" for s in meta["course_sentences"]]
    lines.append(
        f"  built in {meta['build_seconds']:.0f} s with {meta['train_sentences']} training sentences"
    )
    return "\n".join(lines)
