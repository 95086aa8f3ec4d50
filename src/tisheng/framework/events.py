from tisheng.core import audit


def local_point_added(*, actor, point) -> None:
    audit.record(
        kind="ability_point.local_added",
        actor=actor,
        target=point,
        summary=f"新增地方特色能力点 {point.code}（{point.city.name}）",
        data={
            "framework": point.framework.code,
            "environment": point.environment,
            "dimension": point.dimension,
        },
    )
