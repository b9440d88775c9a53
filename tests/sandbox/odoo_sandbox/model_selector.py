"""Model methods any internal user may call, even without read access to ir.model / ir.model.data.

- `ir.model.get_available_models()` and `ir.model.display_name_for(models)` (Odoo's `web`
  module, behind the domain editor's model selector): the models the user may read, with their
  labels. From Odoo 17 both leave out transient and abstract models
  (`_is_valid_for_model_selector`: `not model._transient and not model._abstract`); Odoo 16
  checks read access only. `display_name_for` answers a model it leaves out (unknown,
  unreadable, transient, abstract) with its own name as label.
- `ir.model.data.check_object_reference(module, xml_id, raise_on_access_error=False)`:
  `[model, res_id]` of an external id, read with superuser rights; the record's own model must
  be readable (`search` checks it, raising AccessError otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .exceptions import ACCESS_ERROR, VALUE_ERROR, OdooServerException

if TYPE_CHECKING:
    from .engine import BaseModel
    from .registry import Model

# The first Odoo version each method exists in (Odoo's web module / base).
SINCE = {"get_available_models": 16, "display_name_for": 16, "check_object_reference": 8}
SELECTOR_SKIPS_WIZARDS_SINCE = 17


def _selectable(self: BaseModel, model: Model) -> bool:
    engine = self._engine
    if not engine.security.allowed(self._env.uid, model, "read"):
        return False
    if engine.version >= SELECTOR_SKIPS_WIZARDS_SINCE:
        return not model.transient and not model.abstract
    return True


def _labels(self: BaseModel, models: list[Model]) -> list[dict[str, str]]:
    """`_display_name_for`: read as superuser, by label (as recorded)."""
    return [
        {"display_name": model.description, "model": model.name}
        for model in sorted(models, key=lambda m: (m.description, m.name))
    ]


def get_available_models(self: BaseModel) -> list[dict[str, str]]:
    models = self._engine.models.values()
    return _labels(self, [model for model in models if _selectable(self, model)])


def display_name_for(self: BaseModel, models: Any) -> list[dict[str, str]]:
    known = self._engine.models
    found, left_out = [], []
    for name in models:
        model = known.get(name) if isinstance(name, str) else None
        if model is not None and _selectable(self, model):
            found.append(model)
        else:
            left_out.append({"display_name": name, "model": name})
    return _labels(self, found) + left_out


def check_object_reference(
    self: BaseModel, module: Any, xml_id: Any, raise_on_access_error: bool = False
) -> list:
    storage = self._engine.storage
    row = storage.execute(
        "SELECT model, res_id FROM ir_model_data WHERE module = ? AND name = ?",
        (module, xml_id),
    ).fetchone()
    if row is None:
        raise OdooServerException(
            VALUE_ERROR, f"External ID not found in the system: {module}.{xml_id}"
        )
    model_name, res_id = row
    model = self._engine.models.get(model_name)
    security = self._engine.security
    if model is None or not security.allowed(self._env.uid, model, "read"):
        if model is None:
            raise OdooServerException(VALUE_ERROR, f"Object {model_name} doesn't exist")
        raise security.access_error(self._env.uid, model, "read")
    if self._orm.existing(model, [res_id]):
        return [model_name, res_id]
    if raise_on_access_error:
        raise OdooServerException(
            ACCESS_ERROR, f"Not enough access rights on the external ID {module}.{xml_id!r}"
        )
    return [model_name, False]


METHODS: dict[str, dict[str, Callable]] = {
    "ir.model": {
        "get_available_models": get_available_models,
        "display_name_for": display_name_for,
    },
    "ir.model.data": {"check_object_reference": check_object_reference},
}


def method_of(model: Model, method: str, version: int) -> Callable | None:
    """The function answering `model.method` on this Odoo version, if it is one of these."""
    func = METHODS.get(model.name, {}).get(method)
    if func is None or version < SINCE[method]:
        return None
    return func
