"""Prefect flows: ingest, analyse and export, each task one call into a package."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from pathlib import Path
from typing import Any

from flows import DEFAULT_WAREHOUSE
from flows.ingest import graph_client
from flows.orchestration import deployment_name, flow, flow_run_id, task, use_prefect
from flows.settings import ConfigError, Consultation, Settings, load_consultations, resolve_backend, salt
from sources.errors import UntrustedNextURL
from sources.graph import GraphPermissionError, TokenError
from warehouse import db, erase, load
from warehouse.store import Warehouse

# Prefect (flows.orchestration), scikit-learn, SciPy, pandas (models.corrections, warehouse.queries) and the export
# writers are imported by the stages that use them, so `civic-ideas ingest` loads none of them.
# The tasks take a `Warehouse` (warehouse.store) or its location string (tests, a notebook), never a connection.

log = logging.getLogger(__name__)
progress = logging.getLogger("civic_ideas.progress")  # stage lines the CLI shows on stderr

STAGES = ("ingest", "analyse", "export")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _retry_network_only(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a network-bound task, but never on a bad token, a missing permission, a paging link to another host or a
    config error: the same request would fail the same way."""
    try:
        state.result()
    except (TokenError, GraphPermissionError, UntrustedNextURL, ConfigError):
        return False
    except Exception:
        return True
    return False


@task(retries=1, retry_delay_seconds=5, retry_condition_fn=_retry_network_only)
def ingest_channel(warehouse: Warehouse | str, channel: str, consultation: Consultation, run_id: str = "",
                   page_id: str = "") -> dict[str, dict[str, Any]]:
    """Read a consultation's items of one channel (``flows.channels``: Facebook's posts, Instagram) and upsert them;
    counts per source (a post, a media). ``page_id``: the Facebook Page of consultations.toml."""
    warehouse = Warehouse.at(warehouse)
    from flows.channels import ChannelRun
    from flows.channels import channel as named

    reader = named(channel)
    settings = Settings()
    key = salt(settings)  # before any request: a missing salt fails fast
    run = ChannelRun(key, run_id, page_id, settings.full_rescan_hours, settings.fetch_threads)
    with graph_client(settings) as client:
        return reader.ingest(client, warehouse, consultation, run)


@task
def purge_raw_payloads(warehouse: Warehouse | str, older_than_days: int) -> int:
    """Retention: delete raw payloads older than the configured number of days."""
    warehouse = Warehouse.at(warehouse)
    with warehouse.session() as con:
        purged = erase.purge_raw(con, older_than_days, _now())
    if purged:
        log.info("purged %d raw payloads older than %d days", purged, older_than_days)
    return purged


def select_ideas(*args: Any, **kwargs: Any) -> Any:
    """`transforms.select.select_ideas`, imported at its first call (it loads scikit-learn's text tools)."""
    from transforms.select import select_ideas as select

    return select(*args, **kwargs)


@task
def find_ideas(warehouse: Warehouse | str, consultation: str) -> int:
    """Give a consultation's comments a kind, and redact the ideas among them; returns how many ideas there are.

    Only the comments changed since the last detection are read again, and those whose planner's verdict
    (`topics include` / `exclude`) changed since, unless the rules changed since then
    (``transforms.select.rules_version``): detection looks at one comment at a time, so the result is the same.
    """
    warehouse = Warehouse.at(warehouse)
    from models.corrections import corrected_kinds, idea_overrides, overrides_changed
    from transforms.select import comment_kinds, rules_version
    from warehouse import queries

    channel, version = "facebook", rules_version()
    with warehouse.session() as con:
        through = queries.comments_changed_through(con, consultation)
        state = queries.idea_detection_state(con, consultation, channel)
        overrides = idea_overrides(queries.corrections(con, consultation))
        incremental = state is not None and state[1] == version and state[0] is not None
        if incremental:
            again = sorted(overrides_changed(state[2], overrides))
            comments = queries.comments_changed_since(con, consultation, state[0], also_ids=again)
        else:
            comments = queries.comments_for_analysis(con, consultation)
        progress.info("%s: detecting ideas: %d comments%s", consultation, len(comments),
                      " new or changed since the last run" if incremental else "")
        kinds = corrected_kinds(comment_kinds(comments), overrides)
        ideas = select_ideas(comments, channel, kinds=kinds)
        return load.replace_ideas(
            con, consultation, ideas, channel,
            changed_ids=comments["comment_id"].astype(str).tolist() if incremental else None,
            excluded=sorted(i for i, keep in overrides.items() if not keep), detected_through=through,
            rules_version=version, kinds=kinds, overrides=overrides,
        )


@task
def find_imported_ideas(warehouse: Warehouse | str, consultation: str) -> int:
    """Give a consultation's imported items (`civic-ideas import`) a kind and redact the ideas among them, channel by
    channel; returns how many ideas there are.

    A channel's items are few (a meeting's notes, a batch of e-mails), so each analysis reads them all again: no
    incremental state is kept, and an edited, re-imported or erased item, or a planner's verdict, is always up to date.
    """
    warehouse = Warehouse.at(warehouse)
    from models.corrections import corrected_kinds, idea_overrides
    from transforms.imports import as_comments
    from transforms.select import comment_kinds
    from warehouse import queries

    total = 0
    with warehouse.session() as con:
        overrides = idea_overrides(queries.corrections(con, consultation))
        for channel in queries.imported_channels(con, consultation):
            items = as_comments(queries.imported_items(con, consultation, channel), channel)
            progress.info("%s: detecting ideas: %d items from channel %s", consultation, len(items), channel)
            kinds = corrected_kinds(comment_kinds(items), overrides)
            ideas = select_ideas(items, channel, kinds=kinds)
            total += load.replace_ideas(con, consultation, ideas, channel, kinds=kinds)
    return total


@task
def tag_places(warehouse: Warehouse | str, consultation: Consultation) -> int:
    """Tag a consultation's ideas with the places they name (the gazetteer and its own `places`); returns the tags."""
    warehouse = Warehouse.at(warehouse)
    from transforms.places import build_gazetteer, consultation_places, find_places
    from warehouse import places

    own = consultation_places([p if isinstance(p, str) else p.model_dump() for p in consultation.places])
    gazetteer = build_gazetteer(own)
    with warehouse.session() as con:
        texts = places.idea_texts(con, consultation.slug)
        rows = [(i, p.name, p.latitude, p.longitude) for i, text in texts for p in find_places(text, gazetteer)]
        return places.replace_idea_places(con, consultation.slug, rows)


@task
def cluster_topics(warehouse: Warehouse | str, consultation: Consultation, run_id: str,
                   refit_hours: float | None = None) -> int:
    """Cluster a consultation's ideas into topics that keep their ids from the previous run.

    With ``CIVIC_IDEAS_REFIT_HOURS`` > 0, a run soon after a full clustering places new and edited ideas in the
    stored model's topics instead, while few changed (``models.placement``). A semantic backend encodes only the
    texts whose vectors the warehouse does not hold yet (``warehouse.vectors``), and stores theirs. ``refit_hours``
    comes from the run's settings (`run_stages`); None reads them here."""
    warehouse = Warehouse.at(warehouse)
    from models.cluster import theme_text
    from models.corrections import apply_corrections, corrections_digest
    from models.embeddings import remembered_vectors, vector_model_id
    from models.placement import (
        ModelIntegrityError,
        TopicModel,
        fingerprint,
        inputs_digest,
        place,
        placement_plan,
        text_hashes,
    )
    from models.topics import analyse
    from warehouse import queries, vectors

    # the backend actually used (the default resolved) is what the fingerprint, the vectors and the run record
    consultation = consultation.model_copy(update={"backend": resolve_backend(consultation.backend)})
    themes = [t.model_dump() for t in consultation.themes] or None
    own = Settings() if refit_hours is None else None  # called alone (tests, a notebook): its own settings
    if own is not None:
        refit_hours = own.refit_hours
    # stored models are signed with the salt; missing: fail fast. A secret is read here, never a task parameter.
    signing = salt(own or Settings()) if refit_hours > 0 else b""
    key = fingerprint(consultation.language, consultation.backend, consultation.embeddings_model_path, themes)
    with warehouse.session() as con:
        ideas = queries.ideas_for_clustering(con, consultation.slug)
        progress.info("%s: clustering %d ideas", consultation.slug, len(ideas))
        rules = queries.corrections(con, consultation.slug)
        inputs = inputs_digest(ideas, rules, key)
        latest = queries.latest_topic_run(con, consultation.slug)
        stored = queries.topic_model(con, consultation.slug) if refit_hours > 0 else None
        fresh = stored is not None and (_now() - stored["fitted_at"]).total_seconds() < refit_hours * 3600
        # a placement is a stopgap (no new topic can form): once its model is due, the same inputs are refitted
        if latest is not None and latest[1].get("inputs") == inputs \
                and (latest[1].get("mode") != "placement" or fresh):
            log.info("%s: no idea, like or correction changed since topic run %s; its topics stand",
                     consultation.slug, latest[0])
            return latest[2]
        previous = queries.previous_assignments(con, consultation.slug)
        previous_sizes = queries.topic_sizes(con, consultation.slug, 1) or {}
        model_id = vector_model_id(consultation.backend, consultation.embeddings_model_path)
        # the planners' themes are encoded too (label and seeds as one text): theirs are kept like the ideas'
        theme_texts = [theme_text(t["label"], t["seeds"]) for t in themes or [] if t.get("label") and t.get("seeds")]
        known = vectors.load_vectors(con, model_id, ideas["text"].fillna("").astype(str).tolist() + theme_texts)
    hashes = text_hashes(ideas) if refit_hours > 0 else None
    result = None
    plan = None
    if fresh and previous is not None and stored["fingerprint"] == key:
        plan = placement_plan(hashes, stored["ideas"])
    with remembered_vectors(model_id, known) as memory:  # the encoder takes these instead of encoding again
        if plan is not None:
            try:
                result = place(ideas, previous, TopicModel.from_bytes(stored["model"], signing), stored["ideas"],
                               plan)
            except ModelIntegrityError as exc:  # never unpickled: a tampered warehouse must not run code
                log.warning("%s: %s (changed outside civic-ideas, or another salt); it is discarded and the ideas "
                            "are clustered again", consultation.slug, exc)
            except Exception as exc:  # noqa: BLE001 - an unreadable or stale model only costs a refit
                log.warning("could not place new ideas with the stored topic model (%s); clustering again", exc)
        if result is None:
            result = analyse(ideas, previous, language=consultation.language, themes=themes,
                             backend=consultation.backend, embeddings_model_path=consultation.embeddings_model_path)
    result.params["inputs"] = inputs
    if model_id:
        result.params["vectors"] = {"model": model_id, "stored": len(known), "encoded": memory.n_encoded}
    result.params["corrections"] = corrections_digest(rules)  # export re-applies only corrections made since
    assignments, topics = apply_corrections(result.assignments, result.topics, ideas, rules,
                                            previous_sizes=previous_sizes, language=consultation.language)
    topics["representative_ids"] = [json.dumps(list(v)) for v in topics["representative_ids"]]
    model = None
    if refit_hours > 0 and result.params.get("mode") != "placement":
        # a refit replaces the stored model (or removes it when there were too few ideas to fit one)
        model = (key, result.model.to_bytes(signing), hashes) if result.model is not None else ()
    with warehouse.session() as con:
        vectors.save_vectors(con, model_id, memory.new, _now())
        load.save_topic_run(
            con,
            topic_run_id=f"{run_id}:{consultation.slug}",
            run_id=run_id,
            consultation=consultation.slug,
            topics=topics,
            assignments=assignments,
            params=result.params,
            now=_now(),
            model=model,
        )
    return len(topics)


@task
def export_files(warehouse: Warehouse | str, consultation: Consultation, export_dir: str) -> list[str]:
    """Write a consultation's planner exports and show them as Prefect artifacts (when Prefect runs the flow)."""
    warehouse = Warehouse.at(warehouse)
    from warehouse import export
    from warehouse.corrections import reapply

    progress.info("exporting %s to %s", consultation.slug, Path(export_dir) / consultation.slug)

    with warehouse.session() as con:  # corrections made since the topic run show without clustering again
        reapply(con, consultation.slug)
    with warehouse.session(read_only=True) as con:  # exports follow the user's umask, not the warehouse's
        paths = export.export_consultation(con, consultation.slug, export_dir, title=consultation.title)
    if use_prefect():
        from flows import artifacts

        artifacts.publish_export(consultation.slug, paths)
    return [str(p) for p in paths]


def _run_id() -> str:
    return str(flow_run_id() or uuid.uuid4())


def _open_consultations(consultations: list[Consultation], settings: Settings) -> list[Consultation]:
    today = dt.date.today()
    open_ = [c for c in consultations if c.is_open(today, settings.close_grace_days)]
    for c in consultations:
        if c not in open_:
            log.info("consultation %s closed on %s; not polled any more", c.slug, c.closes)
    return open_


def run_stages(config_path: str, slugs: list[str] | None, stages: list[str], warehouse: Warehouse | str,
               export_dir: str, run_id: str, backend: str | None = None) -> dict[str, Any]:
    """Run the chosen stages for the chosen consultations; returns counts and export paths."""
    warehouse = Warehouse.at(warehouse)
    config = load_consultations(config_path)
    chosen = config.select(slugs)
    if "analyse" in stages:  # each consultation's topic backend: --backend, else its own, else the default
        chosen = [c.model_copy(update={"backend": resolve_backend(backend or c.backend)}) for c in chosen]
    # the settings of this run, read once (the token and the salt are read by the tasks that need them, so that
    # no secret becomes a task parameter); an export alone needs none
    settings = Settings() if {"ingest", "analyse"} & set(stages) else None
    counts: dict[str, Any] = {"comments_fetched": 0, "comments_changed": 0, "ideas": 0, "topics": 0, "exports": {},
                              "incomplete_posts": []}
    if "ingest" in stages:
        for c in _open_consultations(chosen, settings):
            from flows.channels import channels_of

            for channel in channels_of(c):  # flows.channels: Facebook's posts, then Instagram
                got_all = ingest_channel(warehouse, channel.name, c, run_id, config.facebook.page_id)
                if channel.comments:  # Facebook's: the run's comments
                    for post_id, got in got_all.items():
                        counts["comments_fetched"] += got["fetched"]
                        counts["comments_changed"] += got["changed"]
                        if not got["complete"]:
                            counts["incomplete_posts"].append(post_id)
                    continue
                tally = counts.setdefault("channel_items", {}).setdefault(channel.name, {"fetched": 0, "changed": 0})
                for source, got in got_all.items():  # counted apart from Facebook's comments
                    tally["fetched"] += got["fetched"]
                    tally["changed"] += got["changed"]
                    if not got["complete"]:
                        counts["incomplete_posts"].append(f"{channel.name}:{source}")
        purge_raw_payloads(warehouse, settings.raw_retention_days)
    if "analyse" in stages:
        for c in chosen:
            counts["ideas"] += find_ideas(warehouse, c.slug) + find_imported_ideas(warehouse, c.slug)
            tag_places(warehouse, c)
            counts["topics"] += cluster_topics(warehouse, c, run_id, refit_hours=settings.refit_hours)
    if "export" in stages:
        for c in chosen:
            counts["exports"][c.slug] = export_files(warehouse, c, export_dir)
    return counts


def _topic_backends(config_path: str, slugs: list[str] | None, backend: str | None) -> dict[str, str]:
    """Per consultation, the topic backend the run uses (recorded with the run); {} when the config is unreadable
    (the run then fails on it, and says why)."""
    try:
        return {c.slug: resolve_backend(backend or c.backend) for c in load_consultations(config_path).select(slugs)}
    except ConfigError:
        return {}


def _record_run(flow_name: str, warehouse: Warehouse, run_id: str, parameters: dict[str, Any], body: Any) -> Any:
    """Run `body()` between a `runs` row that says it started and one that says how it ended (and why)."""
    with warehouse.session() as con:
        db.create_views(con)  # views are recreated once per run, in dependency order
        load.start_run(con, run_id, flow_name, deployment_name(), parameters, _now())
    try:
        result = body()
    except Exception as exc:
        with warehouse.session() as con:
            load.finish_run(con, run_id, "FAILED", _now(), message=f"{type(exc).__name__}: {exc}")
        raise
    with warehouse.session() as con:
        load.finish_run(con, run_id, "COMPLETED", _now(), counts=result)
    return result


@flow(name="civic-ideas-run")
def run_flow(
    config_path: str = "consultations.toml",
    consultations: list[str] | None = None,
    stages: list[str] | None = None,
    warehouse: str = DEFAULT_WAREHOUSE,
    export_dir: str = "exports",
    backend: str | None = None,
) -> dict[str, Any]:
    """Ingest, analyse and export the consultations of a consultations.toml, as one flow run.

    ``backend`` ("tfidf", "embeddings" or "multilingual") overrides each consultation's topic backend for this run;
    without it and without one in the consultation, the default (``flows.settings.resolve_backend``)."""
    stages = list(stages or STAGES)
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        raise ConfigError(f"unknown stage {', '.join(unknown)}: choose from {', '.join(STAGES)}")
    run_id = _run_id()
    parameters = {"config_path": config_path, "consultations": consultations, "stages": stages}
    if backend:
        parameters["backend"] = backend
    if "analyse" in stages:
        parameters["topic_backends"] = _topic_backends(config_path, consultations, backend)
    store = Warehouse.at(warehouse)  # the flow's parameter stays a string: a deployment's parameters are JSON
    with db.private_files():  # the warehouse's folder, when the run makes it, is the owner's only
        store.path.parent.mkdir(parents=True, exist_ok=True)
    with store.writer_lock():
        counts = _record_run(
            "civic-ideas-run", store, run_id, parameters,
            lambda: run_stages(config_path, consultations, stages, store, export_dir, run_id, backend),
        )
        store.snapshot()
    return counts
