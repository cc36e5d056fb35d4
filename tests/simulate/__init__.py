"""Tests of the simulate package: kernels, noise, tabulated gradients, 2-D runs, exit policy and studies."""
