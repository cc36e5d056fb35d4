"""Every preset loads, is analysable, and says what it claims."""

import math

import pytest

from landscape import DEFAULT_PRESET, PRESETS, analyze, load_landscape, parse_formula


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_preset_loads_and_analyses(key):
    preset = PRESETS[key]
    assert preset.key == key
    land = parse_formula(preset.source)
    result = analyze(land, preset.L, math.inf if preset.b is None else preset.b,
                     preset.noise.alpha if preset.noise.alpha and preset.noise.alpha > 1 else None)
    assert -preset.L <= preset.x0 <= preset.L and preset.eta > 0
    if key == "broken-assumption":
        assert not result.assumption1_ok and result.warnings
    else:
        assert result.assumption1_ok, result.warnings
        assert not any("Assumption 3" in w for w in result.warnings)
        assert len(result.minima) >= 2


def test_default_preset():
    assert DEFAULT_PRESET == "paper-fig2"
    assert load_landscape(DEFAULT_PRESET).is_polynomial


def test_fig3_preset_widths():
    result = analyze(load_landscape("paper-fig3"), 1.6, 0.5)
    middle = result.fields[1]
    assert middle.minimum - middle.left == pytest.approx(0.6)
    assert middle.right - middle.minimum == pytest.approx(0.9)


def test_ripples_have_many_sharp_minima_in_a_wide_bowl():
    preset = PRESETS["kleinberg-ripples"]
    result = analyze(load_landscape(preset.key), preset.L, preset.b)
    assert len(result.minima) >= 5
    assert max(f.width for f in result.fields) < 0.3
