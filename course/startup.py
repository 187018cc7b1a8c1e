"""`course.setup()`, the first cell of every notebook: report where we run, seed, quiet, go offline.

The top floor of the offline side: it reads `course.env` (detection and paths), activates the offline home
(`course.offline`, which builds on the stand-ins and data), and seeds and quiets through `course.runtime`.
Nothing below imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from course.display import wrap_lines
from course.env import device_name, fast_mode, in_ci, in_colab, in_notebook, is_offline, pick_device
from course.runtime import quiet_transformers, seed_everything


@dataclass
class Setup:
    """What `setup()` found: the device to use, offline or not, fast (CI) mode or not."""

    device: str
    offline: bool
    fast: bool
    seed: int
    colab: bool
    notebook: bool
    ci: bool
    device_name: str
    versions: dict[str, str] = field(default_factory=dict)
    offline_home: dict[str, str] | None = None

    def report(self) -> str:
        """The compact report printed by `setup()` and `course doctor`."""
        where = "Colab" if self.colab else ("Jupyter" if self.notebook else "a script")
        lines = [
            f"course {self.versions.get('course', '?')} | running in {where}{' under CI' if self.ci else ''}",
            f"device: {self.device} ({self.device_name})",
            "hub: " + ("OFFLINE, using local stand-ins" if self.offline else "online"),
            "versions: " + ", ".join(f"{k} {v}" for k, v in self.versions.items() if k != "course"),
            f"mode: {'FAST (small seeded subsets, as in CI)' if self.fast else 'full'}; seed {self.seed}",
        ]
        return "\n".join(lines)


def _versions() -> dict[str, str]:
    from importlib import metadata

    from course.env import DISTRIBUTION

    found = {}
    for name, dist in (("course", DISTRIBUTION), *((n, n) for n in ("torch", "transformers", "datasets"))):
        try:
            found[name] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def setup(seed: int = 42, verbose: bool = True) -> Setup:
    """The first cell of every notebook: report where we run, seed everything, quiet the logs.

    Offline, it first points the Hugging Face libraries at the course's offline home, so that
    `from_pretrained`, `pipeline`, `load_dataset` and `evaluate.load` find the stand-ins (this must
    happen before those libraries are imported). Online, nothing is redirected.
    """
    offline = is_offline()
    home = None
    if offline:
        from course.offline import home as offline_home

        home = offline_home.activate()
    quiet_transformers()
    seed_everything(seed)
    device = pick_device()
    info = Setup(
        device=device,
        offline=offline,
        fast=fast_mode(),
        seed=seed,
        colab=in_colab(),
        notebook=in_notebook(),
        ci=in_ci(),
        device_name=device_name(device),
        versions=_versions(),
        offline_home=home,
    )
    if verbose:
        print(wrap_lines(info.report()))
        if home is not None:
            offline_home.announce(home)
    return info
