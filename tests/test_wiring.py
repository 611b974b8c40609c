"""Every prefect.yaml deployment points at a real flow and passes parameters it accepts."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml
from fastapi.encoders import jsonable_encoder
from prefect import Flow

from deployments.topology import POOLS, QUEUES

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
    parameters = deployment.get("parameters", {})
    required = {"process-asset": {"source_uri": "s3://archive/x.mxf"},
                "backfill": {"source": "s3://archive/catalogue.csv"}}  # fmt: skip
    parameters = {**required.get(flow.name, {}), **parameters}
    validated = jsonable_encoder(flow.validate_parameters(parameters))
    for name, value in parameters.items():  # a form keeps its defaults beside what was given
        assert validated[name] == (
            {**validated[name], **value} if isinstance(value, dict) else value
        )
    assert deployment["work_pool"]["name"] in {pool.name for pool in POOLS}
    assert deployment["work_pool"]["work_queue_name"] in QUEUES


def test_every_stage_group_has_its_deployment() -> None:
    from flows.dag import GROUPS
    from tasks.groups import group_deployment

    names = {f"process-asset/{d['name']}" for d in DEPLOYMENTS}
    assert {group_deployment(group) for group in GROUPS} <= names


def test_flow_names_are_kebab_case() -> None:
    names = {load_flow(d["entrypoint"]).name for d in DEPLOYMENTS}
    assert names == {"process-asset", "watch-bucket", "backfill"}


def test_shot_detector_choices_match_the_registry() -> None:
    from typing import get_args

    from flows.process_asset import ShotDetectorName
    from regie.shots import DETECTORS

    assert set(get_args(ShotDetectorName)) == set(DETECTORS)
    assert {DETECTORS.load(name, "wiring").NAME for name in DETECTORS} == set(DETECTORS)


def test_asr_backend_choices_match_the_registry() -> None:
    from typing import get_args

    from flows.process_asset import AsrBackendName
    from regie.asr.backends import TRANSCRIBERS

    assert set(get_args(AsrBackendName)) == {"auto", *TRANSCRIBERS}


def test_tagger_choices_match_the_registry() -> None:
    from typing import get_args

    from regie.tagging.stage import TaggerName
    from regie.tagging.taggers import TAGGERS

    assert set(get_args(TaggerName)) == set(TAGGERS)


def test_the_custom_run_form_has_no_none_typed_field_and_describes_every_field() -> None:
    """The Prefect UI shows a 'Property is type None' box for a null branch of a field."""
    from prefect.utilities.callables import parameter_schema

    for deployment in DEPLOYMENTS:
        schema = parameter_schema(load_flow(deployment["entrypoint"])).model_dump()
        text = json.dumps(schema)
        assert '"type": "null"' not in text, deployment["name"]
        for name, model in schema["definitions"].items():
            undescribed = [
                f for f, spec in model["properties"].items() if not spec.get("description")
            ]
            assert not undescribed, (name, undescribed)
