"""Planning a group's week: from the domain to the solver and back."""
