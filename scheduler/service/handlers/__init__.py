"""One handler per command; ``scheduler.bootstrap`` routes commands to them."""
