"""Pure plotting functions: each takes ``ax=None`` and returns the figure.

No function here calls ``plt.show()`` or changes global rcParams. One colour per role
across every figure of the course: input, kernel (and receptive-field region), output.
"""

from __future__ import annotations

import io

INPUT_COLOR = "#1f77b4"   # blue: the input and everything drawn on it
KERNEL_COLOR = "#d62728"  # red: the kernel / sliding window / receptive-field region
OUTPUT_COLOR = "#2ca02c"  # green: the output feature map
INPUT_CMAP = "gray"
OUTPUT_CMAP = "viridis"


def new_axes(ax=None, figsize=(4.0, 4.0)):
    """Return ``(fig, ax)``: the figure of ``ax``, or a new figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def figure_to_png(fig, dpi: int = 72) -> bytes:
    """Render a matplotlib figure to PNG bytes (what the explorers show).

    Example:
        >>> fig, ax = new_axes()
        >>> figure_to_png(fig)[:4] == b"\\x89PNG"
        True
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
