"""The outbox: plan messages as rows (`store`), send them once (`sender`)."""
