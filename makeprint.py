"""makeprint's command line: parse options, call the engine once, map its errors to exit codes."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

# Ctrl-C while the command starts (its imports take a few tenths of a second, more on a busy
# machine) ends it quietly with 130, as it does once the command runs, not with a traceback.
_STARTING = (threading.current_thread() is threading.main_thread()
             and signal.getsignal(signal.SIGINT) is signal.default_int_handler)
if _STARTING:
    signal.signal(signal.SIGINT, lambda signum, frame: sys.exit(130))

import click  # noqa: E402 - after the handler above

import makeprint_engine as engine  # noqa: E402
from makeprint_engine import MakeprintError, Problem  # noqa: E402
from makeprint_engine.workers import fork_server_early  # noqa: E402

if _STARTING:
    signal.signal(signal.SIGINT, signal.default_int_handler)


class ConsoleReporter:
    """Shows a build as it happens: a progress bar on a terminal, plain periodic lines in CI
    logs, failures and warnings on stderr."""

    INTERVAL = 10.0  # seconds between progress lines when not on a terminal

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.total = 0
        self.count = 0
        self.started = time.monotonic()
        self.last_line = self.started
        self.shown: set[str] = set()  # a problem shared by many documents is printed once

    def start(self, total: int) -> None:
        self.total = total
        self.started = self.last_line = time.monotonic()

    def _progress(self) -> None:
        if self.quiet or not self.total:
            return
        now = time.monotonic()
        elapsed = max(now - self.started, 1e-6)
        rate = self.count / elapsed
        eta = (self.total - self.count) / rate if rate else 0.0
        text = f"{self.count}/{self.total} documents, {rate:.1f}/s, about {eta:.0f} s left"
        if self.tty:
            width = 24
            filled = int(width * self.count / self.total)
            bar = "#" * filled + "-" * (width - filled)
            click.echo(f"\r[{bar}] {text}\x1b[K", nl=False, err=True)
            if self.count == self.total:
                click.echo("", err=True)
        elif now - self.last_line >= self.INTERVAL or self.count == self.total:
            self.last_line = now
            click.echo(text, err=True)

    def _clear(self) -> None:
        if self.tty and not self.quiet and self.total:
            click.echo("\r\x1b[K", nl=False, err=True)

    def done(self, job: engine.Job, path: str) -> None:
        self.count += 1
        self._progress()

    def failed(self, job: engine.Job, problems: list[Problem]) -> None:
        self.count += 1
        self._clear()
        for problem in problems:
            if str(problem) not in self.shown:
                self.shown.add(str(problem))
                click.secho(f"error: {problem}", fg="red", err=True)
        self._progress()

    def warning(self, problem: Problem) -> None:
        if not self.quiet and str(problem) not in self.shown:
            self.shown.add(str(problem))
            self._clear()
            click.secho(f"warning: {problem}", fg="yellow", err=True)


def fail(exc: MakeprintError) -> None:
    for problem in exc.problems:
        click.secho(f"{problem.severity}: {problem}", fg="red", err=True)
    raise click.exceptions.Exit(1)


def load(
    project: str, locations: str | None, sheet_name: str | None, skip_invalid: bool = False
) -> engine.Project:
    return engine.load_project(
        Path(project), Path(locations) if locations else None, sheet_name, skip_invalid
    )


def report_invalid(proj: engine.Project) -> None:
    """--skip-invalid: the rows left out, reported as a load without it would report them."""
    for problem in proj.invalid:
        click.secho(f"error: {problem}", fg="red", err=True)


project_option = click.option(
    "--project",
    "project",
    default=".",
    show_default=True,
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="The project folder.",
)
def locations_options(command):  # type: ignore[no-untyped-def]
    """--locations and --sheet-name, shared by every command that reads locations."""
    command = click.option(
        "--sheet-name", metavar="NAME",
        help="The sheet of a spreadsheet locations file. Default: the first.",
    )(command)
    return click.option(
        "--locations", metavar="FILE", type=click.Path(dir_okay=False),
        help="Locations file: CSV, YAML, or a spreadsheet (.xlsx, .ods, .xls). "
        "Default: content/locations.csv.",
    )(command)


skip_invalid_option = click.option(
    "--skip-invalid", is_flag=True,
    help="Leave out location rows with errors and go on with the rest (still exits 1).",
)


def selection_options(command):  # type: ignore[no-untyped-def]
    """-l/--location, --lang, -m/--material, -d/--directory and --where, shared by build and
    check."""
    command = click.option(
        "--where", "where", multiple=True, metavar="FIELD=VALUE",
        help="A directory of the locations these filters match, instead of the named ones "
        "(repeatable; all must match, the same field twice: either value). Fields: "
        "city, region, postal_code, country, service, offer, language, location.",
    )(command)
    command = click.option(
        "-d", "--directory", "directories", multiple=True, metavar="NAME",
        help="Only this directory (organization.yaml directories:; repeatable).",
    )(command)
    command = click.option(
        "-m", "--material", "materials", multiple=True, metavar="NAME",
        help="Only this material (repeatable).",
    )(command)
    command = click.option(
        "--lang", "langs", multiple=True, metavar="CODE",
        help="Only this language (repeatable).",
    )(command)
    return click.option(
        "-l", "--location", "slugs", multiple=True, metavar="SLUG",
        help="Only this location (repeatable).",
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(engine.__version__, prog_name="makeprint")
def cli() -> None:
    """Print-ready outreach materials: pamphlets, wallet cards and flyers with intake QR codes.

    \b
    Example:
        makeprint build              # every location × language × material
        makeprint list               # what there is to build
    """


no_guides_option = click.option(
    "--no-guides", is_flag=True,
    help="Office: leave out the hairline fold guides at the sheet edge of the pamphlet.",
)


@cli.command()
@project_option
@locations_options
@selection_options
@click.option(
    "-o", "--out", metavar="DIR", type=click.Path(file_okay=False),
    help="Output folder. Default: output/ in the project.",
)
@click.option(
    "--profile", type=click.Choice(engine.PROFILES), default="office", show_default=True,
    help="office: trim-size pages, card and label sheets; press: bleed and crop marks.",
)
@click.option(
    "--sheet", metavar="NAME",
    help="Card stock for wallet-card sheets, or label stock for kit-label sheets (see "
    "'makeprint list'; the other kind keeps its default). Default: by paper size.",
)
@click.option(
    "--bleed", type=click.FloatRange(0, 10), default=None, metavar="MM",
    help="Press bleed in mm. Default: 3.175 (1/8 in) for letter, 3 for a4.",
)
@click.option(
    "--pdf-variant", metavar="VARIANT",
    help="A WeasyPrint PDF variant for archiving, e.g. pdf/a-3b. Default: tagged PDF/UA-1.",
)
@click.option("--no-tags", is_flag=True, help="Untagged PDFs (smaller, not accessible).")
@click.option(
    "-j", "--jobs", type=click.IntRange(1, 64), default=None, metavar="N",
    help="Worker processes. Default: the CPUs available.",
)
@click.option("--force", is_flag=True, help="Rebuild everything, even what is up to date.")
@click.option(
    "--shard", metavar="K/N", help="Build only the K-th of N balanced parts (for CI runners)."
)
@click.option(
    "--require-reviewed", is_flag=True,
    help="Refuse draft translations (for policies that require qualified review).",
)
@no_guides_option
@skip_invalid_option
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and the summary.")
def build(
    project: str, locations: str | None, sheet_name: str | None, slugs: tuple[str, ...],
    langs: tuple[str, ...], materials: tuple[str, ...], directories: tuple[str, ...],
    where: tuple[str, ...], out: str | None, profile: str,
    sheet: str | None, bleed: float | None, pdf_variant: str | None, no_tags: bool,
    jobs: int | None, force: bool, shard: str | None, require_reviewed: bool,
    no_guides: bool, skip_invalid: bool, quiet: bool,
) -> None:
    """Build PDFs for every location × language × material, and each directory × language.

    Writes output/<slug>/<lang>/<material>.pdf, each directory's
    output/_directories/<name>/<lang>/directory.pdf, and output/manifest.json. Only documents whose
    inputs changed are rebuilt; outputs of removed locations are removed. Exits 0 when every
    document was written, 1 on any data or rendering error, 2 on wrong usage, 130 when
    interrupted (finished files are kept). Bad data writes nothing, unless --skip-invalid:
    then the valid locations are built and the bad rows reported (exit 1).

    \b
    Example:
        makeprint build
        makeprint build -l east-harbor --lang es -m wallet-card
        makeprint build --profile press -m pamphlet   # for a print shop
        makeprint build --where city=Baltimore --where service=naloxone --lang es
        makeprint build --shard 2/4 --out output   # one of four CI runners
        makeprint build --locations sites.xlsx --sheet-name Sites --skip-invalid
    """
    jobs = jobs or engine.default_jobs()
    try:
        # The fork server imports while the project loads; stopped once the build is done.
        with fork_server_early(jobs):
            proj = load(project, locations, sheet_name, skip_invalid)
            report_invalid(proj)
            out_dir = Path(out) if out else proj.root / "output"
            options = engine.Options(
                profile=profile, sheet=sheet, bleed_mm=bleed, pdf_variant=pdf_variant,
                tagged=not no_tags, require_reviewed=require_reviewed, guides=not no_guides,
                where=where,
            )
            if sheet:
                proj.sheet(sheet)  # an unknown stock is a usage error worth stopping for now
            result = engine.build(
                proj, engine.Selection(slugs, langs, materials, directories, where), out_dir,
                ConsoleReporter(quiet), options=options, jobs=jobs, force=force,
                shard=engine.parse_shard(shard) if shard else None,
            )
    except MakeprintError as exc:
        fail(exc)
        return
    except (engine.BuildInterrupted, KeyboardInterrupt):
        click.secho("interrupted: finished files were kept; run the build again to finish",
                    fg="red", err=True)
        sys.exit(130)
    for path in result.removed:
        click.echo(f"removed {path} (no longer in the plan)", err=True)
    where = _shown(result.out)
    summary = f"{len(result.written)} files written to {where} in {result.seconds:.1f} s"
    if result.skipped:
        summary += f" ({len(result.skipped)} up to date)"
    if result.invalid:
        summary += "; the location rows with errors above were left out"
    if result.failed:
        summary += f"; {len(result.failed)} failed"
    if not result.ok:
        click.secho(summary, fg="red", err=True)
        sys.exit(1)
    click.echo(summary)


@cli.command("merge-manifests")
@click.option(
    "-o", "--out", metavar="DIR", default="output", show_default=True,
    type=click.Path(file_okay=False), help="The output folder holding the manifest parts.",
)
def merge_manifests(out: str) -> None:
    """Join the manifest parts of a sharded build into manifest.json.

    \b
    Example:
        makeprint build --shard 1/2 && makeprint build --shard 2/2
        makeprint merge-manifests --out output
    """
    try:
        count, parts = engine.merge_manifests(Path(out))
    except MakeprintError as exc:
        fail(exc)
        return
    target = Path(out) / "manifest.json"
    click.echo(f"{count} files from {parts} manifest parts written to {target}")


@cli.command("list")
@project_option
@locations_options
def list_(project: str, locations: str | None, sheet_name: str | None) -> None:
    """Show locations, languages (with translation status) and materials.

    \b
    Example:
        makeprint list
        makeprint list --locations content/other-sites.csv
        makeprint list --locations sites.ods --sheet-name Baltimore
    """
    try:
        # A translation that lacks keys is listed (and counted) rather than refused.
        proj = engine.load_project(
            Path(project), Path(locations) if locations else None, sheet_name,
            partial_translations=True,
        )
        states = engine.translation_states(proj)
    except MakeprintError as exc:
        fail(exc)
        return
    click.secho("Locations", bold=True)
    for loc in proj.locations:
        click.echo(f"  {loc.slug:28} {loc.name}  [{', '.join(loc.languages)}]")
    collections = [m for m in proj.materials.values() if m.collection]
    if collections:
        click.secho("Directories (the directory material: one document per directory and "
                    "language; build one with -d NAME, or any with --where FIELD=VALUE)",
                    bold=True)
    for name, directory in proj.directories.items() if collections else ():
        listed = engine.directory_members(directory, proj.locations)
        langs = engine.directory_languages(directory, listed, list(proj.languages))
        click.echo(f"  {name:28} {len(listed)} location(s): {directory.describe()}  "
                   f"[{', '.join(langs)}]")
    click.secho("Languages", bold=True)
    for code, lang in sorted(proj.languages.items()):
        reviewer = f", reviewed by {lang.reviewed_by}" if lang.reviewed_by else ""
        click.echo(f"  {code:8} {lang.native_name} ({lang.name}) — {lang.status}{reviewer}")
    click.secho("Translations (strings, against content/en/; details: makeprint check)",
                bold=True)
    for code, state in states.items():
        counts = f"{state.translated} translated, {state.count('stale')} stale, " \
            f"{state.count('missing')} missing"
        for kind, label in (("unused", "unused"), ("unknown", "of unknown source")):
            if state.count(kind):
                counts += f", {state.count(kind)} {label}"
        if not state.tracked:
            counts += f" (not tracked: no {engine.SOURCES_FILE})"
        click.echo(f"  {code + ':':8} {counts}")
    click.secho("Sheet stocks (card sheets for wallet cards, label sheets for kit labels)",
                bold=True)
    for name, stock in sorted(proj.sheets.items()):
        default = " (default)" if proj.sheet(None, stock.kind).name == name else ""
        click.echo(f"  {name:20} {stock.kind:7} {stock.description}{default}")
    click.secho("Materials", bold=True)
    for name, material in proj.materials.items():
        width, height = material.trim(proj.organization.paper)
        pages = "pages as needed" if material.collection else f"{material.pages} page(s)"
        click.echo(f"  {name:14} {pages}, {width:g} × {height:g} mm — {material.description}")
        for size in material.sizes:  # further sizes: each its own <material>-<size>.pdf
            width, height = material.trim(proj.organization.paper, size)
            click.echo(f"  {name + '-' + size:14} {material.pages} page(s), "
                       f"{width:g} × {height:g} mm — the same, {size} size")


@cli.group()
def translations() -> None:
    """Record which English each translation was made from (content/<lang>/.sources.yaml),
    and exchange strings with translators as PO or XLIFF files.

    A translated string whose English changed since is stale: 'makeprint check' warns about
    it, 'makeprint list' counts it, and 'build --require-reviewed' refuses it.

    \b
    Example:
        makeprint translations export --lang vi --only stale,missing -o vi.po
        makeprint translations import vi.po
        makeprint translations mark-current --lang es pamphlet:cover.kicker
        makeprint translations mark-reviewed --lang es --by "Name, certified translator, 2026-11-20"
    """


lang_option = click.option(
    "--lang", "lang", required=True, metavar="CODE", help="The translated language."
)


@translations.command("mark-current")
@project_option
@lang_option
@click.argument("keys", nargs=-1, metavar="[KEY]...")
def mark_current(project: str, lang: str, keys: tuple[str, ...]) -> None:
    """Record the current English as the source of a language's strings, after a translator
    has brought them up to date: every translated string, or each KEY (and the keys below it).

    KEY is written as check prints it, optionally after its file: medications.opioid[1].text,
    pamphlet:medications.opioid[1].text, or pamphlet:medications for the whole section.

    \b
    Example:
        makeprint translations mark-current --lang es pamphlet:medications.opioid[1].text
        makeprint translations mark-current --lang vi        # all of Vietnamese
    """
    try:
        proj = load(project, None, None)
        changed = engine.mark_current(proj, lang, keys)
    except MakeprintError as exc:
        fail(exc)
        return
    for entry in changed:
        click.echo(f"{entry.file.removesuffix('.yaml')}:{entry.key}: marked current")
    where = _shown(proj.languages[lang].folder / engine.SOURCES_FILE)
    click.echo(f"{len(changed)} string(s) marked as translated from the current English in {where}")


@translations.command("mark-reviewed")
@project_option
@lang_option
@click.option(
    "--by", "reviewer", required=True, metavar="REVIEWER",
    help='Who reviewed it: "Name, qualification, date".',
)
def mark_reviewed(project: str, lang: str, reviewer: str) -> None:
    """Mark a language reviewed by a qualified translator: sets status and reviewed_by in its
    language.yaml and records the English every string was reviewed against.

    \b
    Example:
        makeprint translations mark-reviewed --lang es --by "Ana Ruiz, ATA-certified, 2026-11-20"
    """
    try:
        proj = load(project, None, None)
        changed = engine.mark_reviewed(proj, lang, reviewer)
    except MakeprintError as exc:
        fail(exc)
        return
    click.echo(
        f"{lang} marked reviewed by {reviewer.strip()}; every string recorded as reviewed "
        f"against the current English ({changed} changed)"
    )


def _states(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[str, ...]:
    if value is None:
        return engine.EXPORTABLE
    chosen = tuple(s.strip() for s in value.split(",") if s.strip())
    wrong = [s for s in chosen if s not in engine.EXPORTABLE]
    if wrong or not chosen:
        raise click.BadParameter(
            f"{', '.join(wrong) or value!r}: choose from {', '.join(engine.EXPORTABLE)}")
    return chosen


@translations.command("export")
@project_option
@lang_option
@click.option(
    "--only", callback=_states, metavar="STATES",
    help="Only strings in these states, comma-separated: current, stale, missing, unknown "
    "(of unknown source). Default: all of them.",
)
@click.option(
    "--format", "fmt", type=click.Choice(engine.FORMATS),
    help="po (gettext) or xliff (XLIFF 1.2). Default: from the file name (.xlf, .xliff), else po.",
)
@click.option(
    "-o", "--output", "out", required=True, metavar="FILE", type=click.Path(dir_okay=False),
    help="The file to write.",
)
def export(project: str, lang: str, only: tuple[str, ...], fmt: str | None, out: str) -> None:
    """Write a language's strings for a translator: one unit per string, named by file and
    key (pamphlet:medications.opioid[1].text), with today's English, the translation (empty
    when missing) and, for a stale string, the English it was translated from (PO: previous
    msgid; XLIFF: alt-trans). Stale strings are fuzzy (PO) or need review (XLIFF). Each has a
    note saying where it prints, its place in content/<lang>/ and its space budget, measured
    on the English layout: the box's width, the lines the English takes and, where the box is
    tight, about how many characters fit (XLIFF: maxwidth).

    \b
    Example:
        makeprint translations export --lang vi --only stale,missing -o vi.po
        makeprint translations export --lang ar -o ar.xlf     # everything, as XLIFF
    """
    from makeprint_engine.output import atomic_write

    path = Path(out)
    if fmt is None:
        fmt = "xliff" if path.suffix.lower() in (".xlf", ".xliff") else "po"
    try:
        proj = engine.load_project(Path(project), partial_translations=True)
        data, units = engine.export_translations(proj, lang, only, fmt)
        atomic_write(path, data)
    except MakeprintError as exc:
        fail(exc)
        return
    counts = ", ".join(
        f"{sum(1 for u in units if u.state == s)} {s}" for s in only
    )
    click.echo(f"{len(units)} string(s) of content/{lang}/ written to {out} ({counts})")


@translations.command("import")
@project_option
@click.option("--lang", "lang", metavar="CODE",
              help="Refuse the file unless it is a translation into this language.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_(project: str, lang: str | None, file: str) -> None:
    """Write a translator's PO or XLIFF file back into content/<lang>/ and record the
    imported strings as translated from today's English (they are no longer stale).

    Every unit is checked first: one whose key the English no longer has, or whose English
    changed since the export, refuses the whole file, and nothing is written. Units still
    marked fuzzy (PO) or for review (XLIFF), and empty ones, are left out. Comments, key order
    and every other string of the YAML files stay as they were. The materials the strings
    print on are then laid out in the language (for the first location): a string that does
    not fit even at the smallest type, or is left out to make room, refuses the file, named
    with its budget. 'makeprint check' says it for every location.

    \b
    Example:
        makeprint translations import vi.po
        makeprint translations import --lang ar ar.xlf
    """
    try:
        proj = engine.load_project(Path(project), partial_translations=True)
        result = engine.import_translations(proj, Path(file), lang)
    except MakeprintError as exc:
        fail(exc)
        return
    for uid in result.imported:
        click.echo(f"{uid}: imported")
    click.echo(
        f"{len(result.imported)} string(s) imported into content/{result.code}/ "
        f"({len(result.written)} file(s) written), {result.unchanged} unchanged"
    )
    if result.needs_review:
        click.secho(
            f"left out, still marked fuzzy or for review: {', '.join(result.needs_review)} "
            "— confirm them in the translation tool and import again", fg="yellow", err=True)
    if result.untranslated:
        click.echo(f"{result.untranslated} unit(s) left untranslated")
    if result.still_missing:
        click.secho(
            f"{result.still_missing} key(s) still missing in content/{result.code}/ "
            f"(makeprint check lists them)", fg="yellow", err=True)
    for note in result.fitted:
        click.echo(f"fits once fitted: {note}")
    for note in result.unfit:
        click.secho(f"still does not fit: {note}", fg="yellow", err=True)
    if result.imported:
        click.echo(f"next: makeprint check --lang {result.code}   # laid out here for one "
                   "location; check says it for every location")


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


@cli.command()
@project_option
@locations_options
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but 127.0.0.1 or localhost lets other machines in.",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--no-watch", is_flag=True, help="Do not refresh when templates, content or assets change."
)
@click.option(
    "--users",
    "users",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Accounts (makeprint users add NAME): everyone signs in. Needed off this computer.",
)
@click.option(
    "--allow-anonymous-lan",
    is_flag=True,
    help="Share it beyond this computer without accounts: anyone who reaches it may use it.",
)
@click.option(
    "--render-timeout",
    type=click.FloatRange(1, 3600),
    default=90,
    show_default=True,
    metavar="SECONDS",
    help="Answer with an error when a document takes longer than this to make.",
)
@click.option(
    "--behind-proxy",
    is_flag=True,
    help="A reverse proxy on this computer (TLS) forwards to it: trust its X-Forwarded-* "
    "headers.",
)
def serve(
    project: str, locations: str | None, sheet_name: str | None, host: str, port: int,
    no_watch: bool, users: str | None, allow_anonymous_lan: bool, render_timeout: float,
    behind_proxy: bool,
) -> None:
    """Serve a web page to pick a location, preview every page, and download or print it.

    Also makes a flyer and wallet cards for a one-off event typed into a form (nothing is
    saved). Previews refresh when a file under templates/, content/ or assets/ changes.
    Open the address it prints in a web browser on this machine; stop with Ctrl+C.

    To share one copy with a team, give everyone an account and listen beyond this computer
    (or behind a reverse proxy that adds HTTPS): it refuses to start off this computer
    without --users, unless --allow-anonymous-lan says that is meant.

    \b
    Example:
        makeprint serve
        makeprint serve --port 8080 --locations content/other-sites.csv
        makeprint users add dana && makeprint serve --host 0.0.0.0 --users users.toml
        makeprint serve --users users.toml --behind-proxy    # Caddy or nginx in front
    """
    from makeprint_engine.access import read_users
    from makeprint_engine.server import is_loopback, make_server

    shared = not is_loopback(host) or behind_proxy
    if shared and users is None and not allow_anonymous_lan:
        where = "behind a proxy" if is_loopback(host) else f"on {host}"
        click.secho(
            f"error: serving {where} lets other machines in, and without --users anyone who "
            "reaches it could see every location and make documents with your name and logo. "
            "Add accounts (makeprint users add NAME --users users.toml) and start it with "
            "--users users.toml; or, to share it without passwords, add --allow-anonymous-lan",
            fg="red",
            err=True,
        )
        raise click.exceptions.Exit(2)
    try:
        if users is not None and not read_users(Path(users)):
            click.secho(
                f"error: {users} has no accounts — add one with: makeprint users add NAME "
                f"--users {users}",
                fg="red",
                err=True,
            )
            raise click.exceptions.Exit(2)
        proj = load(project, locations, sheet_name)
    except MakeprintError as exc:
        fail(exc)
        return
    for warning in proj.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    if shared and users is None:
        click.secho(
            f"warning: serving on {host}{' behind a proxy' if behind_proxy else ''}, beyond "
            f"this computer: anyone who can reach it on port {port} sees every location and "
            "can make documents, without a password (--allow-anonymous-lan). Use --users "
            "unless that is what you want.",
            fg="yellow",
            err=True,
        )
    if behind_proxy and not is_loopback(host):
        click.secho(
            "warning: --behind-proxy trusts X-Forwarded-* only from a proxy on this computer; "
            "listen on 127.0.0.1 and let the proxy be the only way in",
            fg="yellow",
            err=True,
        )
    try:
        server = make_server(
            proj.root,
            proj.locations_path if locations else None,
            host,
            port,
            watch=not no_watch,
            log=lambda message: click.echo(message, err=True),
            project=proj,
            sheet=sheet_name,
            users=Path(users) if users else None,
            behind_proxy=behind_proxy,
            render_timeout=render_timeout,
            warm=True,
        )
    except MakeprintError as exc:
        fail(exc)
        return
    except OSError as exc:
        click.secho(
            f"error: cannot listen on {host} port {port}: {exc.strerror or exc}"
            " — is makeprint serve already running? Choose another with --port",
            fg="red",
            err=True,
        )
        raise click.exceptions.Exit(1) from None
    signing = f" (sign-in required: accounts in {users})" if users else ""
    click.echo(
        f"makeprint is serving {server.url}{signing} — open it in a web browser. "
        "Ctrl+C stops it."
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.close()
    if server.app.pool.active:
        # A thread still waits for a render (up to --render-timeout) and Python would wait
        # for it on the way out; the render's process ends with this one anyway.
        click.echo("stopped a render that was still running", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


users_file_option = click.option(
    "--users",
    "users",
    default="users.toml",
    show_default=True,
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="The accounts file (its signing key is kept beside it, as users.key).",
)


@cli.group()
def users() -> None:
    """Accounts for a shared makeprint serve: who may sign in.

    Passwords are stored as Argon2 hashes in the users file (default users.toml); keep it
    and users.key out of any repository.

    \b
    Example:
        makeprint users add dana
        makeprint users list
        makeprint users remove dana
    """


@users.command("add")
@users_file_option
@click.argument("name")
def users_add(users: str, name: str) -> None:
    """Add an account, or set a new password for one (asked twice, never shown).

    \b
    Example:
        makeprint users add dana
        makeprint users add dana --users /srv/makeprint/users.toml
    """
    from makeprint_engine.access import MIN_PASSWORD, add_user, check_name

    try:
        check_name(name)
        password = click.prompt(
            f"Password for {name} (at least {MIN_PASSWORD} characters)",
            hide_input=True,
            confirmation_prompt=True,
        )
        new = add_user(Path(users), name, password)
    except MakeprintError as exc:
        fail(exc)
        return
    click.echo(f"{'added' if new else 'changed the password of'} {name} in {users}")


@users.command("remove")
@users_file_option
@click.argument("name")
def users_remove(users: str, name: str) -> None:
    """Remove an account; its sessions end at once, even on a running server.

    \b
    Example:
        makeprint users remove dana
    """
    from makeprint_engine.access import remove_user

    try:
        remove_user(Path(users), name)
    except MakeprintError as exc:
        fail(exc)
        return
    click.echo(f"removed {name} from {users}")


@users.command("list")
@users_file_option
def users_list(users: str) -> None:
    """List the accounts, one name a line.

    \b
    Example:
        makeprint users list --users users.toml
    """
    from makeprint_engine.access import read_users

    try:
        names = sorted(read_users(Path(users)))
    except MakeprintError as exc:
        fail(exc)
        return
    for name in names:
        click.echo(name)


def _preview_path(output: str | None, job: engine.Job, number: int, single: bool) -> Path:
    if output is None:
        return Path(f"{job.slug}-{job.lang}-{job.name}-p{number}.png")
    path = Path(output)
    return path if single else path.with_name(f"{path.stem}-p{number}{path.suffix or '.png'}")


@cli.command()
@project_option
@locations_options
@click.argument("location")
@click.argument("material")
@click.option("--lang", metavar="CODE", help="Language. Default: the location's first one.")
@click.option(
    "--page", type=click.IntRange(min=1), metavar="N", help="Only page N. Default: every page."
)
@click.option(
    "-o",
    "--output",
    metavar="FILE.png",
    type=click.Path(dir_okay=False),
    help="Write here; with several pages -p1, -p2… is added before .png.",
)
@click.option(
    "--dpi", type=click.IntRange(30, 600), default=150, show_default=True, help="Resolution."
)
@no_guides_option
def preview(
    project: str,
    locations: str | None,
    sheet_name: str | None,
    location: str,
    material: str,
    lang: str | None,
    page: int | None,
    output: str | None,
    dpi: int,
    no_guides: bool,
) -> None:
    """Write PNG images of a document's pages, to check it without a PDF viewer.

    Writes <slug>-<lang>-<material>-p<N>.png in the current folder, one per page. Exits 0
    when written, 1 when the document cannot be made, 2 on wrong usage. Exits 1 when the
    document does not fit: the pictures show where, outlined in red, each with its message
    (build refuses to write such a document). A further size of a material is named as its
    file is: poster-small. For the directory, LOCATION is the directory's name.

    \b
    Example:
        makeprint preview east-harbor wallet-card --lang es
        makeprint preview east-harbor flyer --page 1 -o flyer.png
        makeprint preview east-harbor poster-small
        makeprint preview baltimore-naloxone directory --lang es
    """
    from makeprint_engine.fit import FitProblem
    from makeprint_engine.output import atomic_write
    from makeprint_engine.previews import page_pngs
    from makeprint_engine.render import Renderer

    try:
        proj = load(project, locations, sheet_name)
        # "poster-small": the material poster in its size "small".
        base, size = material, ""
        for name, meta in proj.materials.items():
            if material not in proj.materials and material in (f"{name}-{s}" for s in meta.sizes):
                base, size = name, material[len(name) + 1:]
        langs = (lang,) if lang else ()
        # A collection material (the directory) is previewed for a directory: LOCATION names it.
        collection = base in proj.materials and proj.materials[base].collection
        selection = (engine.Selection((), langs, (base,), (location,)) if collection
                     else engine.Selection((location,), langs, (base,)))
        jobs = [job for job in engine.plan_jobs(proj, selection) if job.size == size]
        if not jobs:
            if collection:
                directory = proj.directories[location]
                offered = tuple(engine.directory_languages(
                    directory, engine.directory_members(directory, proj.locations),
                    list(proj.languages)))
            else:
                offered = next(loc.languages for loc in proj.locations if loc.slug == location)
            raise MakeprintError(
                Problem(
                    f'{location} is not made in "{lang}"',
                    hint="its languages are " + ", ".join(offered),
                )
            )
        job = jobs[0]
        # A draft: a document whose only errors are text that does not fit is drawn anyway.
        options = engine.Options(guides=not no_guides)
        rendered = Renderer(proj, options).render(job, draft=True)
        for problem in rendered.problems:
            if problem.severity == "warning":
                click.secho(f"warning: {problem}", fg="yellow", err=True)
        errors = [p for p in rendered.problems if p.severity == "error"]
        if rendered.pdf is None or not all(isinstance(p, FitProblem) for p in errors):
            fail(MakeprintError(errors))
            return
        if page is not None and page > rendered.pages:
            raise click.BadParameter(f"{job} has {rendered.pages} page(s)", param_hint="'--page'")
        numbers = [page] if page else list(range(1, rendered.pages + 1))
        pngs = page_pngs(rendered.pdf, numbers, dpi=dpi, marks=rendered.marks)
        for number, png in zip(numbers, pngs, strict=True):
            path = _preview_path(output, job, number, single=len(numbers) == 1)
            atomic_write(path, png)
            click.echo(f"wrote {_shown(path.resolve())}")
        if errors:
            marked = sorted({mark.page for mark in rendered.marks})
            shown = [n for n in marked if n in numbers]
            where = (
                "outlined in red on page " + ", ".join(map(str, shown))
                if shown
                else "on page " + ", ".join(map(str, marked)) + ", not written here"
            )
            click.secho(
                f"{job} does not fit, so build will not write it; what does not fit is {where}",
                fg="red",
                err=True,
            )
            fail(MakeprintError(errors))
    except MakeprintError as exc:
        fail(exc)


@cli.command()
@project_option
@locations_options
@selection_options
@click.option(
    "--profile", type=click.Choice(("office", "press")), default="office", show_default=True,
    help="The print profile to render and check.",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(1, 64), default=None, metavar="N",
    help="Worker processes. Default: the CPUs available.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (for CI).")
@click.option(
    "--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
    help="text for people; json for CI "
    "(schema: makeprint_engine/preflight/preflight-report.schema.json).",
)
@click.option(
    "--report", metavar="FILE", type=click.Path(dir_okay=False),
    help="Also write the JSON report to FILE.",
)
@no_guides_option
@skip_invalid_option
def check(
    project: str, locations: str | None, sheet_name: str | None, slugs: tuple[str, ...],
    langs: tuple[str, ...], materials: tuple[str, ...], directories: tuple[str, ...],
    where: tuple[str, ...], profile: str, jobs: int | None,
    strict: bool, fmt: str, report: str | None, no_guides: bool, skip_invalid: bool,
) -> None:
    """Preflight: render every document in memory and report every print defect.

    Checks the data and content, overflow, glyphs no font can draw, QR codes (decoded at
    300 dpi; size, modules, quiet zone), type size, contrast, reading level, images below
    300 dpi, and that phone links and URLs match what is printed. Writes nothing (except
    --report FILE). Exits 0 when there is no error, 1 when there is; --strict makes
    warnings errors. Location rows with errors stop the check, unless --skip-invalid: then
    they are reported and the valid locations' documents are checked too.

    \b
    Example:
        makeprint check
        makeprint check -l east-harbor --lang es -m wallet-card
        makeprint check --strict --format json --report preflight.json
    """
    from makeprint_engine import preflight
    from makeprint_engine.options import Options

    options = Options(profile=profile, guides=not no_guides, where=where)
    try:
        proj = load(project, locations, sheet_name, skip_invalid)
    except MakeprintError as exc:
        root = Path(project).resolve()
        result = preflight.failed_load_report(exc, root, options, strict)
    else:
        result = preflight.run_check(
            proj, engine.Selection(slugs, langs, materials, directories, where), options, strict,
            jobs or engine.default_jobs(),
        )
        if proj.invalid:  # the rows left out come first, as a failed load lists them
            left_out = MakeprintError(proj.invalid)
            result.findings[:0] = preflight.load_findings(left_out, proj.root)
    if report:
        Path(report).parent.mkdir(parents=True, exist_ok=True)
        Path(report).write_text(result.to_json(), encoding="utf-8")
    if fmt == "json":
        click.echo(result.to_json(), nl=False)
    else:
        colours = {"error": "red", "warning": "yellow"}
        for severity, line in preflight.text_lines(result):
            click.secho(line, fg=colours.get(severity))
        click.secho(preflight.summary_line(result), bold=True)
    sys.exit(0 if result.ok else 1)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
