"""Tail inflation on a real (small) network: THEORY.md section 8 on the CPU with JAX.

Modules: ``config`` (settings), ``data`` (corrupted digits, Fashion-MNIST
files), ``models`` (LeNet-style CNN, MLP), ``methods`` (the six methods),
``train`` (training and measuring one run), ``measures`` (expected
sharpness, Hessian eigenvalue, gradient noise), ``tails`` (tail-index
estimators), ``slices`` (loss along a line as a sketch landscape),
``compare`` (the table), ``cli``, ``compile_cache`` (compiled programs kept in
``.cache/jax``). Pure: no Streamlit.
"""
