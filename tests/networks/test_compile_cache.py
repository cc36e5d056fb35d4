"""The persistent compilation cache: on in a writable folder, quietly off otherwise."""

import jax
import pytest

from networks import compile_cache


@pytest.fixture
def restore_cache_dir():
    before = jax.config.jax_compilation_cache_dir
    yield
    jax.config.update("jax_compilation_cache_dir", before)


def test_enable_uses_the_folder(tmp_path, restore_cache_dir):
    folder = compile_cache.enable(tmp_path / "jax")
    assert folder == tmp_path / "jax" and folder.is_dir()
    assert jax.config.jax_compilation_cache_dir == str(folder)


def test_a_folder_that_cannot_be_made_leaves_the_cache_off(tmp_path, restore_cache_dir):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    before = jax.config.jax_compilation_cache_dir
    assert compile_cache.enable(blocker) is None
    assert jax.config.jax_compilation_cache_dir == before
