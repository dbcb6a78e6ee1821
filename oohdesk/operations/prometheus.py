"""Writing metrics in the Prometheus text exposition format, version 0.0.4."""

import math
from dataclasses import dataclass, field


@dataclass
class Metric:
    name: str
    kind: str
    help: str
    samples: list[tuple[str, dict, float]] = field(default_factory=list)

    def add(self, value: float, suffix: str = "", **labels) -> None:
        self.samples.append((self.name + suffix, labels, value))


def _escape(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def render(metrics: list[Metric]) -> str:
    lines = []
    for metric in metrics:
        lines.append(f"# HELP {metric.name} {metric.help}")
        lines.append(f"# TYPE {metric.name} {metric.kind}")
        for name, labels, value in metric.samples:
            label_text = ",".join(f'{key}="{_escape(text)}"' for key, text in labels.items())
            lines.append(f"{name}{{{label_text}}} {_number(value)}" if label_text else f"{name} {_number(value)}")
    return "\n".join(lines) + "\n"
