"""Glue Studio custom visual transforms: spec, registry, packaging."""

from glueforge.visual_transforms.registry import TransformPackage as TransformPackage
from glueforge.visual_transforms.registry import discover as discover
from glueforge.visual_transforms.registry import get as get
from glueforge.visual_transforms.spec import TransformSpec as TransformSpec

__all__ = ["TransformPackage", "TransformSpec", "discover", "get"]
