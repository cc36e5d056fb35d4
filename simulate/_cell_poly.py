"""The polynomial of a tabulated 2-D cell (``simulate._kernels_plane_table``): two bicubics.

A tabulated cell holds (df/dx, df/dy) as two bicubic polynomials in t = x - c_x,
s = y - c_y; ``tco[k, 8 i + 2 m + d]`` is the coefficient of t^i s^j, j = (0, 2, 1, 3)[m],
of component d. ``cell_grad_simd`` evaluates both in a few vector multiply-adds (the run
kernel, bound by its instruction count), ``cell_grad`` in scalars (the exit kernel, bound
by a step's latency); both give the same numbers.
"""

from __future__ import annotations

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

#: coefficients per tabulated cell: 4 rows (powers of t) of 8 (see ``cell_grad_simd``)
BLOCK_SIZE = 32
_F64 = ir.DoubleType()
_I32 = ir.IntType(32)


def _lanes(idx):
    """A shufflevector mask: the lanes idx."""
    return ir.Constant(ir.VectorType(_I32, len(idx)), [ir.Constant(_I32, i) for i in idx])


def _splat(builder, v, n):
    """<n x double> with every lane v."""
    vt = ir.VectorType(_F64, n)
    one = builder.insert_element(ir.Constant(vt, ir.Undefined), v, ir.Constant(_I32, 0))
    return builder.shuffle_vector(one, ir.Constant(vt, ir.Undefined), _lanes([0] * n))


def _fmuladd(builder, a, b, c):
    """a b + c lane by lane (fused where the machine has FMA, as ``contract`` allows)."""
    vt = a.type
    fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vt, [vt, vt, vt]),
                                        f"llvm.fmuladd.v{vt.count}f64")
    return builder.call(fn, [a, b, c])


def _halves(builder, v):
    """The low and high halves of a vector."""
    n = v.type.count // 2
    undef = ir.Constant(v.type, ir.Undefined)
    return (builder.shuffle_vector(v, undef, _lanes(range(n))),
            builder.shuffle_vector(v, undef, _lanes(range(n, 2 * n))))


@intrinsic
def cell_grad_simd(typingctx, tco, k, t, s):
    """(df/dx, df/dy) of tabulated cell k at (t, s) = (x - c_x, y - c_y), in SIMD.

    Row i of the block (8 coefficients, the powers t^i) holds the lanes
    (df/dx, df/dy) x (s^0, s^2, s^1, s^3): three 8-wide multiply-adds give, per
    lane, q = (c_0 + t c_1) + t^2 (c_2 + t c_3); then (low + s high) on the
    halves, (low + s^2 high) on the halves again: (q_0 + s q_1) + s^2 (q_2 + s q_3)
    for both components. Per lane the same operations in the same order as
    ``cell_grad`` (the same numbers), in a few vector instructions instead of 30
    scalar multiply-adds and 32 loads; the shuffles lengthen the chain from t to
    the gradient a little.
    """
    sig = types.UniTuple(types.float64, 2)(tco, k, t, s)

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        kk, tt, ss = args[1], args[2], args[3]
        v8 = ir.VectorType(_F64, 8)
        base = builder.mul(kk, ir.Constant(kk.type, BLOCK_SIZE))
        rows = []
        for i in range(4):
            ptr = builder.gep(data, [builder.add(base, ir.Constant(kk.type, 8 * i))],
                              inbounds=True)
            rows.append(builder.load(builder.bitcast(ptr, v8.as_pointer()), align=8))
        t8 = _splat(builder, tt, 8)
        q = _fmuladd(builder, _splat(builder, builder.fmul(tt, tt), 8),
                     _fmuladd(builder, t8, rows[3], rows[2]),
                     _fmuladd(builder, t8, rows[1], rows[0]))
        even, odd = _halves(builder, q)                  # (s^0, s^2) and (s^1, s^3)
        w = _fmuladd(builder, _splat(builder, ss, 4), odd, even)
        lo, hi = _halves(builder, w)                     # s^0 + s s^1, s^2 + s s^3
        g = _fmuladd(builder, _splat(builder, builder.fmul(ss, ss), 2), hi, lo)
        return context.make_tuple(builder, signature.return_type,
                                  (builder.extract_element(g, ir.Constant(_I32, 0)),
                                   builder.extract_element(g, ir.Constant(_I32, 1))))

    return sig, codegen


@njit(inline="always")
def _estrin_t(c, k, o, t, t2):
    """(c_o + t c_(o+8)) + t^2 (c_(o+16) + t c_(o+24)): one lane of a block's rows."""
    return (c[k, o] + t * c[k, o + 8]) + t2 * (c[k, o + 16] + t * c[k, o + 24])


@njit(inline="always")
def cell_grad(tco, k, t, s):
    """(df/dx, df/dy) of tabulated cell k at (t, s) = (x - c_x, y - c_y): the Estrin
    scheme of ``cell_grad_simd`` in scalars (a shorter chain, more instructions)."""
    t2 = t * t
    s2 = s * s
    gx = (_estrin_t(tco, k, 0, t, t2) + s * _estrin_t(tco, k, 4, t, t2)) \
        + s2 * (_estrin_t(tco, k, 2, t, t2) + s * _estrin_t(tco, k, 6, t, t2))
    gy = (_estrin_t(tco, k, 1, t, t2) + s * _estrin_t(tco, k, 5, t, t2)) \
        + s2 * (_estrin_t(tco, k, 3, t, t2) + s * _estrin_t(tco, k, 7, t, t2))
    return gx, gy
