"""Which models a catalog is made of, and their labels, whatever the user's rights.

Three ways, one per run, said once in the log:

1. A catalog given (meltano passes one on every run): the models it selects (and those of the
   named streams), labelled by `ir.model.display_name_for` in one call. ir.model is not read.
2. `ir.model` when this user may read it (administrators): every model with its label;
   transient models are dropped, and abstract ones where ir.model says so (Odoo 19).
3. `ir.model.get_available_models()` when Odoo refuses ir.model (an integration user without
   the Access Rights group): the models the web client's model selector offers this user, with
   their labels. From Odoo 17 Odoo leaves out transient and abstract models there itself
   (`_is_valid_for_model_selector` in web/models/ir_model.py: `not model._transient and not
   model._abstract`), so wizards and mixins stay out without reading ir.model. Odoo 16's lists
   every model the user may read, wizards included (`is_transient` cannot be called over RPC):
   a note says so once; `exclude_models` leaves them out.

A model the selector does not list (a named stream's, a catalog's, or a `models` entry without
globs) is labelled with its own name when it exists, so it meets the same rules as for an
administrator: refused read access -> left out with the usual warning (a catalog's: an error),
missing -> "app not installed" / an error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any

from odoo_client import errors
from tap_odoo.presets import major_version

SELECTOR_SKIPS_WIZARDS_SINCE = 17
GLOB_CHARACTERS = "*?["


def list_models(
    client: Any,
    logger: logging.Logger,
    *,
    required: Collection[str],
    named: Collection[str],
    from_ir_model: Callable[[Any], list[tuple[str, str]]],
    can_read: Callable[[str], bool],
) -> list[tuple[str, str]]:
    """(model, label) of the models discovery may make streams of.

    `required`: the models a given catalog selects (then nothing is listed); `named`: models
    that must be known even when not listed (named streams, `models` entries without globs);
    `from_ir_model`: the ir.model listing; `can_read`: the read-access check, which raises
    `errors.UnknownModelError` for a model the database lacks.
    """
    if required:
        wanted = sorted(set(required) | set(named))
        found = _labelled(client, wanted, can_read)
        logger.info(
            "Catalog: the %d model(s) the given catalog selects, labelled by "
            "ir.model.display_name_for (ir.model is not read).",
            len(found),
        )
        return found
    try:
        found = from_ir_model(client)
    except errors.AccessDeniedError:
        pass
    else:
        logger.info("Catalog: models from ir.model (%d, transient ones left out).", len(found))
        return found
    found = _available(client)
    listed = {model for model, _ in found}
    found += _labelled(client, sorted(set(named) - listed), can_read)
    logger.info(
        "Catalog: models from ir.model.get_available_models (%d: the models Odoo's web client "
        "offers this user; ir.model itself is closed to it and not needed)%s.",
        len(listed),
        _wizard_note(client),
    )
    return found


def literal_names(patterns: Collection[str] | None) -> list[str]:
    """The entries of `models` that name one model (no glob characters)."""
    return [p for p in patterns or () if not any(c in p for c in GLOB_CHARACTERS)]


def _available(client: Any) -> list[tuple[str, str]]:
    try:
        rows = client.call("ir.model", "get_available_models")
    except errors.UnknownMethodError:
        raise errors.AccessDeniedError(
            "This user may not read ir.model (the list of models), and this Odoo has no "
            "ir.model.get_available_models (Odoo 16 and later have it). Give the user the "
            "'Access Rights' group (Settings > Users), or pass a catalog.",
            operation="read",
            model="ir.model",
        ) from None
    return [(row["model"], row.get("display_name") or row["model"]) for row in rows]


def _labelled(
    client: Any, models: list[str], can_read: Callable[[str], bool]
) -> list[tuple[str, str]]:
    """(model, label) of the models that exist, in the given order. Labels come from
    display_name_for (one call); it answers a model's own name for a model it leaves out
    (unknown, unreadable, transient, abstract), and only those are asked whether they exist."""
    if not models:
        return []
    try:
        rows = client.call("ir.model", "display_name_for", models)
        labels = {row["model"]: row.get("display_name") or row["model"] for row in rows}
    except errors.UnknownMethodError:  # Odoo 15 and earlier
        labels = {}
    found = []
    for model in models:
        label = labels.get(model, model)
        if label == model and not _exists(model, can_read):
            continue
        found.append((model, label))
    return found


def _exists(model: str, can_read: Callable[[str], bool]) -> bool:
    try:
        can_read(model)
    except errors.UnknownModelError:
        return False
    return True


def _wizard_note(client: Any) -> str:
    major = major_version(getattr(client, "server_version_info", None))
    if major is not None and major < SELECTOR_SKIPS_WIZARDS_SINCE:
        return (
            f"; Odoo {major} lists the wizard (transient) models the user may open there too, "
            "which cannot be told apart without ir.model: leave them out with exclude_models"
        )
    return "; Odoo leaves out transient and abstract models there"
