"""The service layer: unit of work, message bus and one handler per command."""
