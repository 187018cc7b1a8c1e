"""A local, read-only Hugging Face Hub for tests and for classrooms without internet.

    from course.hubserve import build_classroom_tree, serve
    build_classroom_tree(root)              # the course's checkpoints and GLUE under their Hub names
    with serve(root) as hub:                # http://127.0.0.1:<port>, in a background thread
        os.environ["HF_ENDPOINT"] = hub.url

`course hub-serve` does the same in the foreground for a classroom: learners set HF_ENDPOINT.
"""

from course.hubserve.classroom import build_classroom_tree
from course.hubserve.server import HubServer, serve

__all__ = ["HubServer", "build_classroom_tree", "serve"]
