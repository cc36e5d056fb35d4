"""Slow, obviously correct reference versions of the landscape structure.

Plain loops only: widths by scanning, jump numbers by counting steps,
communicating classes by repeated depth-first search (i and j communicate iff
each reaches the other). Used by the tests to check ``landscape.analysis``.
"""

import math


def naive_bounds(minima, maxima):
    """Nearest maximum on each side of every minimum (None if there is none)."""
    left, right = [], []
    for m in minima:
        best_left = None
        best_right = None
        for s in maxima:
            if s < m and (best_left is None or s > best_left):
                best_left = s
            if s > m and (best_right is None or s < best_right):
                best_right = s
        left.append(best_left)
        right.append(best_right)
    return left, right


def naive_steps(distance, b):
    """Smallest k >= 1 with k * b >= distance (1 without clipping)."""
    if math.isinf(b):
        return 1
    k = 1
    while k * b < distance:
        k += 1
    return k


def naive_structure(minima, maxima, b):
    """Return (l_star, edges, classes) with classes as (members, absorbing, large)."""
    minima = sorted(minima)
    n = len(minima)
    left, right = naive_bounds(minima, maxima)
    l_star = []
    for i in range(n):
        sides = []
        if left[i] is not None:
            sides.append(minima[i] - left[i])
        if right[i] is not None:
            sides.append(right[i] - minima[i])
        l_star.append(naive_steps(min(sides), b) if sides else 0)
    edges = []
    for i in range(n):
        for j in range(n):
            if i == j or l_star[i] == 0:
                continue
            if j > i:
                needed = naive_steps(left[j] - minima[i], b)
            else:
                needed = naive_steps(minima[i] - right[j], b)
            if needed == l_star[i]:
                edges.append((i, j))

    def reachable(start):
        seen = {start}
        stack = [start]
        while stack:
            node = stack.pop()
            for a, c in edges:
                if a == node and c not in seen:
                    seen.add(c)
                    stack.append(c)
        return seen

    reach = [reachable(i) for i in range(n)]
    classes = []
    assigned = set()
    for i in range(n):
        if i in assigned:
            continue
        members = tuple(j for j in range(n) if j in reach[i] and i in reach[j])
        assigned.update(members)
        absorbing = True
        for a, c in edges:
            if a in members and c not in members:
                absorbing = False
        top = max(l_star[j] for j in members)
        large = tuple(j for j in members if l_star[j] == top)
        classes.append((members, absorbing, large))
    return tuple(l_star), tuple(edges), tuple(classes)
