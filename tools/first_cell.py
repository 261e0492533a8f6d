"""The set-up cell every notebook starts with (STYLE.md: the same short set-up cell at the top of each).

Usage: python tools/first_cell.py notebooks/*.ipynb   (rewrites the first code cell of each to FIRST_CELL)

Opened where the course package is not installed (Colab, a hub image, a copied notebook), the
cell stops at once with one message: the command that installs the package. Without it the
student met a ModuleNotFoundError a few cells later. tests/test_notebook_setup.py checks both.
"""

from __future__ import annotations

import sys

import nbformat


def first_cell(course_folder: str = "..", language: str = "en") -> str:
    """The set-up cell of a notebook whose course folder (the one holding pyproject.toml) is ``course_folder``.

    ``language="zh"`` gives the Chinese edition's cell: the same code, its message in Chinese, and
    ``set_language("zh")`` so that every output of the package is in Chinese.
    """
    indent = " " * 30
    if language == "zh":
        message = [f"{indent}\"课程的软件包 cnn_helpers 没有安装在这个内核的环境里。\"",
                   f"{indent}\"请在一个单元格里运行下面这条命令安装，然后重启内核：  %pip install -e {course_folder}\"",
                   f"{indent}\"  （{course_folder} 是课程文件夹，即放着 pyproject.toml 的那个）\") from None"]
        comment = "# 在课程环境之外打开（Colab、JupyterHub 的镜像、复制出去的笔记本）"
        seed = "set_seed()  # 为 random、NumPy 和 PyTorch 设定种子并固定线程数，输出因此可以复现"
    else:
        message = [f"{indent}\"the course package cnn_helpers is not installed in this kernel's environment. \"",
                   f"{indent}\"Install it with this one command in a cell, then restart the kernel:  "
                   f"%pip install -e {course_folder}\"",
                   f"{indent}\"  ({course_folder} is the course folder, the one holding pyproject.toml)\") from None"]
        comment = "# opened outside the course's environment: Colab, a hub image, a copied notebook"
        seed = "set_seed()  # seeds random, NumPy and PyTorch and fixes the thread count, so outputs reproduce"
    message[0] = "    raise ModuleNotFoundError(" + message[0].lstrip()
    lines = ["%matplotlib inline", "try:", "    from cnn_helpers.env import set_seed"]
    if language == "zh":
        lines.append("    from cnn_helpers.language import set_language")
    lines += [f"except ModuleNotFoundError:  {comment}", *message]
    if language == "zh":
        lines.append("set_language(\"zh\")  # 软件包的所有输出（说明、反馈、图、报错）都用中文")
    return "\n".join([*lines, seed])


INSTALL_COMMAND = "%pip install -e .."
FIRST_CELL = first_cell("..")  # notebooks/*.ipynb; notebooks/unsolved/ uses first_cell("../..")


def main(paths: list[str]) -> None:
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        first = next(cell for cell in notebook.cells if cell.cell_type == "code")
        if first.source != FIRST_CELL:
            first.source = FIRST_CELL
            nbformat.write(notebook, path)
            print("rewrote the first cell of", path)


if __name__ == "__main__":
    main(sys.argv[1:])
