"""Notebook 06, full implementation: the feature-map explorer on the trained model.

Pick an image and a layer of the conv blocks; see every feature map the model makes there,
with its prediction (:func:`feature_map_stages`, :func:`render_feature_maps`,
:func:`feature_map_explorer`).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import viz
from ..language import tr
from .explorer import Explorer

FEATURE_MAP_IMAGES = 100  # the explorer's slider walks the first 100 images of the dataset


def _check_model(model) -> None:
    from torch import nn

    if not isinstance(model, nn.Module):
        raise TypeError(tr("model must be a torch.nn.Module with conv blocks, e.g. SeedCNN(), got {kind}",
                           kind=type(model).__name__))


def feature_map_stages(model, image) -> dict:
    """Every intermediate output of a model's conv blocks for one image, in forward order.

    The blocks are the model's leading ``nn.Sequential`` children (``conv1``, ``conv2`` of
    :class:`cnn_helpers.model.SeedCNN`); each block's layers are run one by one and each
    output is kept, so "conv1 / ReLU" is what conv1's ReLU hands to its max pooling.

    Args:
        model: a model whose first children are ``nn.Sequential`` conv blocks run in order.
        image: one image.

    Returns:
        ``{block: {layer name: (C, H, W) tensor}}``, detached, on the CPU.

    Raises:
        TypeError: ``model`` is not an ``nn.Module``, or ``image`` is not an array of numbers.
        ValueError: the model has no leading ``nn.Sequential`` block, or ``image`` is not
            (C, H, W) or holds NaN.

    Shape:
        image (1, 28, 28) -> for SeedCNN: conv1 (16, 28, 28), (16, 28, 28), (16, 14, 14);
        conv2 (32, 14, 14), (32, 14, 14), (32, 7, 7).

    Example:
        >>> import torch
        >>> from cnn_helpers.model import SeedCNN
        >>> stages = feature_map_stages(SeedCNN(), torch.zeros(1, 28, 28))
        >>> {block: [tuple(m.shape) for m in layers.values()] for block, layers in stages.items()}
        {'conv1': [(16, 28, 28), (16, 28, 28), (16, 14, 14)], 'conv2': [(32, 14, 14), (32, 14, 14), (32, 7, 7)]}
    """
    import torch
    from torch import nn

    from .._validation import check_array

    _check_model(model)
    image = torch.as_tensor(check_array(image, "image", 3, "(C, H, W)",
                                        tr("one image of the dataset, e.g. images[0]")))
    parameter = next(model.parameters(), None)
    x = image[None].to(device=parameter.device if parameter is not None else "cpu",
                       dtype=parameter.dtype if parameter is not None else torch.float32)  # (1, C, H, W)
    stages = {}
    with torch.no_grad():
        for name, block in model.named_children():
            if not isinstance(block, nn.Sequential):
                break
            layers = {}
            for layer in block:
                x = layer(x)
                layers[type(layer).__name__] = x[0].cpu()  # (C, H, W)
            stages[name] = layers
    if not stages:
        raise ValueError(tr("{model} has no leading nn.Sequential conv block to show; "
                            "the explorer expects blocks like SeedCNN's conv1 and conv2", model=type(model).__name__))
    return stages


def _feature_map_numbers_html(label: int, predicted: int, probability: float, block: str, layer: str, maps) -> str:
    channels, height, width = maps.shape
    strongest = int(maps.amax(dim=(1, 2)).argmax())
    zeros = (maps == 0).float().mean().item()
    rows = [
        ("fm-label", tr("true digit"), f"{label}"),
        ("fm-prediction", tr("model says"), f"{predicted} ({100 * probability:.1f}%)"),
        ("fm-shape", tr("{block} / {layer} output", block=block, layer=layer), f"{channels} × {height} × {width}"),
        ("fm-zeros", tr("exactly zero"), tr("{percent:.0f}% of the values", percent=100 * zeros)),
        ("fm-strongest", tr("strongest channel"),
         tr("{channel} (max {value:.3g})", channel=strongest, value=maps[strongest].max().item())),
    ]
    return '<table class="fm-numbers">' + "".join(
        f'<tr><th style="text-align:left">{name}</th><td class="{cls}">{value}</td></tr>' for cls, name, value in rows
    ) + "</table>"


def render_feature_maps(fig, model, images, labels, index: int, block: str, layer: str) -> str:
    """Draw image ``index`` next to the feature maps of ``block``/``layer``; return the numbers.

    Args:
        fig: a figure from :func:`cnn_helpers.viz.feature_map_figure`, or None to skip drawing.
        model: the trained model.
        images: (N, 1, 28, 28) images; labels: (N,) true digits.
        index: which image.
        block: a conv block of the model, e.g. ``"conv1"``.
        layer: a layer type within it, e.g. ``"ReLU"``.

    Returns:
        HTML with the true digit, the prediction, the maps' shape, the share of zeros and
        the strongest channel.

    Raises:
        ValueError: ``index`` outside the images, or an unknown block or layer.

    Example:
        >>> import torch
        >>> from cnn_helpers.model import SeedCNN
        >>> html = render_feature_maps(None, SeedCNN(), torch.zeros(2, 1, 28, 28), torch.tensor([3, 5]),
        ...                            index=1, block="conv2", layer="MaxPool2d")
        >>> "32 × 7 × 7" in html and ">5<" in html
        True
    """
    import torch

    from .._validation import check_int

    _check_model(model)
    if not isinstance(images, torch.Tensor) or images.dim() != 4:
        raise ValueError(tr("images must be a (N, C, H, W) tensor, got {got}",
                            got=getattr(images, "shape", type(images).__name__)))
    if not isinstance(labels, torch.Tensor) or labels.shape != images.shape[:1]:
        raise ValueError(tr("labels must be a (N,) tensor, one per image, got {got} for {count} images",
                            got=getattr(labels, "shape", type(labels).__name__), count=len(images)))
    index = check_int(index, "index")
    if not 0 <= index < len(images):
        raise ValueError(tr("index {index} is outside the {count} images; pick 0 to {last}",
                            index=index, count=len(images), last=len(images) - 1))
    stages = feature_map_stages(model, images[index])
    if block not in stages:
        raise ValueError(tr("block {block!r} is not a conv block of the model; pick one of {blocks}",
                            block=block, blocks=", ".join(stages)))
    if layer not in stages[block]:
        raise ValueError(tr("{block} has no {layer} layer; pick one of {layers}",
                            block=block, layer=layer, layers=", ".join(stages[block])))
    maps = stages[block][layer]  # (C, H, W)
    parameter = next(model.parameters())
    with torch.no_grad():
        probabilities = torch.softmax(model(images[index][None].to(parameter.device))[0], dim=0).cpu()  # (10,)
    predicted = int(probabilities.argmax())
    label = int(labels[index])
    if fig is not None:
        if predicted == label:
            title = tr("image {index}: a {label} (right)", index=index, label=label)
        else:
            title = tr("image {index}: a {label} (wrong)", index=index, label=label)
        maps_title = tr("{block} / {layer}: {count} maps of {height} × {width}", block=block, layer=layer,
                        count=maps.shape[0], height=maps.shape[1], width=maps.shape[2])
        viz.plot_feature_maps(images[index][0].numpy(), maps.numpy(), title, maps_title, fig=fig)
    return _feature_map_numbers_html(label, predicted, probabilities[predicted].item(), block, layer, maps)


def feature_map_explorer(model, dataset) -> Explorer:
    """Pick an image and a layer of the trained model; see every feature map it makes there.

    Args:
        model: a trained model with conv blocks like :class:`cnn_helpers.model.SeedCNN`.
        dataset: (image, label) pairs, e.g. the test set; the slider walks its first
            ``FEATURE_MAP_IMAGES`` images.

    Returns:
        An :class:`Explorer` with controls ``index``, ``block`` and ``layer``.

    Raises:
        TypeError: ``model`` is not an ``nn.Module`` or ``dataset`` not a torch Dataset.
        ValueError: an empty dataset, images that are not (C, H, W) of one shape or hold NaN,
            or a model without conv blocks.

    Example:
        >>> import torch
        >>> from torch.utils.data import TensorDataset
        >>> from cnn_helpers.model import SeedCNN
        >>> data = TensorDataset(torch.rand(5, 1, 28, 28), torch.arange(5))
        >>> explorer = feature_map_explorer(SeedCNN(), data)
        >>> explorer.controls["block"].value = "conv2"
        >>> "32 × 14 × 14" in explorer.numbers.value
        True
    """
    import torch

    from .._validation import check_array
    from ..train.batches import _check_dataset

    _check_model(model)
    _check_dataset(dataset, "dataset")
    count = min(len(dataset), FEATURE_MAP_IMAGES)
    pairs = [dataset[i] for i in range(count)]
    if not all(isinstance(pair, (tuple, list)) and len(pair) == 2 for pair in pairs):
        raise ValueError(tr("dataset must hold (image, label) pairs, e.g. load_mnist().test"))
    images = [check_array(image, tr("dataset image {index}", index=i), 3, "(C, H, W)")
              for i, (image, _) in enumerate(pairs)]
    if len({image.shape for image in images}) > 1:
        raise ValueError(tr("dataset images must all have one shape, got {shapes}",
                            shapes=sorted({im.shape for im in images})))
    images = torch.as_tensor(np.stack(images)).float()  # (count, 1, 28, 28)
    labels = torch.tensor([int(check_array(label, tr("dataset label {index}", index=i), 0, tr("integer")))
                           for i, (_, label) in enumerate(pairs)])  # (count,)
    model.eval()
    stages = feature_map_stages(model, images[0])
    first_block = next(iter(stages))
    layers = list(stages[first_block])
    style = {"description_width": "initial"}
    controls = {
        "index": widgets.IntSlider(value=0, min=0, max=count - 1, description=tr("image"), style=style),
        "block": widgets.ToggleButtons(options=list(stages), value=first_block, description=tr("block"),
                                       style=style),
        "layer": widgets.ToggleButtons(options=layers, value="ReLU" if "ReLU" in layers else layers[-1],
                                       description=tr("after"), style=style),
    }

    def render(fig, **values):
        return render_feature_maps(fig, model, images, labels, **values)

    return Explorer(controls, render, viz.feature_map_figure(), "feature-map-explorer",
                    title=tr("feature map explorer"))
