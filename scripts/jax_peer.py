"""JAX (jax[cpu]) as a peer of `make bench`: peer_bench.py's problems as one jitted training step.

The step (forward, softmax cross-entropy of the batch mean, jax.grad, and the update: Adam with
peer_bench's β and ε, or plain gradient descent) is one `jax.jit` function with the parameters and
optimiser state donated, so XLA updates them in place. It is compiled before the epoch, for the full
batch and for the last, shorter one, and the epoch is timed after: the figure is steady-state
training, not compilation. float64 needs `jax_enable_x64`, set when this module is imported.
"""
import time

import numpy as np

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402  (after the x64 switch)

VERSION = jax.__version__


def _loss(params, x, y, hidden, layers):
    inputs = x
    for l in range(layers):
        h = inputs @ params[2 * l] + params[2 * l + 1]
        if l < layers - 1:
            inputs = jax.nn.relu(h) if hidden == "relu" else jax.nn.sigmoid(h)
    logp = jax.nn.log_softmax(h, axis=1)
    return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))


def _make_step(hidden, layers, optimizer, lr, beta1, beta2, eps):
    grad = jax.value_and_grad(_loss)

    def step(params, m, v, t, x, y):
        loss, g = grad(params, x, y, hidden, layers)
        if optimizer == "adam":
            t = t + 1
            m = [beta1 * mi + (1 - beta1) * gi for mi, gi in zip(m, g)]
            v = [beta2 * vi + (1 - beta2) * gi * gi for vi, gi in zip(v, g)]
            step_size = lr / (1 - beta1 ** t)
            root = jnp.sqrt(1 / (1 - beta2 ** t))
            params = [p - step_size * mi / (jnp.sqrt(vi) * root + eps) for p, mi, vi in zip(params, m, v)]
        else:
            params = [p - lr * gi for p, gi in zip(params, g)]
        return params, m, v, t, loss

    return jax.jit(step, donate_argnums=(0, 1, 2))


def jax_epoch(X, labels, spec, initial_weights, dtype, batch, beta1, beta2, eps, seed=1):
    """One epoch of `spec` on standardised `X`, its weights and order drawn as peer_bench's
    PyTorch side draws them (`initial_weights`, then the permutation, from one generator);
    returns (seconds, mean loss), the seconds after compiling the step for both batch shapes."""
    sizes = spec["sizes"]
    layers = len(sizes) - 1
    step = _make_step(spec["hidden"], layers, spec["optimizer"], spec["lr"], beta1, beta2, eps)
    rng = np.random.default_rng(seed)
    weights = initial_weights(sizes, spec["hidden"], rng, np.float64)
    Xd = jnp.asarray(X, dtype=dtype)
    yd = jnp.asarray(labels.astype(np.int32))

    def fresh():
        params = []
        for w in weights:
            params += [jnp.asarray(w, dtype=dtype), jnp.zeros(w.shape[1], dtype=dtype)]
        zeros = [jnp.zeros_like(p) for p in params]
        return params, zeros, [jnp.zeros_like(p) for p in params], jnp.asarray(0, dtype=dtype)

    # Compile for the full batch and the tail, on throwaway state.
    for n in {batch, len(X) % batch} - {0}:
        state = fresh()
        out = step(*state, Xd[:n], yd[:n])
        jax.block_until_ready(out)
    params, m, v, t = fresh()
    order = jnp.asarray(rng.permutation(len(X)))
    total = 0.0
    losses = []
    start = time.perf_counter()
    for first in range(0, len(X), batch):
        rows = order[first:first + batch]
        params, m, v, t, loss = step(params, m, v, t, Xd[rows], yd[rows])
        losses.append((loss, rows.shape[0]))
    jax.block_until_ready(params)
    seconds = time.perf_counter() - start
    for loss, n in losses:
        total += float(loss) * n
    return seconds, total / len(X)
