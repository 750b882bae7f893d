"""``glueforge transforms``: list, validate, build and deploy Glue Studio custom visual transforms."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from glueforge.errors import TransformSpecError
from glueforge.visual_transforms import discover
from glueforge.visual_transforms.packaging import build, deploy

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Folder holding one sub-folder per transform [default: the installed transforms package].",
)


@click.group()
def transforms() -> None:
    """Custom visual transforms: one folder each with <name>.json + <name>.py."""


@transforms.command(name="list")
@root_option
def list_transforms(root: Path | None) -> None:
    """List the transforms and their parameters."""
    table = Table(title="custom visual transforms")
    for column in ("name", "function", "parameters", "valid"):
        table.add_column(column)
    for name, package in discover(root).items():
        spec = package.spec
        params = ", ".join(f"{p.name}{'?' if p.is_optional else ''}:{p.type}" for p in spec.parameters) if spec else ""
        table.add_row(name, spec.function_name if spec else "-", params, "yes" if package.valid else "[red]no[/]")
    Console().print(table)


@transforms.command()
@root_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def validate(root: Path | None, fmt: str) -> int:
    """Check every config against Glue's rules and its Python entry's signature."""
    packages = discover(root)
    if fmt == "json":
        click.echo(
            json.dumps(
                {name: {"valid": p.valid, "problems": p.problems} for name, p in packages.items()},
                indent=2,
                sort_keys=True,
            )
        )
    else:
        for name, package in packages.items():
            if package.valid:
                click.echo(f"ok       {name}")
            for problem in package.problems:
                click.echo(f"invalid  {name}: {problem}")
    if not packages:
        raise TransformSpecError("no transforms found", where=str(root or "transforms"))
    return 0 if all(p.valid for p in packages.values()) else 1


@transforms.command(name="build")
@root_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder.")
@click.option("--no-wheel", is_flag=True, help="Only the .json/.py pairs, no project wheel.")
def build_command(root: Path | None, out: Path, no_wheel: bool) -> None:
    """Write flat <name>.json + <name>.py pairs (what Glue Studio loads) and the project wheel."""
    built = build(discover(root), out, wheel=not no_wheel)
    for item in built:
        click.echo(f"wrote {item.path}")


@transforms.command(name="deploy")
@root_option
@click.option("--bucket", required=True, help="Glue assets bucket, e.g. aws-glue-assets-<account>-<region>.")
@click.option("--prefix", default="transforms/", show_default=True, help="Glue Studio reads <bucket>/transforms/.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build/transforms"),
    show_default=True,
    help="Where the build is staged before upload.",
)
@click.option("--region", default=None, help="AWS region [default: from the AWS config].")
@click.option("--no-wheel", is_flag=True, help="Do not build and upload the project wheel.")
def deploy_command(root: Path | None, bucket: str, prefix: str, out: Path, region: str | None, no_wheel: bool) -> None:
    """Build, then upload to s3://BUCKET/PREFIX (code before config, so Studio never lists a transform without code)."""
    import boto3

    built = build(discover(root), out, wheel=not no_wheel)
    client = boto3.client("s3", region_name=region)
    for uri in deploy(built, client, bucket, prefix):
        click.echo(f"uploaded {uri}")
