"""Failed authentication is limited per client address and audited (in-process app, SQLite)."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx
from sqlalchemy import select

from service.accounts import add_user
from service.app import create_app
from service.config import Settings
from service.db import make_engine, make_session_factory, transaction, upgrade
from service.models import AuditEntry
from service.principal import AUTH_FAILURE
from service.security import AuthFailureLimiter

LIMIT = 3


class Clock:
    """A settable monotonic clock."""

    def __init__(self) -> None:
        self.now_s = 1000.0

    def __call__(self) -> float:
        return self.now_s


def test_the_limiter_refuses_after_the_limit_until_the_window_clears() -> None:
    clock = Clock()
    limiter = AuthFailureLimiter(LIMIT, window_s=60, clock=clock)
    for expected in (1, 2, 3):
        assert limiter.retry_after_s("10.0.0.1") is None
        assert limiter.failed("10.0.0.1") == expected
    assert limiter.retry_after_s("10.0.0.1") == 60
    assert limiter.retry_after_s("10.0.0.2") is None  # per address
    clock.now_s += 30
    assert limiter.retry_after_s("10.0.0.1") == 30
    clock.now_s += 30.5
    assert limiter.retry_after_s("10.0.0.1") is None


def make_settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'laadplan.db'}"
    upgrade(url)
    return Settings(
        data_dir=tmp_path, database_url=url, case_dir=tmp_path / "case",
        auth_failures_per_minute=LIMIT,
    )  # fmt: skip


def planner_token(settings: Settings) -> str:
    engine = make_engine(settings.database_url)
    with transaction(make_session_factory(engine)) as session:
        _, token = add_user(session, "MOW", "planner")
        value = token.token
    engine.dispose()
    return value


def auth_failures(settings: Settings) -> list[AuditEntry]:
    engine = make_engine(settings.database_url)
    with transaction(make_session_factory(engine)) as session:
        found = list(session.scalars(select(AuditEntry).where(AuditEntry.action == AUTH_FAILURE)))
        session.expunge_all()
    engine.dispose()
    return found


async def statuses(settings: Settings, good: str) -> dict[str, list[int]]:
    app = create_app(settings)
    attacker = httpx.ASGITransport(app=app, client=("203.0.113.7", 4000))
    other = httpx.ASGITransport(app=app, client=("198.51.100.2", 4000))
    seen: dict[str, list[int]] = {"guesses": [], "after": []}
    async with httpx.AsyncClient(transport=attacker, base_url="http://api") as client:
        for guess in range(LIMIT + 2):
            answer = await client.get("/needs", headers={"Authorization": f"Bearer guess{guess}"})
            seen["guesses"].append(answer.status_code)
        limited = await client.get("/needs", headers={"Authorization": f"Bearer {good}"})
        seen["after"].append(limited.status_code)
        seen["retry_after"] = [int(limited.headers.get("retry-after", "0"))]
    async with httpx.AsyncClient(transport=other, base_url="http://api") as client:
        answer = await client.get("/needs", headers={"Authorization": f"Bearer {good}"})
        seen["other_address"] = [answer.status_code]
    return seen


def test_token_guessing_is_limited_per_address_and_every_failure_audited(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    good = planner_token(settings)
    seen = anyio.run(statuses, settings, good)
    assert seen["guesses"] == [401] * LIMIT + [429, 429]
    assert seen["after"] == [429]  # even a good token, from the guessing address
    assert 0 < seen["retry_after"][0] <= 60
    assert seen["other_address"] == [200]
    failures = auth_failures(settings)
    assert len(failures) == LIMIT  # the refused attempts never reach the token check
    assert {entry.target for entry in failures} == {"GET /needs"}
    assert [entry.detail for entry in failures] == [
        {"client": "203.0.113.7", "failures": n} for n in range(1, LIMIT + 1)
    ]
    assert all(entry.user_id is None for entry in failures)
