"""The ``geotel`` command line: one subcommand per task.

Every command goes through the same library functions as the notebooks; this module
adds only argument parsing, progress, the final summary and exit codes. A
:class:`~geotel.GeotelError`, an ``OSError`` or a GDAL error is printed without a
traceback (naming the path and the fix) and exits with code 2. SIGTERM and SIGHUP clean
up as Ctrl-C does (temporary folders removed) and exit with 128 + the signal number.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from geotel import __version__
from geotel._ioerrors import describe_io_error, is_io_error
from geotel.errors import GeotelError

if TYPE_CHECKING:
    from geotel.pipeline import Step

__all__ = ["cli", "main"]

log = logging.getLogger(__name__)


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C so that every ``finally`` cleans up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, _frame: Any) -> None:
    # Later signals are ignored while the cleanup runs; SIGKILL still works.
    for s in _TERM_SIGNALS:
        signal.signal(s, signal.SIG_IGN)
    raise _Terminated(signum)


_TERM_SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))


def _handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous = {}
        if threading.current_thread() is threading.main_thread():
            previous = {s: signal.signal(s, _terminate) for s in _TERM_SIGNALS}
        try:
            return func(*args, **kwargs)
        except GeotelError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(2)
        except KeyboardInterrupt as exc:
            how = (signal.Signals(exc.signum).name if isinstance(exc, _Terminated)
                   else "interrupted")
            click.secho(f"{how}: stopped; no output was half-written and temporary "
                        "folders were removed", err=True)
            sys.exit(128 + exc.signum if isinstance(exc, _Terminated) else 130)
        except Exception as exc:
            if not is_io_error(exc):
                raise
            log.debug("I/O error", exc_info=True)
            message, fix, path = describe_io_error(exc)
            where = f"{path}: " if path else ""
            click.secho(f"error: {where}{message} Fix: {fix}", fg="red", err=True)
            sys.exit(2)
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="geotel")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def cli(verbose: int) -> None:
    """geotel: plan provincial telecom infrastructure.

    Coverage over terrain, dead zones, Criterion 8 indicators, fiber reach and
    extension, BTS siting, and the outputs planners open: a styled GeoPackage for
    QGIS, an HTML map for meetings, tables and a print map.
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    logging.captureWarnings(True)
    if verbose < 2:  # a planner reads the warning, not the source line that raised it
        warnings.showwarning = _show_warning


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: object = None, line: str | None = None) -> None:
    """A Python warning as one log line: its class and message (``-vv`` adds the place)."""
    logging.getLogger("py.warnings").warning("%s: %s", category.__name__, message)


_out = click.option("--out", "out", required=True, type=click.Path(path_type=Path),
                    help="Output folder (written atomically).")
_force = click.option("--force", is_flag=True, help="Replace an existing output folder.")
_config = click.argument("config", type=click.Path(path_type=Path))


@cli.command()
@_out
@_force
@click.option("--resolution-m", type=click.Choice(["90", "30"]), default="90", show_default=True,
              help="DEM resolution of the demo province.")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=None,
              help="Where the generated demo inputs are cached (default data/processed).")
@_handle_errors
def demo(out: Path, force: bool, resolution_m: str, cache_dir: Path | None) -> None:
    """Generate the synthetic demo province and run the whole plan on it."""
    from geotel._atomic import check_output_dir
    from geotel.datasets import demo_project

    check_output_dir(out, force=force)  # before generating the inputs, if not cached
    config_path = demo_project(resolution_m=90 if resolution_m == "90" else 30,
                               cache_dir=cache_dir)
    click.echo(f"demo province (synthetic) inputs: {config_path.parent}")
    _run_and_write(config_path, out, force=force)


@cli.command()
@_config
@click.option("--report", "report_csv", type=click.Path(path_type=Path), default=None,
              help="Also write every problem, one per line, to this CSV file (level, file, "
              "feature, row, column, message, fix).")
@_handle_errors
def validate(config: Path, report_csv: Path | None) -> None:
    """Check every input of a project and list every problem at once.

    The same problem over many features is one line: the count and the first few
    features; --report writes them all.
    """
    from geotel.config import load_config
    from geotel.province import validate_project

    report = validate_project(load_config(config))
    for group in report.groups():
        click.echo(group.line(), err=group.severity == "error")
    if report_csv is not None:
        report.to_csv(report_csv)
        click.echo(f"every problem ({len(report)}) written to {report_csv}")
    n_err, n_warn = len(report.errors), len(report.warnings)
    if n_err:
        click.secho(f"{n_err} error(s), {n_warn} warning(s) in {config}", fg="red", err=True)
        sys.exit(2)
    click.secho(f"OK: {config} is valid ({n_warn} warning(s))", fg="green")


@cli.command()
@_config
@_out
@_force
@_handle_errors
def plan(config: Path, out: Path, force: bool) -> None:
    """Run every step (validate, coverage, dead zones, fiber, siting, outputs)."""
    _run_and_write(config, out, force=force)


@cli.command()
@_config
@_out
@_force
@_handle_errors
def coverage(config: Path, out: Path, force: bool) -> None:
    """Predict best-server coverage and write the rasters as COGs."""
    _run_and_write(config, out, force=force, until="coverage")


@cli.command()
@_config
@_out
@_force
@_handle_errors
def fiber(config: Path, out: Path, force: bool) -> None:
    """Fiber reach per commune and the cheapest extension plan."""
    _run_and_write(config, out, force=force, until="fiber")


@cli.command()
@_config
@_out
@_force
@_handle_errors
def siting(config: Path, out: Path, force: bool) -> None:
    """Propose new BTS sites (needs coverage and fiber reach)."""
    _run_and_write(config, out, force=force, until="siting")


@cli.command()
@_config
@_out
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of the report.")
@click.option("--force", is_flag=True,
              help="Replace an existing output folder that holds no plan.")
@_handle_errors
def report(config: Path, out: Path, lang: str, force: bool) -> None:
    """Write the plan as the province's report (report.docx, report.pdf).

    If DIR already holds a plan (summary.json and plan.gpkg), only the two report files
    are written into it, from its files (CONFIG is not run again). Otherwise the whole
    plan is run, as `geotel plan` does, and written with the report.
    """
    from geotel.outputs.report import is_plan_folder, write_report

    if is_plan_folder(out):
        written = write_report(out, lang=lang)  # type: ignore[arg-type]
        click.secho(f"wrote {', '.join(p.name for p in written)} to {out}", fg="green")
        return
    _run_and_write(config, out, force=force, lang=lang)


def _run_and_write(config_path: Path, out: Path, *, force: bool, until: Step | None = None,
                   lang: str = "vi") -> None:
    from geotel.config import load_config
    from geotel.pipeline import check_output, run_plan, write_plan

    cfg = load_config(config_path)
    # Fail before hours of work, not after: --out over the inputs, existing, not
    # writable, too little free space. Whether --out exists is decided again at the end.
    check_output(cfg, out, force=force, until=until)
    result = run_plan(cfg, until=until, progress=True)
    written = write_plan(result, out, force=force, lang=lang)  # type: ignore[arg-type]
    click.echo(result.summary_table())
    click.secho(f"wrote {len(written)} file(s) to {out}", fg="green")


def main() -> None:
    """Entry point of the ``geotel`` script."""
    cli(prog_name="geotel")


if __name__ == "__main__":
    main()
