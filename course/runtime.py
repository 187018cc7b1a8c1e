"""Quiet and seed the libraries: the two things every notebook and stand-in build does before it starts.

Bottom floor, beside `course.env`: only the standard library at module level, nothing of `course` above it.
"""

from __future__ import annotations


def quiet_transformers() -> None:
    """Silence load reports and progress bars of transformers, datasets and evaluate (nondeterministic).

    Neither library is imported here: each is quieted now if it is loaded, or the moment
    it is imported, so that the setup cell stays fast.
    """
    from course.import_hooks import when_imported

    when_imported("transformers.utils.logging", _quiet_transformers_logging)
    when_imported("datasets.utils.logging", lambda module: module.set_verbosity_error())
    when_imported("datasets.utils.tqdm", lambda module: module.disable_progress_bars())
    # evaluate logs the cached module's absolute path and date when it loads one offline
    when_imported("evaluate.utils.logging", lambda module: module.set_verbosity_error())


def _quiet_transformers_logging(module) -> None:  # noqa: ANN001 - transformers.utils.logging
    module.set_verbosity_error()
    module.disable_progress_bar()


def seed_everything(seed: int) -> None:
    """Seed python's `random`, numpy and torch (every device), as `transformers.set_seed` does."""
    import random

    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
