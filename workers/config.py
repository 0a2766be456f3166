"""Settings of the RabbitMQ side, read from ``PARTAGE_WORKER_*`` environment variables."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from scheduler.service.local_bus import RetryPolicy


class WorkerSettings(BaseSettings):
    """How workers and relays use the broker (the broker's URL is ``PARTAGE_AMQP_URL``).

    ``namespace`` prefixes every exchange and queue name, so several deployments (or test runs)
    can share one virtual host without seeing each other's messages.
    """

    model_config = SettingsConfigDict(env_prefix="PARTAGE_WORKER_", extra="ignore")

    namespace: str = Field("partage", pattern=r"^[A-Za-z0-9_.\-]{1,120}$")
    concurrency: int = Field(2, ge=1, le=64, description="Messages handled at once.")
    # Retries: the delays before the 2nd, 3rd... attempt; each is a TTL queue of its own.
    retry_delays: tuple[float, ...] = (1.0, 5.0, 30.0)
    max_attempts: int = Field(4, ge=1, le=50)
    busy_delay: float = Field(2.0, gt=0, le=600)
    max_busy: int = Field(300, ge=1)
    # Redeliveries after crashes (the worker died holding the message) before dead-lettering:
    # stops a message that kills every worker that takes it.
    delivery_limit: int = Field(20, ge=1, le=1000)
    heartbeat: int = Field(30, ge=0, le=600)
    reconnect_initial: float = Field(0.5, gt=0)
    reconnect_max: float = Field(30.0, gt=0)
    shutdown_grace: float = Field(30.0, ge=0, description="SIGTERM: time to finish a message.")
    relay_poll: float = Field(0.05, gt=0, le=10)
    relay_batch: int = Field(200, ge=1, le=10_000)

    @field_validator("retry_delays")
    @classmethod
    def _positive(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not value or any(d <= 0 for d in value):
            raise ValueError("retry delays must be positive seconds, at least one")
        return value

    @property
    def retry(self) -> RetryPolicy:
        return RetryPolicy(
            delays=self.retry_delays,
            max_attempts=self.max_attempts,
            busy_delay=self.busy_delay,
            max_busy=self.max_busy,
        )
