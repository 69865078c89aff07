"""``laadplan serve``, ``laadplan worker`` and ``laadplan users``.

Registered through the ``laadplan.commands`` entry-point group (see ``pyproject.toml``), so
that ``planner`` never imports the service.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from service.config import ConfigError, Settings, load_settings, sqlite_url

LOGGER = logging.getLogger("laadplan")


def _add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("service settings (default: LAADPLAN_* variables)")
    group.add_argument("--data", type=Path, help="data directory (LAADPLAN_DATA_DIR)")
    group.add_argument("--database-url", help="SQLAlchemy URL (LAADPLAN_DATABASE_URL)")
    group.add_argument("--case", type=Path, help="reference case folder (LAADPLAN_CASE_DIR)")


def settings_from(args: argparse.Namespace) -> Settings:
    """The environment's settings with the command line's overrides."""
    settings = load_settings()
    data_dir = getattr(args, "data", None)
    if data_dir is not None:
        url = None if "LAADPLAN_DATABASE_URL" in os.environ else sqlite_url(data_dir)
        settings = settings.with_overrides(
            data_dir=data_dir, database_url=url, case_dir=data_dir / "case"
        )
    return settings.with_overrides(
        database_url=getattr(args, "database_url", None), case_dir=getattr(args, "case", None)
    )


def _add_engine_arguments(parser: argparse.ArgumentParser, workers_flag: str) -> None:
    group = parser.add_argument_group("where a run's vervoerregio sub-problems are solved (Dask)")
    group.add_argument(
        workers_flag,
        type=int,
        metavar="N",
        dest="dask_workers",
        help="processes of a local Dask cluster per run (LAADPLAN_DASK_WORKERS; default 1: "
        "one after the other in the worker's process)",
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        dest="dask_scheduler",
        help="an existing Dask scheduler, tcp://host:8786 (LAADPLAN_DASK_SCHEDULER)",
    )


def _engine_settings(settings: Settings, args: argparse.Namespace) -> Settings:
    workers = getattr(args, "dask_workers", None)
    if workers is not None and workers < 1:
        raise ConfigError(f"{workers} Dask worker processes: give 1 or more")
    return settings.with_overrides(
        dask_workers=workers, dask_scheduler=getattr(args, "dask_scheduler", None)
    )


def _settings_environment(settings: Settings) -> dict[str, str]:
    environment = {
        **os.environ,
        "LAADPLAN_DATA_DIR": str(settings.data_dir),
        "LAADPLAN_DATABASE_URL": settings.database_url,
        "LAADPLAN_CASE_DIR": str(settings.case_dir),
        "LAADPLAN_DASK_WORKERS": str(settings.dask_workers),
    }
    if settings.dask_scheduler:
        environment["LAADPLAN_DASK_SCHEDULER"] = settings.dask_scheduler
    return environment


def register_serve(subparsers: Any) -> None:
    """Add ``serve``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="run the HTTP API (and its worker) with migrations applied",
        description="Apply the database migrations, start worker process(es) and serve the API.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes to start (default 1; 0 = none)"
    )
    _add_settings_arguments(parser)
    _add_engine_arguments(parser, "--dask-workers")
    parser.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Migrate, start the workers (restarted when they exit), serve until interrupted."""
    import uvicorn

    from service.app import make_asgi
    from service.db import upgrade
    from service.supervisor import WorkerSupervisor

    settings = _engine_settings(settings_from(args), args)
    upgrade(settings.database_url)
    command = [sys.executable, "-m", "planner.cli", "worker"]
    environment = {
        **_settings_environment(settings),
        "LAADPLAN_WORKER_PARENT_PID": str(os.getpid()),
    }
    supervisor = WorkerSupervisor(
        command, environment, max(args.workers, 0), backoff_initial_s=settings.worker_backoff_s
    )
    supervisor.start()
    try:
        uvicorn.run(
            make_asgi(settings, supervisor), host=args.host, port=args.port, log_level="info"
        )
    finally:
        supervisor.stop()
    return 0


def register_worker(subparsers: Any) -> None:
    """Add ``worker``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "worker",
        help="carry out queued planning runs",
        description="Claim queued planning runs and carry them out, one at a time, until stopped.",
    )
    parser.add_argument("--once", action="store_true", help="stop when the queue is empty")
    _add_settings_arguments(parser)
    _add_engine_arguments(parser, "--workers")
    parser.set_defaults(func=run_worker_command)


def run_worker_command(args: argparse.Namespace) -> int:
    """Run the worker loop until SIGTERM or Ctrl-C."""
    import signal
    import threading

    from service.db import upgrade
    from service.worker import run_worker

    settings = _engine_settings(settings_from(args), args)
    upgrade(settings.database_url)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        handled = run_worker(settings, once=args.once, stop=stop)
    except KeyboardInterrupt:
        return 0
    LOGGER.info("worker stopped after %d run(s)", handled)
    return 0


def register_users(subparsers: Any) -> None:
    """Add ``users add`` and ``users list``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "users",
        help="create users and tokens (the first admin too)",
        description="Manage service users.",
    )
    actions = parser.add_subparsers(dest="users_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create a user and print its token (shown once)")
    add.add_argument("--org", required=True, help="organisation code (created when new)")
    add.add_argument("--role", required=True, help="signatory, planner, grid_operator or admin")
    add.add_argument("--email", help="contact address")
    add.add_argument(
        "--region",
        action="append",
        default=[],
        metavar="CODE",
        help="vervoerregio code a planner is limited to (repeatable; none = all Flanders)",
    )
    _add_settings_arguments(add)
    add.set_defaults(func=run_users_add)
    listing = actions.add_parser("list", help="list users")
    _add_settings_arguments(listing)
    listing.set_defaults(func=run_users_list)


def run_users_add(args: argparse.Namespace) -> int:
    """Create the user (migrating an empty database first) and print the token."""
    from service.accounts import add_user
    from service.db import make_engine, make_session_factory, transaction, upgrade

    settings = settings_from(args)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            user, token = add_user(session, args.org, args.role, args.email, args.region)
            user_id, role = user.id, user.role
    finally:
        engine.dispose()
    print(f"user {user_id} ({role}, {args.org}) created. Its token, shown only now:")
    print(token.token)
    return 0


def run_users_list(args: argparse.Namespace) -> int:
    """Print every user."""
    from sqlalchemy import select

    from service.db import make_engine, make_session_factory, transaction, upgrade
    from service.models import User

    settings = settings_from(args)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            for user in session.scalars(select(User).order_by(User.id)):
                scope = ",".join(user.regions) if user.regions else "all"
                print(
                    f"{user.id}\t{user.organisation.code}\t{user.role}\t{user.email or ''}\t{scope}"
                )
    finally:
        engine.dispose()
    return 0
