"""Where am I running? Colab, Jupyter, CI, GPU, online or offline; and where the caches live.

Only the standard library is imported at module level: heavy libraries are
imported inside the functions that need them, so `import course` stays fast.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from pathlib import Path

HUB_HOST = "huggingface.co"
DISTRIBUTION = "hf-course-notebooks"  # the name pip installs `course` by (pyproject.toml [project] name)
PROBE_TIMEOUT_S = 1.5
_TRUTHY = {"1", "true", "yes", "on"}
_FALSY = {"0", "false", "no", "off"}

_online_cache: bool | None = None


def _env_flag(name: str) -> bool | None:
    """Read a yes/no environment variable; None when unset or unreadable."""
    value = os.environ.get(name, "").strip().lower()
    if value in _TRUTHY:
        return True
    if value in _FALSY:
        return False
    return None


def in_ci() -> bool:
    """True when running under continuous integration (the CI variable is set)."""
    return bool(_env_flag("CI")) or bool(_env_flag("GITHUB_ACTIONS"))


def fast_mode() -> bool:
    """The one switch for notebook size: small seeded subsets in CI, full data otherwise.

    COURSE_FAST=1/0 decides when set; otherwise fast mode is on exactly in CI.
    """
    flag = _env_flag("COURSE_FAST")
    return in_ci() if flag is None else flag


def grading_mode() -> bool:
    """True in a kernel that `course grade` runs (COURSE_GRADING=1, set by the grader's worker).

    Demonstration cells (training runs that no graded cell depends on) use their smallest size then:
    the grader, not the instructor's environment, decides what it runs.
    """
    return _env_flag("COURSE_GRADING") is True


def in_colab() -> bool:
    """True inside Google Colab (without importing huggingface_hub when it is absent)."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, Notebook, Colab, nbclient)."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ip = shell.get_ipython()  # type: ignore[attr-defined]
    return ip is not None and "IPKernelApp" in getattr(ip, "config", {})


def hub_address() -> tuple[str, int]:
    """Host and port of the Hub the libraries will use: $HF_ENDPOINT if set, else huggingface.co."""
    from urllib.parse import urlsplit

    endpoint = os.environ.get("HF_ENDPOINT", "").strip()
    if not endpoint:
        return HUB_HOST, 443
    parts = urlsplit(endpoint)
    return parts.hostname or HUB_HOST, parts.port or (80 if parts.scheme == "http" else 443)


def _hub_reachable(timeout: float) -> bool:
    """Try one TCP connection to the Hub, in a thread so that DNS cannot stall us."""
    result: list[bool] = []
    address = hub_address()

    def probe() -> None:
        try:
            with socket.create_connection(address, timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    worker = threading.Thread(target=probe, daemon=True)
    worker.start()
    worker.join(timeout + 0.5)
    return bool(result and result[0])


def is_offline(refresh: bool = False) -> bool:
    """Decide once per process whether the Hub is out of reach.

    HF_HUB_OFFLINE=1 (or COURSE_OFFLINE=1) forces offline; COURSE_OFFLINE=0 forces
    online. Otherwise a single short connection attempt decides. When offline, the
    Hugging Face libraries are switched to offline mode so that they fail at once
    instead of retrying for tens of seconds.
    """
    global _online_cache
    if _online_cache is None or refresh:
        forced = _env_flag("COURSE_OFFLINE")
        if forced is None and _env_flag("HF_HUB_OFFLINE"):
            forced = True
        online = (not forced) if forced is not None else _hub_reachable(PROBE_TIMEOUT_S)
        _online_cache = online
        if not online:
            _switch_hf_offline()
    return not _online_cache


def _switch_hf_offline() -> None:
    """Put huggingface_hub, transformers and datasets in offline mode, imported or not."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:
        constants.HF_HUB_OFFLINE = True
    ds_config = sys.modules.get("datasets.config")
    if ds_config is not None:
        ds_config.HF_HUB_OFFLINE = True
        ds_config.HF_DATASETS_OFFLINE = True


def cache_dir() -> Path:
    """Where `course` keeps what it builds (offline stand-ins): $COURSE_CACHE_DIR or ~/.cache/course."""
    custom = os.environ.get("COURSE_CACHE_DIR")
    return Path(custom).expanduser() if custom else Path.home() / ".cache" / "course"


def pick_device() -> str:
    """'cuda', 'mps' or 'cpu': the fastest device torch can use here."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def native_bf16() -> bool:
    """True on a GPU that computes bfloat16 natively (CUDA compute capability 8.0 or newer: A100, L4, H100).

    `torch.cuda.is_bf16_supported()` alone also says True on older GPUs such as Colab's T4 (7.5), where
    bfloat16 is emulated and slow; there, fp16 is the mixed precision to use.
    """
    import torch

    return torch.cuda.is_available() and torch.cuda.is_bf16_supported(including_emulation=False)


def device_name(device: str) -> str:
    """A human name for the device, e.g. 'NVIDIA T4' or 'CPU (2 threads)'."""
    import torch

    if device == "cuda":
        return torch.cuda.get_device_name(0)
    if device == "mps":
        return "Apple GPU (MPS)"
    return f"CPU ({torch.get_num_threads()} threads)"
