"""The limiting Markov chain on the wide minima (Theorems 2-5; THEORY.md 9).

For a communicating class G with large minima G_large and small ones G_small:

* embedded chain P(m_i -> m_j) = q_{i,j}/q_i;
* p_{k,j}: the embedded chain started at small m_k first leaves G_small at
  m_j (one linear system over G_small, ``scipy.linalg.solve``);
* generator on G_large: q~_{i,j} = q_{i,j} + sum_{k small} q_{i,k} p_{k,j}
  (j != i; returns to i are invisible); killing rate kappa_i = the same sum
  over j outside G (a transient class);
* pi_G(m_k) = m_j with probability p_{k,j} for a start in a small field;
* time scale: step floor(t / lambda_G(eta)) of X ~ Y_t,
  lambda_G = H(1/eta) (H(1/eta)/eta)^(l*_G - 1);
* stationary law of Y (absorbing class); the share of a finite run of
  ``steps`` steps per wide minimum is (1/T) int_0^T pi_0 e^{Q t} dt with
  T = steps lambda_G(eta) (``scipy.linalg.expm`` of an augmented matrix);
* before the limit: the chain over all fields at this eta, Q_{i,j} = q_{i,j} lambda_i(eta)
  per step, and the shares of a run of t steps (1/t) int_0^t e_{x0} e^{Q s} ds;
* Theorem 2 in numbers: the share of time in small fields is
  sum_k (visits to Omega_k per step) / (q_k lambda_k(eta)).

Every result is the eta -> 0 limit (``theory.LIMIT_NOTE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import linalg

from .errors import TheoryError
from .theory import LIMIT_NOTE, CommunicatingClass, mean_exit_steps, time_scale


@dataclass(kw_only=True, frozen=True)
class ClassChain:
    """The limit Y of the iterates on one communicating class (0-based indices).

    Attributes
    ----------
    members, large, small : tuple of int
    absorbing : bool
    l_star : int
        l*_G (the large minima's l*).
    generator : ndarray (len(large), len(large))
        Q: off-diagonal q~_{i,j}, diagonal minus the total rate (killing included).
    killing : ndarray (len(large),)
        Rate of leaving G from each large minimum (0 for an absorbing class).
    absorption : ndarray (len(small), n)
        p_{k,j}: from small m_k, the first field outside G_small is Omega_j.
    visits : ndarray (len(small), len(small))
        Expected visits to small m_k' of the embedded chain started at small m_k.
    stationary : ndarray or None
        Stationary law of Y over ``large`` (absorbing classes), else None.
    """

    members: tuple[int, ...]
    large: tuple[int, ...]
    small: tuple[int, ...]
    absorbing: bool
    l_star: int
    generator: np.ndarray = field(repr=False)
    killing: np.ndarray = field(repr=False)
    absorption: np.ndarray = field(repr=False)
    visits: np.ndarray = field(repr=False)
    stationary: np.ndarray | None = field(repr=False, default=None)
    note: str = LIMIT_NOTE

    def initial(self, k: int) -> np.ndarray:
        """pi_G(m_k) as a law over ``large`` (mass missing from 1 leaves G at once).

        Raises
        ------
        TheoryError
            If m_k is not a member of this class.
        """
        if k in self.large:
            law = np.zeros(len(self.large))
            law[self.large.index(k)] = 1.0
            return law
        if k not in self.small:
            raise TheoryError(f"m_{k + 1} is not in the class {_names(self.members)}")
        return self.absorption[self.small.index(k), list(self.large)]

    def time_scale(self, tail_at_inverse_eta: float, eta: float) -> float:
        """lambda_G(eta) (paper eq. 9): one unit of Y's time is 1/lambda_G steps."""
        return time_scale(tail_at_inverse_eta, eta, self.l_star)


def _names(indices) -> str:
    return "{" + ", ".join(f"m_{i + 1}" for i in indices) + "}"


def limiting_chain(q_matrix: np.ndarray, l_star: Sequence[int],
                   group: CommunicatingClass) -> ClassChain:
    """The limiting chain of one class from the rates q_{i,j} (``rates.ExitRates.q_matrix``).

    Raises
    ------
    TheoryError
        If a small field has q_k = 0 (no way out: the rates do not fit the graph).
    """
    q_matrix = np.asarray(q_matrix, dtype=np.float64)
    n = q_matrix.shape[0]
    q = q_matrix.sum(axis=1)
    members, large = tuple(group.members), tuple(group.large)
    small = tuple(i for i in members if i not in large)
    for k in small:
        if not q[k] > 0:
            raise TheoryError(f"m_{k + 1} has exit rate 0; the limiting chain is undefined")
    jump = np.divide(q_matrix, q[:, None], out=np.zeros_like(q_matrix), where=q[:, None] > 0)
    s = list(small)
    if s:
        fundamental = linalg.inv(np.eye(len(s)) - jump[np.ix_(s, s)])
        outside_small = [j for j in range(n) if j not in small]
        absorption = np.zeros((len(s), n))
        absorption[:, outside_small] = fundamental @ jump[np.ix_(s, outside_small)]
    else:
        fundamental = np.zeros((0, 0))
        absorption = np.zeros((0, n))
    effective = q_matrix[np.ix_(large, range(n))].copy()
    if s:
        effective += q_matrix[np.ix_(large, s)] @ absorption
    outside = [j for j in range(n) if j not in members]
    killing = effective[:, outside].sum(axis=1) if outside else np.zeros(len(large))
    generator = effective[:, list(large)].copy()
    np.fill_diagonal(generator, 0.0)
    np.fill_diagonal(generator, -(generator.sum(axis=1) + killing))
    stationary = stationary_law(generator) if group.absorbing else None
    return ClassChain(members=members, large=large, small=small, absorbing=group.absorbing,
                      l_star=int(l_star[large[0]]), generator=generator, killing=killing,
                      absorption=absorption, visits=fundamental, stationary=stationary)


def limiting_chains(q_matrix: np.ndarray, l_star: Sequence[int],
                    classes: Sequence[CommunicatingClass]) -> tuple[ClassChain, ...]:
    """``limiting_chain`` for every class, in the order of ``classes``."""
    return tuple(limiting_chain(q_matrix, l_star, group) for group in classes)


def stationary_law(generator: np.ndarray) -> np.ndarray:
    """The law pi with pi Q = 0, sum pi = 1 (Q irreducible, no killing)."""
    size = generator.shape[0]
    if size == 1:
        return np.ones(1)
    system = np.vstack((generator.T, np.ones(size)))
    rhs = np.zeros(size + 1)
    rhs[-1] = 1.0
    law, *_ = linalg.lstsq(system, rhs)
    law = np.clip(law, 0.0, None)
    return law / law.sum()


def run_shares(chain: ClassChain, initial: np.ndarray, duration: float) -> np.ndarray:
    """Expected share of [0, duration] (Y's time) spent at each large minimum.

    (1/T) int_0^T initial e^{Q t} dt, from the matrix exponential of
    [[Q, I], [0, 0]] T (its top-right block is int_0^T e^{Q t} dt). For a
    transient class the shares sum to less than 1 (the rest is after killing).
    Use ``duration = steps * chain.time_scale(H(1/eta), eta)`` for a run of
    ``steps`` steps.
    """
    return time_average_law(chain.generator, initial, duration)


def time_average_law(generator: np.ndarray, initial: np.ndarray, duration: float) -> np.ndarray:
    """(1/T) int_0^T initial e^{Q t} dt: the expected share of [0, T] spent in each state
    of the chain with generator Q started from ``initial``.

    From the matrix exponential of [[Q, I], [0, 0]] T, whose top-right block is
    int_0^T e^{Q t} dt (``scipy.linalg.expm``). Rows of Q that sum to less than 0
    lose mass (killing): the shares then sum to less than 1.
    """
    initial = np.asarray(initial, dtype=np.float64)
    if not duration > 0:
        return initial.copy()
    size = generator.shape[0]
    block = np.zeros((2 * size, 2 * size))
    block[:size, :size] = generator * duration
    block[:size, size:] = np.eye(size) * duration
    integral = linalg.expm(block)[:size, size:]
    return initial @ integral / duration


def finite_eta_generator(q_matrix: np.ndarray, l_star: Sequence[int], tail_at_inverse_eta: float,
                         eta: float) -> np.ndarray:
    """The chain over all fields at this eta, per step (THEORY.md 9 before the limit).

    Omega_i is left at rate q_i lambda_i(eta) = 1/``mean_exit_steps`` and the exit lands
    in Omega_j with probability q_{i,j}/q_i: Q_{i,j} = q_{i,j} lambda_i(eta) (j != i),
    Q_{i,i} = -q_i lambda_i(eta). Unlike the limit Y it keeps the small fields and each
    field's own time scale, so e^{Q t} describes a run of t steps that is younger than
    1/lambda_G(eta).
    """
    q_matrix = np.asarray(q_matrix, dtype=np.float64).copy()
    np.fill_diagonal(q_matrix, 0.0)
    lam = np.array([time_scale(tail_at_inverse_eta, eta, int(k)) for k in l_star])
    generator = q_matrix * lam[:, None]
    np.fill_diagonal(generator, -generator.sum(axis=1))
    return generator


def law_at(chain: ClassChain, initial: np.ndarray, time: float) -> np.ndarray:
    """Law of Y_t over the large minima: initial e^{Q t} (mass lost = killed)."""
    return np.asarray(initial, dtype=np.float64) @ linalg.expm(chain.generator * time)


@dataclass(kw_only=True, frozen=True)
class SmallFieldShare:
    """Theorem 2 in numbers at one eta: predicted share of steps in each small field."""

    eta: float
    fields: tuple[int, ...]
    visits_per_step: np.ndarray = field(repr=False)
    mean_sojourn: np.ndarray = field(repr=False)
    shares: np.ndarray = field(repr=False)
    note: str = LIMIT_NOTE

    @property
    def total(self) -> float:
        """Share of all steps spent in small fields."""
        return float(self.shares.sum())


def small_field_share(chain: ClassChain, q_matrix: np.ndarray, l_star: Sequence[int],
                      tail_at_inverse_eta: float, eta: float) -> SmallFieldShare:
    """Predicted share of time in the small fields of an absorbing class at eta.

    Visits to Omega_k per unit of Y's time: sum_i pi_i sum_{k'} q_{i,k'} N_{k',k}
    (N = expected visits of the embedded chain among small fields); per step
    that is times lambda_G(eta); each visit lasts 1/(q_k lambda_k(eta)) steps.
    The share falls like eta^((alpha-1)(l*_G - l*_k)) (Theorem 2).

    Raises
    ------
    TheoryError
        For a transient class (no stationary law).
    """
    if chain.stationary is None:
        raise TheoryError("the class is transient: the iterates leave it, so there is no "
                          "long-run share of time (Theorem 2 needs an irreducible graph)")
    q_matrix = np.asarray(q_matrix, dtype=np.float64)
    q = q_matrix.sum(axis=1)
    small = list(chain.small)
    if not small:
        empty = np.zeros(0)
        return SmallFieldShare(eta=eta, fields=(), visits_per_step=empty, mean_sojourn=empty,
                               shares=empty)
    lambda_g = chain.time_scale(tail_at_inverse_eta, eta)
    rates_into_small = chain.stationary @ q_matrix[np.ix_(list(chain.large), small)]
    visits = (rates_into_small @ chain.visits) * lambda_g
    sojourn = np.array([mean_exit_steps(q[k], l_star[k], tail_at_inverse_eta, eta)
                        for k in small])
    return SmallFieldShare(eta=eta, fields=tuple(small), visits_per_step=visits,
                           mean_sojourn=sojourn, shares=visits * sojourn)

