"""Lambda: A user's function as a layer, composed at run time: y = activation(function(x)),
with the function and its vector-Jacobian product derivative(x, grad) given as Python
callables (user code cannot be transpiled ahead of time); backward is derivative(x, g),
g the activation's backward taken at the pre-activation function(x). The activation
defaults to identity. To compile an expression of the spec language with a derived
backward instead, use `python -m transpiler lambda NAME "y = x * tanh(x)"`.
Generated from layers_spec/layers/lambda_.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

from layerforge._runtime import activation_module, check_arrays, check_context

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(
    x, *, function, derivative=None, activation="identity", activation_options=None
):
    """Lambda forward pass: ``activation(function(x))``.

    Args:
        x: float32 or float64 array, any shape. The function's argument.
        function: a callable of one array that returns an array of the same dtype (any
            shape), written with NumPy (or CuPy) operations.
        derivative: a callable ``derivative(x, grad)`` that returns the gradient with
            respect to ``x`` given the gradient ``grad`` of ``function``'s result (the
            vector-Jacobian product, ``x``'s shape and dtype); needed by backward only.
        activation: the name of an activation of layerforge.activations applied to
            ``function``'s result, default 'identity'; its derivative is taken at that
            pre-activation.
        activation_options: keyword arguments for the activation, such as {'alpha': 0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("lambda_", {"x": x}, {"x": ("...",)})
    if not callable(function):
        raise TypeError(
            f"lambda_: argument 'function' must be a callable of one array, got {type(function).__name__}"
        )
    if derivative is not None and not callable(derivative):
        raise TypeError(
            f"lambda_: argument 'derivative' must be a callable derivative(x, grad) or None, "
            f"got {type(derivative).__name__}"
        )
    module = activation_module("lambda_", activation)
    z = function(x)
    if not (hasattr(z, "dtype") and hasattr(z, "shape")) or z.dtype != x.dtype:
        got = f"dtype {z.dtype}" if hasattr(z, "dtype") else type(z).__name__
        raise TypeError(
            f"lambda_: 'function' must return an array of x's dtype {x.dtype}, got {got}"
        )
    options = {} if activation_options is None else activation_options
    y, activation_ctx = module.forward(z, **options)
    saved = (x, derivative, module, activation_ctx)
    return y, (_backward, saved, (y.dtype, y.shape), (x.shape,))


def backward(grad_y, ctx):
    """Lambda backward pass: ``derivative(x, g)`` with ``g`` the gradient of the
    activation's input (the activation's backward at the pre-activation).

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: the gradient with respect to x.
    """
    backward_variant, saved = check_context(
        "lambda_", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _backward(grad_y, x, derivative, module, activation_ctx):
    if derivative is None:
        raise ValueError(
            "lambda_: backward needs the gradient of 'function': pass forward derivative=, "
            "a callable derivative(x, grad) returning the gradient with respect to x"
        )
    grad_z = module.backward(grad_y, activation_ctx)
    grad_x = derivative(x, grad_z)
    if not (hasattr(grad_x, "dtype") and hasattr(grad_x, "shape")):
        raise TypeError(
            f"lambda_: 'derivative' must return an array, got {type(grad_x).__name__}"
        )
    if grad_x.shape != x.shape or grad_x.dtype != x.dtype:
        raise ValueError(
            f"lambda_: 'derivative' must return the gradient of x, shape {x.shape} "
            f"and dtype {x.dtype}, got shape {grad_x.shape} "
            f"and dtype {grad_x.dtype}"
        )
    return grad_x
