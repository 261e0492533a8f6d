"""cnn_helpers: the shared code of the interactive CNN course.

Importing the package is cheap and does not import ipywidgets or matplotlib; the
notebooks import the submodules they need (``from cnn_helpers import viz``).
"""

__version__ = "0.1.0"
