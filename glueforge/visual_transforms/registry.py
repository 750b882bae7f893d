"""Discover custom visual transforms: one folder per transform holding ``<name>.json`` and ``<name>.py``.

Discovery reads files only (JSON + Python AST), so validation runs without Spark or ``awsglue``.
"""

from __future__ import annotations

import ast
import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path

from glueforge.errors import NotFoundError, TransformSpecError
from glueforge.visual_transforms.spec import TransformSpec, parse_spec

TRANSFORMS_PACKAGE = "transforms"


@dataclass
class TransformPackage:
    """A transform folder: its config, its Glue entry module and what is wrong with them."""

    name: str
    folder: Path
    spec: TransformSpec | None
    problems: list[str] = field(default_factory=list)

    @property
    def config_path(self) -> Path:
        return self.folder / f"{self.name}.json"

    @property
    def entry_path(self) -> Path:
        return self.folder / f"{self.name}.py"

    @property
    def module_name(self) -> str:
        """Import path of the Glue entry module inside the project wheel."""
        return f"{TRANSFORMS_PACKAGE}.{self.name}.{self.name}"

    @property
    def valid(self) -> bool:
        return self.spec is not None and not self.problems

    def require_valid(self) -> TransformSpec:
        if self.spec is None or self.problems:
            raise TransformSpecError("; ".join(self.problems), where=str(self.config_path))
        return self.spec


def default_root() -> Path:
    """The installed ``transforms`` package folder."""
    spec = importlib.util.find_spec(TRANSFORMS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise NotFoundError("the `transforms` package is not installed", where="transform registry")
    return Path(next(iter(spec.submodule_search_locations)))


def discover(root: Path | None = None) -> dict[str, TransformPackage]:
    """Every transform folder under ``root`` (a folder with a JSON file named after it), validated."""
    root = root or default_root()
    packages: dict[str, TransformPackage] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and (p / f"{p.name}.json").is_file()):
        packages[folder.name] = load_package(folder)
    return packages


def get(name: str, root: Path | None = None) -> TransformPackage:
    packages = discover(root)
    if name not in packages:
        known = ", ".join(sorted(packages)) or "none"
        raise NotFoundError(f"no transform named {name!r} (known: {known})", where="transform registry")
    return packages[name]


def load_package(folder: Path) -> TransformPackage:
    name = folder.name
    config_path = folder / f"{name}.json"
    try:
        data = json.loads(config_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return TransformPackage(name, folder, None, [f"not valid JSON: {exc.msg} at line {exc.lineno}"])
    spec, problems = parse_spec(data)
    package = TransformPackage(name, folder, spec, problems)
    if spec is not None:
        package.problems += check_names(spec, name)
        package.problems += check_entry(spec, folder / f"{name}.py")
    return package


def check_names(spec: TransformSpec, file_stem: str) -> list[str]:
    # Glue Studio pairs .json and .py by file name and the generated script does `import <file name>`.
    if spec.name != file_stem:
        return [f"name {spec.name!r} must equal the file name {file_stem!r} (Glue pairs files by name)"]
    return []


def check_entry(spec: TransformSpec, entry: Path) -> list[str]:
    """The Python entry defines ``functionName(self, <params>)`` and sets it on ``DynamicFrame``."""
    if not entry.is_file():
        return [f"{entry.name} is missing (Glue needs a .py next to the .json)"]
    try:
        tree = ast.parse(entry.read_text(encoding="utf-8"), filename=str(entry))
    except SyntaxError as exc:
        return [f"{entry.name}:{exc.lineno}: syntax error: {exc.msg}"]
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    function = functions.get(spec.function_name)
    if function is None:
        return [f"{entry.name}: no top-level function {spec.function_name!r} (the JSON functionName)"]
    problems = _signature_problems(spec, function, entry.name)
    if not _assigns_on_dynamic_frame(tree, spec.function_name):
        problems.append(f"{entry.name}: missing `DynamicFrame.{spec.function_name} = {spec.function_name}`")
    return problems


def _signature_problems(spec: TransformSpec, function: ast.FunctionDef, file_name: str) -> list[str]:
    where = f"{file_name}: {function.name}()"
    args = function.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    if not positional or positional[0] != "self":
        return [f"{where}: first parameter must be `self` (the input DynamicFrame)"]
    names = positional[1:] + [a.arg for a in args.kwonlyargs]
    defaults_from = len(positional) - len(args.defaults)
    has_default = {name: i >= defaults_from for i, name in enumerate(positional)}
    has_default.update({a.arg: d is not None for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)})
    problems = []
    declared = {p.name for p in spec.parameters}
    for missing in sorted(declared - set(names)):
        if args.kwarg is None:
            problems.append(f"{where}: JSON parameter {missing!r} is not an argument of the function")
    for extra in [n for n in names if n not in declared]:
        if not has_default[extra]:
            problems.append(f"{where}: argument {extra!r} is not a JSON parameter and has no default")
    for parameter in spec.parameters:
        if parameter.is_optional and parameter.name in names and not has_default[parameter.name]:
            problems.append(f"{where}: optional parameter {parameter.name!r} needs a Python default value")
    return problems


def _assigns_on_dynamic_frame(tree: ast.Module, function_name: str) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == function_name
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "DynamicFrame"
                ):
                    return True
    return False
