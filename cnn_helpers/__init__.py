"""cnn_helpers: the shared code of the interactive CNN course.

Importing the package is cheap and does not import ipywidgets or matplotlib; the
notebooks import the submodules they need (``from cnn_helpers import viz``).
``cnn_helpers.set_language("zh")`` switches every text the package shows to Chinese.
"""

from cnn_helpers.language import current_language, set_language  # English by default; set_language("zh") for 中文

__all__ = ["current_language", "set_language"]
__version__ = "0.1.0"
