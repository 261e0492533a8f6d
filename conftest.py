"""Test order for ``pytest -n 2 --dist loadscope --no-loadscope-reorder`` (``make test``): longest scopes first.

xdist hands whole scopes (a module, or a test class) to whichever worker is free, in collection
order. Started last, a scope of two minutes (the browser tests, the nbgrader grading) keeps one
worker busy while the other idles; started first, the many short scopes fill in around them.
Sorting is stable: within a scope the order is unchanged, so nbval still runs cells in order.
xdist would otherwise reorder the scopes by their number of tests (``--no-loadscope-reorder``
keeps this order): the browser tests, 7 tests of two minutes, then start last.
"""

import pytest

LONGEST_FIRST = (  # under -n 2 on this 2-core machine: 80-110 s, 120-150 s, 45-55 s, 50-60 s, 20 s, 20 s
    "tests/test_browser.py",
    "tests/test_nbgrader.py::TestGrading",
    "tests/test_nbgrader.py::TestSourceNotebooksValidate",
    "tests/test_nbgrader.py::TestStudentVersions",
    "tests/test_nbgrader.py::TestExchange",
    "tests/test_unsolved_notebooks.py",
    "notebooks/06_full_implementation.ipynb",
    "notebooks/zh/06_full_implementation.ipynb",
    "tests/test_nbgrader.py::TestChineseStudentVersions",
)


# The student-facing notebooks are generated and unsolved: nbval runs the complete ones in notebooks/,
# and tests/test_unsolved_notebooks.py runs these as a student first opens them.
collect_ignore = ["notebooks/unsolved", "notebooks/zh/unsolved"]


def _rank(nodeid: str) -> int:
    return next((i for i, prefix in enumerate(LONGEST_FIRST) if nodeid.startswith(prefix)), len(LONGEST_FIRST))


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: _rank(item.nodeid))


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A test that switches the package to Chinese (set_language) leaves it in English for the next."""
    yield
    from cnn_helpers.language import set_language

    set_language("en")


@pytest.fixture
def chinese():
    """The package speaks Chinese for this test (set_language("zh")), English again after it."""
    from cnn_helpers.language import set_language

    set_language("zh")
    try:
        yield
    finally:
        set_language("en")
