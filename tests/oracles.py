"""PyTorch expressions of the generated ops: the independent oracle of the parity tests."""

from __future__ import annotations

import torch
import torch.nn.functional as F

# name -> (torch function of x, attributes passed to both sides)
ORACLES = {
    "relu": (F.relu, {}),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), {"alpha": 0.2}),
    "gelu": (F.gelu, {}),
    "elu": (lambda x: F.elu(x, 0.7), {"alpha": 0.7}),
    "selu": (F.selu, {}),
    # alpha a power of two: PyTorch rounds 1/alpha to float32 inside celu even for float64.
    "celu": (lambda x: F.celu(x, 0.5), {"alpha": 0.5}),
    "rrelu": (lambda x: F.rrelu(x, 0.1, 0.3, training=False), {"lower": 0.1, "upper": 0.3, "training": False}),
    "thresholded_relu": (lambda x: F.threshold(x, 1.0, 0.0), {}),
    "sigmoid": (torch.sigmoid, {}),
    "tanh": (torch.tanh, {}),
    "swish": (F.silu, {}),
    "silu": (F.silu, {}),
    "mish": (F.mish, {}),
    "hard_sigmoid": (lambda x: F.hardtanh(0.5 * (x + 1), 0.0, 1.0), {}),
    "hard_tanh": (F.hardtanh, {}),
    "softplus": (lambda x: F.softplus(x, threshold=1000.0), {}),
    "softsign": (F.softsign, {}),
    "softmax": (lambda x: F.softmax(x, dim=-1), {}),
    "softmin": (lambda x: F.softmin(x, dim=-1), {}),
    "log_softmax": (lambda x: F.log_softmax(x, dim=-1), {}),
    "log_softmin": (lambda x: F.log_softmax(-x, dim=-1), {}),
    "sign": (torch.sign, {}),
    "gaussian": (lambda x: torch.exp(-x * x), {}),
    "isru": (lambda x: x / torch.sqrt(1 + 0.5 * x * x), {"alpha": 0.5}),
    "lisht": (lambda x: x * torch.tanh(x), {}),
    "sqrbf": (lambda x: torch.exp(-1.5 * x * x), {"beta": 1.5}),
    "squash": (lambda x: x * torch.sqrt((x * x).sum(-1, keepdim=True) + 1e-7) / (1 + (x * x).sum(-1, keepdim=True)), {}),
    "bent_identity": (lambda x: (torch.sqrt(x * x + 1) - 1) / 2 + x, {}),
    "identity": (lambda x: x * 1, {}),
    "spherical_softmax": (lambda x: F.softmax(x / torch.linalg.vector_norm(x, dim=-1, keepdim=True), dim=-1), {}),
    "gumbel_softmax": (lambda x: F.softmax(x / 0.5, dim=-1), {"temperature": 0.5, "training": False}),
    "taylor_softmax": (lambda x: (1 + x + x * x / 2) / (1 + x + x * x / 2).sum(-1, keepdim=True), {}),
    "maxout": (lambda x: x.unflatten(-1, (-1, 2)).amax(-1), {}),
}

# The Dense layer's fused activations, with their default attributes.
FUSED = {
    "relu": F.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": lambda z: F.softmax(z, dim=-1),
    "identity": lambda z: z,
    "gelu": F.gelu,  # the fused gelu is the activation's default, approximate="none"
    "elu": F.elu,
    "mish": F.mish,
    "swish": F.silu,
    "silu": F.silu,
}
