"""Analytics per scenario version: choice counts, common paths, averages, drop-out points."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.scenarios.graph import Graph
from lms.scenarios.models import RunStatus, Scenario, ScenarioRun, ScenarioStep


def analytics(session: Session, scenario: Scenario) -> dict:
    graph = Graph(scenario.doc)
    counts = dict(
        session.execute(
            select(ScenarioStep.node_id.concat(":").concat(ScenarioStep.choice_index), func.count())
            .join(ScenarioRun, ScenarioRun.id == ScenarioStep.run_id)
            .where(ScenarioRun.scenario_id == scenario.id, ScenarioStep.undone.is_(False))
            .group_by(ScenarioStep.node_id, ScenarioStep.choice_index)
        ).all()
    )
    decisions = []
    for node in graph.nodes.values():
        if node["kind"] != "decision":
            continue
        rows = [
            {"label": c["label"], "points": c.get("points", 0), "count": counts.get(f"{node['id']}:{i}", 0)}
            for i, c in enumerate(node["choices"])
        ]
        total = sum(r["count"] for r in rows)
        for row in rows:
            row["share"] = round(100 * row["count"] / total) if total else 0
        decisions.append({"node": node, "rows": rows, "total": total})
    runs = list(session.scalars(select(ScenarioRun).where(ScenarioRun.scenario_id == scenario.id)))
    finished = [r for r in runs if r.status == RunStatus.finished]
    steps = session.execute(
        select(ScenarioStep.run_id, ScenarioStep.node_id, ScenarioStep.choice_index)
        .join(ScenarioRun, ScenarioRun.id == ScenarioStep.run_id)
        .where(
            ScenarioRun.scenario_id == scenario.id,
            ScenarioRun.status == RunStatus.finished,
            ScenarioStep.undone.is_(False),
        )
        .order_by(ScenarioStep.run_id, ScenarioStep.seq)
    ).all()
    paths: dict[int, list[str]] = {}
    for run_id, node_id, index in steps:
        paths.setdefault(run_id, []).append(f"{node_id}→{index + 1}")
    endings = {r.id: r.current_node for r in finished}
    common = Counter(" · ".join(paths.get(r.id, [])) + f" ⇒ {endings[r.id]}" for r in finished).most_common(5)
    dropouts = Counter(r.current_node for r in runs if r.status != RunStatus.finished)  # incl. abandoned
    scores = [float(r.score) for r in finished if r.score is not None]
    return {
        "decisions": decisions,
        "runs": len(runs),
        "finished": len(finished),
        "learners": len({r.user_id for r in runs}),
        "average": round(sum(scores) / len(scores), 2) if scores else None,
        "pass_rate": round(100 * sum(1 for r in finished if r.passed) / len(finished)) if finished else None,
        "common_paths": common,
        "dropouts": [(graph.nodes.get(n, {"id": n, "title": n}), c) for n, c in dropouts.most_common()],
    }
