"""Odoo domains (prefix notation) compiled to SQLite WHERE clauses, with Odoo's error messages.

Dotted paths through many2one fields and conditions on x2many fields become `IN (SELECT ...)`
subqueries, so no aliases are needed: every subquery only names the columns of its own table.
"""

from __future__ import annotations

from typing import Any

from .exceptions import INDEX_ERROR, TYPE_ERROR, VALUE_ERROR, OdooServerException
from .registry import Field, Model
from .storage import quote

OPERATORS = {
    "=",
    "!=",
    "<>",
    "<=",
    "<",
    ">",
    ">=",
    "=?",
    "=like",
    "=ilike",
    "like",
    "not like",
    "ilike",
    "not ilike",
    "in",
    "not in",
    "child_of",
    "parent_of",
    "any",
    "not any",
}
NEGATIVE = {"!=", "<>", "not in", "not like", "not ilike", "not any"}
LOGIC = {"&": 2, "|": 2, "!": 1}
TRUE_LEAF = (1, "=", 1)
FALSE_LEAF = (0, "=", 1)
TEXT_TYPES = ("char", "text", "html", "selection")


def _error(name: str, message: str) -> OdooServerException:
    return OdooServerException(name, message)


def _leaf_repr(leaf: Any) -> str:
    return repr(tuple(leaf))


class DomainCompiler:
    """Turns a domain on a model into (sql, params) for `WHERE`."""

    def __init__(self, models: dict[str, Model], version: int) -> None:
        self.models = models
        self.version = version

    # ---- normalization ------------------------------------------------------------------------
    def normalize(self, domain: Any) -> list:
        """Odoo's normalize_domain with its errors: implicit '&', arity checked."""
        if domain is None or domain is False:
            return []
        if not isinstance(domain, (list, tuple)):
            if self.version >= 19:
                raise _error(TYPE_ERROR, f"Domain() invalid argument type for domain: {domain!r}")
            if isinstance(domain, str) and domain:
                raise _error(INDEX_ERROR, "string index out of range")
            raise _error(TYPE_ERROR, f"'{type(domain).__name__}' object is not subscriptable")
        if not domain:
            return []
        self._check_tokens_v17(domain)
        result: list = []
        expected = 1
        for token in domain:
            if expected == 0:
                result[0:0] = ["&"]
                expected = 1
            if isinstance(token, (list, tuple)):
                expected -= 1
                result.append(tuple(token))
            else:
                expected += (LOGIC.get(token, 0) if isinstance(token, str) else 0) - 1
                result.append(token)
        if expected != 0:
            if self.version >= 19:
                raise _error(VALUE_ERROR, f"Domain() malformed domain {list(domain)!r}")
            raise _error(
                "builtins.AssertionError",
                f"This domain is syntactically not correct: {list(domain)!r}",
            )
        return result

    def _check_tokens_v17(self, domain: list | tuple) -> None:
        """Odoo 17 indexes tokens from the end (expression.is_false) before validating them."""
        for token in reversed(domain):
            if isinstance(token, str) and token in LOGIC:
                continue
            if isinstance(token, str):
                if len(token) < 2:
                    if self.version >= 19:
                        break
                    raise _error(INDEX_ERROR, "string index out of range")
                continue
            if isinstance(token, (list, tuple)):
                if len(token) < 2 or (len(token) == 2 and token[1] == "in"):
                    raise _error(INDEX_ERROR, "tuple index out of range")
                continue
            if token is True or token is False:
                continue
            raise _error(TYPE_ERROR, f"'{type(token).__name__}' object is not subscriptable")

    def mentions(self, domain: list, fname: str) -> bool:
        return any(isinstance(t, tuple) and t and t[0] == fname for t in domain)

    # ---- compilation --------------------------------------------------------------------------
    def compile(self, model: Model, domain: Any, active_test: bool = True) -> tuple[str, list]:
        """SQL condition and params selecting the rows of `model` that match `domain`."""
        tokens = self.normalize(domain)
        params: list = []
        sql = self._compile_tokens(model, tokens, params) if tokens else "1"
        if active_test and model.has_active and not self.mentions(tokens, "active"):
            sql = f"({sql}) AND {quote('active')} = 1" if sql != "1" else f"{quote('active')} = 1"
        return sql, params

    def _compile_tokens(self, model: Model, tokens: list, params: list) -> str:
        stack: list[tuple[str, list]] = []
        for token in reversed(tokens):
            if isinstance(token, tuple):
                p: list = []
                stack.append((self._leaf(model, token, p), p))
            elif token == "!":
                sql, p = stack.pop()
                stack.append((f"(NOT ({sql}))", p))
            elif token in ("&", "|"):
                left, lp = stack.pop()
                right, rp = stack.pop()
                op = "AND" if token == "&" else "OR"
                stack.append((f"({left} {op} {right})", lp + rp))
            else:
                p = []
                stack.append((self._leaf(model, token, p), p))
        sql, p = stack.pop()
        params.extend(p)
        return sql

    def _invalid_leaf(self, leaf: tuple) -> OdooServerException:
        if self.version >= 19:
            return _error(VALUE_ERROR, f"Invalid operator in condition {_leaf_repr(leaf)}")
        return _error(VALUE_ERROR, f"Invalid leaf {_leaf_repr(leaf)}")

    def _leaf(self, model: Model, leaf: Any, params: list) -> str:
        if not isinstance(leaf, tuple):
            if leaf is True:
                return "1"
            if leaf is False:
                return "0"
            raise self._invalid_leaf((leaf,))
        if leaf in (TRUE_LEAF, (True, "=", 1)):
            return "1"
        if leaf == FALSE_LEAF:
            return "0"
        if len(leaf) != 3:
            raise self._invalid_leaf(leaf)
        left, operator, right = leaf
        if not isinstance(operator, str) or operator.lower() not in OPERATORS:
            raise self._invalid_leaf(leaf)
        if not isinstance(left, str) or not left:
            raise self._invalid_leaf(leaf)
        operator = operator.lower()
        if operator == "<>":
            operator = "!="
        path = left.split(".")
        field = model.fields.get(path[0])
        if field is None:
            word = "condition" if self.version >= 19 else "leaf"
            raise _error(
                VALUE_ERROR, f"Invalid field {model.name}.{path[0]} in {word} {_leaf_repr(leaf)}"
            )
        return self._field_condition(model, field, path, operator, right, leaf, params)

    def _field_condition(
        self,
        model: Model,
        field: Field,
        path: list[str],
        operator: str,
        right: Any,
        leaf: tuple,
        params: list,
    ) -> str:
        if operator == "=?":
            if right is False or right is None:
                return "1"
            operator = "="
        if not field.store or field.company_dependent:
            return self._non_stored(model, field, path, operator, right, leaf, params)
        comodel = self.models.get(field.relation or "")
        if len(path) > 1:
            if field.type not in ("many2one", "one2many", "many2many") or comodel is None:
                raise _error(
                    VALUE_ERROR,
                    f"Invalid field {model.name}.{'.'.join(path)} in leaf {_leaf_repr(leaf)}",
                )
            sub_leaf = (".".join(path[1:]), operator, right)
            if field.type == "many2one":
                sub_sql = self._compile_tokens(comodel, [sub_leaf], params)
                col = quote(field.name)
                cond = f"{col} IN (SELECT id FROM {quote(comodel.table)} WHERE {sub_sql})"
                if operator in NEGATIVE or (operator in ("=", "in") and self._has_false(right)):
                    cond = f"({col} IS NULL OR {cond})"
                return cond
            return self._x2many_in(model, field, comodel, [sub_leaf], params)
        if operator in ("any", "not any"):
            if comodel is None or field.type not in ("many2one", "one2many", "many2many"):
                raise self._invalid_leaf(leaf)
            sub = self.normalize(right)
            if field.type == "many2one":
                sub_sql = self._compile_tokens(comodel, sub, params) if sub else "1"
                cond = (
                    f"{quote(field.name)} IN (SELECT id FROM {quote(comodel.table)} "
                    f"WHERE {sub_sql})"
                )
            else:
                cond = self._x2many_in(model, field, comodel, sub, params)
            return f"(NOT {cond})" if operator == "not any" else cond
        if operator in ("child_of", "parent_of"):
            return self._hierarchy(model, field, operator, right, params)
        if field.type in ("one2many", "many2many"):
            return self._x2many_leaf(model, field, comodel, operator, right, params)
        if field.type == "many2one" and comodel is not None and self._is_name_value(right):
            sub = [(comodel.rec_name, operator, right)]
            sub_sql = self._compile_tokens(comodel, sub, params)
            col = quote(field.name)
            cond = f"{col} IN (SELECT id FROM {quote(comodel.table)} WHERE {sub_sql})"
            if operator in NEGATIVE:
                return f"({col} IS NULL OR {cond})"
            return cond
        return self._column_condition(quote(field.name), field, operator, right, params)

    @staticmethod
    def _has_false(right: Any) -> bool:
        if isinstance(right, (list, tuple)):
            return any(v is False or v is None for v in right)
        return right is False or right is None

    @staticmethod
    def _is_name_value(right: Any) -> bool:
        if isinstance(right, str):
            return True
        return (
            isinstance(right, (list, tuple))
            and bool(right)
            and all(isinstance(v, str) for v in right)
        )

    def _non_stored(
        self,
        model: Model,
        field: Field,
        path: list[str],
        operator: str,
        right: Any,
        leaf: tuple,
        params: list,
    ) -> str:
        if field.related:
            new_path = field.related.split(".") + path[1:]
            first = model.fields.get(new_path[0])
            if first is not None and first.store:
                return self._field_condition(model, first, new_path, operator, right, leaf, params)
        if field.name == "display_name" and model.rec_name in model.fields:
            rec = model.fields[model.rec_name]
            if rec.store:
                return self._field_condition(model, rec, [rec.name], operator, right, leaf, params)
        # Odoo 17 logs "Non-stored field ... cannot be searched." and ignores the condition.
        # Conditions on company-dependent fields (searchable in Odoo) are ignored here too.
        return "1"

    def _x2many_in(
        self, model: Model, field: Field, comodel: Model, sub: list, params: list
    ) -> str:
        sub_sql = self._compile_tokens(comodel, sub, params) if sub else "1"
        if comodel.has_active and not self.mentions(sub, "active"):
            sub_sql = f"({sub_sql}) AND active = 1"
        if field.type == "many2many":
            rel = quote(model.m2m_table(field.name))
            return (
                f"id IN (SELECT id1 FROM {rel} WHERE id2 IN "
                f"(SELECT id FROM {quote(comodel.table)} WHERE {sub_sql}))"
            )
        inverse = field.relation_field
        if not inverse or inverse not in comodel.fields or not comodel.fields[inverse].is_column:
            return "0"
        return (
            f"id IN (SELECT {quote(inverse)} FROM {quote(comodel.table)} "
            f"WHERE {quote(inverse)} IS NOT NULL AND ({sub_sql}))"
        )

    def _x2many_leaf(
        self,
        model: Model,
        field: Field,
        comodel: Model | None,
        operator: str,
        right: Any,
        params: list,
    ) -> str:
        if comodel is None:
            return "0"
        if right is False or right is None or right == []:
            if operator in ("=", "in"):
                return f"(NOT {self._x2many_in(model, field, comodel, [], params)})"
            if operator in ("!=", "not in"):
                return self._x2many_in(model, field, comodel, [], params)
        if self._is_name_value(right) or operator in (
            "like",
            "ilike",
            "not like",
            "not ilike",
            "=like",
            "=ilike",
        ):
            positive = {"!=": "=", "not in": "in", "not like": "like", "not ilike": "ilike"}
            op = positive.get(operator, operator)
            cond = self._x2many_in(model, field, comodel, [(comodel.rec_name, op, right)], params)
            return f"(NOT {cond})" if operator in positive else cond
        ids = list(right) if isinstance(right, (list, tuple)) else [right]
        if operator in ("=", "in"):
            return self._x2many_in(model, field, comodel, [("id", "in", ids)], params)
        if operator in ("!=", "not in"):
            cond = self._x2many_in(model, field, comodel, [("id", "in", ids)], params)
            return f"(NOT {cond})"
        return "0"

    def _hierarchy(
        self, model: Model, field: Field, operator: str, right: Any, params: list
    ) -> str:
        """child_of / parent_of through the target model's parent_id (a recursive CTE)."""
        target = model if field.name == "id" else self.models.get(field.relation or "")
        values = right if isinstance(right, (list, tuple)) else [right]
        ids = [i for i in values if isinstance(i, int) and not isinstance(i, bool)]
        if target is None or field.type == "one2many":
            return self._column_condition("id", model.fields["id"], "in", ids, params)
        table = quote(target.table)
        marks = ", ".join("?" * len(ids)) or "NULL"
        params.extend(ids)
        parent = target.fields.get("parent_id")
        if parent is None or not parent.is_column:
            cte = f"SELECT id FROM {table} WHERE id IN ({marks})"
        elif operator == "child_of":
            cte = (
                f"WITH RECURSIVE h(id) AS (SELECT id FROM {table} WHERE id IN ({marks}) "
                f"UNION SELECT t.id FROM {table} t JOIN h ON t.parent_id = h.id) SELECT id FROM h"
            )
        else:
            cte = (
                f"WITH RECURSIVE h(id) AS (SELECT id FROM {table} WHERE id IN ({marks}) "
                f"UNION SELECT t.parent_id FROM {table} t JOIN h ON t.id = h.id "
                "WHERE t.parent_id IS NOT NULL) SELECT id FROM h"
            )
        if field.type == "many2many":
            rel = quote(model.m2m_table(field.name))
            return f"id IN (SELECT id1 FROM {rel} WHERE id2 IN ({cte}))"
        return f"{quote(field.name)} IN ({cte})"

    def _column_condition(
        self, col: str, field: Field, operator: str, right: Any, params: list
    ) -> str:
        ftype = field.type
        if operator in ("in", "not in"):
            values = list(right) if isinstance(right, (list, tuple, set)) else [right]
            has_null = any(v is False or v is None for v in values) and ftype != "boolean"
            values = [
                self._sql_value(field, v)
                for v in values
                if not ((v is False or v is None) and ftype != "boolean")
            ]
            if ftype == "boolean":
                truthy = {bool(v) for v in values}
                cond = (
                    " OR ".join(
                        f"{col} = 1" if t else f"({col} IS NULL OR {col} = 0)" for t in truthy
                    )
                    or "0"
                )
                return f"({cond})" if operator == "in" else f"(NOT ({cond}))"
            if values:
                params.extend(values)
                base = f"{col} IN ({', '.join('?' * len(values))})"
            else:
                base = "0"
            if operator == "in":
                return f"({base} OR {col} IS NULL)" if has_null else base
            if has_null:
                return f"(NOT ({base}) AND {col} IS NOT NULL)"
            return f"(NOT ({base}) OR {col} IS NULL)"
        if right is False or right is None:
            if ftype == "boolean":
                return f"({col} IS NULL OR {col} = 0)" if operator == "=" else f"{col} = 1"
            empty = f"({col} IS NULL OR {col} = '')" if ftype in TEXT_TYPES else f"{col} IS NULL"
            if operator == "=":
                return empty
            if operator == "!=":
                return f"(NOT {empty})"
        if ftype == "boolean" and operator in ("=", "!="):
            truth = bool(right)
            positive = f"{col} = 1" if truth else f"({col} IS NULL OR {col} = 0)"
            return positive if operator == "=" else f"(NOT {positive})"
        if operator in ("like", "ilike", "not like", "not ilike", "=like", "=ilike"):
            pattern = "" if right is False or right is None else str(right)
            if operator in ("=like", "=ilike"):
                escape = ""
            else:
                pattern = (
                    "%"
                    + pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                    + "%"
                )
                escape = " ESCAPE '\\'"
            params.append(pattern)
            if "ilike" in operator:
                cond = f"LOWER({col}) LIKE LOWER(?){escape}"
            else:
                cond = f"{col} LIKE ?{escape}"
            if operator.startswith("not"):
                return f"({col} IS NULL OR NOT ({cond}))"
            return cond
        if ftype == "datetime" and isinstance(right, str) and len(right) == 10:
            # Odoo widens a date given for a datetime: the whole day for '>' and '<='.
            right += " 23:59:59" if operator in (">", "<=") else " 00:00:00"
        params.append(self._sql_value(field, right))
        sql_op = {"=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}[operator]
        if operator == "!=":
            return f"({col} != ? OR {col} IS NULL)"
        return f"{col} {sql_op} ?"

    @staticmethod
    def _sql_value(field: Field, value: Any) -> Any:
        if field.type == "boolean":
            return 1 if value else 0
        if isinstance(value, (list, tuple)):
            return str(value)
        if isinstance(value, dict):
            return str(value)
        return value
