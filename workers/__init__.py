"""RabbitMQ adapters: the topology, the outbox relay and the planner consumer (pika)."""
