"""report-asset task: what the Prefect UI shows of an asset (a markdown report and tables).

The builders are pure (manifests in, markdown and rows out); the task reads the manifests from the
store, so the report is the same whether the stages ran in this process or on other pools.
"""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed

from regie.artefacts import STAGE_ARTEFACTS, RenditionSet, ShotList, TagSet
from regie.stage import Manifest, read_manifest
from regie.storage import Storage
from tasks.summary import AssetRun

MAX_SHOT_ROWS = 500  # a feature film has ~2,000 shots: the full list is the CSV output


def artifact_key(asset_id: str) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    return "".join(c if c.isalnum() else "-" for c in asset_id.lower()).strip("-")


def stage_rows(run: AssetRun, manifests: dict[str, Manifest[Any]]) -> list[dict[str, Any]]:
    """One row per stage: what happened, how long it took (when it was done), where it is."""
    rows = []
    for stage in STAGE_ARTEFACTS:
        if stage in run.skipped:
            rows.append({"stage": stage, "status": f"skipped: {run.skipped[stage]}"})
        elif stage in manifests:
            provenance = manifests[stage].provenance
            rows.append({
                "stage": stage,
                "status": "reused" if stage in run.reused else "done",
                "seconds": round(provenance.duration_s, 2),
                "host": provenance.host,
                "manifest": run.manifests[stage],
            })  # fmt: skip
    return rows


def asset_tables(manifests: dict[str, Manifest[Any]]) -> dict[str, list[dict[str, Any]]]:
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
             "ssim": r.ssim, "encoder": ladder.encoder, "playlist": r.playlist}
            for r in ladder.renditions
        ]  # fmt: skip
    if "subtitles" in manifests:
        compliance = manifests["subtitles"].artefact.compliance
        tables["subtitle-compliance"] = [
            {"check": name, "value": value} for name, value in compliance.model_dump().items()
        ]
    if "tagging" in manifests:
        tags: TagSet = manifests["tagging"].artefact
        tables["tags"] = [
            {"qcode": t.qcode, "fr": t.label_fr, "en": t.label_en, "level": t.level,
             "score": round(t.score, 3), "ranges": _ranges(t.ranges)}
            for t in tags.topics
        ]  # fmt: skip
    return tables


def _ranges(ranges: list[tuple[float, float]]) -> str:
    return "; ".join(f"{start:.0f}-{end:.0f} s" for start, end in ranges)


def asset_markdown(run: AssetRun, manifests: dict[str, Manifest[Any]]) -> str:
    """The asset's report: stages with timings and links, what is live, the contact sheet."""
    lines = [
        f"# {run.asset_id}",
        "",
        "| stage | status | seconds | manifest |",
        "|---|---|---|---|",
    ]
    for row in stage_rows(run, manifests):
        link = f"[manifest]({row['manifest']})" if "manifest" in row else ""
        lines.append(f"| {row['stage']} | {row['status']} | {row.get('seconds', '')} | {link} |")
    if run.live:
        lines += ["", "## Live", *(f"- {name}: [{url}]({url})" for name, url in run.live.items())]
    if "shots" in manifests and manifests["shots"].artefact.contact_sheet:
        sheet = manifests["shots"].artefact.contact_sheet
        lines += ["", "## Contact sheet", f"![contact sheet]({sheet})", f"[{sheet}]({sheet})"]
    return "\n".join(lines) + "\n"


@task(name="report-asset", task_run_name="report-{run.asset_id}", cache_policy=NO_CACHE)
def report_asset(run: AssetRun, storage: Storage) -> None:
    """Publish the asset's report and tables as Prefect artifacts (versioned by asset)."""
    manifests = {
        stage: manifest
        for stage, url in run.manifests.items()
        if (manifest := read_manifest(storage, url, STAGE_ARTEFACTS[stage])) is not None
    }
    key = artifact_key(run.asset_id)
    create_markdown_artifact(
        asset_markdown(run, manifests), key=f"{key}-report", description="Stages, timings, outputs"
    )
    for name, rows in asset_tables(manifests).items():
        create_table_artifact(rows, key=f"{key}-{name}", description=f"{run.asset_id}: {name}")


def track_progress(asset_id: str, futures: list[PrefectFuture[Any]]) -> None:
    """Wait for ``futures``, showing the share of the asset's stages done as a progress bar."""
    if not futures:
        return
    progress = create_progress_artifact(
        0.0, key=f"{artifact_key(asset_id)}-progress", description=f"{asset_id}: stages done"
    )
    for done, _ in enumerate(as_completed(futures), start=1):
        update_progress_artifact(progress, 100 * done / len(futures))
