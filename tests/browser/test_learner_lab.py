"""Issue #21 part 7: a learner's JupyterLab shows a learner's tools.

The venv `.ci/install` makes (README's third command, `jupyter lab notebooks/`) keeps nbgrader's Validate
button and its assignment list, and leaves out the instructor's tools: no Formgrader, Course List or
Create Assignment in the Nbgrader menu, no formgrader on the server, and no "No nbgrader_config.py"
warning in the terminal (the formgrader printed it where the folder has no nbgrader config).
"""

from __future__ import annotations

import re
import secrets
import urllib.error
import urllib.request

import pytest
from browser_harness import OPEN_TIMEOUT_S, VIEWPORT, LabPage

pytestmark = pytest.mark.browser

INSTRUCTOR_ITEMS = {"formgrader", "course list", "create assignment", "formgrader (local)"}  # lower case
STUDENT_NOTEBOOK = "notebooks/chapter2/03_tokenizers.ipynb"


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _nbgrader_menu(page) -> list[str]:
    """The items of the Nbgrader menu ([] when there is no such menu)."""
    labels = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    if "Nbgrader" not in labels:
        return []
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Nbgrader$")).first.click()
    page.locator(".lm-Menu-content").first.wait_for()
    items = [t.strip() for t in page.locator(".lm-Menu-content .lm-Menu-itemLabel").all_inner_texts()]
    page.keyboard.press("Escape")
    return [t for t in items if t]


def test_the_learners_lab_has_no_instructor_tools(browser, lab_server):
    context = browser.new_context(viewport=VIEWPORT)
    try:
        lab = LabPage(context, lab_server)
        items = [item.lower() for item in _nbgrader_menu(lab.page)]
        assert not INSTRUCTOR_ITEMS & set(items), f"instructor items in the learner's Nbgrader menu: {items}"
        assert set(items) <= {"assignment list"}, items
        # a student notebook still has nbgrader's Validate button
        workspace = "w" + secrets.token_hex(4)
        lab.page.goto(
            f"{lab_server.base_url}/lab/workspaces/{workspace}/tree/{STUDENT_NOTEBOOK}?token={lab_server.token}",
            timeout=OPEN_TIMEOUT_S * 1000,
        )
        lab.wait_until(
            lambda: lab.page.locator(".jp-NotebookPanel-toolbar").count(), "the notebook", OPEN_TIMEOUT_S
        )
        lab.wait_until(
            lambda: lab.page.locator(".jp-NotebookPanel-toolbar .validate-button").count(),
            "nbgrader's Validate button in the notebook's toolbar",
            OPEN_TIMEOUT_S,
        )
    finally:
        context.close()
        lab_server.shutdown_kernel_of(STUDENT_NOTEBOOK)
    # the server side: no formgrader, and nothing of it in the terminal
    assert _status(f"{lab_server.base_url}/formgrader?token={lab_server.token}") == 404
    log = lab_server.log_path.read_text(errors="replace")  # the server's terminal, since it started
    assert "No nbgrader_config.py" not in log, lab_server.log_tail()
    assert "nbgrader.server_extensions.formgrader | extension was successfully loaded" not in log
    assert "nbgrader.server_extensions.validate_assignment | extension was successfully loaded" in log
