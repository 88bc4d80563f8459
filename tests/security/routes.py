"""Every rule of ``app.url_map`` as a concrete URL: path arguments get plausible values (an
existing object of the ``world`` fixture where the argument name says which, else 1 for ints
and "x" for strings), so routes added later by any feature are covered without a list here."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Rule

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def plausible_values(world, profile) -> dict[str, object]:
    return {
        "user_id": world.learner_b.id,
        "public_id": profile.public_id,
        "code": "vi",
        "filename": "css/app.css",
        "fmt": "csv",
        "position": 1,
    }


def url_for_rule(rule: Rule, known: dict[str, object]) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if name in known:
            values[name] = known[name]
        else:
            values[name] = 1 if isinstance(converter, IntegerConverter) else "x"
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"cannot build {rule.rule} from {values}"
    return built[1]


def rules(app, method: str) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if method in r.methods), key=lambda r: r.rule)
