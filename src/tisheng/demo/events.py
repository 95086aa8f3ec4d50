"""Audit events of the demo city."""

from tisheng.core import audit


def demo_city_built(*, actor, city, counts: dict) -> None:
    audit.record(
        kind="demo.built", actor=actor, target=city, summary=f"生成演示数据 {city.name}", data=counts
    )
