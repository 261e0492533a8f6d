"""Running the model traced with torch.fx, following the geometry of every node.

``_run`` traces a model and runs it, or its RF-faithful copy, once (``_Run``), recording
each node's ``_Op`` and ``_Geometry``; with the checks of the model, ``input_size`` and the
chosen layer that every entry point shares.
"""

from __future__ import annotations

import torch
from torch import fx, nn

from .._validation import check_int
from ..language import tr
from .geometry import _broadcast, _flatten, _Geometry, _merge, _reshape, _start_geometry, _through_window
from .layers import _classify_function, _classify_method, _classify_module, _Op

# --- running the traced model -------------------------------------------------------------

_CALLS = ("call_module", "call_function", "call_method")


def _node_names(graph: fx.Graph) -> dict:
    """Row names: a module's qualified name (``conv1.0``), else the fx node name (``add_1``)."""
    names, used = {}, set()
    for n in graph.nodes:
        name = n.target if n.op == "call_module" and n.target not in used else n.name
        names[n] = name
        used.add(name)
    return names


def _ancestors(node: fx.Node) -> set:
    seen, todo = set(), [node]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(n.all_input_nodes)
    return seen


class _Run(fx.Interpreter):
    """Runs a traced model once, following the geometry of every node on the way to ``target``.

    With ``faithful=True`` it runs the RF-faithful copy instead: weights 1/fan_in and no
    bias, pooling as averaging over the same windows, activations/BatchNorm/Dropout removed,
    so every input pixel a unit reaches gets a positive gradient.
    """

    def __init__(self, gm: fx.GraphModule, target: fx.Node, faithful: bool = False):
        super().__init__(gm)
        # errors pass through unchanged: fx would append a graph dump (and import the compiler, seconds)
        self.extra_traceback = False
        self.faithful = faithful
        self.target = target
        self.needed = _ancestors(target)
        self.names = _node_names(gm.graph)
        self.n_spatial = 0
        self.shape = ()  # of the input
        self.ops: dict = {}
        self.geometry: dict = {}
        self.value = None  # the target's output

    def run_node(self, n: fx.Node):
        parents = [p for p in n.all_input_nodes if p in self.geometry]
        if n not in self.needed and (self.faithful or self.value is not None):
            return None  # not on the way to the target (the copy runs only what it needs)
        if n.op not in _CALLS or not parents or n not in self.needed:
            result = self._call(n)
            if n.op == "placeholder":
                self.shape = tuple(result.shape)
                self.n_spatial = result.dim() - 2
                grid = tuple(result.shape[2:])
                self.geometry[n] = _start_geometry(*((1, *grid) if len(grid) == 1 else grid))
        else:
            result = self._run_layer(n, parents)
        if n is self.target:
            self.value = result
        return result

    def _run_layer(self, n: fx.Node, parents: list):
        name = self.names[n]
        args, kwargs = self.fetch_args_kwargs_from_env(n)
        op = self._classify(n, args, kwargs, name)
        if self.faithful and op.faithful:
            try:  # the copy's own conv/pool: a mismatch (channels, say) named as the model's run names it
                result = op.faithful(args, kwargs)
            except (RuntimeError, ValueError) as error:
                raise ValueError(tr("the model fails at layer {name!r} ({layer}) on an input of shape {shape}: "
                                    "{error}", name=name, layer=op.layer, shape=self.shape, error=error)) from None
        else:
            result = self._call(n, op.layer)
        if op.kind != "query" and isinstance(result, torch.Tensor):
            self.ops[n] = op
            self.geometry[n] = self._geometry(op, [self.geometry[p] for p in parents], args, result, name)
        return result

    def _call(self, n: fx.Node, layer: str | None = None):
        """Run node ``n`` as the model does; its errors name the layer, without fx's trace dump."""
        try:
            return super().run_node(n)
        except (RuntimeError, ValueError) as error:
            if layer:
                raise ValueError(tr("the model fails at layer {name!r} ({layer}) on an input of shape {shape}: "
                                    "{error}", name=self.names[n], layer=layer, shape=self.shape,
                                    error=error)) from None
            raise ValueError(tr("the model fails at layer {name!r} on an input of shape {shape}: {error}",
                                name=self.names[n], shape=self.shape, error=error)) from None

    def _classify(self, n: fx.Node, args, kwargs, name: str) -> _Op:
        if n.op == "call_module":
            return _classify_module(self.module.get_submodule(n.target), name, args[0], self.n_spatial)
        if n.op == "call_function":
            return _classify_function(n.target, args, kwargs, name, self.n_spatial)
        return _classify_method(n.target, args, kwargs, name, self.n_spatial)

    def _geometry(self, op: _Op, parents: list, args, result: torch.Tensor, name: str) -> _Geometry:
        if op.kind == "mix":
            return _flatten(parents)
        if op.kind == "reshape":
            return _reshape(parents[0], tuple(args[0].shape[1:]), result)
        shape = tuple(result.shape[-self.n_spatial:]) if result.dim() >= self.n_spatial + 1 else ()
        grid = (1, *shape) if self.n_spatial == 1 else shape
        if op.kind == "window":
            g = _through_window(parents[0], op.axes)
            if g.exact is not None and (len(g.exact[0][0]), len(g.exact[0][2])) != grid:
                # our output-size formula disagrees with PyTorch's: a bug in this module
                raise RuntimeError(tr("internal error: layer {name!r} gives {shape}, the calculator {grid}",
                                      name=name, shape=shape, grid=grid))
            return g
        return _merge([_broadcast(p, grid) for p in parents])


def _check_model(model) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(tr("model must be a torch.nn.Module, got {type_name}", type_name=type(model).__name__))
    return model


def _trace(model) -> fx.GraphModule:
    try:
        return fx.symbolic_trace(model)
    except Exception as error:  # fx raises several types; all mean the same to a student
        raise ValueError(tr("torch.fx cannot trace {type_name} ({error}); the receptive-field calculator needs a "
                            "forward without Python control flow on tensor values",
                            type_name=type(model).__name__, error=error)) from None


def _output_node(gm: fx.GraphModule, layer, single: bool = True) -> fx.Node:
    """The node whose units are asked about: the model output, or the row named ``layer``.

    With ``single=False`` a model may return several values (the output node itself).
    """
    if layer is None:
        output = next(n for n in gm.graph.nodes if n.op == "output")
        if isinstance(output.args[0], fx.Node):
            return output.args[0]
        if single:
            raise ValueError(tr("the model returns several values; pass layer=<a row name> to choose one"))
        return output
    names = _node_names(gm.graph)
    for n, name in names.items():
        if name == layer and n.op in _CALLS:
            return n
    known = ", ".join(repr(names[n]) for n in gm.graph.nodes if n.op in _CALLS)
    raise ValueError(tr("layer {layer!r} is not a layer of the model; the layers are {known}", layer=layer,
                        known=known))


def _check_input_size(input_size) -> tuple:
    if (not isinstance(input_size, (tuple, list, torch.Size)) or len(input_size) not in (2, 3)):
        raise ValueError(tr("input_size must be (C, H, W) for a 2-D model or (C, L) for a 1-D model, got {value!r}",
                            value=input_size))
    return tuple(check_int(v, f"input_size[{i}]", 1) for i, v in enumerate(input_size))


class _EvalMode:
    """Puts every submodule in eval mode (BatchNorm with running statistics) and restores it."""

    def __init__(self, model: nn.Module):
        self.modes = [(m, m.training) for m in model.modules()]

    def __enter__(self):
        for m, _ in self.modes:
            m.training = False

    def __exit__(self, *exc):
        for m, mode in self.modes:
            m.training = mode


def _first_parameter(model: nn.Module) -> torch.Tensor:
    """Where and in which dtype the model computes (float32 on the CPU without parameters)."""
    return next(iter(_check_model(model).parameters()), torch.zeros(()))


def _run(model: nn.Module, layer, x: torch.Tensor, faithful: bool, single: bool = True) -> _Run:
    """Trace ``model`` and run it (or its RF-faithful copy) on ``x``; returns the finished run."""
    gm = _trace(model)
    run = _Run(gm, _output_node(gm, layer, single), faithful)
    with _EvalMode(model):
        run.run(x)
    return run
