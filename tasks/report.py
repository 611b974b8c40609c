"""report-asset task: what the Prefect UI shows of an asset (a markdown report and tables).

The builders are pure (manifests in, markdown and rows out); the flow reads the manifests from the
store (flows/dag.py, typed by each stage's artefact), so the report is the same whether the stages
ran in this process or on other pools. Every
link is an http(s) address (``regie.storage.links``); a stage that ran but found nothing to do
(a transcript of an asset without audio) says so. A failed run gets its report too, from the
flow's ``on_failure`` hook. Reports are keyed by asset and deployment, so an ingest-check run
does not hide, in the asset's latest report, that the urgent run published it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from prefect import task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import FlowRun, State
from prefect.runtime import deployment
from prefect.runtime import flow_run as current_run

from regie.artefacts import RenditionSet, ShotList, TagSet
from regie.asset_run import AssetRun
from regie.errors import MediaError
from regie.fetch import asset_slug
from regie.stage import Manifest
from regie.storage.links import BrowserLinks
from tasks.dispatch import synced

MAX_SHOT_ROWS = 500  # a feature film has ~2,000 shots: the full list is the CSV output


def artifact_key(asset_id: str) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    return "".join(c if c.isalnum() else "-" for c in asset_id.lower()).strip("-")


def run_key(source_uri: str, deployment_name: str | None) -> str:
    """The artifact key prefix of an asset's runs by one deployment (``adhoc`` without one).

    From the source URL, not the asset id: a failed fetch has no asset id, and a new version of
    the master keeps the history of the old one.
    """
    digest = hashlib.sha256(source_uri.encode()).hexdigest()[:8]
    return artifact_key(f"{asset_slug(source_uri)}-{digest}-{deployment_name or 'adhoc'}")


def empty_reason(stage: str, artefact: Any) -> str | None:
    """Why a stage that ran produced nothing useful (no audio, no speech, nothing to tag)."""
    if reason := getattr(artefact, "reason", None):
        return str(reason)
    if stage == "subtitles" and artefact.cues == 0:
        return "no cues: nothing was said"
    return None


def stage_rows(run: AssetRun, manifests: dict[str, Manifest[Any]]) -> list[dict[str, Any]]:
    """One row per stage done (in the order of ``manifests``), how long it took and where it is,
    then one per stage skipped, with the reason."""
    rows: list[dict[str, Any]] = []
    for stage, manifest in manifests.items():
        status = "reused" if stage in run.reused else "done"
        if empty := empty_reason(stage, manifest.artefact):
            status = f"{status}, empty: {empty}"
        rows.append({
            "stage": stage, "status": status,
            "seconds": round(manifest.provenance.duration_s, 2),
            "host": manifest.provenance.host, "manifest": run.manifests[stage],
        })  # fmt: skip
    rows += [{"stage": stage, "status": f"skipped: {why}"} for stage, why in run.skipped.items()]
    return rows


def asset_tables(
    manifests: dict[str, Manifest[Any]], links: BrowserLinks
) -> dict[str, list[dict[str, Any]]]:
    """The tables worth a look in the UI, by artifact name."""
    tables: dict[str, list[dict[str, Any]]] = {}
    if "shots" in manifests:
        shots: ShotList = manifests["shots"].artefact
        tables["shots"] = [
            {"shot": s.index, "first_frame": s.first_frame, "last_frame": s.last_frame,
             "start_s": round(float(s.start), 3), "end_s": round(float(s.end), 3)}
            for s in shots.shots[:MAX_SHOT_ROWS]
        ]  # fmt: skip
    if "transcode" in manifests:
        ladder: RenditionSet = manifests["transcode"].artefact
        tables["renditions"] = [
            {"rendition": r.name, "size": f"{r.width}x{r.height}", "kbps": r.bitrate_kbps,
             "ssim": r.ssim, "encoder": ladder.encoder, "playlist": links.href(r.playlist)}
            for r in ladder.renditions
        ]  # fmt: skip
    if "subtitles" in manifests:
        compliance = manifests["subtitles"].artefact.compliance
        tables["subtitle-compliance"] = [
            {"check": name, "value": value}
            for name, value in compliance.model_dump(exclude={"too_fast"}).items()
        ]
    if "tagging" in manifests:
        tags: TagSet = manifests["tagging"].artefact
        tables["tags"] = [
            {"qcode": t.qcode, "fr": t.label_fr, "en": t.label_en, "level": t.level,
             "score": round(t.score, 3), "ranges": _ranges(t.ranges)}
            for t in tags.topics
        ]  # fmt: skip
    return tables


def _ranges(ranges: list[tuple[Fraction, Fraction]]) -> str:
    # Fraction takes no format spec before Python 3.12
    return "; ".join(f"{float(start):.0f}-{float(end):.0f} s" for start, end in ranges)


def asset_markdown(run: AssetRun, manifests: dict[str, Manifest[Any]], links: BrowserLinks) -> str:
    """The asset's report: stages with timings and links, what is live, the contact sheet."""
    lines = [
        f"# {run.asset_id}",
        "",
        "| stage | status | seconds | manifest |",
        "|---|---|---|---|",
    ]
    for row in stage_rows(run, manifests):
        link = links.markdown(row["manifest"], "manifest") if "manifest" in row else ""
        lines.append(f"| {row['stage']} | {row['status']} | {row.get('seconds', '')} | {link} |")
    if run.live:
        lines += [
            "",
            "## Live",
            *(f"- {links.markdown(url, name)}" for name, url in run.live.items() if url),
        ]
    receipt = manifests["publish"].artefact if "publish" in manifests else None
    if receipt is not None and receipt.review:
        page = links.markdown(receipt.review, "review page")
        hint = f"`regie review {receipt.slug}` serves a file:// origin over HTTP"
        lines += ["", "## Review", f"- {page} for editors ({hint})"]
    sheet = manifests["shots"].artefact.contact_sheet if "shots" in manifests else None
    if sheet and (href := links.href(sheet)):
        lines += ["", "## Contact sheet", f"![contact sheet]({href})"]
    return "\n".join(lines) + "\n"


def failure_markdown(source_uri: str, error: BaseException | None, message: str) -> str:
    """A failed run's report: which asset, what failed and what to do about it."""
    if isinstance(error, MediaError):
        lines = [f"# {error.asset}: failed", "", f"**{type(error).__name__}**: {error.reason}"]
        lines += ["", f"What to do: {error.hint}"] if error.hint else []
    else:
        lines = [f"# {asset_slug(source_uri)}: failed", "", message]
    return "\n".join([*lines, "", f"Source: `{source_uri}`"]) + "\n"


@task(name="report-asset", task_run_name="report-{run.asset_id}", cache_policy=NO_CACHE)
def report_asset(run: AssetRun, manifests: dict[str, Manifest[Any]], links: BrowserLinks) -> None:
    """Publish the asset's report and tables as Prefect artifacts (versioned by asset and
    deployment)."""
    key = run_key(current_run.parameters["source_uri"], deployment.name)
    create_markdown_artifact(
        asset_markdown(run, manifests, links), key=f"{key}-report",
        description=f"{run.asset_id}: stages, timings, outputs",
    )  # fmt: skip
    for name, rows in asset_tables(manifests, links).items():
        create_table_artifact(rows, key=f"{key}-{name}", description=f"{run.asset_id}: {name}")


def report_failed_run(flow: Any, flow_run: FlowRun, state: State) -> None:
    """``on_failure`` hook: the failed run's report, under the key a successful one would use.
    (The parameters are named as in Prefect's ``FlowStateHook``.)"""
    source_uri = flow_run.parameters.get("source_uri", "")
    error = state.result(raise_on_failure=False)
    # State.name is Optional, though Prefect's validator names an unnamed state after its type
    message = state.message or state.name or state.type.value
    create_markdown_artifact(
        failure_markdown(source_uri, error if isinstance(error, BaseException) else None, message),
        key=f"{run_key(source_uri, deployment.name)}-report", description=f"{source_uri}: failed",
    )  # fmt: skip


def stage_progress(asset_id: str, total: int) -> Callable[[int], None]:
    """A progress bar of the asset's stages; call what it returns with the number done."""
    if not total:
        return lambda done: None
    progress = synced(
        create_progress_artifact(
            0.0, key=f"{artifact_key(asset_id)}-progress", description=f"{asset_id}: stages done"
        )
    )

    def update(done: int) -> None:
        update_progress_artifact(progress, 100 * done / total)

    return update
