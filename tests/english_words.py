"""English words left in a text that should be Chinese (issue 17: nothing but identifiers and numbers).

``english_words(text)`` returns the words of two or more Latin letters that are not code
identifiers, units or names the Chinese edition keeps as they are (PyTorch, MNIST, ReLU, ...).
Identifiers are recognised by shape (snake_case, CamelCase, dotted or called names) and by the
allow-list below; anything else, e.g. "kernel", "pixels", "Exercise", counts as English.
"""

from __future__ import annotations

import html
import re

# Names and symbols a Chinese text writes in Latin letters too.
KEPT = {
    # libraries, data sets, tools, file types
    "PyTorch", "torch", "NumPy", "numpy", "np", "matplotlib", "ipywidgets", "Jupyter", "JupyterLab", "JupyterHub",
    "nbgrader", "nbval", "pip", "Python", "Colab", "MNIST", "ImageNet", "CIFAR", "mlxtend", "GPU", "CPU", "CUDA",
    "cuda", "cpu", "mps", "PNG", "HTML", "RGB", "RGBA", "JSON", "dtype", "float32", "float64", "int64", "uint8",
    "int", "float", "bool", "str", "None", "True", "False", "nan", "inf", "NaN", "tensor", "Tensor", "ndarray",
    "Adam", "SGD", "ReLU", "relu", "Sigmoid", "sigmoid", "tanh", "softmax", "Softmax", "CNN", "CNNs", "LeNet",
    "AlexNet", "VGG", "ResNet", "MLP", "im2col", "Sobel", "STFT", "FFT", "id", "ids", "OK", "ok",
    "Conv2d", "MaxPool2d", "AvgPool2d", "Linear", "Flatten", "Sequential", "Dropout", "BatchNorm2d",
    "logits",  # GLOSSARY.md: 未归一化的对数概率（logits）; Chinese texts keep the word
    "max", "mean", "avg", "min", "sum", "same", "valid", "zeros", "reflect", "replicate", "circular",
    "SeedCNN", "CourseCNN", "MorvanZhou", "d2l", "zh", "en", "Noto", "Sans", "SC", "DejaVu", "OFL",
    # units and symbols
    "px", "ms", "kB", "MB", "GB", "GiB", "s", "dB", "Hz", "kHz", "x", "y", "H", "W", "C", "N", "k", "p", "d",
    "lr", "epoch", "epochs",
}
WORD = re.compile(r"(?<![\w.])[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?:\(\))?")


def looks_like_code(word: str) -> bool:
    return ("_" in word or "." in word or word.endswith("()") or any(ch.isdigit() for ch in word)
            or re.search(r"[a-z][A-Z]", word) is not None)


def english_words(text: str, identifiers: set[str] = frozenset()) -> list[str]:
    """The English words of ``text`` (in order, repeated as they occur); ``identifiers`` are also allowed.

    A word followed by ``=`` (a keyword argument in a repr: ``stride=(1, 1)``) or a capitalised word
    followed by ``(`` (a class in a repr: ``History(epochs=8)``) is code.
    """
    found = []
    for match in WORD.finditer(text):
        word, after = match.group(), text[match.end():match.end() + 1]
        if len(word) < 2 or word in KEPT or word in identifiers or looks_like_code(word):
            continue
        if after == "=" or (after == "(" and word[0].isupper()):
            continue
        found.append(word)
    return found


def visible_text(markup: str) -> str:
    """What a reader sees of some HTML: H<sub>out</sub> is the symbol H_out, tags go (each a space), entities decode."""
    markup = re.sub(r"<style.*?</style>", " ", markup, flags=re.S)
    markup = re.sub(r"<sub>(.*?)</sub>", r"_\1", markup)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def course_identifiers() -> set[str]:
    """Names the course's tables show because code reads them: the receptive-field row's fields
    (``row.dilation``, the table's column headers) and the course model's layer names (``model.out``)."""
    import dataclasses

    from cnn_helpers.model import SeedCNN
    from cnn_helpers.receptive_field import ReceptiveFieldRow

    modules = {part for name, _ in SeedCNN().named_modules() for part in name.split(".")}
    return {field.name for field in dataclasses.fields(ReceptiveFieldRow)} | modules
