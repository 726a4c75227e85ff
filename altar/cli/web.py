"""altar serve: the web front end."""

from pathlib import Path

import click

from altar.cli.common import Settings, baseline_dir_option, pass_settings
from altar.cli.output import note


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; the default takes connections from this computer only.",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Requests served at once.",
)
@click.option(
    "--behind-proxy",
    "proxies",
    default=0,
    type=click.IntRange(0, 5),
    metavar="N",
    help="Trust N reverse proxies (the council's TLS proxy) for the client address and https, "
    "and send the session cookie over HTTPS only.",
)
@click.option(
    "--region",
    default="West Midlands",
    show_default=True,
    envvar="ALTAR_REGION",
    show_envvar=True,
    help="The region's name on the title page of the reports download, as for altar report.",
)
@baseline_dir_option(
    "A folder of extra general-population baselines for the reports download, as for altar report."
)
@pass_settings
def serve(
    settings: Settings,
    host: str,
    port: int,
    threads: int,
    proxies: int,
    region: str,
    baseline_dirs: tuple[Path, ...],
) -> None:
    """Run the web pages for practitioners and the lead researcher on this
    database, with waitress (a production WSGI server), until Ctrl+C.

    Everyone signs in with a user name and web password (`altar user add`,
    `altar user passwd`). For use across a network put it behind a TLS
    reverse proxy (see the README) and give --behind-proxy 1.

    \b
    Examples:
      altar serve
      altar --db postgresql://altar@db.example/altar serve --port 8080 --behind-proxy 1
    """
    from altar.cli.report import region_name
    from altar.db import connect
    from altar.web import create_app
    from altar.web import serve as run

    database = connect(settings.db)
    app = create_app(
        database,
        secure_cookies=bool(proxies),
        proxies=proxies,
        baseline_dirs=baseline_dirs,
        region=region_name(region),
    )
    note(f"Serving {database.display} at http://{host}:{port}/ (Ctrl+C to stop).")
    run(app, host, port, threads=threads)
