"""Exercise checkers: the right answer passes; typical mistakes get their own specific hint."""

import subprocess
import sys

import numpy as np
import pytest
import torch

from cnn_helpers import exercises
from cnn_helpers.exercises import (
    WrongAnswer,
    check_conv1d_output_shape,
    check_locally_connected_parameters,
    check_most_confused,
    check_probabilities,
    check_spectrogram_shape,
)

# --- shared mechanism ---


def test_a_confirmation_is_printed_once_and_not_echoed_again(capsys):
    from IPython.core.formatters import DisplayFormatter

    from cnn_helpers.exercises import correct

    text = correct("1 + 1 = 2.")
    assert capsys.readouterr().out == "Correct! 1 + 1 = 2.\n"
    assert text == "Correct! 1 + 1 = 2."
    # As a cell's last value, Jupyter would show it a second time without this.
    assert DisplayFormatter().format(text) == ({}, {})


# --- 00 introduction ---


def test_batch_numel():
    from cnn_helpers.exercises import check_batch_numel

    assert check_batch_numel(4_816_896).startswith("Correct!")
    assert check_batch_numel(np.int64(32 * 3 * 224 * 224)).startswith("Correct!")
    with pytest.raises(WrongAnswer, match="is one image; the batch holds 32"):
        check_batch_numel(3 * 224 * 224)
    with pytest.raises(WrongAnswer, match="an RGB pixel has 3 numbers"):
        check_batch_numel(32 * 224 * 224)
    with pytest.raises(WrongAnswer, match="size in bytes"):
        check_batch_numel(4 * 32 * 3 * 224 * 224)
    with pytest.raises(WrongAnswer, match="multiply the four sizes"):
        check_batch_numel(224 * 224)
    with pytest.raises(WrongAnswer, match="should be a whole number"):
        check_batch_numel(4816896.0)


def test_dense_parameters():
    from cnn_helpers.exercises import check_dense_parameters

    assert check_dense_parameters(1_228_900).startswith("Correct!")
    with pytest.raises(WrongAnswer, match="also has a bias"):
        check_dense_parameters(1_228_800)
    with pytest.raises(WrongAnswer, match=r"3 × 64 × 64 inputs"):
        check_dense_parameters(64 * 64 * 100 + 100)
    with pytest.raises(WrongAnswer, match="its own weight for each input number"):
        check_dense_parameters(3 * 64 * 64)
    with pytest.raises(WrongAnswer, match=r"weights: inputs × units"):
        check_dense_parameters(5)
    with pytest.raises(WrongAnswer, match="should be a whole number"):
        check_dense_parameters("1228900")


# --- 01 input layer ---


def test_chw_to_hwc():
    from cnn_helpers.exercises import check_chw_to_hwc

    chw = torch.rand(3, 6, 5)  # (C, H, W)
    assert check_chw_to_hwc(chw.permute(1, 2, 0), chw).startswith("Correct!")
    assert check_chw_to_hwc(chw.permute(1, 2, 0).contiguous(), chw).startswith("Correct!")
    with pytest.raises(WrongAnswer, match="the numbers are scrambled: reshape/view keep the memory order"):
        check_chw_to_hwc(chw.reshape(6, 5, 3), chw)
    with pytest.raises(WrongAnswer, match="you swapped height and width"):
        check_chw_to_hwc(chw.permute(2, 1, 0), chw)
    with pytest.raises(WrongAnswer, match=r"still has shape \(3, 6, 5\)"):
        check_chw_to_hwc(chw, chw)
    with pytest.raises(WrongAnswer, match="values are not the image's"):
        check_chw_to_hwc(torch.zeros(6, 5, 3), chw)
    with pytest.raises(WrongAnswer, match=r"should have shape \(H, W, C\) = \(6, 5, 3\), got \(30, 3\)"):
        check_chw_to_hwc(torch.zeros(30, 3), chw)
    with pytest.raises(WrongAnswer, match="should be a torch.Tensor, got ndarray"):
        check_chw_to_hwc(chw.permute(1, 2, 0).numpy(), chw)


def test_spectrogram_shape():
    from cnn_helpers.exercises import check_spectrogram_shape

    assert check_spectrogram_shape((129, 63)).startswith("Correct!")
    assert check_spectrogram_shape(torch.Size([129, 63])).startswith("Correct!")
    with pytest.raises(WrongAnswer, match="torch.stft puts frequency first"):
        check_spectrogram_shape((63, 129))
    for bins in (256, 128):
        with pytest.raises(WrongAnswer, match=r"n_fft // 2 \+ 1 frequency bins"):
            check_spectrogram_shape((bins, 63))
    with pytest.raises(WrongAnswer, match="center=True pads n_fft // 2 samples at both ends"):
        check_spectrogram_shape((129, 59))
    with pytest.raises(WrongAnswer, match="off by one frames"):
        check_spectrogram_shape((129, 62))
    with pytest.raises(WrongAnswer, match="2-D spectrogram"):
        check_spectrogram_shape((1, 129, 63))
    with pytest.raises(WrongAnswer, match="should be a tuple of ints"):
        check_spectrogram_shape("129, 63")


def test_conv1d_output_shape():
    from cnn_helpers.exercises import check_conv1d_output_shape

    assert check_conv1d_output_shape((1, 8, 10)).startswith("Correct!")
    assert check_conv1d_output_shape([1, 8, 10]).startswith("Correct!")
    with pytest.raises(WrongAnswer, match="without padding a window of 3 words fits only"):
        check_conv1d_output_shape((1, 8, 12))
    with pytest.raises(WrongAnswer, match="one channel per kernel: out_channels = 8"):
        check_conv1d_output_shape((1, 50, 10))
    with pytest.raises(WrongAnswer, match="channels before length"):
        check_conv1d_output_shape((1, 10, 8))
    with pytest.raises(WrongAnswer, match="off by one"):
        check_conv1d_output_shape((1, 8, 9))
    with pytest.raises(WrongAnswer, match="keeps three dimensions"):
        check_conv1d_output_shape((8, 10))
    with pytest.raises(WrongAnswer, match="should be a tuple of ints"):
        check_conv1d_output_shape((1, 8, 10.0))


# --- 02 convolution (conv2d and the explorer prediction: tests/test_exercises_convolution.py) ---


def _locally_connected_parameter_count(size, in_channels, out_channels, kernel_size, padding):
    """Parameters of a locally connected layer counted from its tensors' shapes, built with nn.Unfold."""
    patches = torch.nn.Unfold(kernel_size, padding=padding)(torch.zeros(1, in_channels, size, size))
    positions = patches.shape[-1]  # (1, C_in·k·k, positions)
    weight = torch.zeros(positions, out_channels, patches.shape[1])  # one kernel set per position
    bias = torch.zeros(out_channels, positions)  # one bias per position of each slice
    return weight.numel() + bias.numel()


def test_locally_connected_parameters_right_answer():
    from cnn_helpers.exercises import check_locally_connected_parameters

    expected = _locally_connected_parameter_count(28, 1, 16, 5, 2)
    assert expected == 326_144
    assert "Correct!" in check_locally_connected_parameters(expected)


@pytest.mark.parametrize(("answer", "match"), [
    (416, "conv1 itself, with sharing"),
    (313_600, "left out the biases"),
    (313_616, "the bias neither"),
    (_locally_connected_parameter_count(28, 1, 16, 5, 0), "padding 2 keeps the output"),
    (12345, "multiply the number of output positions"),
])
def test_locally_connected_parameters_hints(answer, match):
    from cnn_helpers.exercises import check_locally_connected_parameters

    with pytest.raises(WrongAnswer, match=match):
        check_locally_connected_parameters(answer)


def test_02_check_fails_on_an_unanswered_stub():
    # A student version runs `raise NotImplementedError()` instead of the solution; a student
    # who then assigns a placeholder such as None must still fail the check, with a type hint.
    from cnn_helpers.exercises import check_locally_connected_parameters

    with pytest.raises(WrongAnswer, match="should be a whole number"):
        check_locally_connected_parameters(None)


# --- 04 pooling: tests/test_exercises_pooling.py ---


# --- 03 receptive field (the function and the explorer prediction: tests/test_exercises_receptive_field.py) ---


def test_factorised_weights_right_answer_passes():
    from cnn_helpers.exercises import check_factorised_weights

    assert "45% fewer" in check_factorised_weights(200704, 110592)


@pytest.mark.parametrize(("answers", "match"), [
    ((200704 + 64, 110592 + 3 * 64), "bias=False"),
    ((200704, 36864), "Three 3×3 layers are needed"),
    ((200704, 73728), "Three 3×3 layers are needed"),
    ((49 * 64, 27 * 64), "one k×k kernel per"),
    ((49, 27), "one k×k kernel per"),
    ((200000, 110592), "weights_7x7 is not right"),
    ((200704, 110000), "weights_three_3x3 is not right"),
    ((200704.0, 110592), "should be an int"),
    ((None, None), "should be an int"),
])
def test_factorised_weights_mistakes_get_specific_hints(answers, match):
    from cnn_helpers.exercises import check_factorised_weights

    with pytest.raises(WrongAnswer, match=match):
        check_factorised_weights(*answers)


def _notebook_03_exercises():
    """(answer source, check source) of each exercise of notebook 03, by nbgrader grade_id."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "notebooks" / "03_receptive_field.ipynb"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    by_id = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
             for c in cells if "nbgrader" in c["metadata"]}
    ks = sorted({gid.split("-")[1] for gid in by_id})
    return [(by_id[f"ex03-{k}-answer"], by_id[f"ex03-{k}-check"]) for k in ks]


def test_03_notebook_has_at_least_three_exercises():
    assert len(_notebook_03_exercises()) >= 3


@pytest.mark.parametrize("index", range(3))
def test_03_notebook_solutions_pass_and_student_stubs_fail(index):
    import re

    answer, check = _notebook_03_exercises()[index]
    setup = "from cnn_helpers.receptive_field import rf_top_down\n"
    namespace = {}
    exec(setup + answer, namespace)  # the instructor's solution ...
    exec(check, namespace)           # ... passes its check cell, hidden tests included
    stub = re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", "raise NotImplementedError()", answer, flags=re.S)
    student = {}
    if "def " in stub:  # a coding exercise: the stub raises when the check calls the function
        exec(setup + stub, student)
        with pytest.raises(NotImplementedError):
            exec(check.split("### BEGIN HIDDEN TESTS")[0], student)
        return
    with pytest.raises(NotImplementedError):
        exec(setup + stub, student)
    with pytest.raises((NameError, WrongAnswer)):  # the answer was never assigned
        exec(check.split("### BEGIN HIDDEN TESTS")[0], student)


# --- 00 introduction and 01 input layer: student versions ---


def _run_with_stubbed_solutions(path):
    """Run a notebook's code with each solution replaced by a student's stub; return check outcomes.

    Returns a list of (grade_id, exception or None) for every check cell, in order.
    """
    import json
    import re

    namespace, outcomes = {}, []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        source = "\n".join(line for line in source.splitlines() if not line.startswith("%"))
        grading = cell["metadata"].get("nbgrader", {})
        if grading.get("solution"):
            stub, count = re.subn(r"### BEGIN SOLUTION.*?### END SOLUTION", "raise NotImplementedError()",
                                  source, flags=re.DOTALL)
            assert count == 1, f"{grading['grade_id']} needs one BEGIN/END SOLUTION block"
            try:  # a stub that assigns raises; one inside a function only defines the function
                exec(stub, namespace)
            except NotImplementedError:
                pass
        elif grading.get("grade"):
            try:
                exec(source, namespace)
            except Exception as error:  # any failure fails the check cell
                outcomes.append((grading["grade_id"], error))
            else:
                outcomes.append((grading["grade_id"], None))
        else:
            exec(source, namespace)
    return outcomes


@pytest.mark.parametrize(("notebook", "checks"), [("00_introduction.ipynb", 3), ("01_input_layer.ipynb", 4)])
def test_student_stubs_fail_every_check(notebook, checks):
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "notebooks" / notebook
    outcomes = _run_with_stubbed_solutions(path)
    assert len(outcomes) == checks
    for grade_id, error in outcomes:
        # NameError: the answer variable exists nowhere else in the notebook, so a stub cannot pass;
        # NotImplementedError: the check called the student's stubbed function
        assert isinstance(error, (NameError, NotImplementedError)), f"{grade_id} did not fail on a stub: {error!r}"


# --- 06 full implementation ---

CONFUSION = np.array([[98, 0, 2], [1, 95, 4], [0, 7, 93]])  # rows: true, columns: predicted


def test_most_confused():
    from cnn_helpers.exercises import check_most_confused

    assert check_most_confused((2, 1), CONFUSION).startswith("Correct! 7 images of a 2 were called 1")
    assert check_most_confused([2, 1], torch.tensor(CONFUSION)).startswith("Correct!")
    with pytest.raises(WrongAnswer, match="swapped: rows are the true digit"):
        check_most_confused((1, 2), CONFUSION)
    with pytest.raises(WrongAnswer, match="the diagonal counts right answers"):
        check_most_confused((0, 0), CONFUSION)
    with pytest.raises(WrongAnswer, match=r"cell \[1, 0\] holds 1"):
        check_most_confused((1, 0), CONFUSION)
    with pytest.raises(WrongAnswer, match="give the pair as"):
        check_most_confused(7, CONFUSION)
    with pytest.raises(WrongAnswer, match="digits go from 0 to 2"):
        check_most_confused((5, 1), CONFUSION)
    tied = np.array([[5, 3], [3, 5]])
    assert check_most_confused((0, 1), tied).startswith("Correct!")
    assert check_most_confused((1, 0), tied).startswith("Correct!")


# --- 05 fully connected ---


def test_flatten_index():
    from cnn_helpers.exercises import check_flatten_index

    assert check_flatten_index(166).startswith("Correct!")
    assert check_flatten_index(torch.arange(1568).reshape(32, 7, 7)[3, 2, 5].item()).startswith("Correct!")
    with pytest.raises(WrongAnswer, match="rows and columns are swapped"):
        check_flatten_index(3 * 49 + 5 * 7 + 2)
    with pytest.raises(WrongAnswer, match="channels-last order"):
        check_flatten_index((2 * 7 + 5) * 32 + 3)
    with pytest.raises(WrongAnswer, match="off by one: indices start at 0"):
        check_flatten_index(167)
    with pytest.raises(WrongAnswer, match="moves 49 positions, not 7"):
        check_flatten_index(3 * 7 + 2 * 7 + 5)
    with pytest.raises(WrongAnswer, match="count how many values come before it"):
        check_flatten_index(5)
    with pytest.raises(WrongAnswer, match="should be a whole number"):
        check_flatten_index(166.0)


def test_probabilities():
    from cnn_helpers.exercises import check_probabilities

    logits = torch.randn(8, 10, generator=torch.Generator().manual_seed(5))
    assert check_probabilities(torch.softmax(logits, dim=1), logits).startswith("Correct!")
    assert check_probabilities(torch.softmax(logits, dim=1).numpy(), logits).startswith("Correct!")
    with pytest.raises(WrongAnswer, match="use dim=1"):
        check_probabilities(torch.softmax(logits, dim=0), logits)
    with pytest.raises(WrongAnswer, match="divide each row by its sum"):
        check_probabilities(logits.exp(), logits)
    with pytest.raises(WrongAnswer, match="take exp first"):
        check_probabilities(logits / logits.sum(dim=1, keepdim=True), logits)
    with pytest.raises(WrongAnswer, match="sigmoid scores each class on its own"):
        check_probabilities(torch.sigmoid(logits), logits)
    with pytest.raises(WrongAnswer, match="that is log_softmax"):
        check_probabilities(torch.log_softmax(logits, dim=1), logits)
    with pytest.raises(WrongAnswer, match=r"shape of the logits, \(8, 10\).*got \(10,\)"):
        check_probabilities(torch.softmax(logits, dim=1)[0], logits)
    with pytest.raises(WrongAnswer, match=r"torch.softmax\(logits, dim=1\)"):
        check_probabilities(torch.full((8, 10), 0.1), logits)
    with pytest.raises(WrongAnswer, match="should be a tensor of shape"):
        check_probabilities("softmax", logits)


@pytest.mark.parametrize("checker", ["check_flatten_index", "check_build_model", "check_explorer_in_features"])
def test_05_student_stub_fails(checker):
    from cnn_helpers import exercises

    with pytest.raises(WrongAnswer):
        getattr(exercises, checker)(None)
    with pytest.raises(WrongAnswer):
        exercises.check_probabilities(None, torch.zeros(2, 10))


def _notebook_06_exercises():
    """(answer source, check source) of each exercise of notebook 06, in order."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "notebooks" / "06_full_implementation.ipynb"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    by_id = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
             for c in cells if "nbgrader" in c["metadata"]}
    ks = sorted({gid.split("-")[1] for gid in by_id})
    return [(by_id[f"ex06-{k}-answer"], by_id[f"ex06-{k}-check"]) for k in ks], cells


def _notebook_06_context():
    """The notebook variables the 06 exercises use, with a confusion matrix that has one clear top mistake."""
    matrix = torch.zeros(10, 10, dtype=torch.long)
    matrix.fill_diagonal_(97)
    matrix[4, 9], matrix[7, 2], matrix[3, 5] = 3, 2, 1
    return {"confusion": matrix}


def test_06_notebook_has_at_least_three_exercises_with_unique_answer_names():
    import re

    exercises, cells = _notebook_06_exercises()
    assert len(exercises) >= 3
    for answer, check in exercises:
        name = re.search(r"check_\w+\((\w+)", check).group(1)  # the answer the check cell checks
        assert re.search(rf"^({name} = |def {name}\()", answer, flags=re.M), f"{name} is not made in its answer cell"
        elsewhere = [c for c in cells if name in "".join(c["source"]) and "nbgrader" not in c["metadata"]]
        assert not elsewhere, f"{name} also appears outside its exercise: a student stub could pass"


@pytest.mark.parametrize("index", range(4))
def test_06_notebook_solutions_pass_and_student_stubs_fail(index):
    import re

    answer, check = _notebook_06_exercises()[0][index]
    namespace = _notebook_06_context()
    exec(answer, namespace)  # the instructor's solution ...
    exec(check, namespace)   # ... passes its check cell, hidden tests included
    stub = re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", "raise NotImplementedError()", answer, flags=re.S)
    student = _notebook_06_context()
    if answer.lstrip().startswith(("import", "def")):  # the stub is inside a function: calling it raises
        exec(stub, student)
        with pytest.raises(NotImplementedError):
            exec(check.split("### BEGIN HIDDEN TESTS")[0], student)
        return
    with pytest.raises(NotImplementedError):
        exec(stub, student)
    with pytest.raises(NameError):  # the answer was never assigned
        exec(check.split("### BEGIN HIDDEN TESTS")[0], student)


def test_convolution_checkers_start_without_torch_s_lazy_imports():
    """PyTorch's answers come from an empty CPU batch: a first meta-device conv imports sympy (a third of a second)."""
    code = ("import sys\nimport torch.nn.functional as F\n"
            "from cnn_helpers.exercises import check_conv2d, check_locally_connected_parameters\n"
            "check_locally_connected_parameters(28 * 28 * 16 * 26)\ncheck_conv2d(lambda *args: F.conv2d(*args))\n"
            "print(sorted({'torch._dynamo', 'sympy'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


# --- odd but plausible answers (issue 14) ---------------------------------------------------------

ODD_ANSWERS = {
    "0-d int tensor": lambda: torch.tensor(3), "0-d float tensor": lambda: torch.tensor(2.5),
    "0-d NaN tensor": lambda: torch.tensor(float("nan")), "0-d array": lambda: np.array(5),
    "NumPy int": lambda: np.int64(4), "NumPy float": lambda: np.float64(2.0), "NumPy NaN": lambda: np.float32("nan"),
    "set of ints": lambda: {1, 2}, "set of names": lambda: {"convolution"}, "float64 tensor": lambda: torch.zeros(
        2, 2, dtype=torch.float64), "1-D tensor": lambda: torch.zeros(3), "array": lambda: np.zeros((2, 2)),
    "huge int": lambda: 10**100, "huge negative int": lambda: -10**100, "NaN": lambda: float("nan"),
    "inf": lambda: float("inf"), "None": lambda: None, "string": lambda: "abc", "empty list": lambda: [],
    "pair": lambda: (1, 2), "triple": lambda: (1, 2, 3), "dict": lambda: {"a": 1}, "object": object,
    "function": lambda: (lambda *args: torch.tensor(1.0)), "bool": lambda: True, "Size": lambda: torch.Size([1, 2]),
}
# The given (not the student's) second argument of the two-argument checkers.
GIVEN = {"check_chw_to_hwc": lambda: torch.zeros(3, 4, 5),
         "check_most_confused": lambda: [[5, 1], [3, 4]], "check_probabilities": lambda: torch.zeros(2, 3),
         "check_factorised_weights": lambda: 27, "check_conv_prediction": lambda: 16_800,
         "check_pooling_prediction": lambda: 4}
CHECKERS = sorted(name for name in exercises.__all__ if name.startswith("check_"))


@pytest.mark.parametrize("name", CHECKERS)
def test_every_checker_answers_every_odd_answer_with_a_hint_or_a_confirmation(name, capsys):
    checker = getattr(exercises, name)
    unrelated = []
    for label, make in ODD_ANSWERS.items():
        args = [make(), GIVEN[name]()] if name in GIVEN else [make()]
        try:
            checker(*args)
        except WrongAnswer:
            pass
        except Exception as error:  # anything else is a traceback the student cannot act on
            unrelated.append(f"{label}: {type(error).__name__}: {error}")
    assert unrelated == []


@pytest.mark.parametrize(("checker", "answer"), [
    (exercises.check_explorer_strides, torch.tensor(3)),
    (check_spectrogram_shape, torch.tensor(3)),
    (check_conv1d_output_shape, np.array(5)),
])
def test_a_0d_answer_where_a_collection_belongs_gets_a_hint_naming_it(checker, answer):
    with pytest.raises(WrongAnswer, match=r"(should be|give) .*, got a single value"):
        checker(answer)


def test_most_confused_takes_a_tensor_pair_and_refuses_a_0d_one(capsys):
    confusion = torch.tensor([[5, 1], [3, 4]])
    assert check_most_confused(torch.tensor([1, 0]), confusion).startswith("Correct!")
    assert check_most_confused((np.int64(1), torch.tensor(0)), confusion).startswith("Correct!")
    with pytest.raises(WrongAnswer, match=r"give the pair as \(true digit, predicted digit\), two ints, got a single"):
        check_most_confused(torch.tensor(1), confusion)


def test_counts_given_as_0d_tensors_or_numpy_ints_are_the_numbers_they_hold(capsys):
    count = 28 * 28 * 16 * 26
    assert check_locally_connected_parameters(torch.tensor(count)).startswith("Correct!")
    assert check_locally_connected_parameters(np.int64(count)).startswith("Correct!")
    with pytest.raises(WrongAnswer, match="should be a whole number"):
        check_locally_connected_parameters(torch.tensor(float(count)))


def test_probabilities_name_logits_that_are_not_a_matrix():
    with pytest.raises(ValueError, match=r"logits must be a \(N, classes\) tensor, got shape \(3,\)"):
        check_probabilities(torch.zeros(3), torch.zeros(3))
    with pytest.raises(TypeError, match=r"logits must be a \(N, classes\) tensor, got object"):
        check_probabilities(torch.zeros(3), object())
