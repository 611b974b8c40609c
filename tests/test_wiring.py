"""Every prefect.yaml deployment points at a real flow and passes parameters it accepts."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml
from prefect import Flow

ROOT = Path(__file__).resolve().parents[1]
DEPLOYMENTS = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]


def load_flow(entrypoint: str) -> Flow:
    path, name = entrypoint.split(":")
    spec = importlib.util.spec_from_file_location(Path(path).stem, ROOT / path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=lambda d: d["name"])
def test_deployment_resolves_to_a_flow_with_valid_parameters(deployment: dict) -> None:
    flow = load_flow(deployment["entrypoint"])
    assert isinstance(flow, Flow)
    parameters = {"source_uri": "s3://archive/x.mxf", **deployment.get("parameters", {})}
    assert flow.validate_parameters(parameters)["until"] == parameters["until"]
    assert deployment["work_pool"]["name"].startswith("scw-fr-par-")


def test_flow_names_are_kebab_case() -> None:
    names = {load_flow(d["entrypoint"]).name for d in DEPLOYMENTS}
    assert names == {"process-asset"}


def test_shot_detector_choices_match_the_registry() -> None:
    from typing import get_args

    from flows.process_asset import ShotDetectorName
    from regie.shots import DETECTORS, get_detector

    get_detector("fast")  # loads every backend module into the registry
    assert set(get_args(ShotDetectorName)) == set(DETECTORS)


def test_asr_backend_choices_match_the_registry() -> None:
    from typing import get_args

    from flows.process_asset import AsrBackendName
    from regie.asr.backends import TRANSCRIBERS

    assert set(get_args(AsrBackendName)) == {"auto", *TRANSCRIBERS}
