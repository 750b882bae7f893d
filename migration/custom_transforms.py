"""DynamicTransform nodes for our custom visual transforms, built from their JSON configs (the registry)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from glueforge import visual_transforms
from glueforge.visual_transforms import TransformPackage, TransformSpec
from migration.options import MigrationOptions


class MissingTransform(LookupError):
    """A step needs a custom transform that is not in the registry (or is invalid)."""


@dataclass
class TransformCatalog:
    """The transform registry, discovered once per migration run (5,000 jobs must not re-read the JSON)."""

    _packages: dict[str, TransformPackage] | None = None

    def spec(self, name: str) -> TransformSpec:
        if self._packages is None:
            self._packages = visual_transforms.discover()
        package = self._packages.get(name)
        if package is None:
            raise MissingTransform(f"custom transform {name!r} is not in the registry (transforms/{name}/)")
        if not package.valid or package.spec is None:
            raise MissingTransform(f"custom transform {name!r} is invalid: {'; '.join(package.problems)}")
        return package.spec

    def has(self, name: str) -> bool:
        try:
            self.spec(name)
        except MissingTransform:
            return False
        return True


@dataclass
class CustomNodes:
    """Builds DynamicTransform node fields for one job and remembers which transforms it used."""

    catalog: TransformCatalog
    options: MigrationOptions
    used: set[str] = field(default_factory=set)

    def node(self, transform: str, *, node_name: str, input_id: str, values: dict[str, Any]) -> dict[str, Any]:
        spec = self.catalog.spec(transform)
        known = {p.name for p in spec.parameters}
        present = {k: v for k, v in values.items() if k in known and v is not None}
        built = spec.dynamic_transform_node(
            node_name=node_name, inputs=[input_id], path=self.options.transform_path(transform), values=present
        )
        self.used.add(transform)
        fields: dict[str, Any] = built["DynamicTransform"]
        return fields
