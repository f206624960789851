"""Background work of the desk: none is needed yet (certificates are made on request, in the
request's transaction). Deadlines are read live by `selectors.overdue_items`."""
