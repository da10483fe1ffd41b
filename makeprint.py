"""makeprint's command line: parse options, call the engine once, map its errors to exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

import makeprint_engine as engine
from makeprint_engine import MakeprintError, Problem


class ConsoleReporter:
    """Shows a build as it happens: failures and warnings on stderr, a count as it goes."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.total = 0
        self.count = 0

    def start(self, total: int) -> None:
        self.total = total

    def done(self, job: engine.Job, path: str) -> None:
        self.count += 1

    def failed(self, job: engine.Job, problems: list[Problem]) -> None:
        self.count += 1
        for problem in problems:
            click.secho(f"error: {problem}", fg="red", err=True)

    def warning(self, problem: Problem) -> None:
        if not self.quiet:
            click.secho(f"warning: {problem}", fg="yellow", err=True)


def fail(exc: MakeprintError) -> None:
    for problem in exc.problems:
        click.secho(f"{problem.severity}: {problem}", fg="red", err=True)
    raise click.exceptions.Exit(1)


def load(project: str, locations: str | None) -> engine.Project:
    return engine.load_project(Path(project), Path(locations) if locations else None)


project_option = click.option(
    "--project",
    "project",
    default=".",
    show_default=True,
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="The project folder.",
)
locations_option = click.option(
    "--locations",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Locations file (CSV or YAML). Default: content/locations.csv.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(engine.__version__, prog_name="makeprint")
def cli() -> None:
    """Print-ready outreach materials: pamphlets, wallet cards and flyers with intake QR codes.

    \b
    Example:
        makeprint build              # every location × language × material
        makeprint list               # what there is to build
    """


@cli.command()
@project_option
@locations_option
@click.option(
    "-l",
    "--location",
    "slugs",
    multiple=True,
    metavar="SLUG",
    help="Only this location (repeatable).",
)
@click.option(
    "--lang", "langs", multiple=True, metavar="CODE", help="Only this language (repeatable)."
)
@click.option(
    "-m",
    "--material",
    "materials",
    multiple=True,
    metavar="NAME",
    help="Only this material (repeatable).",
)
@click.option(
    "-o",
    "--out",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Output folder. Default: output/ in the project.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and the summary.")
def build(
    project: str,
    locations: str | None,
    slugs: tuple[str, ...],
    langs: tuple[str, ...],
    materials: tuple[str, ...],
    out: str | None,
    quiet: bool,
) -> None:
    """Build PDFs for every location × language × material.

    Writes output/<slug>/<lang>/<material>.pdf and output/manifest.json. Exits 0 when every
    document was written, 1 on any data or rendering error, 2 on wrong usage.

    \b
    Example:
        makeprint build
        makeprint build -l east-harbor --lang es -m wallet-card
    """
    try:
        proj = load(project, locations)
        out_dir = Path(out) if out else proj.root / "output"
        reporter = ConsoleReporter(quiet)
        result = engine.build(proj, engine.Selection(slugs, langs, materials), out_dir, reporter)
    except MakeprintError as exc:
        fail(exc)
        return
    where = _shown(result.out)
    summary = f"{len(result.written)} files written to {where} in {result.seconds:.1f} s"
    if result.failed:
        click.secho(f"{summary}; {len(result.failed)} failed", fg="red", err=True)
        sys.exit(1)
    click.echo(summary)


@cli.command("list")
@project_option
@locations_option
def list_(project: str, locations: str | None) -> None:
    """Show locations, languages (with translation status) and materials.

    \b
    Example:
        makeprint list
        makeprint list --locations content/other-sites.csv
    """
    try:
        proj = load(project, locations)
    except MakeprintError as exc:
        fail(exc)
        return
    click.secho("Locations", bold=True)
    for loc in proj.locations:
        click.echo(f"  {loc.slug:28} {loc.name}  [{', '.join(loc.languages)}]")
    click.secho("Languages", bold=True)
    for code, lang in sorted(proj.languages.items()):
        reviewer = f", reviewed by {lang.reviewed_by}" if lang.reviewed_by else ""
        click.echo(f"  {code:8} {lang.native_name} ({lang.name}) — {lang.status}{reviewer}")
    click.secho("Materials", bold=True)
    for name, material in proj.materials.items():
        width, height = material.trim(proj.organization.paper)
        click.echo(
            f"  {name:14} {material.pages} page(s), {width:g} × {height:g} mm — "
            f"{material.description}"
        )


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False))
def new(directory: str) -> None:
    """Start a new project in DIRECTORY from the shipped templates and sample content.

    \b
    Example:
        makeprint new my-center && cd my-center && makeprint build
    """
    try:
        target = engine.new_project(Path(directory))
    except MakeprintError as exc:
        fail(exc)
        return
    click.echo(
        f"New project in {target}. Edit content/organization.yaml and "
        "content/locations.csv, then run 'makeprint build' there."
    )


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
